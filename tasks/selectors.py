"""Reads about tasks and flags for the owner's pages: each a fixed number of queries.

Lists annotate in the database (flag counts, worst severity, money totals) and prefetch what a
row shows (the freelancers on a task), so a page costs the same whatever the size of the network.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from freelancers.models import Freelancer, Skill
from sops.models import SOP

from .models import Assignment, OversightEntry, Payment, RiskFlag, Task

# Worst severity as a number, so the database can take the maximum.
SEVERITY_RANK = {RiskFlag.Severity.LOW: 1, RiskFlag.Severity.MEDIUM: 2, RiskFlag.Severity.HIGH: 3}
RANK_SEVERITY = {rank: severity for severity, rank in SEVERITY_RANK.items()}

ACTIVE_ASSIGNMENT = Q(ended_at__isnull=True)
MONEY = DecimalField(max_digits=14, decimal_places=2)
PRIMARY_FIRST = Case(
    When(role=Assignment.Role.PRIMARY, then=Value(0)), default=Value(1), output_field=IntegerField()
)


def _active_assignments_prefetch(lookup: str = "assignments") -> Prefetch:
    return Prefetch(
        lookup,
        queryset=Assignment.objects.filter(ACTIVE_ASSIGNMENT)
        .select_related("freelancer")
        .order_by(PRIMARY_FIRST, "assigned_at", "id"),
        to_attr="active_assignments",
    )


def task_list(filtered: QuerySet[Task] | None = None) -> QuerySet[Task]:
    """Tasks for the list page: skill, open flag count, worst open severity and who works on them.

    Two queries per page of rows: the tasks with their annotations, and their active assignments.
    The flag figures are correlated subqueries rather than a join and GROUP BY, so the database
    computes them for the rows of the page only, not for every task before the LIMIT.
    """
    tasks = filtered if filtered is not None else Task.objects.all()
    open_flags = RiskFlag.objects.filter(task=OuterRef("pk"), resolved_at__isnull=True).values(
        "task"
    )
    rank = Case(
        *(When(severity=s, then=Value(r)) for s, r in SEVERITY_RANK.items()),
        output_field=IntegerField(),
    )
    return (
        tasks.select_related("skill")
        .annotate(
            open_flags=Coalesce(Subquery(open_flags.annotate(n=Count("id")).values("n")), Value(0)),
            worst_rank=Subquery(open_flags.annotate(worst=Max(rank)).values("worst")),
        )
        .prefetch_related(_active_assignments_prefetch())
        .order_by("-created_at", "-id")
    )


def ordered_tasks(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """The order of the task list. Pages are cut from this bare queryset's ids (``page_rows``)."""
    return tasks.order_by("-created_at", "-id")


def task_rows(ids: list[int]) -> list[Task]:
    """The list rows of the tasks with these ids, in that order (two queries)."""
    rows = {task.pk: task for task in task_list(Task.objects.filter(pk__in=ids))}
    for task in rows.values():
        task.worst_severity = worst_severity(task.worst_rank)
    return [rows[pk] for pk in ids if pk in rows]


def worst_severity(rank: int | None) -> str:
    """The severity name of a ``worst_rank`` annotation ("" when the task has no open flag)."""
    return RANK_SEVERITY.get(rank, "") if rank else ""


def task_detail(pk: int) -> Task:
    """One task with its money and time totals computed in the database (one query).

    Raises Task.DoesNotExist like ``get``.
    """
    paid = (
        Payment.objects.filter(assignment__task=OuterRef("pk"))
        .values("assignment__task")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    minutes = (
        OversightEntry.objects.filter(task=OuterRef("pk"))
        .values("task")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    bench = (
        Freelancer.objects.available()
        .filter(skills=OuterRef("skill"))
        .values("skills")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        Task.objects.select_related("skill")
        .annotate(
            paid_total=Coalesce(
                Subquery(paid, output_field=MONEY), Value(Decimal("0")), output_field=MONEY
            ),
            oversight_minutes=Coalesce(Subquery(minutes), Value(0)),
            bench_depth=Coalesce(Subquery(bench), Value(0)),
        )
        .get(pk=pk)
    )


def task_assignments(task: Task) -> list[Assignment]:
    """Every assignment of the task, active first, with its payments and their sum (two queries)."""
    return list(
        task.assignments.select_related("freelancer")
        .annotate(paid=Coalesce(Sum("payments__amount"), Value(Decimal("0")), output_field=MONEY))
        .prefetch_related(
            Prefetch("payments", queryset=Payment.objects.order_by("-paid_on", "-id"))
        )
        .order_by(
            Case(When(ended_at__isnull=True, then=Value(0)), default=Value(1)),
            PRIMARY_FIRST,
            "-assigned_at",
            "-id",
        )
    )


def task_required_sops(task: Task) -> list[SOP]:
    return list(task.required_sops.order_by("title"))


def recent_oversight(task: Task, *, limit: int = 10) -> list[OversightEntry]:
    return list(
        task.oversight_entries.select_related("logged_by").order_by("-logged_on", "-id")[:limit]
    )


CANDIDATE_LIMIT = 100


@dataclass
class Candidates:
    """The picker's freelancers; ``more`` says that the list was cut at the limit."""

    freelancers: list[Freelancer]
    more: bool
    search: str


def assignment_candidates(
    task: Task, *, search: str = "", include: int | None = None, limit: int | None = None
) -> Candidates:
    """Who can be put on the task: active freelancers not already on it (one query).

    Those with the task's skill come first, approved before the rest; each carries ``has_skill``
    and ``active_tasks`` (how many live tasks they already work on), so the picker shows vetting
    status and load. A large network is cut at ``limit``, and ``search`` (name or e-mail) finds
    the others; ``include`` keeps a freelancer chosen from an earlier search in the list.
    """
    limit = limit or CANDIDATE_LIMIT
    on_task = Assignment.objects.filter(task=task, ended_at__isnull=True).values("freelancer")
    has_skill = (
        Exists(
            Freelancer.skills.through.objects.filter(freelancer=OuterRef("pk"), skill=task.skill_id)
        )
        if task.skill_id
        else Value(False)
    )
    # A correlated count, computed for the rows returned only (not a GROUP BY over everyone).
    live_work = (
        Assignment.objects.filter(
            freelancer=OuterRef("pk"),
            ended_at__isnull=True,
            task__status__in=Task.LIVE_STATUSES,
        )
        .values("freelancer")
        .annotate(n=Count("id"))
        .values("n")
    )
    wanted = Q()
    search = search.strip()[:100]
    if search:
        wanted = Q(name__icontains=search) | Q(email__icontains=search)
        if include:
            wanted |= Q(pk=include)
    approved_first = Case(
        When(vetting_status=Freelancer.Vetting.APPROVED, then=Value(0)), default=Value(1)
    )
    rows = list(
        Freelancer.objects.filter(wanted, status=Freelancer.Status.ACTIVE)
        .exclude(pk__in=on_task)
        .annotate(has_skill=has_skill, active_tasks=Coalesce(Subquery(live_work), Value(0)))
        .order_by("-has_skill", approved_first, "name", "id")[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    if include and all(row.pk != include for row in rows):
        extra = (
            Freelancer.objects.filter(pk=include, status=Freelancer.Status.ACTIVE)
            .exclude(pk__in=on_task)
            .annotate(has_skill=has_skill, active_tasks=Coalesce(Subquery(live_work), Value(0)))
            .first()
        )
        if extra is not None:
            rows.append(extra)
    return Candidates(freelancers=rows, more=more, search=search)


def open_flags_for_task(task: Task, assignments: Iterable[Assignment]) -> list[RiskFlag]:
    """The task's open flags, each with ``people`` (see ``flag_people``), in one query."""
    flags = list(
        task.flags.filter(resolved_at__isnull=True)
        .select_related("assignment__freelancer", "dismissed_by")
        .order_by(_severity_order(), "kind", "id")
    )
    active = [a for a in assignments if a.ended_at is None]
    for flag in flags:
        flag.task = task
        flag.people = [flag.assignment.freelancer] if flag.assignment_id else _freelancers(active)
    return flags


def _freelancers(assignments: Iterable[Assignment]) -> list[Freelancer]:
    seen: dict[int, Freelancer] = {}
    for assignment in assignments:
        seen.setdefault(assignment.freelancer_id, assignment.freelancer)
    return list(seen.values())


def _severity_order():
    return Case(
        *(When(severity=s, then=Value(-r)) for s, r in SEVERITY_RANK.items()),
        output_field=IntegerField(),
    )


def filter_flags_by_freelancer(flags: QuerySet[RiskFlag], freelancer_id: int) -> QuerySet[RiskFlag]:
    """Flags about a freelancer: through their assignment, or as an assignee of a task-level flag.

    A task-level flag concerns the task's active assignees while it is open, and, once resolved,
    anyone whose assignment overlapped its life (the same rule ``attach_flag_people`` shows).
    """
    theirs = Assignment.objects.filter(freelancer_id=freelancer_id)
    mine = theirs.filter(task=OuterRef("task"))
    active = mine.filter(ended_at__isnull=True)
    overlapped = mine.filter(assigned_at__lte=OuterRef("resolved_at")).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=OuterRef("raised_at"))
    )
    task_level = Q(assignment__isnull=True) & (
        (Q(resolved_at__isnull=True) & Exists(active))
        | (Q(resolved_at__isnull=False) & Exists(overlapped))
    )
    # Every such flag is on one of the freelancer's tasks: that IN list (a semi-join on the
    # task index) narrows the table to a few rows before the exact, correlated test runs.
    return flags.filter(task_id__in=theirs.values("task_id")).filter(
        Q(assignment_id__in=theirs.values("pk")) | task_level
    )


def flag_list(filtered: QuerySet[RiskFlag] | None = None) -> QuerySet[RiskFlag]:
    """Flags for the list page, worst first, with what a row links to (two queries a page)."""
    flags = filtered if filtered is not None else RiskFlag.objects.all()
    flags = flags.select_related("task", "assignment__freelancer", "dismissed_by").prefetch_related(
        Prefetch(
            "task__assignments",
            queryset=Assignment.objects.select_related("freelancer").order_by(
                PRIMARY_FIRST, "assigned_at", "id"
            ),
            to_attr="all_assignments",
        )
    )
    return ordered_flags(flags)


def ordered_flags(flags: QuerySet[RiskFlag]) -> QuerySet[RiskFlag]:
    """Open before resolved, worst first, newest first: the order of the flag list."""
    return flags.order_by(
        Case(When(resolved_at__isnull=True, then=Value(0)), default=Value(1)),
        _severity_order(),
        "-raised_at",
        "-id",
    )


def flag_rows(ids: list[int]) -> list[RiskFlag]:
    """The list rows of the flags with these ids, in that order, with ``people`` (two queries)."""
    rows = {flag.pk: flag for flag in flag_list(RiskFlag.objects.filter(pk__in=ids))}
    attach_flag_people(rows.values())
    return [rows[pk] for pk in ids if pk in rows]


def attach_flag_people(flags: Iterable[RiskFlag]) -> None:
    """Set ``flag.people``: who the flag is about, from rows ``flag_list`` already loaded.

    An assignment's flag names its freelancer; a task-level flag names the task's active assignees
    while it is open, and the assignees during its life once resolved.
    """
    for flag in flags:
        if flag.assignment_id:
            flag.people = [flag.assignment.freelancer]
            continue
        assignments = getattr(flag.task, "all_assignments", [])
        if flag.resolved_at is None:
            chosen = [a for a in assignments if a.ended_at is None]
        else:
            chosen = [
                a
                for a in assignments
                if a.assigned_at <= flag.resolved_at
                and (a.ended_at is None or a.ended_at >= flag.raised_at)
            ]
        flag.people = _freelancers(chosen)


def skills() -> QuerySet[Skill]:
    return Skill.objects.order_by("name")


CENT = Decimal("0.01")


@dataclass(frozen=True)
class TaskMoney:
    """The money facts of a task as the detail page shows them (DOMAIN.md, reports app)."""

    budget: Decimal
    in_house_estimate: Decimal
    estimated_savings: Decimal
    paid: Decimal
    oversight_hours: Decimal
    oversight_cost: Decimal
    investment: Decimal
    realised_savings: Decimal
    overhead: Decimal | None  # oversight cost as a share of what was paid


def task_money(task: Task) -> TaskMoney:
    """From a task loaded by ``task_detail`` (no query), with the formulas of DOMAIN.md as the
    reports compute them in the database (rounded half up to cents, as PostgreSQL rounds)."""
    minutes = Decimal(task.oversight_minutes)
    cost = (minutes * settings.OWNER_HOURLY_RATE / 60).quantize(CENT, rounding=ROUND_HALF_UP)
    investment = task.paid_total + cost
    return TaskMoney(
        budget=task.budget,
        in_house_estimate=task.in_house_estimate,
        estimated_savings=task.in_house_estimate - task.budget,
        paid=task.paid_total,
        oversight_hours=(minutes / 60).quantize(CENT, rounding=ROUND_HALF_UP),
        oversight_cost=cost,
        investment=investment,
        realised_savings=task.in_house_estimate - investment,
        overhead=cost / task.paid_total if task.paid_total else None,
    )
