"""factory-boy factories for every model. Tests build exactly the rows they need from these."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from freelancers.models import ClientReview, Freelancer, PortfolioItem, Skill
from sops.models import SOP, SOPVersion, sha256_text
from tasks.models import Assignment, OversightEntry, Payment, RiskFlag, Task

User = get_user_model()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class OwnerFactory(UserFactory):
    username = factory.Sequence(lambda n: f"owner{n}")

    @factory.post_generation
    def owners_group(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name="Owners"))


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Skill {n}")
    slug = factory.LazyAttribute(lambda s: s.name.lower().replace(" ", "-"))


class FreelancerFactory(factory.django.DjangoModelFactory):
    """A pending freelancer; use ``ApprovedFreelancerFactory`` for one who passed vetting."""

    class Meta:
        model = Freelancer
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Freelancer {n}")
    email = factory.Sequence(lambda n: f"freelancer{n}@example.com")
    headline = "Reliable and quick"
    hourly_rate = Decimal("40.00")

    @factory.post_generation
    def skills(self, create, extracted, **kwargs):
        if create and extracted:
            self.skills.set(extracted)


class ApprovedFreelancerFactory(FreelancerFactory):
    vetting_status = Freelancer.Vetting.APPROVED
    vetting_completed_at = factory.LazyFunction(
        lambda: timezone.now() - datetime.timedelta(days=60)
    )


class ClientReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientReview

    freelancer = factory.SubFactory(FreelancerFactory)
    client_name = factory.Sequence(lambda n: f"Client {n}")
    client_contact = "client@example.com"
    rating = 5
    comment = "Great work."
    verified = True


class PortfolioItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PortfolioItem

    freelancer = factory.SubFactory(FreelancerFactory)
    title = factory.Sequence(lambda n: f"Project {n}")
    url = "https://example.com/work"
    reviewed_at = factory.LazyFunction(timezone.now)
    assessment = "Solid."


class SOPFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SOP

    title = factory.Sequence(lambda n: f"Procedure {n}")
    slug = factory.Sequence(lambda n: f"procedure-{n}")
    summary = "How we do things."


class SOPVersionFactory(factory.django.DjangoModelFactory):
    """Prefer ``sops.services.publish_sop_version`` in tests about publishing itself."""

    class Meta:
        model = SOPVersion

    sop = factory.SubFactory(SOPFactory)
    number = factory.LazyAttribute(lambda v: v.sop.versions.count() + 1)
    body = factory.Sequence(lambda n: f"# Steps\n\n1. Do step {n}.\n")
    change_note = "Initial"
    material = True
    content_sha256 = factory.LazyAttribute(lambda v: sha256_text(v.body))


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Task {n}")
    skill = factory.SubFactory(SkillFactory)
    status = Task.Status.OPEN
    budget = Decimal("500.00")
    in_house_estimate = Decimal("800.00")

    @factory.post_generation
    def required_sops(self, create, extracted, **kwargs):
        if create and extracted:
            self.required_sops.set(extracted)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    task = factory.SubFactory(TaskFactory)
    freelancer = factory.SubFactory(ApprovedFreelancerFactory)
    role = Assignment.Role.PRIMARY
    assigned_at = factory.LazyFunction(timezone.now)


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    assignment = factory.SubFactory(AssignmentFactory)
    amount = Decimal("100.00")
    paid_on = factory.LazyFunction(timezone.localdate)


class OversightEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OversightEntry

    task = factory.SubFactory(TaskFactory)
    minutes = 30
    logged_on = factory.LazyFunction(timezone.localdate)


class RiskFlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskFlag

    task = factory.SubFactory(TaskFactory)
    assignment = None
    freelancer = factory.LazyAttribute(lambda f: f.assignment.freelancer if f.assignment else None)
    kind = RiskFlag.Kind.CORE_TASK_OUTSOURCED
    severity = RiskFlag.Severity.HIGH
    detail = "Core work is done by a freelancer."
