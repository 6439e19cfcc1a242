"""Freelancers, their skills and the evidence used to vet them (mistake 4: hiring too fast).

A freelancer is approved only after reviews from previous clients and a checked portfolio; every
vetting decision is kept in an append-only log so that an approval can be explained later.
"""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone


class Skill(models.Model):
    """A kind of work the owner outsources; its bench is the approved freelancers who have it."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FreelancerQuerySet(models.QuerySet):
    def available(self) -> "FreelancerQuerySet":
        """Active and approved: who can take work, and who counts on a skill's bench."""
        return self.filter(
            status=Freelancer.Status.ACTIVE, vetting_status=Freelancer.Vetting.APPROVED
        )


class Freelancer(models.Model):
    """A person the owner outsources work to. Offboarded rather than deleted, to keep history."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        OFFBOARDED = "offboarded", "Offboarded"

    class Vetting(models.TextChoices):
        PENDING = "pending", "Pending"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="freelancer",
        help_text="The login this freelancer uses for the portal.",
    )
    name = models.CharField(max_length=120)
    email = models.EmailField(unique=True)
    headline = models.CharField(max_length=200, blank=True)
    skills = models.ManyToManyField(Skill, blank=True, related_name="freelancers")
    hourly_rate = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    vetting_status = models.CharField(
        max_length=12, choices=Vetting.choices, default=Vetting.PENDING
    )
    vetting_completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = FreelancerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["vetting_status", "status"], name="freelancer_vetting_idx")]
        constraints = [
            # "Ann@Example.com" and "ann@example.com" are the same person.
            models.UniqueConstraint(
                Lower("email"),
                name="freelancer_email_unique_ci",
                violation_error_message="A freelancer with this email address already exists.",
            ),
            models.CheckConstraint(
                condition=Q(hourly_rate__isnull=True) | Q(hourly_rate__gte=0),
                name="freelancer_hourly_rate_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(vetting_status="approved") | Q(vetting_completed_at__isnull=False),
                name="freelancer_approved_has_completion_time",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("freelancers:detail", args=[self.pk])

    @property
    def is_approved(self) -> bool:
        return self.vetting_status == self.Vetting.APPROVED

    @property
    def is_available(self) -> bool:
        return self.status == self.Status.ACTIVE and self.is_approved


class ClientReview(models.Model):
    """What a previous client said; counts toward vetting only once the owner verified it."""

    freelancer = models.ForeignKey(Freelancer, on_delete=models.CASCADE, related_name="reviews")
    client_name = models.CharField(max_length=120)
    client_contact = models.CharField(
        max_length=200, blank=True, help_text="How the owner can reach the client to verify."
    )
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)], help_text="1 to 5"
    )
    comment = models.TextField(blank=True)
    received_on = models.DateField(default=timezone.localdate)
    verified = models.BooleanField(
        default=False, help_text="The owner confirmed this review with the client."
    )

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="review_rating_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.client_name} on {self.freelancer}: {self.rating}/5"


def portfolio_upload_to(instance: "PortfolioItem", filename: str) -> str:
    """Never keep the uploaded name: it may carry a path or a misleading extension."""
    suffix = PurePosixPath(filename).suffix.lower()
    if suffix not in PortfolioItem.ALLOWED_SUFFIXES:
        suffix = ".bin"
    return f"portfolio/{uuid.uuid4().hex}{suffix}"


class PortfolioItem(models.Model):
    """A piece of past work; counts toward vetting once the owner reviewed it."""

    ALLOWED_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".webp")

    freelancer = models.ForeignKey(
        Freelancer, on_delete=models.CASCADE, related_name="portfolio_items"
    )
    title = models.CharField(max_length=160)
    url = models.URLField(blank=True, max_length=500)
    file = models.FileField(upload_to=portfolio_upload_to, blank=True, max_length=200)
    original_filename = models.CharField(max_length=255, blank=True, editable=False)
    description = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessment = models.TextField(blank=True, help_text="What the owner concluded from the work.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(file=""), name="portfolio_item_has_url_or_file"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if not self.url and not self.file:
            raise ValidationError("Give a link to the work, a file, or both.")

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None


class VettingDecision(models.Model):
    """Append-only log of vetting decisions: who decided what, when and why."""

    class Decision(models.TextChoices):
        STARTED = "started", "Vetting started"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    freelancer = models.ForeignKey(
        Freelancer, on_delete=models.PROTECT, related_name="vetting_decisions"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)
    override = models.BooleanField(
        default=False, help_text="Approved although the vetting rules were not all met."
    )

    class Meta:
        ordering = ["-decided_at", "-id"]
        get_latest_by = "decided_at"

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.freelancer}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValidationError("Vetting decisions are a log: they are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Vetting decisions are a log: they are never deleted.")
