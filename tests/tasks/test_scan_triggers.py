"""Which scans a change queues: exactly the tasks it touches, one message, after commit; and a
write that still succeeds quickly when the broker is unreachable."""

import contextlib
import datetime
import logging
import time

import pytest
from django.db import transaction
from django.utils import timezone

from freelancers import services as vetting
from freelancers.models import Freelancer
from sops import services as sop_services
from tasks import jobs, services
from tasks.jobs import scan_all_tasks, scan_task, scan_tasks
from tasks.models import RiskFlag, Task
from tests import factories as f
from tests.tasks.celery_broker import broker
from tests.tasks.scan_network import version as make_version

pytestmark = pytest.mark.django_db

ALL = "all tasks"


@pytest.fixture
def queued(monkeypatch):
    """Messages published, as a list of sets of task ids (ALL for a full scan)."""
    messages: list = []

    def recorder(job):
        def apply_async(args=(), kwargs=None, **options):
            if job is scan_all_tasks:
                messages.append(ALL)
            elif job is scan_task:
                messages.append({args[0]})
            else:
                messages.append(set(args[0]))

        return apply_async

    for job in (scan_task, scan_tasks, scan_all_tasks):
        monkeypatch.setattr(job, "apply_async", recorder(job))
    return messages


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def live_task(*freelancers, **fields):
    task = f.TaskFactory(**fields)
    for fl in freelancers:
        f.AssignmentFactory(task=task, freelancer=fl)
    return task


# --- tasks and assignments --------------------------------------------------------------------


def test_creating_a_task_queues_a_scan_of_that_task(queued, run_on_commit):
    with run_on_commit():
        task = services.create_task(title="Logo", is_core=True)
    assert queued == [{task.pk}]


def test_editing_a_task_queues_a_scan_of_that_task_only(queued, run_on_commit):
    task, other = f.TaskFactory(), f.TaskFactory()
    with run_on_commit():
        services.update_task(task, is_core=True)
    assert queued == [{task.pk}]
    assert other.pk not in queued[0]


def test_assigning_and_ending_an_assignment_queue_a_scan_of_the_task(queued, run_on_commit):
    task = f.TaskFactory()
    with run_on_commit():
        assignment = services.assign_freelancer(task, f.ApprovedFreelancerFactory())
    with run_on_commit():
        services.end_assignment(assignment)
    assert queued == [{task.pk}, {task.pk}]


def test_nothing_is_queued_before_commit_or_after_a_rollback(queued, run_on_commit):
    task = f.TaskFactory()
    with run_on_commit() as callbacks, contextlib.suppress(RuntimeError), transaction.atomic():
        services.update_task(task, is_core=True)
        raise RuntimeError("the request failed")
    assert callbacks == []
    assert queued == []


# --- vetting decisions ------------------------------------------------------------------------


@pytest.fixture
def vetting_network():
    """Pete (pending, skill Copy) and the tasks a decision about him may or may not touch."""
    copy, other_skill = f.SkillFactory(name="Copy"), f.SkillFactory(name="Other")
    pete = f.FreelancerFactory(name="Pete", skills=[copy])
    xena = f.ApprovedFreelancerFactory(name="Xena", skills=[copy])
    net = {
        "pete": pete,
        "owner": f.OwnerFactory(),
        # Pete works on it: assigned_before_vetting changes.
        "his": live_task(pete, skill=other_skill),
        # Xena alone on a Copy task: Pete joining the bench makes a replacement.
        "bench": live_task(xena, skill=copy),
        # Not touched: done; two people; another skill; his assignment ended; no assignment.
        "done": live_task(pete, status=Task.Status.DONE),
        "pair": live_task(xena, f.ApprovedFreelancerFactory(), skill=copy),
        "elsewhere": live_task(f.ApprovedFreelancerFactory(), skill=other_skill),
        "ended": f.TaskFactory(skill=other_skill),
        "empty": f.TaskFactory(skill=copy),
    }
    f.AssignmentFactory(
        task=net["ended"],
        freelancer=pete,
        assigned_at=timezone.now() - datetime.timedelta(days=2),
        ended_at=timezone.now(),
    )
    return net


def test_approval_queues_his_tasks_and_the_single_freelancer_tasks_of_his_skills(
    vetting_network, queued, run_on_commit
):
    net = vetting_network
    with run_on_commit():
        vetting.approve_vetting(net["pete"], by=net["owner"], override_reason="Known to us.")
    assert queued == [{net["his"].pk, net["bench"].pk}]


def test_starting_a_review_queues_only_his_tasks(vetting_network, queued, run_on_commit):
    net = vetting_network
    with run_on_commit():
        vetting.start_vetting(net["pete"], by=net["owner"])
    assert queued == [{net["his"].pk}]


def test_rejecting_an_approved_freelancer_also_queues_the_bench_tasks(
    vetting_network, queued, run_on_commit
):
    net = vetting_network
    vetting.approve_vetting(net["pete"], by=net["owner"], override_reason="Known to us.")
    queued.clear()
    with run_on_commit():
        vetting.reject_vetting(net["pete"], by=net["owner"], reason="Missed deadlines.")
    assert queued == [{net["his"].pk, net["bench"].pk}]


def test_rejecting_a_freelancer_under_review_queues_only_his_tasks(
    vetting_network, queued, run_on_commit
):
    net = vetting_network
    vetting.start_vetting(net["pete"], by=net["owner"])
    queued.clear()
    with run_on_commit():
        vetting.reject_vetting(net["pete"], by=net["owner"], reason="No portfolio.")
    assert queued == [{net["his"].pk}]


def test_a_paused_freelancers_approval_does_not_touch_the_bench(
    vetting_network, queued, run_on_commit
):
    net = vetting_network
    Freelancer.objects.filter(pk=net["pete"].pk).update(status=Freelancer.Status.PAUSED)
    net["pete"].refresh_from_db()
    with run_on_commit():
        vetting.approve_vetting(net["pete"], by=net["owner"], override_reason="Known to us.")
    assert queued == [{net["his"].pk}]


# --- SOPs -------------------------------------------------------------------------------------


@pytest.fixture
def sop_network():
    handbook = f.SOPFactory(title="Handbook")
    make_version(handbook, 1)
    ana = f.ApprovedFreelancerFactory(name="Ana")
    return {
        "handbook": handbook,
        "ana": ana,
        "owner": f.OwnerFactory(),
        "requires": live_task(ana, required_sops=[handbook]),
        "other_requires": live_task(f.ApprovedFreelancerFactory(), required_sops=[handbook]),
        "no_one": f.TaskFactory(required_sops=[handbook]),
        "done": live_task(ana, status=Task.Status.DONE, required_sops=[handbook]),
        "unrelated": live_task(ana),
    }


def test_a_material_publication_queues_the_live_tasks_that_require_the_sop(
    sop_network, queued, run_on_commit
):
    net = sop_network
    with run_on_commit():
        sop_services.publish_sop_version(
            net["handbook"], body="New rules", change_note="Stricter", by=net["owner"]
        )
    assert queued == [{net["requires"].pk, net["other_requires"].pk}]


def test_a_non_material_publication_queues_nothing(sop_network, queued, run_on_commit):
    net = sop_network
    with run_on_commit():
        sop_services.publish_sop_version(
            net["handbook"], body="Typo fixed", change_note="Typo", by=net["owner"], material=False
        )
    assert queued == []


def test_publishing_an_sop_for_everyone_queues_every_live_task_with_someone_on_it(
    sop_network, queued, run_on_commit
):
    net = sop_network
    with run_on_commit():
        sop_services.create_sop(
            title="Working with us", body="Be kind.", by=net["owner"], applies_to_all=True
        )
    assert queued == [{net["requires"].pk, net["other_requires"].pk, net["unrelated"].pk}]


def test_an_acknowledgement_queues_the_freelancers_live_tasks_that_require_the_sop(
    sop_network, queued, run_on_commit
):
    net = sop_network
    with run_on_commit():
        sop_services.acknowledge(
            net["ana"], net["handbook"].current_version, ip_address="127.0.0.1", user_agent="t"
        )
    assert queued == [{net["requires"].pk}]


def test_acknowledging_an_sop_for_everyone_queues_all_the_freelancers_live_tasks(
    sop_network, queued, run_on_commit
):
    net = sop_network
    everyone = f.SOPFactory(applies_to_all=True)
    current = make_version(everyone, 1)
    with run_on_commit():
        sop_services.acknowledge(net["ana"], current, ip_address=None, user_agent="t")
    assert queued == [{net["requires"].pk, net["unrelated"].pk}]


def test_a_change_touching_many_tasks_queues_one_full_scan(
    sop_network, queued, run_on_commit, monkeypatch
):
    monkeypatch.setattr(jobs, "FULL_SCAN_ABOVE", 1)
    net = sop_network
    with run_on_commit():
        sop_services.publish_sop_version(
            net["handbook"], body="New rules", change_note="Stricter", by=net["owner"]
        )
    assert queued == [ALL]


def test_queued_jobs_scan_the_tasks(sop_network, run_on_commit):
    """Eager Celery (no broker, as in ``make run``): the job runs after commit, in-process."""
    net = sop_network
    with broker(None, eager=True), run_on_commit():
        services.update_task(net["requires"], is_core=True)
    assert RiskFlag.objects.filter(
        task=net["requires"], kind=RiskFlag.Kind.CORE_TASK_OUTSOURCED, resolved_at__isnull=True
    ).exists()


# --- the broker is down -----------------------------------------------------------------------


def test_a_write_succeeds_within_seconds_and_logs_when_the_broker_is_unreachable(
    settings, caplog, run_on_commit
):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with (
        broker(settings.CELERY_BROKER_URL, eager=False),
        caplog.at_level(logging.ERROR, logger="tasks.queueing"),
    ):
        started = time.monotonic()
        with run_on_commit():
            task = services.create_task(title="Logo", is_core=True)
            services.assign_freelancer(task, f.ApprovedFreelancerFactory())
        elapsed = time.monotonic() - started
    assert elapsed < 5
    assert Task.objects.filter(pk=task.pk, assignments__isnull=False).exists()
    assert "Could not queue tasks.jobs.scan_task" in caplog.text
    assert not RiskFlag.objects.exists()
    # The periodic full scan heals what the lost messages missed.
    scan_all_tasks.apply()
    assert RiskFlag.objects.filter(task=task, kind=RiskFlag.Kind.CORE_TASK_OUTSOURCED).exists()


# --- profile changes that move a freelancer onto or off a bench --------------------------------


@pytest.fixture
def bench_network():
    """Quinn (approved, skill Copy) could replace Xena, who is alone on a Copy task."""
    copy, design = f.SkillFactory(name="Copy"), f.SkillFactory(name="Design")
    quinn = f.ApprovedFreelancerFactory(name="Quinn", skills=[copy])
    xena = f.ApprovedFreelancerFactory(name="Xena", skills=[copy, design])
    return {
        "quinn": quinn,
        "copy": copy,
        "design": design,
        "copy_task": live_task(xena, skill=copy),
        "design_task": live_task(xena, skill=design),
        "pair": live_task(xena, f.ApprovedFreelancerFactory(), skill=copy),
    }


def test_pausing_a_bench_freelancer_queues_the_single_freelancer_tasks_of_their_skills(
    bench_network, queued, run_on_commit
):
    from freelancers.services import update_freelancer

    net = bench_network
    with run_on_commit():
        update_freelancer(net["quinn"], status="paused")
    assert queued == [{net["copy_task"].pk}]


def test_a_new_skill_of_an_available_freelancer_queues_that_skills_single_freelancer_tasks(
    bench_network, queued, run_on_commit
):
    from freelancers.services import update_freelancer

    net = bench_network
    with run_on_commit():
        update_freelancer(net["quinn"], skills=[net["copy"], net["design"]])
    assert queued == [{net["design_task"].pk}]


def test_editing_a_headline_changes_no_bench_and_queues_nothing(
    bench_network, queued, run_on_commit
):
    from freelancers.services import update_freelancer

    with run_on_commit():
        update_freelancer(bench_network["quinn"], headline="Now also proofreading")
    assert queued == []


def test_offboarding_a_bench_freelancer_rescans_and_raises_severity(bench_network, run_on_commit):
    from freelancers.services import offboard_freelancer
    from tasks.models import RiskFlag
    from tasks.scanning import scan

    net = bench_network
    scan()
    flag = RiskFlag.objects.get(task=net["copy_task"], kind="single_freelancer")
    assert flag.severity == "medium"
    with run_on_commit():  # the queued scan_tasks job runs in-process after commit
        offboard_freelancer(net["quinn"], by=None)
    flag.refresh_from_db()
    assert flag.severity == "high"


def test_archiving_an_sop_in_the_admin_clears_its_flags(admin_client_, run_on_commit):
    from django.urls import reverse

    from tests.tasks.scan_network import version as make_version

    sop = f.SOPFactory(title="Handbook", slug="handbook")
    make_version(sop, 1)
    task = live_task(f.ApprovedFreelancerFactory(), required_sops=[sop])
    from tasks.scanning import scan

    scan()
    assert RiskFlag.objects.filter(task=task, kind="sop_not_acknowledged", resolved_at=None)
    data = {
        "title": sop.title,
        "slug": sop.slug,
        "summary": sop.summary,
        "archived": "on",
        "versions-TOTAL_FORMS": 0,
        "versions-INITIAL_FORMS": 0,
    }
    with run_on_commit():
        response = admin_client_.post(reverse("admin:sops_sop_change", args=[sop.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not RiskFlag.objects.filter(task=task, kind="sop_not_acknowledged", resolved_at=None)


def test_an_assignments_freelancer_cannot_be_changed_in_the_admin(admin_client_):
    from django.urls import reverse

    assignment = f.AssignmentFactory()
    response = admin_client_.get(reverse("admin:tasks_assignment_change", args=[assignment.pk]))
    assert 'name="freelancer"' not in response.content.decode()
    assert 'name="task"' not in response.content.decode()
