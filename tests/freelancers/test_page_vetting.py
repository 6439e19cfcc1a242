"""Vetting actions, reviews and portfolio assessments through the freelancer page."""

import pytest
from django.urls import reverse

from freelancers.models import ClientReview, Freelancer, PortfolioItem, VettingDecision
from tests import factories

pytestmark = pytest.mark.django_db


def url(name, freelancer, *args):
    return reverse(f"freelancers:{name}", args=[freelancer.pk, *args])


@pytest.fixture
def ready():
    """A freelancer in review who meets every rule."""
    nina = factories.FreelancerFactory(name="Nina", vetting_status="in_review")
    factories.ClientReviewFactory(freelancer=nina, rating=5)
    factories.ClientReviewFactory(freelancer=nina, rating=4)
    factories.PortfolioItemFactory(freelancer=nina)
    return nina


@pytest.fixture
def unready():
    nina = factories.FreelancerFactory(name="Nina")
    factories.ClientReviewFactory(freelancer=nina, rating=3)
    return nina


def test_start_vetting(owner_client, owner, unready):
    response = owner_client.post(url("vetting_start", unready))
    assert response.status_code == 302
    unready.refresh_from_db()
    assert unready.vetting_status == Freelancer.Vetting.IN_REVIEW
    decision = VettingDecision.objects.get()
    assert decision.decision == "started" and decision.decided_by == owner


def test_start_twice_shows_the_services_message(owner_client, ready):
    response = owner_client.post(url("vetting_start", ready), follow=True)
    assert "Nina is already in review." in response.content.decode()
    assert not VettingDecision.objects.exists()


def test_approve_when_rules_are_met(owner_client, owner, ready):
    page = owner_client.get(url("detail", ready)).content.decode()
    assert ">Approve</button>" in page
    response = owner_client.post(url("vetting_approve", ready), follow=True)
    ready.refresh_from_db()
    assert ready.vetting_status == Freelancer.Vetting.APPROVED
    assert ready.vetting_completed_at is not None
    decision = VettingDecision.objects.get()
    assert decision.decision == "approved" and not decision.override
    assert "Nina is approved." in response.content.decode()


def test_approve_with_unmet_rules_lists_every_unmet_rule_and_changes_nothing(owner_client, unready):
    response = owner_client.post(url("vetting_approve", unready), {"approve-override_reason": ""})
    assert response.status_code == 200
    errors = response.context["approve_form"].non_field_errors()
    assert errors == [
        "Vetting rule not met: At least 2 verified client reviews (1 verified)",
        "Vetting rule not met: Average verified rating of at least 4.0 (average 3.00)",
        "Vetting rule not met: At least 1 reviewed portfolio item (0 reviewed)",
    ]
    html = response.content.decode()
    assert 'data-testid="vetting-errors"' in html
    assert "Vetting rule not met: At least 1 reviewed portfolio item" in html
    unready.refresh_from_db()
    assert unready.vetting_status == Freelancer.Vetting.PENDING
    assert not VettingDecision.objects.exists()


def test_approve_with_an_override_reason_is_logged(owner_client, unready):
    response = owner_client.post(
        url("vetting_approve", unready),
        {"approve-override_reason": "Worked with her for years at my last job."},
    )
    assert response.status_code == 302
    unready.refresh_from_db()
    assert unready.vetting_status == Freelancer.Vetting.APPROVED
    decision = VettingDecision.objects.get()
    assert decision.override
    assert decision.reason.startswith("Worked with her for years")
    assert "Unmet at approval" in decision.reason
    log = owner_client.get(url("detail", unready)).content.decode()
    assert "override</span>" in log and "Worked with her for years" in log


def test_reject_needs_a_reason_and_keeps_it(owner_client, ready):
    response = owner_client.post(url("vetting_reject", ready), {"reject-reason": "  "})
    assert response.status_code == 200
    assert response.context["reject_form"].errors["reason"] == [
        "Say why the freelancer is rejected."
    ]
    assert response.context["open_panel"] == "reject"
    ready.refresh_from_db()
    assert ready.vetting_status == Freelancer.Vetting.IN_REVIEW

    response = owner_client.post(
        url("vetting_reject", ready), {"reject-reason": "References did not answer."}
    )
    assert response.status_code == 302
    ready.refresh_from_db()
    assert ready.vetting_status == Freelancer.Vetting.REJECTED
    assert VettingDecision.objects.get().reason == "References did not answer."


# --- Reviews and portfolio assessment -------------------------------------------------------


def test_add_review_then_verify_it(owner_client, unready):
    response = owner_client.post(
        url("review_add", unready),
        {
            "review-client_name": "Globex",
            "review-client_contact": "ceo@globex.test",
            "review-rating": "5",
            "review-received_on": "2026-01-15",
            "review-comment": "On time.",
        },
    )
    assert response.status_code == 302
    review = ClientReview.objects.get(client_name="Globex")
    assert not review.verified and review.rating == 5
    response = owner_client.post(url("review_verify", unready, review.pk))
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.verified
    checklist = owner_client.get(url("detail", unready)).context["checklist"]
    assert checklist[0].detail == "2 verified"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("rating", "7", "The rating goes from 1 to 5."),
        ("rating", "", "Choose a rating from 1 to 5."),
        ("received_on", "2999-01-01", "A review cannot come from the future."),
        ("client_name", "", "This field is required."),
    ],
)
def test_bad_review_is_refused_and_typed_values_kept(owner_client, unready, field, value, message):
    data = {
        "review-client_name": "Globex",
        "review-rating": "4",
        "review-received_on": "2026-01-15",
        "review-comment": "Typed comment",
    }
    data[f"review-{field}"] = value
    response = owner_client.post(url("review_add", unready), data)
    assert response.status_code == 200
    assert any(message in e for e in response.context["review_form"].errors[field])
    assert "Typed comment" in response.content.decode()
    assert response.context["open_panel"] == "review"
    assert ClientReview.objects.count() == 1  # only the fixture's


def test_mark_portfolio_item_reviewed_with_an_assessment(owner_client, owner, unready):
    item = factories.PortfolioItemFactory(freelancer=unready, reviewed_at=None, assessment="")
    target = url("portfolio_review", unready, item.pk)
    response = owner_client.post(target, {f"assess-{item.pk}-assessment": ""})
    assert response.status_code == 200
    assert "Write what you concluded from the work." in response.content.decode()
    item.refresh_from_db()
    assert item.reviewed_at is None

    response = owner_client.post(target, {f"assess-{item.pk}-assessment": "Clean, on brief."})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.reviewed_at is not None and item.reviewed_by == owner
    assert item.assessment == "Clean, on brief."
    assert PortfolioItem.objects.filter(reviewed_at__isnull=False).count() == 1
