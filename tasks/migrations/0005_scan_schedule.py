"""Schedule the full risk scan every 15 minutes with django-celery-beat (editable in the admin).

The periodic full scan is what heals flags when a ``scan_task`` could not be queued (broker down)
or when a change has no trigger of its own (a freelancer paused, a skill removed).
"""

from django.db import migrations
from django.utils import timezone

TASK_NAME = "Risk scan of the whole network"
JOB = "tasks.jobs.scan_all_tasks"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    every, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": JOB,
            "interval": every,
            "enabled": True,
            "description": "Makes the open risk flags match the rules (tasks.scanning.scan).",
        },
    )
    # Tell a running beat that the schedule changed (what PeriodicTask.save() does normally).
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME, task=JOB).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0004_riskflag_fillfactor"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
