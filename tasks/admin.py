"""Admin for tasks, assignments, money, oversight time, risk flags and scan runs.

Saving a task or an assignment here queues ``scan_task`` after commit, as the services do, so
the flags follow admin edits too. Flags are computed by the scan: the admin only shows them and
dismisses them (through ``tasks.services.dismiss_flag``). Scan runs are a read-only record.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, DecimalField, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html

from freelancers.admin import ReadOnlyAdminMixin
from freelancers.admin_actions import run_with_reason

from . import services
from .jobs import scan_task
from .models import Assignment, OversightEntry, Payment, RiskFlag, ScanRun, Task
from .queueing import enqueue_on_commit


def _count_of(model, fk: str, **filters) -> Coalesce:
    """A correlated COUNT, so several counts on one list do not multiply each other's joins."""
    rows = (
        model.objects.filter(**{fk: OuterRef("pk")}, **filters)
        .order_by()
        .values(fk)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


class ActiveFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return (("yes", "Active"), ("no", "Ended"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(ended_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(ended_at__isnull=False)
        return queryset


class AssignmentInlineFormSet(BaseInlineFormSet):
    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        # An assignment's freelancer never changes (its flags and payments are about them):
        # end the row and add another instead.
        if form.instance.pk and "freelancer" in form.fields:
            form.fields["freelancer"].disabled = True

    def clean(self) -> None:
        """Two new rows for the same freelancer would pass each form's own checks and then hit
        the database constraint; say so in the form instead."""
        super().clean()
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or data.get("ended_at"):
                continue
            freelancer = data.get("freelancer")
            if freelancer is None:
                continue
            if freelancer.pk in seen:
                raise ValidationError(
                    f"{freelancer} is listed twice as active on this task; end one of the rows."
                )
            seen.add(freelancer.pk)


class AssignmentInline(admin.TabularInline):
    model = Assignment
    formset = AssignmentInlineFormSet
    extra = 0
    fields = ("freelancer", "role", "assigned_at", "ended_at", "payments_link")
    readonly_fields = ("payments_link",)
    autocomplete_fields = ("freelancer",)
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("freelancer")

    @admin.display(description="Payments")
    def payments_link(self, obj: Assignment) -> str:
        if obj.pk is None:
            return "—"
        url = reverse("admin:tasks_payment_changelist") + f"?assignment__id__exact={obj.pk}"
        return format_html('<a href="{}">Payments</a>', url)


class OversightEntryInline(admin.TabularInline):
    model = OversightEntry
    extra = 0
    fields = ("logged_on", "minutes", "note", "logged_by")
    autocomplete_fields = ("logged_by",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("logged_by")


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "skill",
        "status",
        "is_core",
        "budget",
        "in_house_estimate",
        "due_on",
        "active_assignments",
        "open_flags",
        "created_at",
    )
    list_filter = ("status", "is_core", "skill")
    search_fields = ("title", "description")
    list_select_related = ("skill",)
    autocomplete_fields = ("skill",)
    filter_horizontal = ("required_sops",)
    ordering = ("-created_at", "-id")
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = (AssignmentInline, OversightEntryInline)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                active_count=_count_of(Assignment, "task", ended_at__isnull=True),
                open_flag_count=_count_of(RiskFlag, "task", resolved_at__isnull=True),
            )
        )

    @admin.display(description="Active assignments", ordering="active_count")
    def active_assignments(self, obj: Task) -> int:
        return obj.active_count

    @admin.display(description="Open flags", ordering="open_flag_count")
    def open_flags(self, obj: Task) -> int:
        return obj.open_flag_count

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        enqueue_on_commit(scan_task, form.instance.pk)


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    fields = ("paid_on", "amount", "note")


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("task", "freelancer", "role", "assigned_at", "ended_at", "paid")
    list_filter = (ActiveFilter, "role", "freelancer__vetting_status", "assigned_at")
    search_fields = ("task__title", "freelancer__name", "freelancer__email")
    list_select_related = ("task", "freelancer")
    autocomplete_fields = ("task", "freelancer")
    ordering = ("-assigned_at", "-id")
    show_full_result_count = False
    inlines = (PaymentInline,)

    def get_queryset(self, request):
        paid = (
            Payment.objects.filter(assignment=OuterRef("pk"))
            .order_by()
            .values("assignment")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        zero = Value(0, output_field=DecimalField(max_digits=12, decimal_places=2))
        return (
            super()
            .get_queryset(request)
            .annotate(
                paid_total=Coalesce(
                    Subquery(paid, output_field=DecimalField(max_digits=12, decimal_places=2)),
                    zero,
                )
            )
        )

    @admin.display(description="Paid", ordering="paid_total")
    def paid(self, obj: Assignment):
        return obj.paid_total

    def get_readonly_fields(self, request, obj=None):
        # An assignment's task and freelancer never change: end it and add another.
        return ("task", "freelancer") if obj is not None else ()

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        enqueue_on_commit(scan_task, form.instance.task_id)


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("paid_on", "amount", "task", "freelancer", "note")
    list_filter = ("paid_on",)
    search_fields = ("note", "assignment__task__title", "assignment__freelancer__name")
    list_select_related = ("assignment__task", "assignment__freelancer")
    autocomplete_fields = ("assignment",)
    ordering = ("-paid_on", "-id")
    date_hierarchy = "paid_on"
    show_full_result_count = False

    @admin.display(description="Task", ordering="assignment__task__title")
    def task(self, obj: Payment):
        return obj.assignment.task

    @admin.display(description="Freelancer", ordering="assignment__freelancer__name")
    def freelancer(self, obj: Payment):
        return obj.assignment.freelancer


@admin.register(OversightEntry)
class OversightEntryAdmin(admin.ModelAdmin):
    list_display = ("logged_on", "task", "minutes", "logged_by", "note")
    list_filter = ("logged_on",)
    search_fields = ("note", "task__title")
    list_select_related = ("task", "logged_by")
    autocomplete_fields = ("task", "logged_by")
    ordering = ("-logged_on", "-id")
    date_hierarchy = "logged_on"
    show_full_result_count = False


class OpenFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return (("open", "Open"), ("resolved", "Resolved"))

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(RiskFlag)
class RiskFlagAdmin(admin.ModelAdmin):
    """Flags belong to the scan: the admin shows them and dismisses them, nothing else."""

    list_display = (
        "task",
        "kind",
        "severity",
        "freelancer",
        "raised_at",
        "last_seen_at",
        "resolved_at",
        "resolution",
    )
    list_filter = (OpenFilter, "kind", "severity", "resolution")
    search_fields = ("task__title", "freelancer__name", "detail")
    list_select_related = ("task", "freelancer", "dismissed_by")
    ordering = ("-raised_at", "-id")
    show_full_result_count = False
    readonly_fields = (
        "task",
        "kind",
        "assignment",
        "freelancer",
        "severity",
        "detail",
        "raised_at",
        "last_seen_at",
        "resolved_at",
        "resolution",
        "dismissed_by",
        "dismiss_note",
    )
    actions = ("dismiss_action",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting a dismissed flag would let the scan raise it again.
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("task", "assignment", "freelancer")

    @admin.action(description="Dismiss (asks for a note)", permissions=["change"])
    def dismiss_action(self, request, queryset):
        open_flags = queryset.filter(resolved_at__isnull=True)
        if not open_flags.exists():
            self.message_user(request, "Only open flags can be dismissed.", messages.WARNING)
            return None

        def apply(flag: RiskFlag, note: str) -> str:
            services.dismiss_flag(flag, by=request.user, note=note)
            return f"Dismissed: {flag}."

        return run_with_reason(
            self,
            request,
            open_flags,
            action="dismiss_action",
            title="Dismiss risk flags",
            label="Note",
            help_text="Why this risk is accepted. A dismissed flag is not raised again.",
            apply=apply,
            button="Dismiss",
        )


@admin.register(ScanRun)
class ScanRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "finished_at",
        "scope",
        "tasks_scanned",
        "raised",
        "refreshed",
        "cleared",
        "duration",
    )
    list_filter = ("scope",)
    ordering = ("-finished_at",)
    date_hierarchy = "finished_at"
    show_full_result_count = False

    @admin.display(description="Duration")
    def duration(self, obj: ScanRun) -> str:
        return f"{(obj.finished_at - obj.started_at).total_seconds():.2f} s"
