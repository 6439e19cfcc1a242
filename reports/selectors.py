"""Reads for the reports and the dashboard: what outsourcing cost, what it saved, and with whom.

Every figure is an aggregate computed by the database, in a fixed number of queries whatever the
size of the network. Money is summed per task through *subqueries*, never by joining payments and
oversight entries in one query (a task with 3 payments and 4 oversight entries would otherwise be
counted 12 times).

How a task is attributed to a period (shown on the report page, keep the two in step):

* A task belongs to the month of its **last payment** (for a finished task, when it was
  settled), with all of its payments and oversight to date, so the rows of every table add up to
  the totals and no task is counted in two periods. Tasks never paid are in no period.
* **Savings** (mistake 3) count only the tasks that are **done**: the savings of work still in
  progress are not realised yet (a half-paid task looks like a bargain), and a cancelled task
  delivered nothing. Those are shown beside the totals instead (``not_counted``). The savings
  export lists every task of the period, whatever its status.
* **Spend** (mistake 5: concentration, spend per month) is cash: payments by ``paid_on``.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Round, TruncMonth
from django.utils import timezone

from freelancers.models import Freelancer
from tasks.models import Assignment, OversightEntry, Payment, RiskFlag, ScanRun, Task

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


class MoneyField(DecimalField):
    """The output field of every computed amount: always two decimal places.

    SQLite hands back computed decimals unquantised (``298`` or ``60.8300000000000``); this
    makes both databases return ``Decimal("298.00")`` and ``Decimal("60.83")``.
    """

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return Decimal(value).quantize(CENT)


MONEY = MoneyField(max_digits=16, decimal_places=2)

# Published practice: managing outsourced work costs 5–12% of the contract value.
OVERHEAD_BAND = (Decimal("0.05"), Decimal("0.12"))
# Herfindahl–Hirschman index bands (US merger guidelines): below 1,500 unconcentrated,
# 1,500–2,500 moderately concentrated, above 2,500 highly concentrated.
HHI_MODERATE = Decimal(1500)
HHI_HIGH = Decimal(2500)
MAX_PERIOD_MONTHS = 120


# --- Periods --------------------------------------------------------------------------------


def add_months(month: datetime.date, n: int) -> datetime.date:
    """The first day of the month ``n`` months after (or before) ``month``."""
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Whole months, from the first day of ``first`` to the last day of ``last``."""

    first: datetime.date  # first day of the first month
    last: datetime.date  # first day of the last month

    @property
    def start(self) -> datetime.date:
        return self.first

    @property
    def end(self) -> datetime.date:
        return add_months(self.last, 1) - datetime.timedelta(days=1)

    @property
    def months(self) -> list[datetime.date]:
        count = (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1
        return [add_months(self.first, i) for i in range(count)]

    @property
    def query(self) -> str:
        """The query string that selects this period on the report and the exports."""
        return f"start={self.first:%Y-%m}&end={self.last:%Y-%m}"

    def __str__(self) -> str:
        if self.first == self.last:
            return f"{self.first:%B %Y}"
        return f"{self.first:%B %Y} – {self.last:%B %Y}"


def last_months(n: int = 12, *, today: datetime.date | None = None) -> Period:
    """The ``n`` months ending with the current one (the report's default is 12)."""
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    return Period(first=add_months(this_month, -(n - 1)), last=this_month)


# --- Expressions ----------------------------------------------------------------------------


class ToNumeric(Func):
    """An exact decimal on PostgreSQL. SQLite has no decimal type and divides integers as
    integers (50 × 50 / 60 = 41 there), so it gets a REAL; results are rounded to cents."""

    template = "CAST(%(expressions)s AS numeric)"
    output_field = DecimalField(max_digits=20, decimal_places=6)

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, template="CAST(%(expressions)s AS REAL)", **extra_context
        )


def oversight_cost(minutes) -> Round:
    """minutes / 60 × OWNER_HOURLY_RATE, rounded to cents, as a database expression."""
    rate = Value(Decimal(settings.OWNER_HOURLY_RATE), output_field=MONEY)
    return Round(
        ToNumeric(minutes) * rate / Value(Decimal(60), output_field=MONEY),
        2,
        output_field=MONEY,
    )


def oversight_hours(minutes) -> Round:
    return Round(ToNumeric(minutes) / Value(Decimal(60), output_field=MONEY), 2, output_field=MONEY)


def _per_task(queryset: QuerySet, task_field: str, aggregate) -> Subquery:
    """One value per task from a correlated subquery (``order_by()`` keeps the model's default
    ordering out of the GROUP BY)."""
    return Subquery(
        queryset.filter(**{task_field: OuterRef("pk")})
        .order_by()
        .values(task_field)
        .annotate(value=aggregate)
        .values("value")
    )


def task_figures(queryset: QuerySet[Task] | None = None) -> QuerySet[Task]:
    """Tasks annotated with the figures of DOMAIN.md, over each task's whole life.

    ``paid``, ``oversight_minutes``, ``oversight_hours``, ``oversight_cost``, ``investment``,
    ``estimated_savings``, ``realised_savings``, ``shortfall`` (estimated − realised) and
    ``last_paid_on`` (the date that puts the task in a period).
    """
    queryset = Task.objects.all() if queryset is None else queryset
    return (
        queryset.select_related("skill")
        .annotate(
            paid=Coalesce(
                _per_task(Payment.objects, "assignment__task", Sum("amount")),
                Value(ZERO),
                output_field=MONEY,
            ),
            oversight_minutes=Coalesce(
                _per_task(OversightEntry.objects, "task", Sum("minutes")),
                Value(0),
                output_field=IntegerField(),
            ),
            last_paid_on=_per_task(Payment.objects, "assignment__task", Max("paid_on")),
        )
        .annotate(
            oversight_hours=oversight_hours(F("oversight_minutes")),
            oversight_cost=oversight_cost(F("oversight_minutes")),
        )
        .annotate(
            investment=ExpressionWrapper(F("paid") + F("oversight_cost"), output_field=MONEY),
            estimated_savings=ExpressionWrapper(
                F("in_house_estimate") - F("budget"), output_field=MONEY
            ),
        )
        .annotate(
            realised_savings=ExpressionWrapper(
                F("in_house_estimate") - F("investment"), output_field=MONEY
            )
        )
        .annotate(
            shortfall=ExpressionWrapper(
                F("estimated_savings") - F("realised_savings"), output_field=MONEY
            )
        )
    )


def tasks_in_period(period: Period) -> QuerySet[Task]:
    """Every task whose last payment falls within the period, with its figures.

    Said as "paid within the period and never after it": a semi-join and an anti-join the
    database hashes, rather than the task's MAX(paid_on) worked out row by row.
    """
    payments = Payment.objects.filter(assignment__task=OuterRef("pk"))
    return task_figures().filter(
        Exists(payments.filter(paid_on__range=(period.start, period.end))),
        ~Exists(payments.filter(paid_on__gt=period.end)),
    )


def done_tasks(period: Period) -> QuerySet[Task]:
    """The tasks of the period whose savings are counted: the done ones."""
    return tasks_in_period(period).filter(status=Task.Status.DONE)


# --- Savings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Savings:
    """Savings figures of a group of tasks (a month, a skill, the whole period)."""

    label: str = ""
    key: object = None
    tasks: int = 0
    in_house_estimate: Decimal = ZERO
    budget: Decimal = ZERO
    paid: Decimal = ZERO
    oversight_minutes: int = 0
    oversight_cost: Decimal = ZERO
    investment: Decimal = ZERO
    estimated_savings: Decimal = ZERO
    realised_savings: Decimal = ZERO

    @property
    def oversight_hours(self) -> Decimal:
        return (Decimal(self.oversight_minutes) / 60).quantize(CENT)

    @property
    def ratio(self) -> Decimal | None:
        """Realised ÷ estimated savings; None when nothing was expected to be saved."""
        if self.estimated_savings <= 0:
            return None
        return self.realised_savings / self.estimated_savings

    @property
    def overhead(self) -> Decimal | None:
        """Oversight cost as a share of what was paid; None when nothing was paid."""
        if self.paid <= 0:
            return None
        return self.oversight_cost / self.paid

    @property
    def overhead_verdict(self) -> tuple[str, str]:
        """(status, sentence) against the published 5–12% band."""
        low, high = OVERHEAD_BAND
        overhead = self.overhead
        if overhead is None:
            return "none", "Nothing was paid in this period, so there is no overhead to compare."
        if overhead > high:
            return (
                "red",
                "Above the 5–12% band: managing this work costs more than is usual and eats "
                "into the savings.",
            )
        if overhead < low:
            return (
                "amber",
                "Below the 5–12% band: either the work needs unusually little management, or "
                "oversight time is not being logged.",
            )
        return "green", "Within the published 5–12% band."


def _savings_sums() -> dict:
    """The aggregates every savings row is made of. Cost is the sum of each task's cost as
    rounded to cents, so the rows of a table, and the export, add up to the totals exactly."""
    return {
        "n_tasks": Count("pk"),
        "sum_in_house": Sum("in_house_estimate", output_field=MONEY),
        "sum_budget": Sum("budget", output_field=MONEY),
        "sum_paid": Sum("paid", output_field=MONEY),
        "sum_minutes": Sum("oversight_minutes", output_field=IntegerField()),
        "sum_cost": Sum("oversight_cost", output_field=MONEY),
    }


def _savings_rows(queryset: QuerySet[Task], *group_by: str):
    """GROUP BY ``group_by`` with the sums of each group."""
    return queryset.order_by().values(*group_by).annotate(**_savings_sums()).order_by(*group_by)


def _savings(row: dict, *, label: str = "", key: object = None) -> Savings:
    in_house = row["sum_in_house"] or ZERO
    budget = row["sum_budget"] or ZERO
    paid = row["sum_paid"] or ZERO
    cost = row["sum_cost"] or ZERO
    # Sums of exact decimals: the database did the aggregation, this is only their difference.
    return Savings(
        label=label,
        key=key,
        tasks=row["n_tasks"],
        in_house_estimate=in_house,
        budget=budget,
        paid=paid,
        oversight_minutes=row["sum_minutes"] or 0,
        oversight_cost=cost,
        investment=paid + cost,
        estimated_savings=in_house - budget,
        realised_savings=in_house - paid - cost,
    )


def savings_totals(period: Period) -> Savings:
    """The period's totals (one query)."""
    return _savings(done_tasks(period).aggregate(**_savings_sums()), label="Total")


def savings_by_month(period: Period) -> list[Savings]:
    """One row per month of the period (one query); months with no task are zero rows."""
    rows = {
        row["month"]: row
        for row in _savings_rows(
            done_tasks(period).annotate(month=TruncMonth("last_paid_on")), "month"
        )
    }
    result = []
    for month in period.months:
        row = rows.get(month)
        label = f"{month:%b %Y}"
        result.append(_savings(row, label=label, key=month) if row else Savings(label, month))
    return result


def savings_by_skill(period: Period) -> list[Savings]:
    """One row per skill with tasks in the period (one query); "No skill" last."""
    rows = _savings_rows(done_tasks(period), "skill_id", "skill__name")
    result = [
        _savings(row, label=row["skill__name"] or "No skill", key=row["skill_id"]) for row in rows
    ]
    result.sort(key=lambda s: (s.key is None, s.label.lower()))
    return result


def overestimated_tasks(period: Period, *, limit: int = 10) -> QuerySet[Task]:
    """The tasks whose realised savings fell furthest below the estimate (one query)."""
    return done_tasks(period).filter(shortfall__gt=0).order_by("-shortfall", "pk")[:limit]


@dataclass(frozen=True)
class NotCounted:
    """Tasks of the period left out of the savings, per status."""

    status: str
    label: str
    tasks: int
    paid: Decimal
    oversight_cost: Decimal
    over_budget: int  # already cost more than their budget

    @property
    def investment(self) -> Decimal:
        return self.paid + self.oversight_cost


def not_counted(period: Period) -> list[NotCounted]:
    """In-progress, open and cancelled tasks of the period, with what they cost so far (one
    query)."""
    rows = (
        tasks_in_period(period)
        .exclude(status=Task.Status.DONE)
        .order_by()
        .values("status")
        .annotate(
            n_tasks=Count("pk"),
            sum_paid=Sum("paid", output_field=MONEY),
            sum_cost=Sum("oversight_cost", output_field=MONEY),
            over_budget=Count("pk", filter=Q(investment__gt=F("budget"))),
        )
        .order_by("status")
    )
    return [
        NotCounted(
            status=row["status"],
            label=Task.Status(row["status"]).label,
            tasks=row["n_tasks"],
            paid=row["sum_paid"] or ZERO,
            oversight_cost=row["sum_cost"] or ZERO,
            over_budget=row["over_budget"],
        )
        for row in rows
    ]


# --- Spend and its concentration ----------------------------------------------------------


def hhi_band(hhi: Decimal | None) -> tuple[str, str]:
    """(status, label) of a Herfindahl–Hirschman index."""
    if hhi is None:
        return "none", "no spend"
    if hhi > HHI_HIGH:
        return "red", "highly concentrated"
    if hhi >= HHI_MODERATE:
        return "amber", "moderately concentrated"
    return "green", "unconcentrated"


@dataclass(frozen=True)
class FreelancerSpend:
    freelancer_id: int
    name: str
    paid: Decimal
    tasks: int
    share: Decimal  # percentage of the period's spend, 0–100

    @property
    def share_rounded(self) -> Decimal:
        return self.share.quantize(CENT)


@dataclass(frozen=True)
class SpendConcentration:
    """Who was paid what in a period, each freelancer's share and the HHI of those shares."""

    rows: list[FreelancerSpend] = field(default_factory=list)
    total: Decimal = ZERO

    @property
    def hhi(self) -> Decimal | None:
        """Sum of squared percentage shares: 10,000 when one freelancer took everything."""
        if not self.rows:
            return None
        return sum((row.share * row.share for row in self.rows), Decimal(0)).quantize(Decimal(1))

    @property
    def band(self) -> tuple[str, str]:
        return hhi_band(self.hhi)

    @property
    def top(self) -> FreelancerSpend | None:
        return self.rows[0] if self.rows else None

    def top_ten_and_rest(self) -> list[tuple[str, Decimal]]:
        """For the share chart: the ten biggest and "The rest" (if any)."""
        data = [(row.name, row.paid) for row in self.rows[:10]]
        rest = sum((row.paid for row in self.rows[10:]), ZERO)
        if len(self.rows) > 10:
            data.append((f"The rest ({len(self.rows) - 10})", rest))
        return data


def spend_by_freelancer(period: Period) -> SpendConcentration:
    """Payments made in the period, per freelancer, biggest first (one query)."""
    rows = list(
        Payment.objects.filter(paid_on__range=(period.start, period.end))
        .order_by()
        .values("assignment__freelancer_id", "assignment__freelancer__name")
        .annotate(
            paid=Sum("amount", output_field=MONEY),
            tasks=Count("assignment__task_id", distinct=True),
        )
        .order_by("-paid", "assignment__freelancer__name")
    )
    total = sum((row["paid"] for row in rows), ZERO)
    return SpendConcentration(
        rows=[
            FreelancerSpend(
                freelancer_id=row["assignment__freelancer_id"],
                name=row["assignment__freelancer__name"],
                paid=row["paid"],
                tasks=row["tasks"],
                share=row["paid"] * 100 / total,
            )
            for row in rows
        ],
        total=total,
    )


def spend_by_month(period: Period) -> list[tuple[datetime.date, Decimal]]:
    """Payments by the month they were made, every month of the period (one query)."""
    rows = dict(
        Payment.objects.filter(paid_on__range=(period.start, period.end))
        .order_by()
        .annotate(month=TruncMonth("paid_on"))
        .values("month")
        .annotate(paid=Sum("amount", output_field=MONEY))
        .values_list("month", "paid")
    )
    return [(month, rows.get(month, ZERO)) for month in period.months]


# --- Dashboard ------------------------------------------------------------------------------

FLAG_SUMMARY_KEY = "reports:flag-summary"


@dataclass(frozen=True)
class FlagSummary:
    """Open flags per (kind, severity), and the SOP figures of ``sop_outstanding``."""

    counts: dict[tuple[str, str], int]
    sop: dict


def flags_version() -> tuple:
    """Changes whenever open flags can have changed: a scan ran (every scan records a ScanRun),
    a flag was written or deleted (a task deleted in the admin takes its flags along), or an
    owner dismissed one. One query: the open flags are counted from a partial index (about 6 ms
    for 127,000), the rest reads a few index entries."""
    flags, scans = RiskFlag._meta.db_table, ScanRun._meta.db_table
    # Table names come from the models, never from input.
    latest = f"SELECT (SELECT MAX(id) FROM {scans}), (SELECT MAX(id) FROM {flags}), "  # noqa: S608  # nosec
    counted = f"(SELECT COUNT(*) FROM {flags} WHERE resolved_at IS NULL), "  # noqa: S608  # nosec
    sql = latest + counted + f"COUNT(*), MAX(resolved_at) FROM {flags} WHERE resolution = %s"  # nosec
    with connection.cursor() as cursor:
        cursor.execute(sql, [RiskFlag.Resolution.DISMISSED])
        return tuple(cursor.fetchone())


def flag_summary() -> FlagSummary:
    """The dashboard's two aggregates over every open flag, cached against ``flags_version``.

    On the bench network (127,000 open flags) the two cost about 60 ms of PostgreSQL time per
    dashboard view, most of the page; flags only change through a scan or a dismissal, so the
    figures are recomputed only when the version says so. The cache is per process
    (LocMemCache by default): a stale value can never be served, only a recomputation saved.
    """
    version = flags_version()
    cached = cache.get(FLAG_SUMMARY_KEY)
    if cached is not None and cached[0] == version:
        return cached[1]
    summary = FlagSummary(counts=open_flag_counts(), sop=sop_outstanding())
    cache.set(FLAG_SUMMARY_KEY, (version, summary), timeout=None)
    return summary


def open_flag_counts() -> dict[tuple[str, str], int]:
    """Open flags per (kind, severity) (one query)."""
    return {
        (row["kind"], row["severity"]): row["n"]
        for row in RiskFlag.objects.filter(resolved_at__isnull=True)
        .order_by()
        .values("kind", "severity")
        .annotate(n=Count("id"))
    }


def sop_outstanding() -> dict:
    """Freelancers with an SOP left to acknowledge, and the oldest such flag (one query)."""
    return RiskFlag.objects.filter(
        resolved_at__isnull=True, kind=RiskFlag.Kind.SOP_NOT_ACKNOWLEDGED
    ).aggregate(
        freelancers=Count("freelancer", distinct=True),
        flags=Count("id"),
        oldest=Min("raised_at"),
    )


def core_tasks_with_freelancer() -> int:
    """Live core tasks that have an active assignment, flagged or not (one query)."""
    active = Assignment.objects.filter(task=OuterRef("pk"), ended_at__isnull=True)
    return Task.objects.live().filter(is_core=True).filter(Exists(active)).count()


def vetting_pipeline() -> dict[str, int]:
    """Freelancers not offboarded, per vetting status, every status present (one query)."""
    counts = dict(
        Freelancer.objects.exclude(status=Freelancer.Status.OFFBOARDED)
        .order_by()
        .values("vetting_status")
        .annotate(n=Count("id"))
        .values_list("vetting_status", "n")
    )
    return {value: counts.get(value, 0) for value in Freelancer.Vetting.values}


def last_full_scan() -> datetime.datetime | None:
    """When the last scan of the whole network finished, or None (one query)."""
    return (
        ScanRun.objects.filter(scope=ScanRun.Scope.FULL)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )


@dataclass(frozen=True)
class Figure:
    """A number on a card; ``kind``/``severity`` make it a link to the open flags it counts."""

    label: str
    value: object
    kind: str = ""
    severity: str = ""
    status: str = ""  # red / amber / green for a figure that carries its own colour
    money: bool = False


@dataclass(frozen=True)
class Card:
    """One dashboard card: an outsourcing mistake, its status and the figures behind it."""

    mistake: int
    title: str
    status: str  # red / amber / green
    headline: str
    figures: list[Figure]
    thresholds: str


SOP_GRACE_DAYS = 7
SAVINGS_GREEN = Decimal("0.80")
SAVINGS_AMBER = Decimal("0.50")


def _open(counts: dict, kind: str, severity: str | None = None) -> int:
    return sum(n for (k, s), n in counts.items() if k == kind and severity in (None, s))


def dashboard_cards(
    *,
    flags: dict[tuple[str, str], int],
    sop: dict,
    core_with_freelancer: int,
    pipeline: dict[str, int],
    skills: list,
    savings: Savings,
    spend: SpendConcentration,
    now: datetime.datetime | None = None,
) -> list[Card]:
    """The five cards, from figures already fetched (no query here). Thresholds are stated on
    each card so the owner can see why it is red, amber or green."""
    now = now or timezone.now()
    kind = RiskFlag.Kind
    cards = []

    # 1. Core work given to freelancers.
    core_open = _open(flags, kind.CORE_TASK_OUTSOURCED)
    if core_open:
        status, headline = "red", f"{core_open} core task{'s' if core_open != 1 else ''} flagged"
    elif core_with_freelancer:
        status, headline = "amber", "Core work with a freelancer, flag dismissed or not scanned"
    else:
        status, headline = "green", "Core work stays in-house"
    cards.append(
        Card(
            1,
            "Core work outsourced",
            status,
            headline,
            [
                Figure("Open core-task flags", core_open, kind.CORE_TASK_OUTSOURCED),
                Figure("Live core tasks with a freelancer", core_with_freelancer),
            ],
            "Red: any open core-task flag. Amber: a live core task has a freelancer but no "
            "open flag (dismissed, or not scanned yet). Green: none.",
        )
    )

    # 2. Guidance: SOPs not acknowledged.
    oldest = sop.get("oldest")
    age_days = (now - oldest).days if oldest else 0
    outstanding = sop.get("freelancers") or 0
    if outstanding and age_days >= SOP_GRACE_DAYS:
        status = "red"
    elif outstanding:
        status = "amber"
    else:
        status = "green"
    cards.append(
        Card(
            2,
            "Guidance: SOPs acknowledged",
            status,
            f"{outstanding} freelancer{'s' if outstanding != 1 else ''} with SOPs to acknowledge"
            if outstanding
            else "Every freelancer at work has read the current SOPs",
            [
                Figure("Freelancers with outstanding SOPs", outstanding),
                Figure("Open SOP flags", sop.get("flags") or 0, kind.SOP_NOT_ACKNOWLEDGED),
                Figure("Oldest outstanding", f"{age_days} days" if oldest else "—"),
            ],
            f"Red: an SOP outstanding for {SOP_GRACE_DAYS} days or more. Amber: outstanding "
            f"for less than {SOP_GRACE_DAYS} days. Green: none outstanding.",
        )
    )

    # 3. Realised against estimated savings.
    ratio = savings.ratio
    if savings.tasks == 0:
        status, headline = "green", "No task was finished and paid in the last 12 months"
    elif ratio is None:
        status = "red" if savings.realised_savings < 0 else "amber"
        headline = "No savings were estimated on these tasks"
    else:
        status = "green" if ratio >= SAVINGS_GREEN else "amber" if ratio >= SAVINGS_AMBER else "red"
        headline = f"Realised {ratio * 100:.0f}% of the estimated savings"
    overhead = savings.overhead
    cards.append(
        Card(
            3,
            "Savings: estimated against realised",
            status,
            headline,
            [
                Figure("Estimated savings", savings.estimated_savings, money=True),
                Figure("Realised savings", savings.realised_savings, money=True),
                Figure(
                    "Oversight as a share of paid",
                    f"{overhead * 100:.1f}%" if overhead is not None else "—",
                    status=savings.overhead_verdict[0],
                ),
            ],
            "Done tasks whose last payment was in the last 12 months. Green: realised at "
            "least 80% of estimated. Amber: 50–80%. Red: below 50%.",
        )
    )

    # 4. Work assigned before vetting, and the vetting pipeline.
    abv_high = _open(flags, kind.ASSIGNED_BEFORE_VETTING, RiskFlag.Severity.HIGH)
    abv_medium = _open(flags, kind.ASSIGNED_BEFORE_VETTING, RiskFlag.Severity.MEDIUM)
    if abv_high:
        plural = "s" if abv_high != 1 else ""
        status, headline = "red", f"{abv_high} assignment{plural} of unvetted freelancers"
    elif abv_medium:
        status, headline = "amber", "Work was assigned before vetting finished"
    else:
        status, headline = "green", "Only vetted freelancers are at work"
    vetting = Freelancer.Vetting
    cards.append(
        Card(
            4,
            "Hiring: vetting before work",
            status,
            headline,
            [
                Figure(
                    "Unvetted and at work (high)",
                    abv_high,
                    kind.ASSIGNED_BEFORE_VETTING,
                    RiskFlag.Severity.HIGH,
                ),
                Figure(
                    "Vetted after being assigned (medium)",
                    abv_medium,
                    kind.ASSIGNED_BEFORE_VETTING,
                    RiskFlag.Severity.MEDIUM,
                ),
                Figure("Pending", pipeline.get(vetting.PENDING, 0)),
                Figure("In review", pipeline.get(vetting.IN_REVIEW, 0)),
                Figure("Approved", pipeline.get(vetting.APPROVED, 0)),
                Figure("Rejected", pipeline.get(vetting.REJECTED, 0)),
            ],
            "Red: an open flag on a freelancer still not approved. Amber: only flags on "
            "freelancers approved after they were assigned. Green: none. Pipeline counts "
            "exclude offboarded freelancers.",
        )
    )

    # 5. Single-freelancer tasks and the bench.
    single_high = _open(flags, kind.SINGLE_FREELANCER, RiskFlag.Severity.HIGH)
    single_medium = _open(flags, kind.SINGLE_FREELANCER, RiskFlag.Severity.MEDIUM)
    empty = sum(1 for skill in skills if skill.bench == 0)
    thin = sum(1 for skill in skills if skill.bench == 1)
    if single_high:
        status = "red"
        headline = f"{single_high} task{'s' if single_high != 1 else ''} with nobody to take over"
    elif single_medium or empty or thin:
        status, headline = "amber", "Some work rests on one person"
    else:
        status, headline = "green", "Every task has a backup and every skill a bench"
    hhi = spend.hhi
    cards.append(
        Card(
            5,
            "Backups and bench",
            status,
            headline,
            [
                Figure(
                    "Single freelancer, no replacement (high)",
                    single_high,
                    kind.SINGLE_FREELANCER,
                    RiskFlag.Severity.HIGH,
                ),
                Figure(
                    "Single freelancer, replaceable (medium)",
                    single_medium,
                    kind.SINGLE_FREELANCER,
                    RiskFlag.Severity.MEDIUM,
                ),
                Figure("Skills with an empty bench", empty),
                Figure("Skills with a thin bench (1)", thin),
                Figure(
                    "Spend concentration (HHI, 12 months)",
                    f"{hhi:,.0f} · {spend.band[1]}" if hhi is not None else "—",
                    status=spend.band[0],
                ),
            ],
            "Red: a task rests on one freelancer and nobody else has the skill. Amber: tasks "
            "without a backup, or skills with fewer than 2 available freelancers. Green: none.",
        )
    )
    return cards
