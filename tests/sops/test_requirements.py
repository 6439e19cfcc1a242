"""Who must acknowledge which SOP, and who has: one rule for the SOP pages, portal and reminders."""

import datetime

import pytest
from django.utils import timezone

from freelancers.models import Freelancer
from sops.models import SOP
from sops.selectors import LIVE_TASK_STATUSES, requirements
from tasks.models import Task
from tests import factories
from tests.sops.builders import ack, live_task_requiring, make_sop, publish

pytestmark = pytest.mark.django_db


def _ended_assignment(task, freelancer):
    now = timezone.now()
    return factories.AssignmentFactory(
        task=task, freelancer=freelancer, assigned_at=now - datetime.timedelta(days=9), ended_at=now
    )


def test_live_statuses_match_the_tasks_app():
    assert tuple(LIVE_TASK_STATUSES) == tuple(Task.LIVE_STATUSES)


def test_sop_is_required_by_a_live_task_with_an_active_assignment(freelancer, other_freelancer):
    sop = make_sop("Handover")
    live_task_requiring(sop, freelancer=freelancer)
    reqs = requirements()
    assert reqs.required == {(freelancer.pk, sop.pk)}
    assert reqs.outstanding == {(freelancer.pk, sop.pk)}


def test_ended_assignments_and_finished_tasks_require_nothing(freelancer):
    sop = make_sop("Handover")
    done = live_task_requiring(sop, status=Task.Status.DONE)
    factories.AssignmentFactory(task=done, freelancer=freelancer)
    ended = live_task_requiring(sop)
    _ended_assignment(ended, freelancer)
    assert requirements().required == set()


def test_applies_to_all_needs_any_live_work(freelancer, other_freelancer):
    everyone = make_sop("Code of conduct", applies_to_all=True)
    factories.AssignmentFactory(freelancer=freelancer)  # live task with no required SOPs
    # other_freelancer has no live work at all.
    assert requirements().required == {(freelancer.pk, everyone.pk)}


def test_archived_sops_are_never_required(freelancer):
    sop = make_sop("Old way", applies_to_all=True)
    live_task_requiring(sop, freelancer=freelancer)
    SOP.objects.filter(pk=sop.pk).update(archived=True)
    assert requirements().required == set()


def test_acknowledging_the_current_version_counts(freelancer):
    sop = make_sop("Handover")
    live_task_requiring(sop, freelancer=freelancer)
    ack(freelancer, sop.current_version)
    assert requirements().outstanding == set()


def test_a_new_material_version_reopens_it_but_a_minor_edit_does_not(freelancer):
    sop = make_sop("Handover")
    live_task_requiring(sop, freelancer=freelancer)
    ack(freelancer, sop.current_version)
    publish(sop, "# Steps\n\n1. Do it.\n2. Tell the owner.\n", material=False, note="Typo")
    assert requirements().outstanding == set()
    publish(sop, "# Steps\n\n1. Do it twice.\n")
    assert requirements().outstanding == {(freelancer.pk, sop.pk)}


def test_coverage_splits_required_freelancers(freelancer, other_freelancer):
    sop = make_sop("Handover")
    live_task_requiring(sop, freelancer=freelancer)
    live_task_requiring(sop, freelancer=other_freelancer)
    ack(other_freelancer, sop.current_version)
    coverage = requirements().coverage(sop.pk)
    assert [row.name for row in coverage.outstanding] == [freelancer.name]
    assert [row.name for row in coverage.acknowledged] == [other_freelancer.name]
    assert coverage.percent == 50


def test_narrowing_to_one_freelancer_and_sop(freelancer, other_freelancer):
    a, b = make_sop("A"), make_sop("B")
    live_task_requiring(a, b, freelancer=freelancer)
    live_task_requiring(a, freelancer=other_freelancer)
    reqs = requirements(
        freelancers=Freelancer.objects.filter(pk=freelancer.pk), sops=SOP.objects.filter(pk=a.pk)
    )
    assert reqs.required == {(freelancer.pk, a.pk)}


def test_conditions_hold_for_the_same_assignment(freelancer):
    """An ended assignment on a task needing the SOP, an active one elsewhere: not required."""
    sop = make_sop("Handover")
    task = live_task_requiring(sop)
    _ended_assignment(task, freelancer)
    factories.AssignmentFactory(freelancer=freelancer)  # active, on a task without the SOP
    assert requirements().required == set()


def test_requirements_take_four_queries_whatever_the_size(django_assert_num_queries):
    def build(n):
        sop = make_sop(f"SOP {n}")
        everyone = make_sop(f"All {n}", applies_to_all=True)
        for _ in range(n):
            fl = factories.ApprovedFreelancerFactory()
            live_task_requiring(sop, freelancer=fl)
            ack(fl, everyone.current_version)

    build(2)
    # SOPs to acknowledge; freelancers with live work; task-required pairs; current acks.
    with django_assert_num_queries(4):
        small = requirements()
    build(6)
    with django_assert_num_queries(4):
        big = requirements()
    assert len(big.required) > len(small.required)


def test_narrowing_to_sops_gives_the_same_pairs_as_the_whole_network(freelancer, other_freelancer):
    """One SOP's page reads only the people of the tasks that require it, and must still agree
    with the network-wide answer, for task SOPs and for SOPs that apply to all."""
    handbook = make_sop("Handbook")
    everyone = make_sop("Everyone", applies_to_all=True)
    live_task_requiring(handbook, freelancer=freelancer)
    live_task_requiring(make_sop("Other"), freelancer=other_freelancer)
    ack(freelancer, handbook.current_version)
    whole = requirements()
    for sop in (handbook, everyone):
        narrowed = requirements(sops=SOP.objects.filter(pk=sop.pk))
        assert narrowed.required == {pair for pair in whole.required if pair[1] == sop.pk}
        assert narrowed.acknowledged == {p for p in whole.acknowledged if p[1] == sop.pk}
    assert set(requirements(sops=SOP.objects.filter(pk=handbook.pk)).freelancers) == {freelancer.pk}
