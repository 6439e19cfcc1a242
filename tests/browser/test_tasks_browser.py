"""The owner's task page in Chromium: adding a backup through the picker clears the
single-freelancer flag once the scan queued after commit has run (jobs run eagerly in tests)."""

import re

import pytest
from playwright.sync_api import expect

from tasks.models import RiskFlag
from tasks.scanning import scan
from tests import factories
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def single_freelancer_task(transactional_db):
    """A live task with only a primary, a vetted colleague with the same skill, and a scan run."""
    skill = factories.SkillFactory(name="Bookkeeping")
    task = factories.TaskFactory(title="Monthly books", skill=skill, status="in_progress")
    factories.AssignmentFactory(
        task=task,
        freelancer=factories.ApprovedFreelancerFactory(name="Ana Primary", skills=[skill]),
    )
    backup = factories.ApprovedFreelancerFactory(name="Ben Backup", skills=[skill])
    scan()
    assert RiskFlag.objects.filter(
        task=task, kind=RiskFlag.Kind.SINGLE_FREELANCER, resolved_at__isnull=True
    ).exists()
    return task, backup


def test_adding_a_backup_clears_the_single_freelancer_flag(
    page, owner_user, single_freelancer_task
):
    task, backup = single_freelancer_task
    login(page, "olivia")

    page.goto(f"/tasks/{task.pk}/")
    flags = page.locator("section", has=page.get_by_role("heading", name=re.compile("Open flags")))
    expect(flags).to_contain_text("Single freelancer, no backup")
    expect(page.get_by_text("Bench for Bookkeeping")).to_contain_text("2 vetted")

    page.get_by_label("Freelancer").select_option(str(backup.pk))
    page.get_by_label("Role").select_option("backup")
    page.get_by_role("button", name="Assign", exact=True).click()

    # htmx redirects to the task page; the scan queued after commit has run by then.
    expect(page.get_by_text("Ben Backup added as backup.")).to_be_visible()
    expect(page.locator("#active-assignments")).to_contain_text("Ben Backup")
    expect(flags).not_to_contain_text("Single freelancer, no backup")
    expect(page.locator("#no-open-flags")).to_be_visible()

    page.goto(f"/flags/?task={task.pk}")
    expect(page.get_by_text("No open flags")).to_be_visible()
    page.goto(f"/flags/?task={task.pk}&state=resolved")
    expect(page.locator("#main")).to_contain_text("Single freelancer, no backup")
    expect(page.locator("#main")).to_contain_text("Cleared")
    flag = RiskFlag.objects.get(task=task, kind=RiskFlag.Kind.SINGLE_FREELANCER)
    assert flag.resolution == RiskFlag.Resolution.CLEARED


def test_assigning_an_unvetted_freelancer_asks_for_confirmation(page, owner_user, transactional_db):
    task = factories.TaskFactory(title="Landing page")
    newbie = factories.FreelancerFactory(name="Nina New")
    login(page, "olivia")

    page.goto(f"/tasks/{task.pk}/")
    page.get_by_label("Freelancer").select_option(str(newbie.pk))
    page.get_by_role("button", name="Assign", exact=True).click()

    warning = page.locator("#assign-warning")
    expect(warning).to_contain_text("Nina New has not passed vetting")
    assert not task.assignments.exists()
    warning.get_by_label("I understand the risk").check()
    page.get_by_role("button", name="Assign anyway").click()

    expect(page.locator("#active-assignments")).to_contain_text("Nina New")
    expect(page.locator("#main")).to_contain_text("Assigned before vetting")


def test_payment_and_oversight_are_added_inline(page, owner_user, transactional_db):
    assignment = factories.AssignmentFactory(task__title="Logo refresh")
    task = assignment.task
    login(page, "olivia")
    page.goto(f"/tasks/{task.pk}/")

    payments = page.locator(f"#payments-{assignment.pk}")
    payments.get_by_placeholder("Amount").fill("-3")
    payments.get_by_role("button", name="Add payment").click()
    expect(page.locator(f"#payments-{assignment.pk}")).to_contain_text(
        "Enter an amount greater than zero."
    )
    page.locator(f"#payments-{assignment.pk}").get_by_placeholder("Amount").fill("1250")
    page.locator(f"#payments-{assignment.pk}").get_by_role("button", name="Add payment").click()
    expect(page.locator(f"#payments-{assignment.pk}")).to_contain_text("Payment recorded.")
    expect(page.locator("#task-paid")).to_have_text("1,250.00")

    oversight = page.locator("#oversight")
    oversight.get_by_label("Minutes").fill("90")
    oversight.get_by_role("button", name="Log time").click()
    expect(page.locator("#oversight")).to_contain_text("Time logged.")
    expect(page.locator("#task-oversight-hours")).to_have_text("1.50")
    assert task.oversight_entries.get().minutes == 90


def test_dismissing_a_flag_swaps_its_row(page, owner_user, transactional_db):
    flag = factories.RiskFlagFactory(task__title="Support playbook")
    login(page, "olivia")
    page.goto("/flags/")

    row = page.locator(f"#flag-{flag.pk}")
    row.get_by_role("button", name="Dismiss…").click()
    row.get_by_label("Why dismiss this flag?").fill(
        "Kept in-house by design; freelancer only drafts."
    )
    row.get_by_role("button", name="Dismiss flag").click()

    expect(page.locator(f"#flag-{flag.pk}")).to_contain_text(
        "Dismissed by Olivia: Kept in-house by design; freelancer only drafts."
    )
    flag.refresh_from_db()
    assert flag.resolution == RiskFlag.Resolution.DISMISSED
