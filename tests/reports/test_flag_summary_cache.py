"""The dashboard's cached flag figures never outlive a scan or a dismissal."""

import pytest

from reports.selectors import flag_summary
from tasks.models import RiskFlag
from tasks.scanning import scan
from tasks.services import dismiss_flag
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def core_task():
    task = factories.TaskFactory(is_core=True)
    factories.AssignmentFactory(task=task)
    return task


def core_flags() -> int:
    return flag_summary().counts.get(("core_task_outsourced", "high"), 0)


def test_a_scan_that_raises_a_flag_shows_at_once(core_task):
    assert core_flags() == 0
    scan()
    assert core_flags() == 1


def test_a_dismissal_shows_at_once(core_task, owner):
    scan()
    assert core_flags() == 1
    flag = RiskFlag.objects.get(kind="core_task_outsourced")
    dismiss_flag(flag, by=owner, note="Kept on purpose.")
    assert core_flags() == 0


def test_a_scan_that_clears_a_flag_shows_at_once(core_task):
    scan()
    assert core_flags() == 1
    core_task.assignments.update(ended_at=core_task.assignments.get().assigned_at)
    scan(task_ids=[core_task.pk])
    assert core_flags() == 0


def test_unchanged_flags_are_served_without_recounting(core_task, django_assert_num_queries):
    scan()
    flag_summary()
    with django_assert_num_queries(1):  # the version only: latest scan and flag, dismissals
        assert flag_summary().counts[("core_task_outsourced", "high")] == 1


def test_flags_deleted_with_their_task_show_at_once():
    tasks = [factories.TaskFactory(is_core=True) for _ in range(2)]
    for task in tasks:
        factories.AssignmentFactory(task=task)
    scan()
    assert core_flags() == 2
    # Not the task holding the newest flag, so only the count of open flags can tell.
    newest = RiskFlag.objects.latest("id").task_id
    victim = next(task for task in tasks if task.pk != newest)
    victim.delete()  # e.g. in the admin: its assignments and flags go with it
    assert core_flags() == 1
