"""Writes about freelancers: vetting decisions (mistake 4: hiring too fast), profiles, the
evidence vetting rests on (reviews, portfolio) and offboarding."""

import datetime
import logging
from decimal import Decimal
from pathlib import PurePosixPath

from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from .models import ClientReview, Freelancer, PortfolioItem, VettingDecision
from .selectors import live_work_of, vetting_checklist
from .signals import bench_changed, vetting_decided
from .validators import validate_portfolio_upload

logger = logging.getLogger(__name__)


class VettingIncomplete(ValidationError):
    """Approval refused: carries one message per unmet vetting rule."""

    def __init__(self, unmet: list[str]):
        self.unmet = unmet
        super().__init__([f"Vetting rule not met: {rule}" for rule in unmet])


def _locked(freelancer: Freelancer) -> Freelancer:
    """Re-read the freelancer under a row lock, so two decisions at once cannot interleave."""
    return Freelancer.objects.select_for_update().get(pk=freelancer.pk)


def _record(freelancer: Freelancer, decision: str, *, by, reason: str = "", override=False):
    entry = VettingDecision(
        freelancer=freelancer, decision=decision, decided_by=by, reason=reason, override=override
    )
    entry.full_clean()
    entry.save()
    vetting_decided.send(sender=Freelancer, freelancer=freelancer, decision=entry)
    return entry


@transaction.atomic
def start_vetting(freelancer: Freelancer, *, by) -> VettingDecision:
    """Move a pending (or previously rejected) freelancer into review."""
    current = _locked(freelancer)
    if current.vetting_status in (Freelancer.Vetting.IN_REVIEW, Freelancer.Vetting.APPROVED):
        raise ValidationError(
            f"{current.name} is already {current.get_vetting_status_display().lower()}."
        )
    current.vetting_status = Freelancer.Vetting.IN_REVIEW
    current.vetting_completed_at = None
    current.save(update_fields=["vetting_status", "vetting_completed_at"])
    freelancer.vetting_status, freelancer.vetting_completed_at = current.vetting_status, None
    return _record(current, VettingDecision.Decision.STARTED, by=by)


@transaction.atomic
def approve_vetting(freelancer: Freelancer, *, by, override_reason: str = "") -> VettingDecision:
    """Approve when every vetting rule is met; otherwise only with a logged override reason.

    Raises VettingIncomplete naming every unmet rule, so the owner sees all that is missing at
    once rather than one rule per attempt.
    """
    current = _locked(freelancer)
    if current.vetting_status == Freelancer.Vetting.APPROVED:
        raise ValidationError(f"{current.name} is already approved.")
    override_reason = override_reason.strip()
    unmet = [f"{r.label} ({r.detail})" for r in vetting_checklist(current) if not r.met]
    if unmet and not override_reason:
        raise VettingIncomplete(unmet)
    now = timezone.now()
    current.vetting_status = Freelancer.Vetting.APPROVED
    current.vetting_completed_at = now
    current.save(update_fields=["vetting_status", "vetting_completed_at"])
    freelancer.vetting_status, freelancer.vetting_completed_at = current.vetting_status, now
    reason = override_reason
    if unmet:
        reason = f"{override_reason}\nUnmet at approval: " + "; ".join(unmet)
    return _record(
        current, VettingDecision.Decision.APPROVED, by=by, reason=reason, override=bool(unmet)
    )


@transaction.atomic
def reject_vetting(freelancer: Freelancer, *, by, reason: str) -> VettingDecision:
    """Reject, with the reason kept in the log. An approved freelancer can be rejected later."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the freelancer is rejected."})
    current = _locked(freelancer)
    if current.vetting_status == Freelancer.Vetting.REJECTED:
        raise ValidationError(f"{current.name} is already rejected.")
    current.vetting_status = Freelancer.Vetting.REJECTED
    current.vetting_completed_at = None
    current.save(update_fields=["vetting_status", "vetting_completed_at"])
    freelancer.vetting_status, freelancer.vetting_completed_at = current.vetting_status, None
    return _record(current, VettingDecision.Decision.REJECTED, by=by, reason=reason)


# --- Profiles, evidence and offboarding (the owner app) --------------------------------------

PROFILE_FIELDS = ("name", "email", "headline", "hourly_rate", "status", "user")


def _email_taken(email: str, *, exclude_pk: int | None = None) -> bool:
    others = Freelancer.objects.filter(email__iexact=email)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


def _clean_profile(freelancer: Freelancer) -> None:
    """full_clean with the messages the owner should read (duplicates by e-mail, in any case)."""
    freelancer.name = freelancer.name.strip()
    freelancer.headline = (freelancer.headline or "").strip()
    freelancer.email = BaseUserManager.normalize_email((freelancer.email or "").strip())
    if freelancer.email and _email_taken(freelancer.email, exclude_pk=freelancer.pk):
        raise ValidationError({"email": "A freelancer with this email address already exists."})
    freelancer.full_clean()


def _save_profile(freelancer: Freelancer) -> None:
    """Save; a duplicate that slipped in between the check and the write (two owners adding the
    same person at once) is refused by the database and reported like any other duplicate."""
    try:
        with transaction.atomic():
            freelancer.save()
    except IntegrityError:
        if _email_taken(freelancer.email, exclude_pk=freelancer.pk):
            raise ValidationError(
                {"email": "A freelancer with this email address already exists."}
            ) from None
        raise


def refuse_offboarding_with_live_work(freelancer: Freelancer) -> None:
    titles = [f"“{a.task.title}”" for a in live_work_of(freelancer)]
    if titles:
        raise ValidationError(
            f"{freelancer.name} still works on {len(titles)} live "
            f"task{'s' if len(titles) != 1 else ''}: {', '.join(titles)}. End those "
            "assignments on the task pages first, so no task is left without anyone knowing."
        )


@transaction.atomic
def create_freelancer(
    *,
    name: str,
    email: str,
    headline: str = "",
    skills=(),
    hourly_rate: Decimal | None = None,
    status: str = Freelancer.Status.ACTIVE,
    user=None,
) -> Freelancer:
    """Add a freelancer to the network. Vetting always starts at ``pending``: approval only
    comes through the vetting actions, never through the profile."""
    freelancer = Freelancer(
        name=name,
        email=email,
        headline=headline,
        hourly_rate=hourly_rate,
        status=status,
        user=user,
        vetting_status=Freelancer.Vetting.PENDING,
    )
    _clean_profile(freelancer)
    _save_profile(freelancer)
    freelancer.skills.set(skills)
    return freelancer


def bench_position(freelancer: Freelancer) -> tuple[bool, set[int]]:
    """Whether the freelancer counts on benches now, and for which skills."""
    return freelancer.is_available, set(freelancer.skills.values_list("pk", flat=True))


def announce_bench_change(freelancer: Freelancer, before: tuple[bool, set[int]]) -> None:
    """Tell higher apps which skills' benches this change grew or shrank."""
    was_available, skills_before = before
    is_available, skills_after = bench_position(freelancer)
    if was_available != is_available:
        changed = skills_before | skills_after
    elif is_available:
        changed = skills_before ^ skills_after
    else:
        changed = set()
    if changed:
        bench_changed.send(sender=Freelancer, freelancer=freelancer, skill_ids=sorted(changed))


@transaction.atomic
def update_freelancer(freelancer: Freelancer, *, skills=None, **fields) -> Freelancer:
    """Change profile fields (``PROFILE_FIELDS``; vetting is not one of them). Setting the status
    to offboarded goes through the same check as ``offboard_freelancer``."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Not profile fields: {', '.join(sorted(unknown))}")
    current = _locked(freelancer)
    was_offboarded = current.status == Freelancer.Status.OFFBOARDED
    bench_before = bench_position(current)
    for name, value in fields.items():
        setattr(current, name, value)
    if current.status == Freelancer.Status.OFFBOARDED and not was_offboarded:
        refuse_offboarding_with_live_work(current)
    _clean_profile(current)
    _save_profile(current)
    if skills is not None:
        current.skills.set(skills)
    announce_bench_change(current, bench_before)
    for name in fields:
        setattr(freelancer, name, getattr(current, name))
    return current


@transaction.atomic
def offboard_freelancer(freelancer: Freelancer, *, by) -> Freelancer:
    """End the relationship without deleting anything: history, payments and acknowledgements
    stay. Refused while the freelancer still works on live tasks, naming them, because the
    freelancers app may not end task assignments itself (tasks sits above it)."""
    current = _locked(freelancer)
    if current.status == Freelancer.Status.OFFBOARDED:
        raise ValidationError(f"{current.name} is already offboarded.")
    refuse_offboarding_with_live_work(current)
    bench_before = bench_position(current)
    current.status = Freelancer.Status.OFFBOARDED
    current.full_clean()
    current.save(update_fields=["status"])
    announce_bench_change(current, bench_before)
    freelancer.status = current.status
    logger.info("Freelancer %s offboarded by %s", current.pk, getattr(by, "pk", None))
    return current


@transaction.atomic
def add_review(
    freelancer: Freelancer,
    *,
    client_name: str,
    rating: int,
    client_contact: str = "",
    comment: str = "",
    received_on: datetime.date | None = None,
) -> ClientReview:
    """Record what a previous client said. It counts toward vetting only once verified."""
    review = ClientReview(
        freelancer=freelancer,
        client_name=client_name.strip(),
        client_contact=client_contact.strip(),
        rating=rating,
        comment=comment.strip(),
        received_on=received_on or timezone.localdate(),
    )
    if review.received_on > timezone.localdate():
        raise ValidationError({"received_on": "A review cannot come from the future."})
    review.full_clean()
    review.save()
    return review


@transaction.atomic
def verify_review(review: ClientReview, *, by) -> ClientReview:
    """The owner confirmed the review with the client: from now on it counts toward vetting."""
    current = ClientReview.objects.select_for_update().get(pk=review.pk)
    if current.verified:
        raise ValidationError("This review is already verified.")
    current.verified = True
    current.full_clean()
    current.save(update_fields=["verified"])
    review.verified = True
    logger.info("Review %s verified by %s", current.pk, getattr(by, "pk", None))
    return current


def _safe_original_name(name: str) -> str:
    """The uploaded name, for display and the download only: no directories, no odd characters."""
    base = PurePosixPath(str(name).replace("\\", "/")).name
    try:
        cleaned = get_valid_filename(base)
    except SuspiciousFileOperation:
        cleaned = ""
    return cleaned[:255]


@transaction.atomic
def add_portfolio_item(
    freelancer: Freelancer,
    *,
    title: str,
    url: str = "",
    file: UploadedFile | None = None,
    description: str = "",
) -> PortfolioItem:
    """Add a piece of past work: a link, an upload, or both.

    The upload is checked by content (``validate_portfolio_upload``) and stored under a generated
    name whose suffix is the detected type, whatever the uploaded name claimed.
    """
    item = PortfolioItem(
        freelancer=freelancer, title=title.strip(), url=url.strip(), description=description
    )
    if file is not None:
        try:
            kind = validate_portfolio_upload(file)
        except ValidationError as error:
            raise ValidationError({"file": error.messages}) from None
        item.original_filename = _safe_original_name(file.name) or f"portfolio{kind.suffix}"
        # upload_to keeps only the suffix of this name and generates the rest.
        file.name = f"upload{kind.suffix}"
        item.file = file
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def review_portfolio_item(item: PortfolioItem, *, by, assessment: str) -> PortfolioItem:
    """The owner looked at the work and wrote down what they concluded; it now counts toward
    vetting. Reviewing again replaces the assessment and the time."""
    assessment = assessment.strip()
    if not assessment:
        raise ValidationError({"assessment": "Write what you concluded from the work."})
    current = PortfolioItem.objects.select_for_update().get(pk=item.pk)
    current.assessment = assessment
    current.reviewed_at = timezone.now()
    current.reviewed_by = by
    current.full_clean()
    current.save(update_fields=["assessment", "reviewed_at", "reviewed_by"])
    item.assessment, item.reviewed_at, item.reviewed_by = assessment, current.reviewed_at, by
    return current
