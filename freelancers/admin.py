"""Admin for freelancers and their vetting evidence.

Vetting state is never edited by hand here: the actions call the vetting services, which check
the rules and write the decision log. The log itself is read-only.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q

from .admin_actions import run_with_reason
from .models import ClientReview, Freelancer, PortfolioItem, Skill, VettingDecision
from .services import (
    VettingIncomplete,
    announce_bench_change,
    approve_vetting,
    refuse_offboarding_with_live_work,
    reject_vetting,
    start_vetting,
)


class FreelancerAdminForm(forms.ModelForm):
    """The profile rules of the services hold in the admin too."""

    class Meta:
        model = Freelancer
        # The admin's fieldsets choose what is shown; these are the editable ones among them.
        fields = ("name", "email", "headline", "user", "skills", "hourly_rate", "status")

    def clean(self):
        cleaned = super().clean()
        leaving = cleaned.get("status") == Freelancer.Status.OFFBOARDED
        if leaving and self.instance.pk and self.initial.get("status") != leaving:
            try:
                refuse_offboarding_with_live_work(self.instance)
            except ValidationError as error:
                self.add_error("status", error)
        return cleaned


class ReadOnlyAdminMixin:
    """For logs and evidence: visible to staff, never added, changed or deleted in the admin."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "bench")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("name",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                bench_size=Count(
                    "freelancers",
                    filter=Q(
                        freelancers__status=Freelancer.Status.ACTIVE,
                        freelancers__vetting_status=Freelancer.Vetting.APPROVED,
                    ),
                )
            )
        )

    @admin.display(description="Bench (active, approved)", ordering="bench_size")
    def bench(self, obj: Skill) -> int:
        return obj.bench_size


class ClientReviewInline(admin.TabularInline):
    model = ClientReview
    extra = 0
    fields = ("client_name", "client_contact", "rating", "received_on", "verified", "comment")


# Links typed without a scheme are taken as https (Django 6's default, chosen now).
URL_AS_HTTPS = {models.URLField: {"assume_scheme": "https"}}


class PortfolioItemInline(admin.StackedInline):
    model = PortfolioItem
    extra = 0
    formfield_overrides = URL_AS_HTTPS
    # Uploads go through the freelancer pages, which check the file's content; here a file is
    # only shown, so the admin cannot become a way round that check.
    fields = (
        "title",
        "url",
        "file",
        "description",
        ("reviewed_at", "reviewed_by"),
        "assessment",
    )
    readonly_fields = ("file",)
    autocomplete_fields = ("reviewed_by",)


class VettingDecisionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = VettingDecision
    extra = 0
    fields = ("decided_at", "decision", "decided_by", "override", "reason")
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "Vetting log"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("decided_by")


@admin.register(Freelancer)
class FreelancerAdmin(admin.ModelAdmin):
    form = FreelancerAdminForm
    list_display = (
        "name",
        "email",
        "skill_list",
        "status",
        "vetting_status",
        "vetting_completed_at",
        "user",
        "created_at",
    )
    list_filter = ("vetting_status", "status", "skills")
    search_fields = ("name", "email", "headline", "user__username")
    list_select_related = ("user",)
    ordering = ("name", "id")
    show_full_result_count = False
    autocomplete_fields = ("user",)
    filter_horizontal = ("skills",)
    # Vetting moves only through the actions below, so the rules and the log cannot be skipped.
    readonly_fields = ("vetting_status", "vetting_completed_at", "created_at")
    fieldsets = (
        (None, {"fields": ("name", "email", "headline", "user", "skills", "hourly_rate")}),
        ("State", {"fields": ("status", "vetting_status", "vetting_completed_at", "created_at")}),
    )
    inlines = (ClientReviewInline, PortfolioItemInline, VettingDecisionInline)
    actions = (
        "start_vetting_action",
        "approve_vetting_action",
        "approve_with_override_action",
        "reject_vetting_action",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("skills")

    def has_delete_permission(self, request, obj=None) -> bool:
        # Freelancers with history are offboarded (status), never deleted.
        return False

    def save_related(self, request, form, formsets, change) -> None:
        """After the skills are saved: a change of status or skills can move the freelancer onto
        or off a bench, which re-scans the tasks whose replacements it changes."""
        super().save_related(request, form, formsets, change)
        if change:
            was_available = (
                form.initial.get("status") == Freelancer.Status.ACTIVE
                and form.instance.vetting_status == Freelancer.Vetting.APPROVED
            )
            skills_before = {getattr(s, "pk", s) for s in form.initial.get("skills", [])}
            announce_bench_change(form.instance, (was_available, skills_before))

    @admin.display(description="Skills")
    def skill_list(self, obj: Freelancer) -> str:
        return ", ".join(skill.name for skill in obj.skills.all())

    @admin.action(description="Start vetting", permissions=["change"])
    def start_vetting_action(self, request, queryset) -> None:
        for freelancer in queryset:
            try:
                start_vetting(freelancer, by=request.user)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, f"Vetting started for {freelancer}.", messages.SUCCESS)

    @admin.action(description="Approve vetting (all rules must be met)", permissions=["change"])
    def approve_vetting_action(self, request, queryset) -> None:
        for freelancer in queryset:
            try:
                approve_vetting(freelancer, by=request.user)
            except VettingIncomplete as exc:
                self.message_user(
                    request,
                    f"{freelancer} was not approved. Unmet: {'; '.join(exc.unmet)}. "
                    "Use “Approve despite unmet rules” to approve with a logged reason.",
                    messages.ERROR,
                )
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, f"{freelancer} is approved.", messages.SUCCESS)

    @admin.action(
        description="Approve despite unmet rules (reason is logged)", permissions=["change"]
    )
    def approve_with_override_action(self, request, queryset):
        def apply(freelancer: Freelancer, reason: str) -> str:
            decision = approve_vetting(freelancer, by=request.user, override_reason=reason)
            if decision.override:
                return f"{freelancer} is approved by override; the unmet rules are logged."
            return f"{freelancer} is approved (every rule was met)."

        return run_with_reason(
            self,
            request,
            queryset,
            action="approve_with_override_action",
            title="Approve despite unmet vetting rules",
            label="Why approve anyway?",
            help_text="Kept in the vetting log together with the rules that were not met.",
            apply=apply,
            button="Approve",
        )

    @admin.action(description="Reject vetting (asks for a reason)", permissions=["change"])
    def reject_vetting_action(self, request, queryset):
        def apply(freelancer: Freelancer, reason: str) -> str:
            reject_vetting(freelancer, by=request.user, reason=reason)
            return f"{freelancer} is rejected."

        return run_with_reason(
            self,
            request,
            queryset,
            action="reject_vetting_action",
            title="Reject vetting",
            label="Reason",
            help_text="Kept in the vetting log.",
            apply=apply,
            button="Reject",
        )


@admin.register(ClientReview)
class ClientReviewAdmin(admin.ModelAdmin):
    list_display = ("client_name", "freelancer", "rating", "verified", "received_on")
    list_filter = ("verified", "rating", "received_on")
    search_fields = ("client_name", "client_contact", "freelancer__name", "comment")
    list_select_related = ("freelancer",)
    autocomplete_fields = ("freelancer",)
    ordering = ("-received_on", "-id")
    show_full_result_count = False


@admin.register(PortfolioItem)
class PortfolioItemAdmin(admin.ModelAdmin):
    list_display = ("title", "freelancer", "url", "reviewed_at", "reviewed_by", "created_at")
    list_filter = (("reviewed_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("title", "description", "freelancer__name")
    list_select_related = ("freelancer", "reviewed_by")
    autocomplete_fields = ("freelancer", "reviewed_by")
    readonly_fields = ("file", "original_filename", "created_at")
    formfield_overrides = URL_AS_HTTPS
    ordering = ("-created_at", "-id")
    show_full_result_count = False


@admin.register(VettingDecision)
class VettingDecisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("decided_at", "freelancer", "decision", "override", "decided_by")
    list_filter = ("decision", "override", "decided_at")
    search_fields = ("freelancer__name", "freelancer__email", "reason")
    list_select_related = ("freelancer", "decided_by")
    ordering = ("-decided_at", "-id")
    date_hierarchy = "decided_at"
    show_full_result_count = False
