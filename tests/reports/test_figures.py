"""The figures of DOMAIN.md, computed by the database with exact decimals."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from reports import selectors
from reports.selectors import Period
from tasks.models import Task
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 15)
LAST_12 = Period(first=datetime.date(2024, 7, 1), last=datetime.date(2025, 6, 1))


@pytest.fixture(autouse=True)
def _frozen_today(settings):
    settings.OWNER_HOURLY_RATE = Decimal("50")
    with time_machine.travel(datetime.datetime(2025, 6, 15, 12, tzinfo=datetime.UTC), tick=False):
        yield


def known_task(*, status=Task.Status.DONE, **kwargs):
    """In-house 1000, budget 650, payments 400 and 200, 120 minutes of oversight in two entries."""
    task = factories.TaskFactory(
        in_house_estimate=Decimal("1000.00"), budget=Decimal("650.00"), status=status, **kwargs
    )
    assignment = factories.AssignmentFactory(task=task)
    factories.PaymentFactory(
        assignment=assignment, amount=Decimal("400.00"), paid_on=datetime.date(2025, 3, 10)
    )
    factories.PaymentFactory(
        assignment=assignment, amount=Decimal("200.00"), paid_on=datetime.date(2025, 5, 2)
    )
    factories.OversightEntryFactory(task=task, minutes=70)
    factories.OversightEntryFactory(task=task, minutes=50)
    return task


def paid_task(amount, paid_on, *, freelancer=None, status=Task.Status.DONE, **kwargs):
    task = factories.TaskFactory(status=status, **kwargs)
    assignment = factories.AssignmentFactory(
        task=task, **({"freelancer": freelancer} if freelancer else {})
    )
    factories.PaymentFactory(assignment=assignment, amount=Decimal(amount), paid_on=paid_on)
    return task


def test_known_figures_per_task_are_exact():
    task = known_task()

    row = selectors.task_figures().get(pk=task.pk)

    assert row.paid == Decimal("600.00")
    assert row.oversight_minutes == 120
    assert row.oversight_hours == Decimal("2.00")
    assert row.oversight_cost == Decimal("100.00")
    assert row.investment == Decimal("700.00")
    assert row.estimated_savings == Decimal("350.00")
    assert row.realised_savings == Decimal("300.00")
    assert row.shortfall == Decimal("50.00")
    assert row.last_paid_on == datetime.date(2025, 5, 2)
    # Exactly two places, on PostgreSQL and on SQLite alike.
    assert str(row.investment) == "700.00"
    assert str(row.realised_savings) == "300.00"


def test_known_figures_in_the_period_totals_are_exact():
    known_task()

    totals = selectors.savings_totals(LAST_12)

    assert totals.tasks == 1
    assert totals.investment == Decimal("700.00")
    assert totals.realised_savings == Decimal("300.00")
    assert str(totals.realised_savings) == "300.00"
    assert totals.ratio == Decimal("300") / Decimal("350")
    assert totals.overhead == Decimal("100") / Decimal("600")
    assert totals.overhead_verdict[0] == "red"  # 16.7% is above the 5–12% band


def test_payments_and_oversight_are_not_multiplied_by_each_other():
    """Three payments over two assignments and four oversight entries: each counted once."""
    task = factories.TaskFactory(status=Task.Status.DONE, in_house_estimate=Decimal("900"))
    a, b = factories.AssignmentFactory(task=task), factories.AssignmentFactory(task=task)
    for assignment, amount in ((a, "100.10"), (a, "50.20"), (b, "30.30")):
        factories.PaymentFactory(assignment=assignment, amount=Decimal(amount), paid_on=TODAY)
    for minutes in (15, 15, 15, 15):
        factories.OversightEntryFactory(task=task, minutes=minutes)

    row = selectors.task_figures().get(pk=task.pk)
    totals = selectors.savings_totals(LAST_12)

    assert row.paid == Decimal("180.60")
    assert row.oversight_minutes == 60
    assert row.oversight_cost == Decimal("50.00")
    assert totals.paid == Decimal("180.60")
    assert totals.oversight_minutes == 60


def test_oversight_cost_is_not_integer_division(settings):
    """50 minutes at 50 an hour is 41.67, not 41 (SQLite divides integers as integers)."""
    task = factories.TaskFactory()
    factories.OversightEntryFactory(task=task, minutes=50)

    assert selectors.task_figures().get(pk=task.pk).oversight_cost == Decimal("41.67")


def test_oversight_cost_follows_the_owner_hourly_rate(settings):
    settings.OWNER_HOURLY_RATE = Decimal("80")
    task = factories.TaskFactory()
    factories.OversightEntryFactory(task=task, minutes=90)

    assert selectors.task_figures().get(pk=task.pk).oversight_cost == Decimal("120.00")


def test_a_task_without_money_has_zero_figures():
    task = factories.TaskFactory(in_house_estimate=Decimal("800"), budget=Decimal("500"))

    row = selectors.task_figures().get(pk=task.pk)

    assert (row.paid, row.oversight_cost, row.investment) == (0, 0, 0)
    assert row.realised_savings == Decimal("800.00")
    assert row.last_paid_on is None


def test_a_task_belongs_to_the_month_of_its_last_payment():
    task = known_task()  # paid in March and May 2025

    may = Period(first=datetime.date(2025, 5, 1), last=datetime.date(2025, 5, 1))
    march = Period(first=datetime.date(2025, 3, 1), last=datetime.date(2025, 3, 1))

    assert list(selectors.tasks_in_period(may)) == [task]
    assert list(selectors.tasks_in_period(march)) == []
    months = {row.key: row for row in selectors.savings_by_month(LAST_12)}
    assert months[datetime.date(2025, 5, 1)].investment == Decimal("700.00")
    assert months[datetime.date(2025, 3, 1)].tasks == 0


def test_only_done_tasks_count_towards_savings_and_the_rest_is_shown_apart():
    known_task()
    half_paid = paid_task("100.00", TODAY, status=Task.Status.IN_PROGRESS, budget=Decimal(90))
    paid_task("50.00", TODAY, status=Task.Status.CANCELLED)

    totals = selectors.savings_totals(LAST_12)
    apart = {row.status: row for row in selectors.not_counted(LAST_12)}

    assert totals.tasks == 1
    assert totals.paid == Decimal("600.00")
    assert apart[Task.Status.IN_PROGRESS].paid == Decimal("100.00")
    assert apart[Task.Status.IN_PROGRESS].over_budget == 1  # 100 paid on a budget of 90
    assert apart[Task.Status.CANCELLED].tasks == 1
    assert half_paid in selectors.tasks_in_period(LAST_12)


def test_tasks_paid_outside_the_period_are_left_out():
    paid_task("100.00", datetime.date(2024, 6, 30))  # the day before the period
    paid_task("100.00", datetime.date(2024, 7, 1))  # its first day

    assert selectors.savings_totals(LAST_12).tasks == 1


def test_month_and_skill_rows_add_up_to_the_totals():
    design = factories.SkillFactory(name="Design", slug="design")
    known_task(skill=design)
    paid_task("300.00", datetime.date(2024, 9, 9), skill=design)
    paid_task("120.00", datetime.date(2025, 1, 20), skill=None)
    factories.OversightEntryFactory(task=paid_task("80.00", datetime.date(2025, 1, 5)), minutes=45)

    totals = selectors.savings_totals(LAST_12)
    months = selectors.savings_by_month(LAST_12)
    skills = selectors.savings_by_skill(LAST_12)

    assert len(months) == 12
    for rows in (months, skills):
        assert sum(row.tasks for row in rows) == totals.tasks == 4
        assert sum(row.paid for row in rows) == totals.paid == Decimal("1100.00")
        assert sum(row.in_house_estimate for row in rows) == totals.in_house_estimate
        assert sum(row.oversight_minutes for row in rows) == totals.oversight_minutes
        assert sum(row.oversight_cost for row in rows) == totals.oversight_cost
        assert sum(row.realised_savings for row in rows) == totals.realised_savings
    assert [row.label for row in skills][-1] == "No skill"
    assert next(row for row in skills if row.label == "Design").tasks == 2


def test_ratio_is_realised_over_estimated_and_none_without_an_estimate():
    assert selectors.Savings(
        estimated_savings=Decimal("400"), realised_savings=Decimal("100")
    ).ratio == Decimal("0.25")
    assert selectors.Savings(estimated_savings=Decimal("0")).ratio is None


@pytest.mark.parametrize(
    ("cost", "paid", "status"),
    [
        ("4.99", "100", "amber"),
        ("5", "100", "green"),
        ("12", "100", "green"),
        ("12.01", "100", "red"),
        ("1", "0", "none"),
    ],
)
def test_overhead_is_judged_against_the_five_to_twelve_percent_band(cost, paid, status):
    savings = selectors.Savings(oversight_cost=Decimal(cost), paid=Decimal(paid))

    assert savings.overhead_verdict[0] == status


def test_overestimated_tasks_come_largest_shortfall_first():
    small = known_task(title="Small miss")  # shortfall 50
    big = paid_task("900.00", TODAY, title="Big miss", budget=Decimal("500"))  # shortfall 400
    paid_task("100.00", TODAY, title="Under budget", budget=Decimal("500"))

    rows = list(selectors.overestimated_tasks(LAST_12))

    assert rows == [big, small]
    assert rows[0].shortfall == Decimal("400.00")
    assert rows[1].oversight_minutes == 120


def test_hhi_of_a_fifty_thirty_twenty_split_is_3800():
    a, b, c = (factories.ApprovedFreelancerFactory(name=n) for n in ("Ann", "Bea", "Cid"))
    paid_task("500.00", TODAY, freelancer=a)
    paid_task("300.00", TODAY, freelancer=b)
    paid_task("200.00", TODAY, freelancer=c)

    spend = selectors.spend_by_freelancer(LAST_12)

    assert spend.hhi == Decimal("3800")
    assert spend.band == ("red", "highly concentrated")
    assert spend.top.name == "Ann"
    assert spend.top.share == Decimal("50")
    assert [row.share for row in spend.rows] == [Decimal(50), Decimal(30), Decimal(20)]
    assert spend.total == Decimal("1000.00")


@pytest.mark.parametrize(
    ("hhi", "band"),
    [
        (None, "none"),
        (Decimal(1499), "green"),
        (Decimal(1500), "amber"),
        (Decimal(2500), "amber"),
        (Decimal(2501), "red"),
        (Decimal(10000), "red"),
    ],
)
def test_hhi_bands(hhi, band):
    assert selectors.hhi_band(hhi)[0] == band


def test_spend_is_cash_paid_in_the_period_whatever_the_task_status():
    fran = factories.ApprovedFreelancerFactory(name="Fran")
    paid_task("100.00", datetime.date(2024, 6, 30), freelancer=fran)  # outside
    paid_task("250.00", TODAY, freelancer=fran, status=Task.Status.IN_PROGRESS)

    spend = selectors.spend_by_freelancer(LAST_12)
    months = dict(selectors.spend_by_month(LAST_12))

    assert spend.total == Decimal("250.00")
    assert spend.rows[0].tasks == 1
    assert months[datetime.date(2025, 6, 1)] == Decimal("250.00")
    assert months[datetime.date(2024, 7, 1)] == Decimal("0.00")
    assert len(months) == 12


def test_share_chart_keeps_the_top_ten_and_sums_the_rest():
    for i in range(12):
        paid_task(f"{100 + i}.00", TODAY, freelancer=factories.ApprovedFreelancerFactory())

    data = selectors.spend_by_freelancer(LAST_12).top_ten_and_rest()

    assert len(data) == 11
    assert data[0][1] == Decimal("111.00")
    assert data[-1] == ("The rest (2)", Decimal("201.00"))


def test_no_spend_has_no_hhi():
    spend = selectors.spend_by_freelancer(LAST_12)

    assert spend.hhi is None
    assert spend.top is None
    assert spend.top_ten_and_rest() == []


def test_last_months_ends_with_the_current_month():
    period = selectors.last_months(12, today=TODAY)

    assert period == LAST_12
    assert period.end == datetime.date(2025, 6, 30)
    assert len(period.months) == 12
    assert selectors.last_months(3, today=datetime.date(2025, 1, 31)).first == datetime.date(
        2024, 11, 1
    )


def test_totals_add_up_per_task_costs_rounded_to_cents():
    """Three tasks with one minute each cost 0.83 apiece at 50 an hour: the total is 2.49, the
    sum of what each row (and the export) shows, not 2.50 from the summed minutes."""
    for day in (5, 6, 7):
        task = paid_task("100.00", datetime.date(2025, 1, day))
        factories.OversightEntryFactory(task=task, minutes=1)
    totals = selectors.savings_totals(LAST_12)
    assert totals.oversight_cost == Decimal("2.49")
    rows = list(selectors.task_figures().filter(oversight_minutes=1))
    assert sum(row.oversight_cost for row in rows) == totals.oversight_cost
