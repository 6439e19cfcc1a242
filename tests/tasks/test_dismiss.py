"""Dismissing a flag: an owner accepts a risk with a note, and the key is never raised again."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from tasks.models import RiskFlag
from tasks.scanning import scan
from tasks.services import dismiss_flag
from tests import factories as f
from tests.tasks.scan_network import K, open_flag

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 4, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def core_flag():
    task = f.TaskFactory(is_core=True)
    f.AssignmentFactory(task=task)
    scan()
    return open_flag(task, K.CORE_TASK_OUTSOURCED)


def test_dismissing_records_who_when_and_why(core_flag, owner):
    with time_machine.travel(NOW, tick=False):
        returned = dismiss_flag(core_flag, by=owner, note="  The client insists.  ")
    core_flag.refresh_from_db()
    assert core_flag.resolution == RiskFlag.Resolution.DISMISSED
    assert core_flag.resolved_at == NOW
    assert core_flag.dismissed_by == owner
    assert core_flag.dismiss_note == "The client insists."
    assert returned.pk == core_flag.pk and not core_flag.is_open


def test_the_callers_flag_object_reflects_the_dismissal(core_flag, owner):
    dismiss_flag(core_flag, by=owner, note="Accepted.")
    assert core_flag.resolution == RiskFlag.Resolution.DISMISSED
    assert core_flag.dismissed_by == owner


@pytest.mark.parametrize("note", ["", "   ", None])
def test_a_note_is_required_and_nothing_changes_without_one(core_flag, owner, note):
    with pytest.raises(ValidationError) as error:
        dismiss_flag(core_flag, by=owner, note=note)
    assert "dismiss_note" in error.value.message_dict
    core_flag.refresh_from_db()
    assert core_flag.is_open
    assert core_flag.dismiss_note == ""


def test_a_resolved_flag_cannot_be_dismissed(core_flag, owner):
    dismiss_flag(core_flag, by=owner, note="Accepted.")
    with pytest.raises(ValidationError, match="already dismissed"):
        dismiss_flag(core_flag, by=owner, note="Again.")


def test_a_cleared_flag_cannot_be_dismissed(core_flag, owner):
    core_flag.task.assignments.update(ended_at=timezone.now())
    scan()
    with pytest.raises(ValidationError, match="already cleared"):
        dismiss_flag(core_flag, by=owner, note="Too late.")
    core_flag.refresh_from_db()
    assert core_flag.resolution == RiskFlag.Resolution.CLEARED


def test_the_scan_never_raises_a_dismissed_key_again(core_flag, owner):
    dismiss_flag(core_flag, by=owner, note="Accepted.")
    for _ in range(2):
        scan()
        scan(task_ids=[core_flag.task_id])
    flags = RiskFlag.objects.filter(task=core_flag.task, kind=K.CORE_TASK_OUTSOURCED)
    assert list(flags.values_list("resolution", flat=True)) == ["dismissed"]


def test_the_scan_does_not_overwrite_a_dismissal(core_flag, owner):
    """A refresh or clear only touches open flags: a dismissal made meanwhile stays."""
    dismiss_flag(core_flag, by=owner, note="Accepted.")
    dismissed_at = RiskFlag.objects.get(pk=core_flag.pk).resolved_at
    core_flag.task.assignments.update(ended_at=timezone.now())  # the rule no longer holds either
    scan()
    core_flag.refresh_from_db()
    assert core_flag.resolution == RiskFlag.Resolution.DISMISSED
    assert core_flag.resolved_at == dismissed_at


def test_the_full_scan_job_prunes_old_task_scan_records_only():
    import datetime

    from django.utils import timezone

    from tasks.jobs import scan_all_tasks
    from tasks.models import ScanRun

    old = timezone.now() - datetime.timedelta(days=45)
    for scope in ("tasks", "full"):
        ScanRun.objects.create(scope=scope, started_at=old, finished_at=old)
    recent = ScanRun.objects.create(
        scope="tasks", started_at=timezone.now(), finished_at=timezone.now()
    )
    scan_all_tasks.apply()
    assert not ScanRun.objects.filter(scope="tasks", finished_at=old).exists()
    assert ScanRun.objects.filter(scope="full", finished_at=old).exists()
    assert ScanRun.objects.filter(pk=recent.pk).exists()
