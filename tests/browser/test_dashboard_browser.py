"""The owner's dashboard and report in Chromium: five cards, charts that really draw, no
console errors (the page fixture fails the test on any), and "Scan now"."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.reports.network import build_network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def network(transactional_db):
    build_network(12)


def drawn(page, canvas_id: str) -> bool:
    """Chart.js attached a chart to the canvas and gave it a size."""
    return page.evaluate(
        """(id) => { const c = document.getElementById(id);
                     const chart = window.Chart && window.Chart.getChart(c);
                     return !!chart && c.width > 0 && c.height > 0; }""",
        canvas_id,
    )


def test_owner_sees_the_five_cards_and_the_charts(page, owner_user, network):
    login(page, "olivia")

    page.goto("/")
    expect(page.get_by_role("heading", name="Your network at a glance")).to_be_visible()
    cards = page.locator("[data-card]")
    expect(cards).to_have_count(5)
    for title in (
        "Core work outsourced",
        "Guidance: SOPs acknowledged",
        "Savings: estimated against realised",
        "Hiring: vetting before work",
        "Backups and bench",
    ):
        expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.locator("#flag-matrix")).to_be_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart('bench-chart')")
    assert drawn(page, "bench-chart")
    assert drawn(page, "spend-chart")

    page.get_by_role("button", name="Scan now").click()
    expect(page.get_by_text("Scan queued")).to_be_visible()


def test_owner_reads_the_report_with_its_charts(page, owner_user, network):
    login(page, "olivia")

    page.goto("/reports/")
    expect(page.get_by_role("heading", name="Did outsourcing pay off?")).to_be_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart('savings-chart')")
    for canvas in ("savings-chart", "share-chart", "hhi-chart"):
        assert drawn(page, canvas), canvas
    expect(page.locator("#overestimated")).to_be_visible()

    page.get_by_role("link", name="Last 3 months").click()
    expect(page.locator("#by-month tbody tr")).to_have_count(3)
