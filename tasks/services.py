"""Writes about tasks: creating them, assigning freelancers, money and the owner's time.

Each write that can change a risk flag queues ``scan_task`` for the task after commit.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from freelancers.models import Freelancer

from .jobs import scan_task
from .models import Assignment, OversightEntry, Payment, RiskFlag, ScanRun, Task
from .queueing import enqueue_on_commit

TASK_FIELDS = (
    "title",
    "description",
    "skill",
    "is_core",
    "status",
    "budget",
    "in_house_estimate",
    "due_on",
)


@transaction.atomic
def create_task(*, required_sops=(), **fields) -> Task:
    """Create a task; ``fields`` are Task's editable fields."""
    unknown = set(fields) - set(TASK_FIELDS)
    if unknown:
        raise TypeError(f"Unknown task fields: {', '.join(sorted(unknown))}")
    task = Task(**fields)
    task.full_clean()
    task.save()
    task.required_sops.set(required_sops)
    enqueue_on_commit(scan_task, task.pk)
    return task


@transaction.atomic
def update_task(task: Task, *, required_sops=None, **fields) -> Task:
    """Change a task's fields; the scan re-checks it (core, skill, status all change flags)."""
    unknown = set(fields) - set(TASK_FIELDS)
    if unknown:
        raise TypeError(f"Unknown task fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(task, name, value)
    task.full_clean()
    task.save()
    if required_sops is not None:
        task.required_sops.set(required_sops)
    enqueue_on_commit(scan_task, task.pk)
    return task


@transaction.atomic
def assign_freelancer(
    task: Task,
    freelancer: Freelancer,
    *,
    role: str = Assignment.Role.PRIMARY,
    assigned_at: datetime.datetime | None = None,
) -> Assignment:
    """Put a freelancer on a task. Unvetted freelancers and core tasks are allowed: the owner was
    warned by the page, and the scan raises the flag that keeps the decision visible."""
    # Re-read both under a row lock: an offboarding or a task closed meanwhile must win.
    task = Task.objects.select_for_update().get(pk=task.pk)
    freelancer = Freelancer.objects.select_for_update().get(pk=freelancer.pk)
    if not task.is_live:
        raise ValidationError("Only open or in-progress tasks take new assignments.")
    if freelancer.status != Freelancer.Status.ACTIVE:
        raise ValidationError(f"{freelancer.name} is {freelancer.get_status_display().lower()}.")
    if task.assignments.filter(freelancer=freelancer, ended_at__isnull=True).exists():
        raise ValidationError(f"{freelancer.name} already works on this task.")
    assignment = Assignment(
        task=task, freelancer=freelancer, role=role, assigned_at=assigned_at or timezone.now()
    )
    assignment.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        raise ValidationError(f"{freelancer.name} already works on this task.") from None
    enqueue_on_commit(scan_task, task.pk)
    return assignment


@transaction.atomic
def end_assignment(assignment: Assignment, *, ended_at: datetime.datetime | None = None):
    """Take a freelancer off a task; the row stays, with its payments."""
    if assignment.ended_at is not None:
        raise ValidationError("This assignment has already ended.")
    assignment.ended_at = ended_at or timezone.now()
    assignment.full_clean(validate_constraints=False)
    assignment.save(update_fields=["ended_at"])
    enqueue_on_commit(scan_task, assignment.task_id)
    return assignment


@transaction.atomic
def record_payment(
    assignment: Assignment, *, amount: Decimal, paid_on: datetime.date | None = None, note=""
) -> Payment:
    """Record money paid for an assignment (the realised cost of outsourcing)."""
    payment = Payment(
        assignment=assignment, amount=amount, paid_on=paid_on or timezone.localdate(), note=note
    )
    payment.full_clean()
    payment.save()
    return payment


@transaction.atomic
def log_oversight(
    task: Task, *, minutes: int, by, logged_on: datetime.date | None = None, note: str = ""
) -> OversightEntry:
    """Record the owner's own time spent managing the task (a hidden cost of outsourcing)."""
    entry = OversightEntry(
        task=task,
        minutes=minutes,
        logged_on=logged_on or timezone.localdate(),
        note=note,
        logged_by=by,
    )
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def dismiss_flag(flag: RiskFlag, *, by, note: str) -> RiskFlag:
    """An owner accepts a risk: the open flag is resolved as dismissed, with who and why.

    The note is required, because a dismissed (task, kind, assignment) is never raised again and
    someone will later ask why. The scan skips dismissed keys; it does not take the scan lock
    here, and its writes only touch flags that are still open, so a dismissal always wins.
    Access (owners only) is checked by the callers: the flag page and the admin action.
    """
    note = (note or "").strip()
    if not note:
        raise ValidationError({"dismiss_note": "Say why this risk is accepted."})
    current = RiskFlag.objects.select_for_update().get(pk=flag.pk)
    if current.resolved_at is not None:
        raise ValidationError(
            f"This flag was already {current.get_resolution_display().lower()} "
            f"on {timezone.localtime(current.resolved_at):%Y-%m-%d %H:%M}."
        )
    current.resolution = RiskFlag.Resolution.DISMISSED
    current.resolved_at = timezone.now()
    current.dismissed_by = by
    current.dismiss_note = note
    current.full_clean()
    current.save(update_fields=["resolution", "resolved_at", "dismissed_by", "dismiss_note"])
    flag.resolution, flag.resolved_at = current.resolution, current.resolved_at
    flag.dismissed_by, flag.dismiss_note = current.dismissed_by, current.dismiss_note
    return current


SCAN_HISTORY_DAYS = 30


def prune_scan_history(*, keep_days: int = SCAN_HISTORY_DAYS) -> int:
    """Delete the records of task-scoped scans older than ``keep_days``.

    Every change that touches a task records a scan; only the latest full scan is shown, and the
    older per-task records serve no one, so they would otherwise pile up for ever. Full-scan
    records are kept: there are 96 a day, and they show how the network's flags evolved.
    """
    cutoff = timezone.now() - datetime.timedelta(days=keep_days)
    deleted, _ = ScanRun.objects.filter(scope=ScanRun.Scope.TASKS, finished_at__lt=cutoff).delete()
    return deleted
