"""The owner's dashboard at /: one card per mistake, the open flags, charts and "Scan now"."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from freelancers.models import Freelancer
from reports import selectors
from tasks.jobs import scan_all_tasks
from tasks.models import RiskFlag, ScanRun, Task
from tests import factories

pytestmark = pytest.mark.django_db

Kind, Severity = RiskFlag.Kind, RiskFlag.Severity


@pytest.fixture(autouse=True)
def _rate(settings):
    settings.OWNER_HOURLY_RATE = Decimal("50")


def cards_of(response) -> dict[int, selectors.Card]:
    return {card.mistake: card for card in response.context["cards"]}


def figure(card: selectors.Card, label: str):
    return next(f.value for f in card.figures if f.label == label)


# --- Access ---------------------------------------------------------------------------------


def test_owner_sees_the_dashboard_at_home(owner_client):
    response = owner_client.get("/")

    assert response.status_code == 200
    assert reverse("home") == "/"
    assert [card.mistake for card in response.context["cards"]] == [1, 2, 3, 4, 5]
    html = response.content.decode()
    assert html.count('data-card="') == 5
    assert 'id="bench-data"' in html and 'id="spend-data"' in html
    assert "chart.umd.min.js" in html and "js/charts.js" in html


def test_freelancers_are_sent_to_the_portal(freelancer_client):
    response = freelancer_client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/portal/"


def test_anonymous_users_are_sent_to_login(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/")


# --- The cards ------------------------------------------------------------------------------


def test_an_empty_network_is_all_green(owner_client):
    response = owner_client.get("/")

    assert {card.status for card in response.context["cards"]} == {"green"}
    assert "never" in response.content.decode()  # no scan has run


def test_core_work_card(owner_client):
    core = factories.TaskFactory(is_core=True, status=Task.Status.IN_PROGRESS)
    factories.AssignmentFactory(task=core)
    assert cards_of(owner_client.get("/"))[1].status == "amber"  # not flagged (yet)

    factories.RiskFlagFactory(task=core, kind=Kind.CORE_TASK_OUTSOURCED, severity=Severity.HIGH)
    card = cards_of(owner_client.get("/"))[1]

    assert card.status == "red"
    assert figure(card, "Open core-task flags") == 1
    assert figure(card, "Live core tasks with a freelancer") == 1


def test_sop_card_counts_distinct_freelancers_and_turns_red_after_a_week(owner_client):
    fran = factories.ApprovedFreelancerFactory()
    for _ in range(2):  # two tasks, one freelancer
        assignment = factories.AssignmentFactory(freelancer=fran)
        factories.RiskFlagFactory(
            task=assignment.task,
            assignment=assignment,
            kind=Kind.SOP_NOT_ACKNOWLEDGED,
            severity=Severity.MEDIUM,
            raised_at=timezone.now() - datetime.timedelta(days=2),
        )
    card = cards_of(owner_client.get("/"))[2]
    assert card.status == "amber"
    assert figure(card, "Freelancers with outstanding SOPs") == 1
    assert figure(card, "Open SOP flags") == 2

    RiskFlag.objects.update(raised_at=timezone.now() - datetime.timedelta(days=8))
    cache.clear()  # in the app flags change only through scans, which the cache watches

    assert cards_of(owner_client.get("/"))[2].status == "red"


@pytest.mark.parametrize(
    ("minutes", "ratio", "status"),
    [(12, "1.225", "green"), (300, "0.625", "amber"), (456, "0.3", "red")],
)
def test_savings_card_compares_realised_with_estimated(owner_client, minutes, ratio, status):
    """In-house 1000, budget 600 (400 estimated), 500 paid; oversight at 50 an hour makes
    realised 490 (12 min), 250 (300 min) or 120 (456 min)."""
    task = factories.TaskFactory(
        status=Task.Status.DONE, in_house_estimate=Decimal("1000"), budget=Decimal("600")
    )
    factories.PaymentFactory(
        assignment=factories.AssignmentFactory(task=task), amount=Decimal("500.00")
    )
    factories.OversightEntryFactory(task=task, minutes=minutes)

    response = owner_client.get("/")

    assert cards_of(response)[3].status == status
    assert selectors.savings_totals(response.context["period"]).ratio == Decimal(ratio)


def test_vetting_card_and_pipeline(owner_client):
    pending = factories.FreelancerFactory()
    factories.FreelancerFactory(vetting_status=Freelancer.Vetting.IN_REVIEW)
    factories.FreelancerFactory(status=Freelancer.Status.OFFBOARDED)  # not in the pipeline
    assignment = factories.AssignmentFactory(freelancer=pending)
    factories.RiskFlagFactory(
        task=assignment.task,
        assignment=assignment,
        kind=Kind.ASSIGNED_BEFORE_VETTING,
        severity=Severity.MEDIUM,
    )
    card = cards_of(owner_client.get("/"))[4]
    assert card.status == "amber"
    assert figure(card, "Pending") == 1
    assert figure(card, "In review") == 1
    assert figure(card, "Approved") == 0

    RiskFlag.objects.update(severity=Severity.HIGH)
    cache.clear()  # in the app flags change only through scans, which the cache watches

    assert cards_of(owner_client.get("/"))[4].status == "red"


def test_backup_card_counts_single_freelancer_flags_and_thin_benches(owner_client):
    skill = factories.SkillFactory(name="Copy", slug="copy")
    factories.ApprovedFreelancerFactory(skills=[skill])  # a thin bench of one
    card = cards_of(owner_client.get("/"))[5]
    assert card.status == "amber"
    assert figure(card, "Skills with a thin bench (1)") == 1

    factories.ApprovedFreelancerFactory(skills=[skill])
    assert cards_of(owner_client.get("/"))[5].status == "green"

    factories.RiskFlagFactory(kind=Kind.SINGLE_FREELANCER, severity=Severity.HIGH)
    card = cards_of(owner_client.get("/"))[5]
    assert card.status == "red"
    assert figure(card, "Single freelancer, no replacement (high)") == 1


def test_open_flags_link_to_the_filtered_flag_list(owner_client):
    factories.RiskFlagFactory(kind=Kind.CORE_TASK_OUTSOURCED, severity=Severity.HIGH)
    factories.RiskFlagFactory(
        kind=Kind.SINGLE_FREELANCER, severity=Severity.MEDIUM, resolved_at=timezone.now(),
        resolution=RiskFlag.Resolution.CLEARED,
    )  # fmt: skip

    response = owner_client.get("/")
    html = response.content.decode()

    flags_url = reverse("flags:list")
    assert f"{flags_url}?kind=core_task_outsourced&amp;severity=high&amp;state=open" in html
    assert f"{flags_url}?kind=core_task_outsourced&amp;state=open" in html
    assert response.context["flags_total"] == 1  # the resolved one is not counted


def test_last_full_scan_is_shown(owner_client):
    finished = timezone.now() - datetime.timedelta(minutes=5)
    ScanRun.objects.create(scope="full", started_at=finished, finished_at=finished)
    ScanRun.objects.create(scope="tasks", started_at=timezone.now(), finished_at=timezone.now())

    response = owner_client.get("/")

    assert response.context["last_scan"] == finished
    assert "5\xa0minutes ago" in response.content.decode()


# --- Scan now -------------------------------------------------------------------------------


def test_scan_now_queues_the_full_scan(owner_client):
    with mock.patch("reports.views.enqueue_on_commit") as enqueue:
        response = owner_client.post(reverse("reports:scan_now"), follow=True)

    enqueue.assert_called_once_with(scan_all_tasks)
    assert response.redirect_chain == [("/", 302)]
    assert "Scan queued" in response.content.decode()


def test_scan_now_survives_a_dead_broker(owner_client, django_capture_on_commit_callbacks):
    with (
        mock.patch.object(scan_all_tasks, "apply_async", side_effect=OSError("no broker")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = owner_client.post(reverse("reports:scan_now"))

    assert response.status_code == 302


def test_scan_now_is_post_only_and_for_owners(owner_client, client, freelancer):
    assert owner_client.get(reverse("reports:scan_now")).status_code == 405
    client.force_login(freelancer.user)
    with mock.patch("reports.views.enqueue_on_commit") as enqueue:
        assert client.post(reverse("reports:scan_now")).status_code == 403
    enqueue.assert_not_called()
