"""Re-scan the tasks that a change in a lower app touches. Receivers only queue jobs.

Each receiver works out, inside the sender's transaction, which tasks the change can affect and
queues one message for exactly those, after commit (``tasks.jobs.queue_scans``). The rules
themselves live in the scan, never here.
"""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from freelancers.models import Freelancer, VettingDecision
from freelancers.signals import bench_changed, vetting_decided
from sops.signals import sop_acknowledged, sop_published, sop_requirements_changed

from .jobs import queue_scans
from .models import Assignment, Task


def _ids(tasks: QuerySet[Task]) -> list[int]:
    return list(tasks.values_list("pk", flat=True).distinct())


def _worked_on_by(freelancer_id: int) -> QuerySet[Task]:
    """Live tasks where the freelancer has an active assignment."""
    return Task.objects.live().filter(
        assignments__freelancer_id=freelancer_id, assignments__ended_at__isnull=True
    )


def _changes_bench(freelancer: Freelancer, decision: VettingDecision | None) -> bool:
    """An active freelancer joins the bench when approved and leaves it when an approval is
    followed by a rejection; starting a review never changes it."""
    if freelancer.status != Freelancer.Status.ACTIVE:
        return False
    if decision is None or decision.decision == VettingDecision.Decision.APPROVED:
        return True
    if decision.decision == VettingDecision.Decision.REJECTED:
        previous = (
            VettingDecision.objects.filter(freelancer=freelancer)
            .exclude(pk=decision.pk)
            .order_by("-decided_at", "-id")
            .values_list("decision", flat=True)
            .first()
        )
        return previous == VettingDecision.Decision.APPROVED
    return False


def rescan_after_vetting(sender, freelancer, decision=None, **kwargs) -> None:
    """The freelancer's own live tasks (assigned before vetting), and, when an approval or a
    rejection changes the bench of their skills, the single-freelancer tasks of those skills
    (whether a replacement exists sets the flag's severity)."""
    touched = set(_ids(_worked_on_by(freelancer.pk)))
    if _changes_bench(freelancer, decision):
        touched.update(_ids(_single_freelancer_tasks(freelancer.skills.values("pk"))))
    queue_scans(touched)


def _single_freelancer_tasks(skill_ids) -> QuerySet[Task]:
    """Live tasks of these skills that rest on one active assignment."""
    return (
        Task.objects.live()
        .filter(skill__in=skill_ids)
        .annotate(active=Count("assignments", filter=Q(assignments__ended_at__isnull=True)))
        .filter(active=1)
    )


def rescan_after_bench_change(sender, freelancer, skill_ids, **kwargs) -> None:
    """Pausing, offboarding or re-skilling an approved freelancer changes whether other tasks'
    single freelancers have a replacement."""
    queue_scans(_ids(_single_freelancer_tasks(skill_ids)))


def rescan_after_publication(sender, sop, version, **kwargs) -> None:
    """A material version changes who has acknowledged the SOP: the live tasks with an active
    assignment that require it (all of them for an SOP that applies to all)."""
    if not version.material:
        return  # a typo fix changes nobody's obligations
    # Exists, not ``assignments__ended_at__isnull=True``: across a relation that lookup is a
    # LEFT JOIN, which would also match tasks without any assignment.
    active = Assignment.objects.filter(task=OuterRef("pk"), ended_at__isnull=True)
    tasks = Task.objects.live().filter(Exists(active))
    if not sop.applies_to_all:
        tasks = tasks.filter(required_sops=sop)
    queue_scans(_ids(tasks))


def rescan_after_requirements_change(sender, sop, **kwargs) -> None:
    """Archiving an SOP, or changing whether it applies to all, changes who owes it: every live
    task with someone on it when it is (or was) for all work, else the tasks that require it."""
    active = Assignment.objects.filter(task=OuterRef("pk"), ended_at__isnull=True)
    tasks = Task.objects.live().filter(Exists(active))
    if not (sop.applies_to_all or "applies_to_all" in kwargs.get("changed", ())):
        tasks = tasks.filter(required_sops=sop)
    queue_scans(_ids(tasks))


def rescan_after_acknowledgment(sender, acknowledgment, **kwargs) -> None:
    """The acknowledging freelancer's live tasks that need this SOP."""
    sop = acknowledgment.version.sop
    tasks = _worked_on_by(acknowledgment.freelancer_id)
    if not sop.applies_to_all:
        tasks = tasks.filter(required_sops=sop)
    queue_scans(_ids(tasks))


vetting_decided.connect(rescan_after_vetting, dispatch_uid="tasks.rescan_after_vetting")
bench_changed.connect(rescan_after_bench_change, dispatch_uid="tasks.rescan_after_bench_change")
sop_published.connect(rescan_after_publication, dispatch_uid="tasks.rescan_after_publication")
sop_requirements_changed.connect(
    rescan_after_requirements_change, dispatch_uid="tasks.rescan_after_requirements_change"
)
sop_acknowledged.connect(
    rescan_after_acknowledgment, dispatch_uid="tasks.rescan_after_acknowledgment"
)
