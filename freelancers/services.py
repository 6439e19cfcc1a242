"""Writes about freelancers: vetting decisions (mistake 4: hiring too fast)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import Freelancer, VettingDecision
from .selectors import vetting_checklist
from .signals import vetting_decided


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
