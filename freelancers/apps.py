from django.apps import AppConfig


class FreelancersConfig(AppConfig):
    name = "freelancers"
    verbose_name = "Freelancers and vetting"
