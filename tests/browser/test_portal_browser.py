"""A freelancer reads and acknowledges an SOP in Chromium; other freelancers' pages are 404."""

import pytest

from sops.models import Acknowledgment
from tests import factories
from tests.browser.conftest import login
from tests.sops.builders import live_task_requiring, make_sop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def portal_data():
    fran = factories.ApprovedFreelancerFactory(
        name="Fran Lopez", user=factories.UserFactory(username="fran")
    )
    otto = factories.ApprovedFreelancerFactory(
        name="Otto Berg", user=factories.UserFactory(username="otto")
    )
    handover = make_sop(
        "Client handover",
        "# Handover\n\n1. Send the source files.\n2. Send the invoice.\n",
    )
    secret = make_sop("Otto's procedure", "# Only for Otto\n")
    live_task_requiring(handover, freelancer=fran, title="Logo redesign")
    live_task_requiring(secret, freelancer=otto, title="Otto's task")
    return {"fran": fran, "handover": handover, "secret": secret}


def test_freelancer_reads_and_acknowledges_an_sop(page, portal_data):
    login(page, "fran")
    page.goto("/portal/")
    outstanding = page.get_by_test_id("outstanding-sops")
    assert "Client handover" in outstanding.inner_text()
    outstanding.get_by_role("link", name="Read and acknowledge").click()

    page.wait_for_url("**/portal/sops/*/")
    assert page.get_by_role("heading", name="Handover", exact=True).is_visible()
    button = page.get_by_role("button", name="Acknowledge version 1")
    button.click()  # without ticking the box: refused, nothing recorded
    page.wait_for_load_state("networkidle")
    assert "Tick the box" in page.content()
    assert not Acknowledgment.objects.exists()

    page.get_by_label("I have read version 1 of “Client handover” and will follow it.").check()
    page.get_by_role("button", name="Acknowledge version 1").click()
    page.wait_for_url("**/portal/")
    assert "Done: you acknowledged version 1" in page.inner_text(".messages")
    assert "All done." in page.inner_text("main")
    assert "Client handover" in page.get_by_test_id("done-sops").inner_text()
    record = Acknowledgment.objects.get()
    assert record.freelancer == portal_data["fran"]
    assert "Chrome" in record.user_agent


def test_other_freelancers_sop_answers_404(page, portal_data):
    login(page, "fran")
    response = page.goto(f"/portal/sops/{portal_data['secret'].current_version.pk}/")
    assert response.status == 404
    assert "Only for Otto" not in page.content()
    # Chromium logs the 404 it was asked to load; that one is expected here.
    page.console_errors[:] = [e for e in page.console_errors if "status of 404" not in e]


def test_portal_fits_a_phone_screen(page, portal_data):
    page.set_viewport_size({"width": 360, "height": 780})
    login(page, "fran")
    page.goto("/portal/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    assert page.get_by_role("link", name="Read and acknowledge").is_visible()
    page.get_by_role("link", name="Read and acknowledge").click()
    page.wait_for_url("**/portal/sops/*/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
