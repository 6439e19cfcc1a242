"""The periodic full scan: created by a migration, editable in the admin, a registered job."""

import pytest
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from config.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_a_migration_schedules_the_full_scan_every_fifteen_minutes():
    task = PeriodicTask.objects.get(task="tasks.jobs.scan_all_tasks")
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (15, IntervalSchedule.MINUTES)


def test_the_scheduled_name_is_a_registered_celery_job():
    import tasks.jobs  # noqa: F401  (registers the shared tasks with the app)

    assert "tasks.jobs.scan_all_tasks" in celery_app.tasks
    assert "tasks.jobs.scan_task" in celery_app.tasks


def test_the_schedule_is_editable_in_the_admin(admin_client_):
    task = PeriodicTask.objects.get(task="tasks.jobs.scan_all_tasks")
    page = admin_client_.get(
        reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])
    )
    assert page.status_code == 200
    assert b"tasks.jobs.scan_all_tasks" in page.content
