from django.contrib import admin

from .models import FlagDigest


@admin.register(FlagDigest)
class FlagDigestAdmin(admin.ModelAdmin):
    """A record of what the daily digest sent: read-only, since it guards against resending."""

    list_display = ("sent_on", "flag_count", "recipient_count", "claimed_at", "sent_at")
    list_filter = ("sent_on",)
    date_hierarchy = "sent_on"
    show_full_result_count = False
    readonly_fields = [field.name for field in FlagDigest._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
