"""Vetting services: the rules of settings, the decision log, and overrides that leave a trace."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from freelancers.models import Freelancer, VettingDecision
from freelancers.services import (
    VettingIncomplete,
    approve_vetting,
    reject_vetting,
    start_vetting,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(db):
    """An owner without a usable password: these tests never sign in, and hashing is slow."""
    return factories.OwnerFactory(username="olivia", password=None)


@pytest.fixture
def in_review(owner):
    freelancer = factories.FreelancerFactory(name="Rita Review")
    start_vetting(freelancer, by=owner)
    return freelancer


def give_full_evidence(freelancer, ratings=(5, 4)):
    for rating in ratings:
        factories.ClientReviewFactory(freelancer=freelancer, rating=rating, verified=True)
    factories.PortfolioItemFactory(freelancer=freelancer)


def test_start_vetting_moves_a_pending_freelancer_into_review_and_logs_it(owner):
    freelancer = factories.FreelancerFactory()
    decision = start_vetting(freelancer, by=owner)
    freelancer.refresh_from_db()
    assert freelancer.vetting_status == Freelancer.Vetting.IN_REVIEW
    assert decision.decision == VettingDecision.Decision.STARTED
    assert decision.decided_by == owner
    assert list(freelancer.vetting_decisions.all()) == [decision]


@pytest.mark.parametrize("status", [Freelancer.Vetting.IN_REVIEW, Freelancer.Vetting.APPROVED])
def test_start_vetting_refuses_a_freelancer_already_in_review_or_approved(owner, status):
    freelancer = factories.ApprovedFreelancerFactory(vetting_status=status)
    with pytest.raises(ValidationError):
        start_vetting(freelancer, by=owner)
    assert not VettingDecision.objects.exists()


def test_approve_refuses_with_every_unmet_rule_named(in_review, owner):
    with pytest.raises(VettingIncomplete) as refused:
        approve_vetting(in_review, by=owner)
    unmet = " | ".join(refused.value.unmet)
    assert len(refused.value.unmet) == 3
    assert "verified client reviews" in unmet
    assert "Average verified rating" in unmet
    assert "reviewed portfolio item" in unmet
    # The messages of the ValidationError name each rule too (what forms and the admin show).
    assert len(refused.value.messages) == 3
    in_review.refresh_from_db()
    assert in_review.vetting_status == Freelancer.Vetting.IN_REVIEW
    assert in_review.vetting_completed_at is None
    assert not in_review.vetting_decisions.filter(decision="approved").exists()


def test_approve_refuses_unverified_reviews_and_unreviewed_portfolio(in_review, owner):
    factories.ClientReviewFactory.create_batch(3, freelancer=in_review, rating=5, verified=False)
    factories.PortfolioItemFactory(freelancer=in_review, reviewed_at=None)
    with pytest.raises(VettingIncomplete) as refused:
        approve_vetting(in_review, by=owner)
    assert len(refused.value.unmet) == 3


def test_approve_refuses_a_low_average_rating_naming_only_that_rule(in_review, owner):
    give_full_evidence(in_review, ratings=(3, 4))
    with pytest.raises(VettingIncomplete) as refused:
        approve_vetting(in_review, by=owner)
    assert len(refused.value.unmet) == 1
    assert "average 3.50" in refused.value.unmet[0]


def test_the_rules_follow_settings(in_review, owner, settings):
    give_full_evidence(in_review)
    settings.VETTING_MIN_REVIEWS = 3
    with pytest.raises(VettingIncomplete) as refused:
        approve_vetting(in_review, by=owner)
    assert refused.value.unmet == ["At least 3 verified client reviews (2 verified)"]


def test_approve_succeeds_when_every_rule_is_met_and_logs_no_override(in_review, owner):
    give_full_evidence(in_review)
    before = timezone.now()
    decision = approve_vetting(in_review, by=owner)
    in_review.refresh_from_db()
    assert in_review.vetting_status == Freelancer.Vetting.APPROVED
    assert in_review.vetting_completed_at >= before
    assert decision.decision == VettingDecision.Decision.APPROVED
    assert decision.override is False
    assert decision.decided_by == owner


def test_approve_with_override_reason_is_allowed_and_logged(in_review, owner):
    decision = approve_vetting(
        in_review, by=owner, override_reason="  Known from a previous agency.  "
    )
    in_review.refresh_from_db()
    assert in_review.vetting_status == Freelancer.Vetting.APPROVED
    assert in_review.vetting_completed_at is not None
    stored = VettingDecision.objects.get(pk=decision.pk)
    assert stored.override is True
    assert stored.reason.startswith("Known from a previous agency.")
    # The rules that were skipped are kept with the reason, so the log explains the approval.
    assert "Unmet at approval" in stored.reason
    assert "verified client reviews" in stored.reason


def test_a_blank_override_reason_does_not_override(in_review, owner):
    with pytest.raises(VettingIncomplete):
        approve_vetting(in_review, by=owner, override_reason="   ")
    assert not VettingDecision.objects.filter(decision="approved").exists()


def test_an_override_reason_when_every_rule_is_met_is_not_an_override(in_review, owner):
    give_full_evidence(in_review)
    decision = approve_vetting(in_review, by=owner, override_reason="Just in case")
    assert decision.override is False


def test_approve_refuses_an_already_approved_freelancer(owner):
    freelancer = factories.ApprovedFreelancerFactory()
    with pytest.raises(ValidationError):
        approve_vetting(freelancer, by=owner, override_reason="again")


def test_reject_needs_a_reason_and_logs_it(in_review, owner):
    with pytest.raises(ValidationError):
        reject_vetting(in_review, by=owner, reason="  ")
    in_review.refresh_from_db()
    assert in_review.vetting_status == Freelancer.Vetting.IN_REVIEW

    decision = reject_vetting(in_review, by=owner, reason="References did not confirm.")
    in_review.refresh_from_db()
    assert in_review.vetting_status == Freelancer.Vetting.REJECTED
    assert decision.decision == VettingDecision.Decision.REJECTED
    assert decision.reason == "References did not confirm."
    assert decision.decided_by == owner


def test_an_approved_freelancer_can_be_rejected_later_and_loses_the_completion_time(owner):
    freelancer = factories.ApprovedFreelancerFactory()
    reject_vetting(freelancer, by=owner, reason="Missed three deadlines.")
    freelancer.refresh_from_db()
    assert freelancer.vetting_status == Freelancer.Vetting.REJECTED
    assert freelancer.vetting_completed_at is None


def test_reject_refuses_an_already_rejected_freelancer_and_a_rejected_one_can_restart(
    in_review, owner
):
    reject_vetting(in_review, by=owner, reason="Not yet.")
    with pytest.raises(ValidationError):
        reject_vetting(in_review, by=owner, reason="Still not.")
    start_vetting(in_review, by=owner)
    decisions = list(in_review.vetting_decisions.order_by("id").values_list("decision", flat=True))
    assert decisions == ["started", "rejected", "started"]


def test_the_vetting_log_is_never_changed_or_deleted(in_review):
    decision = in_review.vetting_decisions.get()
    decision.reason = "rewritten"
    with pytest.raises(ValidationError):
        decision.save()
    with pytest.raises(ValidationError):
        decision.delete()
    assert VettingDecision.objects.get(pk=decision.pk).reason == ""


def test_an_average_just_below_the_minimum_is_not_rounded_up_to_it(settings):
    from decimal import Decimal

    from freelancers.selectors import vetting_checklist

    settings.VETTING_MIN_AVERAGE_RATING = Decimal("4.0")
    freelancer = factories.FreelancerFactory()
    factories.ClientReviewFactory.create_batch(199, freelancer=freelancer, rating=4)
    factories.ClientReviewFactory(freelancer=freelancer, rating=3)  # average 3.995
    rating_rule = next(r for r in vetting_checklist(freelancer) if r.code == "rating")
    assert not rating_rule.met
