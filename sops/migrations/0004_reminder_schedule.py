"""Schedule the daily SOP reminders in django-celery-beat (editable afterwards in the admin)."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

TASK = "sops.jobs.remind_outstanding_acknowledgments"
NAME = "Remind freelancers of SOPs to acknowledge (daily)"


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="9",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": TASK,
            "crontab": crontab,
            "description": "E-mails each freelancer with outstanding SOPs, at most once every "
            "SOP_REMINDER_INTERVAL_DAYS days.",
        },
    )
    # Beat reloads its schedule when this timestamp moves (signals do not run in migrations).
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sops", "0003_acknowledgmentreminder"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
