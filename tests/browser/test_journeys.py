"""Whole journeys on the demo network in Chromium, with no console error on any page.

The owner signs in, looks at every owner page, and dismisses a flag from the flag list; the
freelancer signs in, reads an outstanding SOP and acknowledges it. Screenshots of the last page
of each test are kept in test-artifacts/ (see tests/browser/conftest.py).
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from freelancers.models import Freelancer
from sops.models import SOP, Acknowledgment
from tasks.models import RiskFlag, Task
from tests.browser.conftest import ARTIFACTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", "--with-demo-passwords", stdout=StringIO())


def owner_pages() -> list[str]:
    freelancer = Freelancer.objects.filter(vetting_status="approved").first()
    task = Task.objects.filter(assignments__isnull=False).first()
    sop = SOP.objects.filter(versions__number=2).first()
    return [
        "/",
        "/freelancers/",
        "/freelancers/new/",
        f"/freelancers/{freelancer.pk}/",
        f"/freelancers/{freelancer.pk}/edit/",
        "/tasks/",
        "/tasks/new/",
        f"/tasks/{task.pk}/",
        f"/tasks/{task.pk}/edit/",
        "/flags/",
        "/flags/?state=all",
        "/sops/",
        "/sops/create/",
        f"/sops/{sop.slug}/",
        f"/sops/{sop.slug}/publish/",
        f"/sops/{sop.slug}/diff/?a=1&b=2",
        "/reports/",
    ]


def test_owner_sees_every_page_and_dismisses_a_flag(page, demo):
    login(page, "owner", "demo-owner-pass")
    expect(page.get_by_role("heading", name="Your network at a glance")).to_be_visible()

    for path in owner_pages():
        response = page.goto(path)
        page.wait_for_load_state("networkidle")
        assert response.status == 200, path
        assert page.title().endswith("Freelancer Network"), path
        assert page.locator("nav[aria-label=breadcrumb]").count() == 1, path
        name = re.sub(r"[^a-z0-9]+", "_", path).strip("_") or "dashboard"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"journey_owner_{name}.png"), full_page=True)
        assert not page.console_errors, f"{path}: {page.console_errors}"

    flag = RiskFlag.objects.filter(resolved_at__isnull=True, kind="core_task_outsourced").first()
    page.goto(f"/flags/?kind={flag.kind}")
    row = page.locator(f"#flag-{flag.pk}")
    row.get_by_role("button", name="Dismiss…").click()
    row.get_by_label("Why dismiss this flag?").fill("The client asked for this freelancer.")
    row.get_by_role("button", name="Dismiss flag").click()
    expect(page.locator(f"#flag-{flag.pk}")).to_contain_text(
        "The client asked for this freelancer."
    )
    flag.refresh_from_db()
    assert flag.resolution == RiskFlag.Resolution.DISMISSED


def test_freelancer_acknowledges_an_outstanding_sop(page, demo):
    ben = Freelancer.objects.get(user__username="ben")
    login(page, "ben", "demo-ben-pass")
    expect(page).to_have_url(re.compile(r"/portal/$"))
    outstanding = page.get_by_test_id("outstanding-sops")
    before = outstanding.get_by_role("link", name="Read and acknowledge").count()
    assert before >= 1
    outstanding.get_by_role("link", name="Read and acknowledge").first.click()
    page.wait_for_url("**/portal/sops/*/")
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name=re.compile(r"^Acknowledge version")).click()
    page.wait_for_url("**/portal/")
    expect(page.locator(".messages")).to_contain_text("Done: you acknowledged version")
    assert Acknowledgment.objects.filter(freelancer=ben).exists()
    remaining = page.get_by_test_id("outstanding-sops")
    after = remaining.get_by_role("link", name="Read and acknowledge").count()
    assert after == before - 1
