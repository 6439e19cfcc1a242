"""Standard operating procedures (mistake 2: too little guidance).

An SOP is a versioned document. A published version never changes; freelancers acknowledge the
newest *material* version, and each acknowledgement is a tamper-evident record: it stores the hash
of the text that was shown and joins a hash chain that ``verify_acknowledgments`` re-computes.
"""

import hashlib
from datetime import UTC

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from freelancers.models import Freelancer

GENESIS_HASH = "0" * 64


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class SOP(models.Model):
    """A procedure freelancers follow; required by tasks, or by everyone when ``applies_to_all``."""

    title = models.CharField(max_length=160)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.CharField(max_length=300, blank=True)
    applies_to_all = models.BooleanField(
        default=False,
        help_text="Every freelancer with an active assignment must acknowledge it.",
    )
    archived = models.BooleanField(default=False, help_text="Archived SOPs are never required.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["title"]
        verbose_name = "SOP"
        verbose_name_plural = "SOPs"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("sops:detail", args=[self.slug])

    @property
    def latest_version(self) -> "SOPVersion | None":
        return self.versions.order_by("-number").first()

    @property
    def current_version(self) -> "SOPVersion | None":
        """The version to acknowledge: the newest *material* one (a typo fix needs no new ack)."""
        return self.versions.filter(material=True).order_by("-number").first()


class SOPVersion(models.Model):
    """One published text of an SOP. Immutable: new content is a new version."""

    sop = models.ForeignKey(SOP, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    body = models.TextField(help_text="Markdown.")
    change_note = models.CharField(max_length=300, blank=True)
    material = models.BooleanField(
        default=True,
        help_text="Changes what freelancers must do, so everyone acknowledges it again.",
    )
    content_sha256 = models.CharField(max_length=64, editable=False)
    published_at = models.DateTimeField(default=timezone.now, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["sop", "-number"]
        verbose_name = "SOP version"
        constraints = [
            models.UniqueConstraint(fields=["sop", "number"], name="sop_version_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="sop_version_number_positive"),
        ]
        indexes = [
            models.Index(
                fields=["sop", "-number"],
                condition=Q(material=True),
                name="sop_material_version_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.sop} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValidationError("A published SOP version never changes; publish a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("A published SOP version is never deleted.")


class Acknowledgment(models.Model):
    """Evidence that a freelancer read a version: never updated or deleted (a trigger guards it)."""

    freelancer = models.ForeignKey(
        Freelancer, on_delete=models.PROTECT, related_name="acknowledgments"
    )
    version = models.ForeignKey(
        SOPVersion, on_delete=models.PROTECT, related_name="acknowledgments"
    )
    acknowledged_at = models.DateTimeField(default=timezone.now, editable=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    content_sha256 = models.CharField(max_length=64)
    previous_hash = models.CharField(max_length=64, unique=True)
    record_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["freelancer", "version"], name="one_acknowledgment_per_freelancer_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.freelancer} acknowledged {self.version}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValidationError("An acknowledgement is evidence: it is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("An acknowledgement is evidence: it is never deleted.")

    def compute_hash(self) -> str:
        """The record's hash: every field that is evidence, joined to the previous record."""
        acknowledged_at = self.acknowledged_at.astimezone(UTC).isoformat()
        parts = [
            self.previous_hash,
            str(self.freelancer_id),
            str(self.version_id),
            acknowledged_at,
            self.ip_address or "",
            self.user_agent,
            self.content_sha256,
        ]
        return sha256_text("\x1f".join(parts))


class AcknowledgmentReminder(models.Model):
    """One reminder e-mail to a freelancer about SOPs they still have to acknowledge.

    The row is claimed (committed) before the e-mail goes and ``(freelancer, reminded_on)`` is
    unique, so a retried or doubled job never e-mails twice; the job skips anyone reminded within
    ``SOP_REMINDER_INTERVAL_DAYS``. ``sent_at`` is set in batches after sending; a row left
    without it means the worker died around the send, and that reminder is skipped rather than
    risk a duplicate.
    """

    freelancer = models.ForeignKey(
        Freelancer, on_delete=models.CASCADE, related_name="sop_reminders"
    )
    reminded_on = models.DateField()
    claim = models.UUIDField(editable=False, help_text="The job run that claimed this reminder.")
    claimed_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    versions = models.JSONField(
        default=list, blank=True, help_text="Ids of the SOP versions the e-mail asked for."
    )

    class Meta:
        ordering = ["-reminded_on", "-id"]
        verbose_name = "SOP reminder"
        constraints = [
            models.UniqueConstraint(
                fields=["freelancer", "reminded_on"], name="one_sop_reminder_per_freelancer_day"
            )
        ]
        indexes = [models.Index(fields=["reminded_on"], name="sop_reminder_day_idx")]

    def __str__(self) -> str:
        return f"Reminder to {self.freelancer} on {self.reminded_on}"
