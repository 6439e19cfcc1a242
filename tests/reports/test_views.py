"""The report page, its period picker, the CSV exports and who may see them."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from reports.views import neutralise
from tasks.models import Task
from tests import factories

pytestmark = pytest.mark.django_db

REPORT = "/reports/"
SAVINGS_CSV = "/reports/savings.csv"
SPEND_CSV = "/reports/spend.csv"
TODAY = datetime.date(2025, 6, 15)


@pytest.fixture(autouse=True)
def _frozen_today(settings):
    settings.OWNER_HOURLY_RATE = Decimal("50")
    with time_machine.travel(datetime.datetime(2025, 6, 15, 12, tzinfo=datetime.UTC), tick=False):
        yield


def read_csv(response) -> tuple[str, list[list[str]]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return body, list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def known_task(**kwargs):
    fields = {"in_house_estimate": Decimal("1000.00"), "budget": Decimal("650.00")}
    task = factories.TaskFactory(status=Task.Status.DONE, **(fields | kwargs))
    assignment = factories.AssignmentFactory(task=task)
    factories.PaymentFactory(assignment=assignment, amount=Decimal("400.00"), paid_on=TODAY)
    factories.PaymentFactory(assignment=assignment, amount=Decimal("200.00"), paid_on=TODAY)
    factories.OversightEntryFactory(task=task, minutes=120)
    return task


# --- Access ---------------------------------------------------------------------------------


def test_the_urls_keep_their_names():
    assert reverse("reports:index") == REPORT
    assert reverse("reports:savings_csv") == SAVINGS_CSV
    assert reverse("reports:spend_csv") == SPEND_CSV


@pytest.mark.parametrize("path", [REPORT, SAVINGS_CSV, SPEND_CSV])
def test_owner_may_open_the_report_and_exports(owner_client, path):
    assert owner_client.get(path).status_code == 200


@pytest.mark.parametrize("path", [REPORT, SAVINGS_CSV, SPEND_CSV])
def test_freelancers_are_refused_the_report_and_exports(freelancer_client, path):
    assert freelancer_client.get(path).status_code == 403


@pytest.mark.parametrize("path", [REPORT, SAVINGS_CSV, SPEND_CSV])
def test_anonymous_users_are_sent_to_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


# --- The report page ------------------------------------------------------------------------


def test_report_shows_the_known_figures_and_the_overhead_verdict(owner_client):
    task = known_task(title="Known task")

    response = owner_client.get(REPORT)
    html = response.content.decode()

    assert response.context["totals"].investment == Decimal("700.00")
    assert response.context["totals"].realised_savings == Decimal("300.00")
    assert "700.00" in html and "300.00" in html
    assert 'id="ratio">85.7%' in html  # 300 / 350
    assert 'id="overhead">16.7%' in html  # 100 / 600
    assert "Above the 5–12% band" in html
    assert reverse("tasks:detail", args=[task.pk]) in html  # "Are we overestimating?" links
    assert "How tasks and money are counted" in html
    assert html.count("<canvas") == 3
    assert 'id="savings-data"' in html and 'id="share-data"' in html and 'id="hhi-data"' in html


def test_report_shows_the_hhi_with_its_band_and_top_share(owner_client):
    for name, amount in (("Ann", "500.00"), ("Bea", "300.00"), ("Cid", "200.00")):
        assignment = factories.AssignmentFactory(
            freelancer=factories.ApprovedFreelancerFactory(name=name)
        )
        factories.PaymentFactory(assignment=assignment, amount=Decimal(amount), paid_on=TODAY)

    html = owner_client.get(REPORT).content.decode()

    assert 'id="hhi">3,800<' in html
    assert "Highly concentrated" in html
    assert "<strong>Ann</strong>, 50.0% of spend" in html


def test_report_without_data_renders_empty_states(owner_client):
    html = owner_client.get(REPORT).content.decode()

    assert "Nothing was paid in this period." in html
    assert "No done task was settled in this period." in html


def test_period_picker_defaults_to_the_last_twelve_months(owner_client):
    response = owner_client.get(REPORT)

    period = response.context["period"]
    assert (period.first, period.last) == (datetime.date(2024, 7, 1), datetime.date(2025, 6, 1))
    assert 'value="2024-07"' in response.content.decode()


def test_period_picker_selects_the_months(owner_client):
    known_task()  # paid in June 2025

    may = owner_client.get(REPORT, {"start": "2025-05", "end": "2025-05"})
    june = owner_client.get(REPORT, {"start": "2025-06", "end": "2025-06"})

    assert may.context["totals"].tasks == 0
    assert june.context["totals"].tasks == 1
    assert len(june.context["months"]) == 1


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "June", "end": "2025-06"}, "Enter a month as YYYY-MM"),
        ({"start": "2025-13", "end": "2025-06"}, "Enter a month as YYYY-MM"),
        ({"start": "2025-05", "end": "2025-02"}, "must not come after the last month"),
        ({"start": "2025-01", "end": "2025-09"}, "cannot end after the current month"),
        ({"start": "2005-01", "end": "2025-06"}, "Choose at most 120 months"),
        ({"start": "1999-12", "end": "2000-01"}, "Choose a month from 2000 onwards"),
        ({"start": "2025-07"}, "must not come after the last month"),  # end: this month
        ({"start": "x" * 500}, "Enter a month as YYYY-MM"),
    ],
)
def test_bad_periods_get_a_clear_message_and_the_default(owner_client, params, message):
    response = owner_client.get(REPORT, params)
    html = response.content.decode()

    assert response.status_code == 200
    assert "That period could not be used." in html
    assert message in html
    assert response.context["period"].first == datetime.date(2024, 7, 1)


@pytest.mark.parametrize("path", [SAVINGS_CSV, SPEND_CSV])
def test_exports_refuse_a_bad_period_with_400(owner_client, path):
    response = owner_client.get(path, {"start": "2025-05", "end": "2025-01"})

    assert response.status_code == 400
    assert b"must not come after the last month" in response.content


# --- Exports --------------------------------------------------------------------------------


def test_savings_csv_has_the_domain_columns_and_exact_figures(owner_client):
    task = known_task(title="Known task", skill=factories.SkillFactory(name="SEO", slug="seo"))

    response = owner_client.get(SAVINGS_CSV)
    body, rows = read_csv(response)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="savings-2024-07-to-2025-06.csv"'
    )
    assert response.streaming
    assert body.startswith("\ufeff")  # the BOM that makes Excel read UTF-8
    assert rows[0] == [
        "task_id", "task", "skill", "status", "is_core", "in_house_estimate", "budget", "paid",
        "oversight_hours", "oversight_cost", "investment", "estimated_savings",
        "realised_savings",
    ]  # fmt: skip
    assert rows[1] == [
        str(task.pk), "Known task", "SEO", "done", "false", "1000.00", "650.00", "600.00",
        "2.00", "100.00", "700.00", "350.00", "300.00",
    ]  # fmt: skip


def test_savings_csv_lists_the_counted_done_tasks_or_on_request_every_task(owner_client):
    known_task()
    live = factories.TaskFactory(status=Task.Status.IN_PROGRESS)
    factories.PaymentFactory(assignment=factories.AssignmentFactory(task=live), paid_on=TODAY)

    _, rows = read_csv(owner_client.get(SAVINGS_CSV))
    assert [row[3] for row in rows[1:]] == ["done"]  # adds up to the report's totals

    _, rows = read_csv(owner_client.get(SAVINGS_CSV, {"tasks": "all"}))
    assert sorted(row[3] for row in rows[1:]) == ["done", "in_progress"]


def test_savings_csv_follows_the_period(owner_client):
    known_task()

    _, rows = read_csv(owner_client.get(SAVINGS_CSV, {"start": "2025-01", "end": "2025-05"}))

    assert rows == [rows[0]]


def test_csv_neutralises_formulas_in_text_but_keeps_negative_numbers(owner_client):
    task = known_task(
        title='=HYPERLINK("http://evil.example","click")',
        skill=factories.SkillFactory(name="@SUM(A1)", slug="at-sum"),
        budget=Decimal("1100.00"),  # estimated savings −100.00
    )
    fran = task.assignments.get().freelancer
    fran.name = "-2+3 Fran"
    fran.save()

    _, savings = read_csv(owner_client.get(SAVINGS_CSV))
    _, spend = read_csv(owner_client.get(SPEND_CSV))

    assert savings[1][1] == '\'=HYPERLINK("http://evil.example","click")'
    assert savings[1][2] == "'@SUM(A1)"
    assert savings[1][11] == "-100.00"  # a number stays a number
    assert spend[1][0] == "'-2+3 Fran"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("Plain", "Plain"),
        ("a=b", "a=b"),
        (Decimal("-50.00"), Decimal("-50.00")),
        (-3, -3),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_spend_csv_has_freelancer_paid_share_and_tasks(owner_client):
    for name, amount in (("Ann", "500.00"), ("Bea", "300.00"), ("Cid", "200.00")):
        fl = factories.ApprovedFreelancerFactory(name=name)
        for _ in range(2 if name == "Ann" else 1):
            factories.PaymentFactory(
                assignment=factories.AssignmentFactory(freelancer=fl),
                amount=Decimal(amount) / (2 if name == "Ann" else 1),
                paid_on=TODAY,
            )

    response = owner_client.get(SPEND_CSV)
    body, rows = read_csv(response)

    assert body.startswith("\ufeff")
    assert response["Content-Disposition"].startswith('attachment; filename="spend-')
    assert rows == [
        ["freelancer", "paid", "share", "tasks"],
        ["Ann", "500.00", "50.00", "2"],
        ["Bea", "300.00", "30.00", "1"],
        ["Cid", "200.00", "20.00", "1"],
    ]


def test_csv_keeps_accented_names_in_utf8(owner_client):
    task = known_task()
    fl = task.assignments.get().freelancer
    fl.name = "Inês Çelik"
    fl.save()

    body, rows = read_csv(owner_client.get(SPEND_CSV))

    assert rows[1][0] == "Inês Çelik"
