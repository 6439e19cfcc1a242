"""Reads about freelancers: the vetting checklist and the bench of each skill."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal

from django.apps import apps
from django.conf import settings
from django.db.models import (
    Avg,
    Count,
    DecimalField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from .models import Freelancer, Skill


@dataclass(frozen=True)
class VettingRule:
    """One rule of the vetting checklist, as shown to the owner and named in VettingIncomplete."""

    code: str
    label: str
    met: bool
    detail: str


def vetting_checklist(freelancer: Freelancer) -> list[VettingRule]:
    """The vetting rules of settings and whether this freelancer meets each (two queries)."""
    reviews = freelancer.reviews.filter(verified=True).aggregate(
        n=Count("id"), total=Sum("rating"), avg=Avg("rating")
    )
    reviewed_items = freelancer.portfolio_items.filter(reviewed_at__isnull=False).count()
    min_reviews = settings.VETTING_MIN_REVIEWS
    min_rating = Decimal(settings.VETTING_MIN_AVERAGE_RATING)
    min_items = settings.VETTING_MIN_PORTFOLIO_ITEMS
    # Shown rounded down, so a 3.995 reads 3.99 beside a rule of 4.0 that it does not meet.
    average = (
        Decimal(str(reviews["avg"])).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        if reviews["avg"]
        else None
    )
    return [
        VettingRule(
            code="reviews",
            label=f"At least {min_reviews} verified client reviews",
            met=reviews["n"] >= min_reviews,
            detail=f"{reviews['n']} verified",
        ),
        VettingRule(
            code="rating",
            label=f"Average verified rating of at least {min_rating}",
            # Compared exactly (total >= minimum x count): a rounded 3.995 must not pass 4.0.
            met=bool(reviews["n"]) and Decimal(reviews["total"]) >= min_rating * reviews["n"],
            detail=f"average {average}" if average is not None else "no verified reviews",
        ),
        VettingRule(
            code="portfolio",
            label=f"At least {min_items} reviewed portfolio item{'s' if min_items != 1 else ''}",
            met=reviewed_items >= min_items,
            detail=f"{reviewed_items} reviewed",
        ),
    ]


def skills_with_bench() -> QuerySet[Skill]:
    """Every skill annotated with ``bench``: active, approved freelancers who have it."""
    return Skill.objects.annotate(
        bench=Count(
            "freelancers",
            filter=Q(
                freelancers__status=Freelancer.Status.ACTIVE,
                freelancers__vetting_status=Freelancer.Vetting.APPROVED,
            ),
        )
    ).order_by("name")


# --- Pages of the owner app ------------------------------------------------------------------
# The tasks and sops apps sit above this one, so their models are looked up through the app
# registry at call time instead of being imported (see STYLE.md, "Dependency direction").


def _model(label: str):
    return apps.get_model(*label.split("."))


def _live_statuses() -> tuple[str, ...]:
    return tuple(_model("tasks.Task").LIVE_STATUSES)


def live_work_filter(prefix: str = "") -> Q:
    """Active assignments (not ended) on live tasks: the work someone is doing right now."""
    return Q(**{f"{prefix}ended_at__isnull": True, f"{prefix}task__status__in": _live_statuses()})


def live_work_of(freelancer: Freelancer) -> QuerySet:
    """The freelancer's active assignments on live tasks, with their tasks."""
    return (
        freelancer.assignments.filter(live_work_filter())
        .select_related("task")
        .order_by("task__title", "task_id")
    )


def freelancer_list() -> QuerySet[Freelancer]:
    """The freelancer list with skills prefetched. Once paginated, ``attach_list_figures`` adds
    what each row shows beyond its own columns."""
    return Freelancer.objects.prefetch_related("skills").order_by("name", "id")


def attach_bench(freelancers) -> None:
    """Set ``skill.bench`` on every prefetched skill of ``freelancers`` (one query)."""
    bench = dict(skills_with_bench().values_list("pk", "bench"))
    for freelancer in freelancers:
        for skill in freelancer.skills.all():
            skill.bench = bench.get(skill.pk, 0)


def attach_list_figures(freelancers: list[Freelancer]) -> None:
    """Set ``live_assignments`` on each freelancer of a page, and the bench of their skills.

    Two queries. Counting for the page's rows only, after pagination, keeps a late page as
    cheap as the first (an annotation would be computed for every row the OFFSET skips)."""
    attach_bench(freelancers)
    counts = dict(
        _model("tasks.Assignment")
        .objects.filter(live_work_filter(), freelancer_id__in=[f.pk for f in freelancers])
        .order_by()
        .values("freelancer_id")
        .annotate(n=Count("pk"))
        .values_list("freelancer_id", "n")
    )
    for freelancer in freelancers:
        freelancer.live_assignments = counts.get(freelancer.pk, 0)


def freelancer_for_page(pk: int) -> Freelancer:
    """One freelancer with login and skills loaded; raises Freelancer.DoesNotExist."""
    return Freelancer.objects.select_related("user").prefetch_related("skills").get(pk=pk)


def reviews_of(freelancer: Freelancer) -> QuerySet:
    return freelancer.reviews.order_by("-received_on", "-id")


def portfolio_of(freelancer: Freelancer) -> QuerySet:
    return freelancer.portfolio_items.select_related("reviewed_by").order_by("-created_at", "-id")


def vetting_log(freelancer: Freelancer) -> QuerySet:
    return freelancer.vetting_decisions.select_related("decided_by").order_by("-decided_at", "-id")


def assignments_of(freelancer: Freelancer) -> QuerySet:
    """Every assignment of the freelancer, active first, each with ``paid`` (its payments)."""
    return (
        freelancer.assignments.select_related("task", "task__skill")
        .annotate(
            paid=Coalesce(Sum("payments__amount"), Value(Decimal("0")), output_field=DecimalField())
        )
        .order_by(F("ended_at").desc(nulls_first=True), "-assigned_at", "-id")
    )


@dataclass(frozen=True)
class Spend:
    total: Decimal
    payments: int
    last_paid_on: date | None


def spend_of(freelancer: Freelancer) -> Spend:
    """What has been paid to the freelancer through all their assignments (one query)."""
    payment = _model("tasks.Payment")
    row = payment.objects.filter(assignment__freelancer=freelancer).aggregate(
        total=Sum("amount"), n=Count("pk"), last=Max("paid_on")
    )
    return Spend(total=row["total"] or Decimal("0"), payments=row["n"], last_paid_on=row["last"])


@dataclass(frozen=True)
class SopObligation:
    """One SOP the freelancer must (or may later) acknowledge, and where they stand."""

    sop: object
    required: bool
    why: str
    current_number: int | None
    acknowledged_number: int | None
    acknowledged_at: datetime | None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_number is not None

    @property
    def owed(self) -> bool:
        return self.required and self.current_number is not None and not self.acknowledged


def sop_obligations(freelancer: Freelancer) -> list[SopObligation]:
    """The SOPs that apply to everyone or are required by the freelancer's live tasks, each with
    the version to acknowledge (newest material) and whether that or a later version was
    acknowledged. One query."""
    sop_model = _model("sops.SOP")
    version = _model("sops.SOPVersion")
    acknowledgment = _model("sops.Acknowledgment")
    through = _model("tasks.Task").required_sops.through
    current = version.objects.filter(sop=OuterRef("pk"), material=True).order_by("-number")
    acknowledged = acknowledgment.objects.filter(
        freelancer=freelancer,
        version__sop=OuterRef("pk"),
        version__number__gte=OuterRef("current_number"),
    ).order_by("-version__number")
    rows = (
        sop_model.objects.filter(archived=False)
        .annotate(
            required_by_task=Exists(
                through.objects.filter(
                    sop=OuterRef("pk"),
                    task__status__in=_live_statuses(),
                    task__assignments__freelancer=freelancer,
                    task__assignments__ended_at__isnull=True,
                )
            ),
            has_live_work=Exists(freelancer.assignments.filter(live_work_filter()).values("pk")),
            current_number=Subquery(current.values("number")[:1]),
            acknowledged_number=Subquery(acknowledged.values("version__number")[:1]),
            acknowledged_at=Subquery(acknowledged.values("acknowledged_at")[:1]),
        )
        .filter(Q(applies_to_all=True) | Q(required_by_task=True))
        .order_by("title", "id")
    )
    result = []
    for sop in rows:
        if sop.required_by_task:
            why = "Required by a task they work on"
        elif sop.has_live_work:
            why = "Applies to everyone with active work"
        else:
            why = "Applies to everyone, once they have active work"
        result.append(
            SopObligation(
                sop=sop,
                required=sop.required_by_task or sop.has_live_work,
                why=why,
                current_number=sop.current_number,
                acknowledged_number=sop.acknowledged_number,
                acknowledged_at=sop.acknowledged_at,
            )
        )
    return result


# --- "What if this freelancer leaves?" -------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """Someone who could take over: their live-task load says how busy they already are."""

    freelancer_id: int
    name: str
    vetting_status: str
    load: int

    @property
    def approved(self) -> bool:
        return self.vetting_status == Freelancer.Vetting.APPROVED


@dataclass
class OrphanedTask:
    task: object
    candidates: list[Candidate] = field(default_factory=list)
    to_vet: list[Candidate] = field(default_factory=list)


@dataclass
class BenchChange:
    skill: Skill
    bench_now: int
    bench_after: int
    candidates: list[Candidate] = field(default_factory=list)
    to_vet: list[Candidate] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.bench_after == 0

    @property
    def already_thin(self) -> bool:
        return self.bench_now < 2


@dataclass
class DepartureImpact:
    """What the network loses if one freelancer leaves (mistake 5: depending on one person)."""

    on_bench: bool
    orphaned_tasks: list[OrphanedTask]
    covered_tasks: list
    thin_skills: list[BenchChange]
    skills_checked: int

    @property
    def harmless(self) -> bool:
        return not self.orphaned_tasks and not self.thin_skills

    @property
    def has_empty(self) -> bool:
        return any(change.empty for change in self.thin_skills)


CANDIDATES_SHOWN = 5


def departure_impact(freelancer: Freelancer) -> DepartureImpact:
    """The live tasks that would be left with nobody, the skills whose bench would drop below 2,
    and who could take over each (other active freelancers with the skill, least loaded first).

    Three queries whatever the size of the network: the freelancer's live tasks with the number
    of other active assignees, the benches of the skills concerned, and the candidates.
    """
    task_model = _model("tasks.Task")
    assignment = _model("tasks.Assignment")
    through = Freelancer.skills.through
    live = _live_statuses()
    mine = assignment.objects.filter(task=OuterRef("pk"), freelancer=freelancer, ended_at=None)
    others = assignment.objects.filter(task=OuterRef("pk"), ended_at=None).exclude(
        freelancer=freelancer
    )
    tasks = list(
        task_model.objects.filter(Exists(mine), status__in=live)
        .annotate(covered=Exists(others))
        .select_related("skill")
        .order_by("title", "id")
    )
    orphaned = [OrphanedTask(task=t) for t in tasks if not t.covered]
    covered = [t for t in tasks if t.covered]

    # Skills concerned: the freelancer's own, and those of the tasks they would leave empty.
    own_skills = through.objects.filter(freelancer=freelancer).values("skill_id")
    orphan_skills = (
        task_model.objects.filter(Exists(mine), ~Exists(others), status__in=live)
        .filter(skill__isnull=False)
        .values("skill_id")
    )
    concerned = Q(pk__in=own_skills) | Q(pk__in=orphan_skills)
    skills = list(
        skills_with_bench()
        .filter(concerned)
        .annotate(
            is_own=Exists(through.objects.filter(freelancer=freelancer, skill=OuterRef("pk")))
        )
    )

    candidates = (
        through.objects.filter(
            Q(skill_id__in=own_skills) | Q(skill_id__in=orphan_skills),
            freelancer__status=Freelancer.Status.ACTIVE,
        )
        .exclude(freelancer=freelancer)
        .exclude(freelancer__vetting_status=Freelancer.Vetting.REJECTED)
        # A join and a grouped count, not a subquery per row: one pass whatever the bench size.
        .annotate(
            load=Count(
                "freelancer__assignments",
                filter=live_work_filter("freelancer__assignments__"),
            )
        )
        .values_list(
            "skill_id", "freelancer_id", "freelancer__name", "freelancer__vetting_status", "load"
        )
        .order_by("load", "freelancer__name", "freelancer_id")
    )
    approved_by_skill: dict[int, list[Candidate]] = {}
    to_vet_by_skill: dict[int, list[Candidate]] = {}
    for skill_id, fid, name, vetting, load in candidates:
        person = Candidate(freelancer_id=fid, name=name, vetting_status=vetting, load=load)
        bucket = approved_by_skill if person.approved else to_vet_by_skill
        bucket.setdefault(skill_id, []).append(person)

    on_bench = freelancer.is_available
    thin = []
    for skill in skills:
        if not skill.is_own:
            continue
        after = skill.bench - (1 if on_bench else 0)
        if after < 2:
            thin.append(
                BenchChange(
                    skill=skill,
                    bench_now=skill.bench,
                    bench_after=after,
                    candidates=approved_by_skill.get(skill.pk, [])[:CANDIDATES_SHOWN],
                    to_vet=to_vet_by_skill.get(skill.pk, [])[:CANDIDATES_SHOWN],
                )
            )
    for item in orphaned:
        if item.task.skill_id:
            item.candidates = approved_by_skill.get(item.task.skill_id, [])[:CANDIDATES_SHOWN]
            item.to_vet = to_vet_by_skill.get(item.task.skill_id, [])[:CANDIDATES_SHOWN]
    own_count = sum(1 for s in skills if s.is_own)
    return DepartureImpact(
        on_bench=on_bench,
        orphaned_tasks=orphaned,
        covered_tasks=covered,
        thin_skills=thin,
        skills_checked=own_count,
    )
