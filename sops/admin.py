"""Admin for SOPs. Published versions and acknowledgements are evidence: read-only here.

New text is published from the SOP form (the "Publish a new version" fields), which calls
``publish_sop_version`` so numbering, hashing and the re-scan stay in one place.
"""

from django import forms
from django.contrib import admin
from django.db.models import Count, Max

from freelancers.admin import ReadOnlyAdminMixin

from .models import SOP, Acknowledgment, AcknowledgmentReminder, SOPVersion
from .services import publish_sop_version
from .signals import sop_requirements_changed


class SOPAdminForm(forms.ModelForm):
    new_body = forms.CharField(
        label="New version text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 80}),
        help_text="Markdown. Leave empty to change only the fields above. "
        "Filling it in publishes a new version; published versions never change.",
    )
    change_note = forms.CharField(label="Change note", required=False, max_length=300)
    material = forms.BooleanField(
        label="Material change",
        required=False,
        initial=True,
        help_text="Untick for a typo fix: freelancers then need not acknowledge again.",
    )

    class Meta:
        model = SOP
        fields = ("title", "slug", "summary", "applies_to_all", "archived")

    def clean(self):
        cleaned = super().clean()
        body = cleaned.get("new_body", "")
        if self.instance.pk is None:
            if not body.strip():
                self.add_error("new_body", "A new SOP needs the text of its first version.")
        elif body.strip():
            latest = self.instance.latest_version
            if latest is not None and latest.body == body:
                self.add_error("new_body", "This text is the same as the latest version.")
        return cleaned


class SOPVersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SOPVersion
    extra = 0
    can_delete = False
    fields = ("number", "material", "change_note", "published_at", "published_by", "ack_count")
    readonly_fields = fields
    ordering = ("-number",)
    show_change_link = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("published_by")
            .annotate(acks=Count("acknowledgments"))
        )

    @admin.display(description="Acknowledgements")
    def ack_count(self, obj: SOPVersion) -> int:
        return obj.acks


@admin.register(SOP)
class SOPAdmin(admin.ModelAdmin):
    form = SOPAdminForm
    list_display = ("title", "slug", "applies_to_all", "archived", "latest", "created_at")
    list_filter = ("applies_to_all", "archived")
    search_fields = ("title", "slug", "summary")
    prepopulated_fields = {"slug": ("title",)}
    ordering = ("title",)
    readonly_fields = ("created_at",)
    fieldsets = (
        (
            None,
            {"fields": ("title", "slug", "summary", "applies_to_all", "archived", "created_at")},
        ),
        ("Publish a new version", {"fields": ("new_body", "change_note", "material")}),
    )
    inlines = (SOPVersionInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(latest_number=Max("versions__number"))

    @admin.display(description="Latest version", ordering="latest_number")
    def latest(self, obj: SOP) -> str:
        return f"v{obj.latest_number}" if obj.latest_number else "—"

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        changed = {"archived", "applies_to_all"} & set(form.changed_data)
        if change and changed:
            sop_requirements_changed.send(sender=SOP, sop=form.instance, changed=sorted(changed))
        body = form.cleaned_data.get("new_body", "")
        if body.strip():
            publish_sop_version(
                form.instance,
                body=body,
                change_note=form.cleaned_data.get("change_note") or "",
                by=request.user,
                material=form.cleaned_data.get("material", True),
            )


@admin.register(SOPVersion)
class SOPVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("sop", "number", "material", "change_note", "published_at", "published_by")
    list_filter = ("material", "sop")
    search_fields = ("sop__title", "change_note", "content_sha256")
    list_select_related = ("sop", "published_by")
    ordering = ("sop__title", "-number")
    readonly_fields = (
        "sop",
        "number",
        "body",
        "change_note",
        "material",
        "content_sha256",
        "published_at",
        "published_by",
    )
    show_full_result_count = False


@admin.register(Acknowledgment)
class AcknowledgmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("acknowledged_at", "freelancer", "version", "ip_address", "short_hash")
    list_filter = ("version__sop", "acknowledged_at")
    search_fields = ("freelancer__name", "freelancer__email", "record_hash", "ip_address")
    list_select_related = ("freelancer", "version__sop")
    ordering = ("-id",)
    date_hierarchy = "acknowledged_at"
    show_full_result_count = False
    readonly_fields = (
        "freelancer",
        "version",
        "acknowledged_at",
        "ip_address",
        "user_agent",
        "content_sha256",
        "previous_hash",
        "record_hash",
    )

    @admin.display(description="Record hash")
    def short_hash(self, obj: Acknowledgment) -> str:
        return obj.record_hash[:12] + "…"


@admin.register(AcknowledgmentReminder)
class AcknowledgmentReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What the reminder job sent: a record to look at, written only by the job."""

    list_display = ("reminded_on", "freelancer", "sent_at", "claimed_at")
    list_filter = ("reminded_on", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("freelancer__name", "freelancer__email")
    list_select_related = ("freelancer",)
    ordering = ("-reminded_on", "-id")
    date_hierarchy = "reminded_on"
    show_full_result_count = False
