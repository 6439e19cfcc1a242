"""The owner approves a freelancer who meets the vetting rules, in Chromium."""

import pytest
from django.urls import reverse

from freelancers.models import Freelancer
from tests import factories
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def nina(transactional_db):
    nina = factories.FreelancerFactory(name="Nina Park", vetting_status="in_review")
    factories.ClientReviewFactory(freelancer=nina, client_name="Globex", rating=5)
    factories.ClientReviewFactory(freelancer=nina, client_name="Initech", rating=4)
    factories.PortfolioItemFactory(freelancer=nina, title="Shop redesign")
    return nina


def test_owner_approves_a_freelancer_who_meets_the_rules(page, owner_user, nina):
    login(page, "olivia")

    page.goto(reverse("freelancers:list"))
    page.get_by_role("link", name="Nina Park").click()
    badge = page.locator("#freelancer-badges [data-testid=vetting-badge]")
    assert "In review" in badge.inner_text()
    checklist = page.locator("#vetting-checklist li")
    assert checklist.count() == 3
    assert page.locator('#vetting-checklist li[data-met="no"]').count() == 0

    page.get_by_role("button", name="Approve", exact=True).click()
    page.wait_for_load_state("networkidle")

    assert "Approved" in badge.inner_text()
    assert page.get_by_role("alert").filter(has_text="Nina Park is approved.").is_visible()
    assert page.locator("#vetting-log").get_by_text("Approved", exact=True).is_visible()
    nina.refresh_from_db()
    assert nina.vetting_status == Freelancer.Vetting.APPROVED


def test_filtering_the_list_updates_results_in_place(page, owner_user, nina):
    factories.ApprovedFreelancerFactory(name="Otto Berg")
    login(page, "olivia")
    page.goto(reverse("freelancers:list"))
    page.get_by_label("Search").fill("nina")
    page.wait_for_url("**q=nina**")
    rows = page.locator("#freelancer-results tbody tr")
    rows.first.wait_for()
    assert rows.count() == 1 and "Nina Park" in rows.first.inner_text()
    page.get_by_label("Vetting").select_option("approved")
    page.wait_for_url("**vetting_status=approved**")
    page.locator("#freelancer-results").get_by_text("No freelancer matches").wait_for()
