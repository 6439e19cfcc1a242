"""Hostile input: script payloads come out escaped everywhere they are shown; Markdown is
sanitised; bad uploads, numbers and dates get a clear message and write nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from freelancers.models import Freelancer, PortfolioItem
from sops.rendering import render_markdown
from tasks.models import OversightEntry, Payment, Task
from tests import factories

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('owned')</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
PAYLOADS = [SCRIPT, ATTRIBUTE]


def assert_escaped(html: str, payload: str) -> None:
    assert payload not in html, "a payload reached the page unescaped"
    assert "<script>alert" not in html
    assert "<img src=x onerror" not in html


@pytest.fixture
def hostile_network(freelancer, owner):
    """Every free-text field a payload can reach, on a network the owner and Fran can see."""
    freelancer.name = f"Fran {SCRIPT}"
    freelancer.headline = ATTRIBUTE
    freelancer.save()
    skill = factories.SkillFactory(name=f"Skill {SCRIPT}", slug="hostile-skill")
    freelancer.skills.add(skill)
    sop = factories.SOPFactory(title=f"SOP {SCRIPT}", summary=ATTRIBUTE)
    factories.SOPVersionFactory(sop=sop, body=f"Hello {SCRIPT}", change_note=ATTRIBUTE)
    task = factories.TaskFactory(
        title=f"Task {SCRIPT}", description=ATTRIBUTE, skill=skill, required_sops=[sop]
    )
    assignment = factories.AssignmentFactory(task=task, freelancer=freelancer)
    factories.ClientReviewFactory(freelancer=freelancer, client_name=SCRIPT, comment=ATTRIBUTE)
    factories.PaymentFactory(assignment=assignment, note=SCRIPT)
    factories.OversightEntryFactory(task=task, note=ATTRIBUTE)
    factories.RiskFlagFactory(task=task, detail=f"Detail {SCRIPT}")
    return task


@pytest.mark.parametrize(
    "path",
    ["/", "/freelancers/", "/tasks/", "/flags/", "/sops/", "/reports/", "FREELANCER", "TASK"],
)
def test_payloads_are_escaped_on_owner_pages(owner_client, hostile_network, freelancer, path):
    path = {
        "FREELANCER": reverse("freelancers:detail", args=[freelancer.pk]),
        "TASK": reverse("tasks:detail", args=[hostile_network.pk]),
    }.get(path, path)
    html = owner_client.get(path).content.decode()
    for payload in PAYLOADS:
        assert_escaped(html, payload)


def test_payloads_are_escaped_in_the_portal(client, hostile_network, freelancer):
    client.force_login(freelancer.user)
    html = client.get("/portal/").content.decode()
    version = hostile_network.required_sops.get().versions.get()
    html += client.get(reverse("portal:sop", args=[version.pk])).content.decode()
    for payload in PAYLOADS:
        assert_escaped(html, payload)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/freelancers/freelancer/",
        "/admin/tasks/task/",
        "/admin/tasks/riskflag/",
        "/admin/sops/sop/",
        "/admin/freelancers/clientreview/",
    ],
)
def test_payloads_are_escaped_in_the_admin(admin_client_, hostile_network, path):
    html = admin_client_.get(path).content.decode()
    for payload in PAYLOADS:
        assert_escaped(html, payload)


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        '<iframe src="https://evil.example"></iframe>',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        '<img src=x onerror="alert(1)">',
        '<div style="background:url(javascript:alert(1))" onclick="alert(1)">x</div>',
        "<svg><script>alert(1)</script></svg>",
    ],
)
def test_markdown_is_sanitised(markdown):
    html = str(render_markdown(markdown)).lower()
    for bad in ("<script", "<iframe", "javascript:", "onerror", "onclick", "<svg", "style="):
        assert bad not in html


HTML_AS_PNG = b"<html><script>alert(1)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("work.png", HTML_AS_PNG, "this file is none of them"),
        ("drawing.svg", SVG, "this file is none of them"),
        ("empty.pdf", b"", "file is empty"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_written(
    owner_client, freelancer, settings, tmp_path, name, content, message
):
    settings.MEDIA_ROOT = tmp_path
    response = owner_client.post(
        reverse("freelancers:portfolio_add", args=[freelancer.pk]),
        {"portfolio-title": "Work", "portfolio-file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code in (200, 400)
    assert message in response.content.decode()
    assert not PortfolioItem.objects.exists()
    assert not any(tmp_path.rglob("*.*"))


def test_an_upload_one_byte_over_the_limit_is_refused(owner_client, freelancer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PORTFOLIO_MAX_UPLOAD_BYTES = 1024
    big = PNG + b"\x00" * (1024 - len(PNG) + 1)
    response = owner_client.post(
        reverse("freelancers:portfolio_add", args=[freelancer.pk]),
        {"portfolio-title": "Big", "portfolio-file": SimpleUploadedFile("big.png", big)},
    )
    assert "Files may be at most 1.0\xa0KB; this one is larger." in response.content.decode()
    assert not PortfolioItem.objects.exists()


def test_a_path_traversal_name_is_stored_under_a_generated_name(
    owner_client, freelancer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    owner_client.post(
        reverse("freelancers:portfolio_add", args=[freelancer.pk]),
        {
            "portfolio-title": "Sneaky",
            "portfolio-file": SimpleUploadedFile("../../../etc/passwd.png", PNG),
        },
    )
    item = PortfolioItem.objects.get()
    assert ".." not in item.file.name and "passwd" not in item.file.name
    assert (tmp_path / "media" / item.file.name).exists()
    assert not (tmp_path / "etc").exists()


def test_too_many_files_in_one_request_is_a_clear_400(owner_client, freelancer, settings):
    files = {f"portfolio-file{i}": SimpleUploadedFile(f"f{i}.png", PNG) for i in range(6)}
    response = owner_client.post(
        reverse("freelancers:portfolio_add", args=[freelancer.pk]),
        {"portfolio-title": "Many", **files},
    )
    assert response.status_code == 400
    assert not PortfolioItem.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("budget", "-5"),
        ("budget", "1" + "0" * 30),
        ("in_house_estimate", "NaN"),
        ("in_house_estimate", "Infinity"),
        ("due_on", "2026-02-30"),
        ("due_on", "yesterday"),
    ],
)
def test_bad_numbers_and_dates_on_a_task_are_refused(owner_client, field, value):
    data = {
        "title": "Logo",
        "status": "open",
        "budget": "100",
        "in_house_estimate": "200",
        field: value,
    }
    response = owner_client.post(reverse("tasks:create"), data)
    assert response.status_code == 200
    assert b"is-invalid" in response.content or b"invalid-feedback" in response.content
    assert not Task.objects.exists()


@pytest.mark.parametrize("amount", ["-1", "0", "1e40", "abc"])
def test_bad_payments_write_nothing(owner_client, amount):
    assignment = factories.AssignmentFactory()
    response = owner_client.post(
        reverse("tasks:add_payment", args=[assignment.task_id, assignment.pk]),
        {"amount": amount, "paid_on": "2026-01-01"},
    )
    assert response.status_code == 200  # the form again, with its error
    assert b"invalid-feedback" in response.content or b"alert-danger" in response.content
    assert not Payment.objects.exists()


@pytest.mark.parametrize("minutes", ["-30", "0", "99999999999999999999", "1.5"])
def test_bad_oversight_minutes_write_nothing(owner_client, minutes):
    task = factories.TaskFactory()
    owner_client.post(
        reverse("tasks:add_oversight", args=[task.pk]),
        {"minutes": minutes, "logged_on": "2026-01-01"},
    )
    assert not OversightEntry.objects.exists()


@pytest.mark.parametrize(
    "name", ["Zoë Ångström", "李小龙", "Ólafur 🙂 Arnalds", "O'Brien-Smith", "محمد"]
)
def test_any_unicode_name_is_handled(owner_client, name):
    response = owner_client.post(
        reverse("freelancers:create"),
        {"name": name, "email": "someone@example.com", "status": "active"},
    )
    assert response.status_code == 302
    freelancer = Freelancer.objects.get()
    assert freelancer.name == name
    page = owner_client.get(reverse("freelancers:detail", args=[freelancer.pk]))
    assert escape(name) in page.content.decode()
