"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser).

Each test gets a fresh page on ``live_server``; a console error or an uncaught page error fails
the test, and a screenshot of the last page is kept in ``test-artifacts/``.
"""

import os
import pathlib
import re
import shutil

import pytest

from tests.conftest import require_service

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make around
# it are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = pathlib.Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PASSWORD = "correct horse battery staple"  # the factories' password


def _chromium() -> str | None:
    return (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


@pytest.fixture(scope="session")
def browser():
    executable = _chromium()
    if not executable:
        require_service("Chromium", "install Debian's package: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, request):
    """A page whose relative URLs go to live_server; fails the test on any console error."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.split("::", 1)[-1])
    try:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    finally:
        context.close()
    assert not errors, f"console errors: {errors}"


def login(page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real login form."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


@pytest.fixture(autouse=True)
def _owners_group(transactional_db):
    """Browser tests are transactional: the flush after each one also empties the rows that the
    data migration made, so put the Owners group back before each test."""
    from django.contrib.auth.models import Group

    from freelancers.access import OWNERS_GROUP

    Group.objects.get_or_create(name=OWNERS_GROUP)


@pytest.fixture
def owner_user(_owners_group):
    """Olivia, an owner who signs in through the real login form."""
    from tests import factories

    return factories.OwnerFactory(username="olivia", first_name="Olivia")
