"""The risk scan against DOMAIN.md's table: one named test per case, then the lifecycle.

Each test builds the smallest network that shows its case, runs ``scan()`` and compares the open
flags as (task, kind, assignment, severity) tuples.
"""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from freelancers.models import Freelancer
from tasks import scanning
from tasks.models import RiskFlag, ScanRun, Task
from tasks.scanning import scan
from tests import factories as f
from tests.tasks.scan_network import HIGH, MEDIUM, K, ack, build_network, open_flag, open_flags
from tests.tasks.scan_network import version as make_version

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def days_ago(n: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=n)


@pytest.fixture
def copywriting():
    return f.SkillFactory(name="Copywriting", slug="copywriting")


@pytest.fixture
def ana(copywriting):
    return f.ApprovedFreelancerFactory(name="Ana Ruiz", skills=[copywriting])


def task_for(freelancers, **fields):
    """A live task with one active assignment per freelancer given."""
    task = f.TaskFactory(**fields)
    assignments = [f.AssignmentFactory(task=task, freelancer=fl) for fl in freelancers]
    return task, assignments


# --- single_freelancer ------------------------------------------------------------------------


def test_single_freelancer_is_medium_when_another_approved_freelancer_has_the_skill(
    ana, copywriting
):
    f.ApprovedFreelancerFactory(skills=[copywriting])
    f.ApprovedFreelancerFactory(skills=[copywriting])
    task, _ = task_for([ana], skill=copywriting)
    scan()
    flag = open_flag(task, K.SINGLE_FREELANCER)
    assert flag.severity == MEDIUM
    assert flag.assignment is None
    assert flag.detail == (
        "Only Ana Ruiz works on this; 2 other approved freelancers have the skill Copywriting"
    )


def test_single_freelancer_detail_says_one_replacement_in_the_singular(ana, copywriting):
    f.ApprovedFreelancerFactory(skills=[copywriting])
    task, _ = task_for([ana], skill=copywriting)
    scan()
    assert open_flag(task, K.SINGLE_FREELANCER).detail == (
        "Only Ana Ruiz works on this; 1 other approved freelancer has the skill Copywriting"
    )


def test_single_freelancer_is_high_when_no_other_approved_freelancer_has_the_skill(
    ana, copywriting
):
    task, _ = task_for([ana], skill=copywriting)
    scan()
    flag = open_flag(task, K.SINGLE_FREELANCER)
    assert flag.severity == HIGH
    assert flag.detail == (
        "Only Ana Ruiz works on this; no other approved freelancer has the skill Copywriting: "
        "no replacement"
    )


def test_single_freelancer_bench_counts_only_active_approved_freelancers(ana, copywriting):
    f.FreelancerFactory(skills=[copywriting])  # pending
    f.FreelancerFactory(skills=[copywriting], vetting_status=Freelancer.Vetting.IN_REVIEW)
    f.ApprovedFreelancerFactory(skills=[copywriting], status=Freelancer.Status.PAUSED)
    f.ApprovedFreelancerFactory(skills=[copywriting], status=Freelancer.Status.OFFBOARDED)
    f.ApprovedFreelancerFactory(skills=[f.SkillFactory()])  # approved, other skill
    task, _ = task_for([ana], skill=copywriting)
    scan()
    assert open_flag(task, K.SINGLE_FREELANCER).severity == HIGH


def test_single_freelancer_who_lacks_the_skill_still_leaves_the_whole_bench_as_replacements(
    copywriting,
):
    outsider = f.ApprovedFreelancerFactory(name="Olga Other")
    f.ApprovedFreelancerFactory(skills=[copywriting])
    task, _ = task_for([outsider], skill=copywriting)
    scan()
    flag = open_flag(task, K.SINGLE_FREELANCER)
    assert flag.severity == MEDIUM
    assert "1 other approved freelancer has the skill Copywriting" in flag.detail


def test_single_freelancer_is_high_when_the_task_has_no_skill(ana):
    task, _ = task_for([ana], skill=None)
    scan()
    flag = open_flag(task, K.SINGLE_FREELANCER)
    assert flag.severity == HIGH
    assert "Only Ana Ruiz works on this" in flag.detail
    assert "no skill" in flag.detail


def test_single_freelancer_is_not_raised_when_a_backup_works_on_the_task(ana, copywriting):
    backup = f.ApprovedFreelancerFactory(skills=[copywriting])
    task, _ = task_for([ana], skill=copywriting)
    f.AssignmentFactory(task=task, freelancer=backup, role="backup")
    scan()
    assert not task.flags.filter(kind=K.SINGLE_FREELANCER).exists()


def test_single_freelancer_counts_only_active_assignments(ana, copywriting):
    task, _ = task_for([ana], skill=copywriting)
    f.AssignmentFactory(
        task=task, assigned_at=days_ago(10), ended_at=days_ago(5)
    )  # a backup who left
    scan()
    assert open_flag(task, K.SINGLE_FREELANCER)


def test_task_without_assignments_has_no_single_freelancer_flag(copywriting):
    task = f.TaskFactory(skill=copywriting)
    scan()
    assert not task.flags.exists()


# --- assigned_before_vetting ------------------------------------------------------------------


@pytest.mark.parametrize("state", ["pending", "in_review", "rejected"])
def test_assigned_before_vetting_is_high_while_the_freelancer_is_not_approved(state):
    pete = f.FreelancerFactory(name="Pete Pending", vetting_status=state)
    task, (assignment,) = task_for([pete])
    scan()
    flag = open_flag(task, K.ASSIGNED_BEFORE_VETTING, assignment)
    assert flag.severity == HIGH
    assert flag.detail.startswith("Pete Pending was assigned on ")
    assert f"still not approved (vetting {state.replace('_', ' ')})" in flag.detail


def test_assigned_before_vetting_is_medium_once_approved_later():
    kofi = f.ApprovedFreelancerFactory(name="Kofi Mensah", vetting_completed_at=days_ago(10))
    task = f.TaskFactory()
    assignment = f.AssignmentFactory(task=task, freelancer=kofi, assigned_at=days_ago(20))
    scan()
    flag = open_flag(task, K.ASSIGNED_BEFORE_VETTING, assignment)
    assert flag.severity == MEDIUM
    assert "before vetting was completed on" in flag.detail


def test_assignment_made_after_approval_is_not_flagged():
    kofi = f.ApprovedFreelancerFactory(vetting_completed_at=days_ago(20))
    task = f.TaskFactory()
    f.AssignmentFactory(task=task, freelancer=kofi, assigned_at=days_ago(10))
    scan()
    assert not task.flags.filter(kind=K.ASSIGNED_BEFORE_VETTING).exists()


def test_assignment_made_the_instant_vetting_completed_is_not_before_vetting():
    moment = days_ago(3)
    kofi = f.ApprovedFreelancerFactory(vetting_completed_at=moment)
    task = f.TaskFactory()
    f.AssignmentFactory(task=task, freelancer=kofi, assigned_at=moment)
    scan()
    assert not task.flags.filter(kind=K.ASSIGNED_BEFORE_VETTING).exists()


def test_ended_assignment_of_an_unvetted_freelancer_is_not_flagged():
    task = f.TaskFactory()
    f.AssignmentFactory(
        task=task, freelancer=f.FreelancerFactory(), assigned_at=days_ago(9), ended_at=days_ago(1)
    )
    scan()
    assert not task.flags.exists()


def test_approval_after_the_assignment_lowers_the_same_flag_to_medium():
    pete = f.FreelancerFactory(name="Pete Pending")
    task, (assignment,) = task_for([pete])
    scan()
    flag = open_flag(task, K.ASSIGNED_BEFORE_VETTING, assignment)
    assert flag.severity == HIGH
    Freelancer.objects.filter(pk=pete.pk).update(
        vetting_status=Freelancer.Vetting.APPROVED, vetting_completed_at=timezone.now()
    )
    scan()
    flag.refresh_from_db()
    assert flag.resolved_at is None
    assert flag.severity == MEDIUM
    assert "before vetting was completed on" in flag.detail


# --- core_task_outsourced ---------------------------------------------------------------------


def test_core_task_with_an_active_assignment_is_flagged_high(ana):
    task, _ = task_for([ana], is_core=True)
    scan()
    flag = open_flag(task, K.CORE_TASK_OUTSOURCED)
    assert flag.severity == HIGH
    assert flag.assignment is None
    assert flag.detail == "Core work is outsourced to Ana Ruiz; plan to bring it in-house"


def test_core_task_detail_names_every_freelancer_in_order(ana):
    bo = f.ApprovedFreelancerFactory(name="Bo Chen")
    task, _ = task_for([bo, ana], is_core=True)
    scan()
    assert open_flag(task, K.CORE_TASK_OUTSOURCED).detail == (
        "Core work is outsourced to 2 freelancers: Ana Ruiz, Bo Chen; plan to bring it in-house"
    )


def test_core_task_without_an_active_assignment_is_not_flagged():
    task = f.TaskFactory(is_core=True)
    f.AssignmentFactory(task=task, assigned_at=days_ago(5), ended_at=days_ago(1))
    scan()
    assert not task.flags.filter(kind=K.CORE_TASK_OUTSOURCED).exists()


def test_task_that_is_not_core_has_no_core_flag(ana):
    task, _ = task_for([ana], is_core=False)
    scan()
    assert not task.flags.filter(kind=K.CORE_TASK_OUTSOURCED).exists()


# --- sop_not_acknowledged ---------------------------------------------------------------------


@pytest.fixture
def handbook():
    return f.SOPFactory(title="Handbook", slug="handbook")


def test_required_sop_not_acknowledged_is_flagged_medium_per_assignment(ana, handbook):
    make_version(handbook, 1)
    bo = f.ApprovedFreelancerFactory(name="Bo Chen")
    task, (a_ana, a_bo) = task_for([ana, bo], required_sops=[handbook])
    scan()
    assert {flag for flag in open_flags() if flag[1] == K.SOP_NOT_ACKNOWLEDGED} == {
        (task.pk, K.SOP_NOT_ACKNOWLEDGED, a_ana.pk, MEDIUM),
        (task.pk, K.SOP_NOT_ACKNOWLEDGED, a_bo.pk, MEDIUM),
    }
    assert open_flag(task, K.SOP_NOT_ACKNOWLEDGED, a_ana).detail == (
        "Ana Ruiz has not acknowledged the current version of Handbook (v1)"
    )


def test_flags_on_an_assignment_name_its_freelancer_and_task_flags_name_nobody(ana, handbook):
    make_version(handbook, 1)
    task, (assignment,) = task_for([ana], required_sops=[handbook], is_core=True)
    scan()
    assert open_flag(task, K.SOP_NOT_ACKNOWLEDGED, assignment).freelancer == ana
    assert open_flag(task, K.CORE_TASK_OUTSOURCED).freelancer is None


def test_acknowledging_the_current_version_clears_the_flag(ana, handbook):
    v1 = make_version(handbook, 1)
    task, (assignment,) = task_for([ana], required_sops=[handbook])
    scan()
    flag = open_flag(task, K.SOP_NOT_ACKNOWLEDGED, assignment)
    ack(ana, v1)
    scan()
    flag.refresh_from_db()
    assert flag.resolution == RiskFlag.Resolution.CLEARED


def test_the_version_to_acknowledge_is_the_newest_material_one(ana, handbook):
    make_version(handbook, 1)
    v2 = make_version(handbook, 2)
    make_version(handbook, 3, material=False)  # a typo fix
    task, (assignment,) = task_for([ana], required_sops=[handbook])
    ack(ana, v2)
    scan()
    assert not task.flags.filter(kind=K.SOP_NOT_ACKNOWLEDGED).exists()


def test_a_new_material_version_needs_a_new_acknowledgement(ana, handbook):
    v1 = make_version(handbook, 1)
    make_version(handbook, 2)
    task, (assignment,) = task_for([ana], required_sops=[handbook])
    ack(ana, v1)
    scan()
    assert open_flag(task, K.SOP_NOT_ACKNOWLEDGED, assignment).detail.endswith("Handbook (v2)")


def test_a_non_material_version_needs_no_new_acknowledgement(ana, handbook):
    v1 = make_version(handbook, 1)
    make_version(handbook, 2, material=False)
    task, _ = task_for([ana], required_sops=[handbook])
    ack(ana, v1)
    scan()
    assert not task.flags.filter(kind=K.SOP_NOT_ACKNOWLEDGED).exists()


def test_acknowledging_a_later_version_than_the_one_to_acknowledge_counts(ana, handbook):
    make_version(handbook, 1)
    make_version(handbook, 2)
    v3 = make_version(handbook, 3, material=False)
    task, _ = task_for([ana], required_sops=[handbook])
    ack(ana, v3)
    scan()
    assert not task.flags.filter(kind=K.SOP_NOT_ACKNOWLEDGED).exists()


def test_acknowledging_an_older_version_does_not_count(ana, handbook):
    v1 = make_version(handbook, 1)
    make_version(handbook, 2)
    task, (assignment,) = task_for([ana], required_sops=[handbook])
    ack(ana, v1)
    scan()
    assert open_flag(task, K.SOP_NOT_ACKNOWLEDGED, assignment)


def test_another_freelancers_acknowledgement_does_not_count(ana, handbook):
    v1 = make_version(handbook, 1)
    task, (assignment,) = task_for([ana], required_sops=[handbook])
    ack(f.ApprovedFreelancerFactory(), v1)
    scan()
    assert open_flag(task, K.SOP_NOT_ACKNOWLEDGED, assignment)


def test_archived_sops_are_never_required(ana):
    old = f.SOPFactory(archived=True)
    everyone_old = f.SOPFactory(archived=True, applies_to_all=True)
    make_version(old, 1)
    make_version(everyone_old, 1)
    task, _ = task_for([ana], required_sops=[old])
    scan()
    assert not task.flags.filter(kind=K.SOP_NOT_ACKNOWLEDGED).exists()


def test_an_sop_without_any_version_is_not_required(ana, handbook):
    task, _ = task_for([ana], required_sops=[handbook])
    scan()
    assert not task.flags.filter(kind=K.SOP_NOT_ACKNOWLEDGED).exists()


def test_sop_that_applies_to_all_is_required_on_every_active_assignment(ana):
    everyone = f.SOPFactory(title="Working with us", applies_to_all=True)
    make_version(everyone, 1)
    task_a, (a1,) = task_for([ana])
    task_b, (a2,) = task_for([ana])
    scan()
    assert open_flag(task_a, K.SOP_NOT_ACKNOWLEDGED, a1).detail.endswith("Working with us (v1)")
    assert open_flag(task_b, K.SOP_NOT_ACKNOWLEDGED, a2)


def test_sop_that_applies_to_all_is_not_required_without_an_active_assignment_on_a_live_task(
    ana,
):
    everyone = f.SOPFactory(applies_to_all=True)
    make_version(everyone, 1)
    ended = f.TaskFactory()
    f.AssignmentFactory(task=ended, freelancer=ana, assigned_at=days_ago(3), ended_at=days_ago(1))
    done = f.TaskFactory(status=Task.Status.DONE)
    f.AssignmentFactory(task=done, freelancer=ana)
    scan()
    assert not RiskFlag.objects.filter(kind=K.SOP_NOT_ACKNOWLEDGED).exists()


def test_one_sop_flag_per_assignment_lists_every_missing_sop_once(ana, handbook):
    everyone = f.SOPFactory(title="Working with us", applies_to_all=True)
    make_version(everyone, 1)
    make_version(handbook, 1)
    make_version(handbook, 2)
    # Required by the task *and* applying to all: listed once.
    task, (assignment,) = task_for([ana], required_sops=[handbook, everyone])
    scan()
    assert task.flags.filter(kind=K.SOP_NOT_ACKNOWLEDGED).count() == 1
    assert open_flag(task, K.SOP_NOT_ACKNOWLEDGED, assignment).detail == (
        "Ana Ruiz has not acknowledged the current version of Handbook (v2), Working with us (v1)"
    )


# --- only live tasks --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Task.Status.DONE, Task.Status.CANCELLED])
def test_tasks_that_are_not_live_get_no_flags(status, handbook):
    make_version(handbook, 1)
    pete = f.FreelancerFactory()
    task, _ = task_for([pete], status=status, is_core=True, skill=None, required_sops=[handbook])
    scan()
    assert not task.flags.exists()


@pytest.mark.parametrize("status", [Task.Status.OPEN, Task.Status.IN_PROGRESS])
def test_open_and_in_progress_tasks_are_live(status, ana):
    task, _ = task_for([ana], status=status, is_core=True)
    scan()
    assert open_flag(task, K.CORE_TASK_OUTSOURCED)


def test_finishing_a_task_clears_all_its_flags(ana):
    task, _ = task_for([ana], is_core=True)
    scan()
    assert task.flags.filter(resolved_at__isnull=True).count() == 2
    Task.objects.filter(pk=task.pk).update(status=Task.Status.DONE)
    scan()
    assert not task.flags.filter(resolved_at__isnull=True).exists()
    assert set(task.flags.values_list("resolution", flat=True)) == {"cleared"}


# --- lifecycle --------------------------------------------------------------------------------


def test_scan_raises_then_refreshes_last_seen_at_then_clears(ana):
    task, _ = task_for([ana], is_core=True)
    with time_machine.travel(NOW, tick=False):
        scan()
    flag = open_flag(task, K.CORE_TASK_OUTSOURCED)
    assert flag.raised_at == NOW and flag.last_seen_at == NOW

    later = NOW + datetime.timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        scan()
    flag.refresh_from_db()
    assert (flag.raised_at, flag.last_seen_at, flag.resolved_at) == (NOW, later, None)

    Task.objects.filter(pk=task.pk).update(is_core=False)
    end = later + datetime.timedelta(hours=1)
    with time_machine.travel(end, tick=False):
        scan()
    flag.refresh_from_db()
    assert flag.resolved_at == end
    assert flag.resolution == RiskFlag.Resolution.CLEARED
    assert flag.last_seen_at == later


def test_a_flag_that_comes_back_after_clearing_is_raised_anew(ana):
    task, _ = task_for([ana], is_core=True)
    scan()
    Task.objects.filter(pk=task.pk).update(is_core=False)
    scan()
    Task.objects.filter(pk=task.pk).update(is_core=True)
    scan()
    flags = task.flags.filter(kind=K.CORE_TASK_OUTSOURCED)
    assert flags.count() == 2
    assert flags.filter(resolved_at__isnull=True).count() == 1


def test_scanning_twice_leaves_the_same_flags(ana, handbook):
    make_version(handbook, 1)
    build_network(20)
    task_for([f.FreelancerFactory()], is_core=True, required_sops=[handbook])
    scan()
    first = set(RiskFlag.objects.values_list("id", "task_id", "kind", "assignment_id", "severity"))
    result = scan()
    second = set(RiskFlag.objects.values_list("id", "task_id", "kind", "assignment_id", "severity"))
    assert first == second
    assert result.raised == result.cleared == 0
    assert result.refreshed == len(first)


def test_stale_open_flags_are_cleared(ana):
    task, (assignment,) = task_for([ana])
    stale = f.RiskFlagFactory(task=task, kind=K.SOP_NOT_ACKNOWLEDGED, assignment=assignment)
    scan()
    stale.refresh_from_db()
    assert stale.resolution == RiskFlag.Resolution.CLEARED


def test_a_dismissed_key_is_never_raised_again(ana, copywriting):
    task, (assignment,) = task_for([ana], skill=copywriting, is_core=True)
    owner = f.OwnerFactory()
    scan()
    from tasks.services import dismiss_flag

    dismiss_flag(open_flag(task, K.CORE_TASK_OUTSOURCED), by=owner, note="We accept it.")
    result = scan()
    assert not task.flags.filter(kind=K.CORE_TASK_OUTSOURCED, resolved_at__isnull=True).exists()
    assert result.counts[K.CORE_TASK_OUTSOURCED] == {"raised": 0, "open": 0, "cleared": 0}
    # Other kinds on the same task are untouched by the dismissal.
    assert open_flag(task, K.SINGLE_FREELANCER)


def test_a_dismissal_covers_its_assignment_only(handbook):
    make_version(handbook, 1)
    pete, sam = f.FreelancerFactory(), f.FreelancerFactory()
    task, (a_pete, a_sam) = task_for([pete, sam])
    scan()
    from tasks.services import dismiss_flag

    dismiss_flag(
        open_flag(task, K.ASSIGNED_BEFORE_VETTING, a_pete), by=f.OwnerFactory(), note="Known."
    )
    scan()
    assert {flag[2] for flag in open_flags() if flag[1] == K.ASSIGNED_BEFORE_VETTING} == {a_sam.pk}
    # A new assignment of the same freelancer is a new key: raised.
    a_pete.ended_at = timezone.now()
    a_pete.save()
    again = f.AssignmentFactory(task=task, freelancer=pete)
    scan()
    assert open_flag(task, K.ASSIGNED_BEFORE_VETTING, again)


def test_scan_of_some_tasks_touches_only_their_flags(ana):
    mine, _ = task_for([ana], is_core=True)
    other, _ = task_for([f.ApprovedFreelancerFactory()], is_core=True)
    stale_elsewhere = f.RiskFlagFactory(task=other, kind=K.SOP_NOT_ACKNOWLEDGED)
    result = scan(task_ids=[mine.pk])
    assert result.scope == ScanRun.Scope.TASKS
    assert result.tasks_scanned == 1
    assert open_flag(mine, K.CORE_TASK_OUTSOURCED)
    assert not other.flags.filter(kind=K.CORE_TASK_OUTSOURCED).exists()
    stale_elsewhere.refresh_from_db()
    assert stale_elsewhere.resolved_at is None


def test_scan_of_unknown_or_no_tasks_does_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert scan(task_ids=[]).as_dict()["raised"] == 0
    assert scan(task_ids=[987654]).tasks_scanned == 0
    assert not RiskFlag.objects.exists()


def test_each_scan_is_recorded_with_counts_per_kind(ana):
    task, _ = task_for([ana], is_core=True)
    result = scan()
    run = ScanRun.objects.get(pk=result.scan_run_id)
    assert run.scope == ScanRun.Scope.FULL
    assert run.tasks_scanned == 1
    assert (run.raised, run.refreshed, run.cleared) == (2, 0, 0)
    assert run.counts[K.CORE_TASK_OUTSOURCED] == {"raised": 1, "open": 1, "cleared": 0}
    assert run.counts[K.SOP_NOT_ACKNOWLEDGED] == {"raised": 0, "open": 0, "cleared": 0}
    assert run.started_at <= run.finished_at
    Task.objects.filter(pk=task.pk).update(is_core=False)
    scan(task_ids=[task.pk])
    latest = ScanRun.objects.latest()
    assert latest.scope == ScanRun.Scope.TASKS
    assert latest.counts[K.CORE_TASK_OUTSOURCED] == {"raised": 0, "open": 0, "cleared": 1}
    assert result.as_dict()["counts"][K.CORE_TASK_OUTSOURCED]["raised"] == 1


def test_a_scan_that_fails_midway_leaves_the_flags_as_they_were(ana, monkeypatch):
    task, (assignment,) = task_for([ana], is_core=True)
    with time_machine.travel(NOW, tick=False):
        scan()
    stale = f.RiskFlagFactory(task=task, kind=K.SOP_NOT_ACKNOWLEDGED, assignment=assignment)
    Task.objects.filter(pk=task.pk).update(skill=None)  # single flag: medium -> high
    before = list(RiskFlag.objects.order_by("pk").values())
    runs = ScanRun.objects.count()

    def boom(*args, **kwargs):
        raise RuntimeError("the database went away")

    # Refresh and clear have run when the last step fails.
    monkeypatch.setattr(scanning, "_raise_new", boom)
    f.AssignmentFactory(task=f.TaskFactory(is_core=True))  # something to raise
    with pytest.raises(RuntimeError):
        scan()
    assert list(RiskFlag.objects.order_by("pk").values()) == before
    assert ScanRun.objects.count() == runs
    stale.refresh_from_db()
    assert stale.resolved_at is None


def test_a_flag_inserted_meanwhile_by_another_writer_is_not_duplicated(ana, monkeypatch):
    """Under the scan lock no other scan competes; should anything else insert an open flag
    the scan is about to raise, the unique index refuses the duplicate and the scan skips it."""
    task, _ = task_for([ana], is_core=True)
    other_task, _ = task_for([f.ApprovedFreelancerFactory()], is_core=True)
    original = scanning._clear

    def clear_then_someone_else_writes(*args, **kwargs):
        result = original(*args, **kwargs)
        f.RiskFlagFactory(task=task, kind=K.CORE_TASK_OUTSOURCED, detail="written meanwhile")
        return result

    monkeypatch.setattr(scanning, "_clear", clear_then_someone_else_writes)
    result = scan()
    core = RiskFlag.objects.filter(task=task, kind=K.CORE_TASK_OUTSOURCED)
    assert list(core.values_list("detail", flat=True)) == ["written meanwhile"]
    assert open_flag(other_task, K.CORE_TASK_OUTSOURCED)
    assert open_flag(task, K.SINGLE_FREELANCER)
    assert result.counts[K.CORE_TASK_OUTSOURCED]["open"] == 2


def test_the_database_refuses_two_open_flags_for_one_key(ana):
    task, _ = task_for([ana], is_core=True)
    scan()
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        f.RiskFlagFactory(task=task, kind=K.CORE_TASK_OUTSOURCED)


# --- a fixed number of queries ----------------------------------------------------------------


def _expected_queries() -> int:
    # SAVEPOINT; (PostgreSQL: the advisory lock and planner settings); CREATE TEMP TABLE
    # scan_diff AS <rules and diff>; per-kind counts; UPDATE refresh; UPDATE clear; SAVEPOINT,
    # INSERT raise, RELEASE SAVEPOINT; DROP TABLE scan_diff; INSERT ScanRun; RELEASE SAVEPOINT.
    return 12 if connection.vendor == "postgresql" else 11


@pytest.mark.parametrize("n_tasks", [5, 500])
def test_full_scan_issues_the_same_queries_whatever_the_size(n_tasks, django_assert_num_queries):
    build_network(n_tasks)
    with django_assert_num_queries(_expected_queries()):
        first = scan()
    assert first.raised > 0
    with django_assert_num_queries(_expected_queries()):
        second = scan()
    assert second.refreshed == first.raised


@pytest.mark.parametrize("n_tasks", [5, 500])
def test_scan_of_some_tasks_issues_the_same_queries_whatever_the_size(
    n_tasks, django_assert_num_queries
):
    build_network(n_tasks)
    some = list(Task.objects.values_list("pk", flat=True)[:3])
    with django_assert_num_queries(_expected_queries()):
        scan(task_ids=some)


def test_full_scan_equals_the_scans_of_each_task():
    build_network(60)
    scan()
    full = open_flags()
    RiskFlag.objects.all().delete()
    for pk in Task.objects.values_list("pk", flat=True):
        scan(task_ids=[pk])
    assert open_flags() == full


# --- the command ------------------------------------------------------------------------------


def test_scan_risks_prints_raised_open_and_cleared_per_kind(ana, capsys):
    task, _ = task_for([ana], is_core=True)
    call_command("scan_risks")
    Task.objects.filter(pk=task.pk).update(is_core=False)
    call_command("scan_risks")
    out = capsys.readouterr().out
    lines = out.splitlines()
    header = lines[0].split()
    assert header == ["kind", "raised", "open", "cleared"]
    core_rows = [line for line in lines if line.startswith("Core task outsourced")]
    assert core_rows[0].split()[-3:] == ["1", "1", "0"]
    assert core_rows[1].split()[-3:] == ["0", "0", "1"]
    single_rows = [line for line in lines if line.startswith("Single freelancer")]
    assert single_rows[1].split()[-3:] == ["0", "1", "0"]
    assert "Scanned the whole network" in out


def test_scan_risks_can_scan_given_tasks(ana, capsys):
    task, _ = task_for([ana], is_core=True)
    call_command("scan_risks", "--task", str(task.pk))
    assert "Scanned 1 task(s)" in capsys.readouterr().out
    assert ScanRun.objects.latest().scope == ScanRun.Scope.TASKS
