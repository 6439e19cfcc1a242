"""Reads for the freelancer portal: one freelancer's live work and the SOPs it asks of them.

Which SOPs a freelancer must acknowledge comes from ``sops.selectors.requirements``, the same rule
the owners' SOP pages and the reminders use; this module only arranges it around the assignments.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from freelancers.models import Freelancer
from sops.models import SOP, Acknowledgment, SOPVersion
from sops.selectors import Requirements, requirements

from .models import Assignment, Task


@dataclass
class PortalSOP:
    """An SOP that applies to the freelancer, and where they stand with it."""

    pk: int
    title: str
    summary: str
    applies_to_all: bool
    current_version_id: int
    current_number: int
    latest_version_id: int
    latest_number: int
    acknowledged: bool
    last_number: int | None = None
    last_acknowledged_at: object = None
    required_by: list[str] = field(default_factory=list)


@dataclass
class PortalAssignment:
    assignment: Assignment
    sops: list[PortalSOP]

    @property
    def task(self) -> Task:
        return self.assignment.task

    @property
    def outstanding(self) -> int:
        return sum(1 for sop in self.sops if not sop.acknowledged)


@dataclass
class PortalOverview:
    freelancer: Freelancer
    assignments: list[PortalAssignment]
    sops: list[PortalSOP]
    skills: list

    @property
    def outstanding(self) -> list[PortalSOP]:
        return [sop for sop in self.sops if not sop.acknowledged]

    @property
    def done(self) -> list[PortalSOP]:
        return [sop for sop in self.sops if sop.acknowledged]


def active_assignments(freelancer: Freelancer) -> QuerySet[Assignment]:
    """The freelancer's active assignments on live tasks, with each task's live SOPs (2 queries)."""
    return (
        Assignment.objects.filter(
            freelancer=freelancer, ended_at__isnull=True, task__status__in=Task.LIVE_STATUSES
        )
        .select_related("task")
        .prefetch_related(
            Prefetch(
                "task__required_sops",
                queryset=SOP.objects.filter(archived=False).only("pk", "title"),
            )
        )
        .order_by("task__due_on", "task__title", "pk")
    )


def _only(freelancer: Freelancer) -> QuerySet[Freelancer]:
    return Freelancer.objects.filter(pk=freelancer.pk)


def portal_overview(freelancer: Freelancer) -> PortalOverview:
    """Everything on /portal/, in a fixed number of queries (about eight)."""
    assignments = list(active_assignments(freelancer))
    reqs = requirements(freelancers=_only(freelancer))
    last = {
        row["version__sop_id"]: row
        for row in Acknowledgment.objects.filter(freelancer=freelancer)
        .order_by("version__sop_id", "version__number")
        .values("version__sop_id", "version__number", "acknowledged_at")
    }  # ascending, so the highest version of each SOP is the one kept
    sops: dict[int, PortalSOP] = {}
    for freelancer_id, sop_id in reqs.required:
        row = reqs.sops[sop_id]
        ack = last.get(sop_id)
        sops[sop_id] = PortalSOP(
            pk=sop_id,
            title=row.title,
            summary=row.summary,
            applies_to_all=row.applies_to_all,
            current_version_id=row.current_version_id,
            current_number=row.current_number,
            latest_version_id=row.latest_version_id,
            latest_number=row.latest_number,
            acknowledged=(freelancer_id, sop_id) in reqs.acknowledged,
            last_number=ack["version__number"] if ack else None,
            last_acknowledged_at=ack["acknowledged_at"] if ack else None,
        )
    for_all = [sop for sop in sops.values() if sop.applies_to_all]
    portal_assignments = []
    for assignment in assignments:
        task_sops = [sops[s.pk] for s in assignment.task.required_sops.all() if s.pk in sops]
        for sop in task_sops:
            sop.required_by.append(assignment.task.title)
        # Every SOP this assignment needs, as the risk scan sees it: the task's and the ones
        # that apply to all work.
        needed = task_sops + [sop for sop in for_all if sop not in task_sops]
        needed.sort(key=lambda s: (s.acknowledged, s.title.lower()))
        portal_assignments.append(PortalAssignment(assignment=assignment, sops=needed))
    # Work that still waits for an acknowledgement first; then by due date, as the query gave.
    portal_assignments.sort(key=lambda item: item.outstanding == 0)
    ordered = sorted(sops.values(), key=lambda s: (s.acknowledged, s.title.lower(), s.pk))
    return PortalOverview(
        freelancer=freelancer,
        assignments=portal_assignments,
        sops=ordered,
        skills=list(freelancer.skills.all()),
    )


@dataclass
class PortalSOPPage:
    version: SOPVersion
    sop: SOP
    current_version_id: int
    current_number: int
    latest_version_id: int
    latest_number: int
    acknowledged: bool
    last_acknowledgment: Acknowledgment | None

    @property
    def is_current(self) -> bool:
        """Acknowledging this version counts: it is the newest material one or a later one."""
        return self.version.number >= self.current_number


def sop_page(freelancer: Freelancer, version_id: int) -> PortalSOPPage:
    """One version of an SOP that applies to this freelancer; 404 for anything else.

    "Applies" is the rule of ``sops.selectors.requirements``: a live task of theirs with an active
    assignment requires it, or it applies to all and they have live work. So another freelancer's
    SOP, an archived one, or one they no longer need answers 404 just like a missing id.
    """
    version = SOPVersion.objects.select_related("sop").filter(pk=version_id).first()
    if version is None:
        raise Http404("No such SOP version.")
    reqs: Requirements = requirements(
        freelancers=_only(freelancer), sops=SOP.objects.filter(pk=version.sop_id)
    )
    if not reqs.is_required(freelancer.pk, version.sop_id):
        raise Http404("This SOP does not apply to your work.")
    row = reqs.sops[version.sop_id]
    last = (
        Acknowledgment.objects.filter(freelancer=freelancer, version__sop_id=version.sop_id)
        .select_related("version")
        .order_by("-version__number")
        .first()
    )
    return PortalSOPPage(
        version=version,
        sop=version.sop,
        current_version_id=row.current_version_id,
        current_number=row.current_number,
        latest_version_id=row.latest_version_id,
        latest_number=row.latest_number,
        acknowledged=(freelancer.pk, version.sop_id) in reqs.acknowledged,
        last_acknowledgment=last,
    )
