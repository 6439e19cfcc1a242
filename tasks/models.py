"""Outsourced tasks, who works on them, what they cost, and the risk flags raised on them.

Covers mistake 1 (``Task.is_core``), mistake 3 (in-house estimate, payments and the owner's own
oversight time) and mistake 5 (a backup on every task). Risk flags are computed by the scan in
``tasks.scanning``; this module only stores them.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from freelancers.models import Freelancer, Skill
from sops.models import SOP


class TaskQuerySet(models.QuerySet):
    def live(self) -> "TaskQuerySet":
        return self.filter(status__in=Task.LIVE_STATUSES)


class Task(models.Model):
    """A piece of work the owner outsources, with what it would cost to do in-house."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    LIVE_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    skill = models.ForeignKey(
        Skill, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    is_core = models.BooleanField(
        default=False,
        help_text="Core work is what makes the business what it is; it should stay in-house.",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    budget = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text="The agreed outsourced price.",
    )
    in_house_estimate = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text="What the same work would cost in-house.",
    )
    due_on = models.DateField(null=True, blank=True)
    required_sops = models.ManyToManyField(SOP, blank=True, related_name="tasks")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status"], name="task_status_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="task_budget_not_negative"),
            models.CheckConstraint(
                condition=Q(in_house_estimate__gte=0), name="task_in_house_estimate_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("tasks:detail", args=[self.pk])

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE_STATUSES


class Assignment(models.Model):
    """A freelancer working on a task, as primary or backup; ended rather than deleted."""

    class Role(models.TextChoices):
        PRIMARY = "primary", "Primary"
        BACKUP = "backup", "Backup"

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    freelancer = models.ForeignKey(Freelancer, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.PRIMARY)
    assigned_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["task", "role", "assigned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "freelancer"],
                condition=Q(ended_at__isnull=True),
                name="one_active_assignment_per_task_and_freelancer",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("assigned_at")),
                name="assignment_ends_after_it_starts",
            ),
        ]
        indexes = [
            models.Index(
                fields=["task"], condition=Q(ended_at__isnull=True), name="active_assignment_idx"
            ),
            models.Index(
                fields=["freelancer"],
                condition=Q(ended_at__isnull=True),
                name="active_assignment_fl_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.freelancer} on {self.task} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class Payment(models.Model):
    """Money paid to a freelancer for an assignment: the realised cost of outsourcing."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    paid_on = models.DateField(default=timezone.localdate)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")
        ]
        indexes = [models.Index(fields=["paid_on"], name="payment_paid_on_idx")]

    def __str__(self) -> str:
        return f"{self.amount} on {self.paid_on}"


class OversightEntry(models.Model):
    """The owner's own time spent managing outsourced work: a cost that is easy to forget."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="oversight_entries")
    minutes = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    logged_on = models.DateField(default=timezone.localdate)
    note = models.CharField(max_length=200, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-logged_on", "-id"]
        verbose_name_plural = "oversight entries"
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gt=0), name="oversight_minutes_positive")
        ]
        indexes = [models.Index(fields=["logged_on"], name="oversight_logged_on_idx")]

    def __str__(self) -> str:
        return f"{self.minutes} min on {self.task}"


class RiskFlag(models.Model):
    """A rule of DOMAIN.md that holds for a live task; kept true by the scan.

    Open while ``resolved_at`` is null. At most one open flag per (task, kind, assignment): two
    partial unique indexes say so in the database, one for flags with an assignment and one for
    flags without (a NULL would otherwise count as distinct).
    """

    class Kind(models.TextChoices):
        SINGLE_FREELANCER = "single_freelancer", "Single freelancer, no backup"
        ASSIGNED_BEFORE_VETTING = "assigned_before_vetting", "Assigned before vetting"
        CORE_TASK_OUTSOURCED = "core_task_outsourced", "Core task outsourced"
        SOP_NOT_ACKNOWLEDGED = "sop_not_acknowledged", "SOP not acknowledged"

    class Severity(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    class Resolution(models.TextChoices):
        CLEARED = "cleared", "Cleared"
        DISMISSED = "dismissed", "Dismissed"

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    # The assignment's freelancer, copied when the flag is raised (an open flag's key never
    # changes): "who has something outstanding" is then a count over the flags table alone.
    # A copy, so no constraint of its own: the assignment's foreign key already guarantees the
    # freelancer, and a second deferred check per raised flag cost the full scan 0.5 s.
    freelancer = models.ForeignKey(
        Freelancer,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="flags",
        db_index=False,  # covered by open_flag_kind_idx
        db_constraint=False,
    )
    severity = models.CharField(max_length=8, choices=Severity.choices)
    detail = models.TextField(blank=True)
    raised_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dismiss_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "kind", "assignment"],
                condition=Q(resolved_at__isnull=True, assignment__isnull=False),
                name="one_open_flag_per_task_kind_assignment",
            ),
            models.UniqueConstraint(
                fields=["task", "kind"],
                condition=Q(resolved_at__isnull=True, assignment__isnull=True),
                name="one_open_flag_per_task_kind",
            ),
            models.CheckConstraint(
                condition=(
                    Q(resolved_at__isnull=True, resolution="")
                    | Q(resolved_at__isnull=False) & ~Q(resolution="")
                ),
                name="flag_resolution_matches_resolved_at",
            ),
        ]
        indexes = [
            models.Index(
                fields=["kind", "severity", "freelancer"],
                condition=Q(resolved_at__isnull=True),
                name="open_flag_kind_idx",
            ),
            # "Was this key dismissed?" is asked on every scan.
            models.Index(
                fields=["task", "kind", "assignment"],
                condition=Q(resolution="dismissed"),
                name="dismissed_flag_key_idx",
            ),
            # The open flags of one task: what scan_task diffs against, and the task page.
            models.Index(
                fields=["task"], condition=Q(resolved_at__isnull=True), name="open_flag_task_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.task}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class ScanRun(models.Model):
    """One run of the risk scan, kept so the dashboard can say when flags were last checked."""

    class Scope(models.TextChoices):
        FULL = "full", "Whole network"
        TASKS = "tasks", "Some tasks"

    scope = models.CharField(max_length=8, choices=Scope.choices)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    tasks_scanned = models.PositiveIntegerField(default=0)
    raised = models.PositiveIntegerField(default=0)
    refreshed = models.PositiveIntegerField(default=0)
    cleared = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, help_text="Per kind: raised, open and cleared.")

    class Meta:
        ordering = ["-finished_at"]
        get_latest_by = "finished_at"
        indexes = [models.Index(fields=["scope", "-finished_at"], name="scanrun_scope_idx")]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} scan at {self.finished_at:%Y-%m-%d %H:%M}"
