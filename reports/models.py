"""Records kept by the reports app's jobs."""

from django.db import models
from django.utils import timezone


class FlagDigest(models.Model):
    """The owners' daily e-mail of new high-severity flags: one row per day.

    The row is claimed (committed) before any e-mail goes, and ``sent_on`` is unique, so a retried
    job never sends the same day's digest twice. ``covered_until`` is where the next digest starts
    (less a safety margin for flags whose scan committed late; ``flag_ids`` keeps those from being
    reported twice).
    """

    sent_on = models.DateField(unique=True)
    covered_from = models.DateTimeField(null=True, blank=True)
    covered_until = models.DateTimeField()
    flag_count = models.PositiveIntegerField(default=0)
    flag_ids = models.JSONField(
        default=list, blank=True, help_text="The flags this digest reported, so none is sent twice."
    )
    recipient_count = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_on"]
        get_latest_by = "sent_on"

    def __str__(self) -> str:
        return f"High-severity flag digest of {self.sent_on}"
