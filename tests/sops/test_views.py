"""The owners' SOP pages: access, coverage, rendering, create and publish with a preview, diffs."""

import pytest
from django.urls import reverse

from sops.forms import preview_token
from sops.models import SOP, SOPVersion
from tests import factories
from tests.sops.builders import ack, live_task_requiring, make_sop, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def sop(freelancer, other_freelancer):
    sop = make_sop("Client handover", "# Handover\n\n1. Send the files.\n")
    publish(sop, "# Handover\n\n1. Send the files.\n2. Send the invoice.\n", note="Invoice step")
    live_task_requiring(sop, freelancer=freelancer)
    live_task_requiring(sop, freelancer=other_freelancer)
    ack(other_freelancer, sop.current_version)
    return sop


def _pages(sop):
    return [
        reverse("sops:list"),
        reverse("sops:detail", args=[sop.slug]),
        reverse("sops:create"),
        reverse("sops:publish", args=[sop.slug]),
        reverse("sops:diff", args=[sop.slug]) + "?a=1&b=2",
    ]


def test_owners_see_every_sop_page(owner_client, sop):
    for url in _pages(sop):
        assert owner_client.get(url).status_code == 200, url


def test_freelancers_get_403_on_every_sop_page(freelancer_client, sop):
    for url in _pages(sop):
        assert freelancer_client.get(url).status_code == 403, url
    assert freelancer_client.post(reverse("sops:create"), {"title": "x"}).status_code == 403


def test_anonymous_users_are_sent_to_login(client, sop):
    for url in _pages(sop):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), url


def test_list_shows_who_has_and_has_not_acknowledged(owner_client, sop, freelancer):
    response = owner_client.get(reverse("sops:list"))
    body = response.content.decode()
    assert "1 of 2" in body
    coverage = dict(response.context["rows"])[SOP.objects.get(pk=sop.pk)]
    assert [row.name for row in coverage.outstanding] == ["Fran Lopez"]
    assert [row.name for row in coverage.acknowledged] == ["Otto Berg"]


def test_list_marks_archived_sops_as_never_required(owner_client, sop):
    SOP.objects.filter(pk=sop.pk).update(archived=True)
    body = owner_client.get(reverse("sops:list")).content.decode()
    assert "Archived: never required" in body
    assert "1 of 2" not in body


def _network(n):
    """n SOPs, each required by a task with two freelancers, one of whom acknowledged."""
    for i in range(n):
        s = make_sop(f"Procedure {n}-{i}")
        a, b = factories.ApprovedFreelancerFactory(), factories.ApprovedFreelancerFactory()
        live_task_requiring(s, freelancer=a)
        live_task_requiring(s, freelancer=b)
        ack(a, s.current_version)
    make_sop(f"Everyone {n}", applies_to_all=True)


def test_list_takes_a_fixed_number_of_queries(owner_client, django_assert_num_queries):
    # session, user, Owners group (cached on the user), the user's freelancer (navigation);
    # the SOPs with their version numbers; then requirements(): SOPs to acknowledge, freelancers
    # with live work, task-required pairs, current acknowledgements.
    _network(2)
    with django_assert_num_queries(9):
        small = owner_client.get(reverse("sops:list"))
    _network(5)
    with django_assert_num_queries(9):
        big = owner_client.get(reverse("sops:list"))
    assert len(big.context["rows"]) > len(small.context["rows"])


def test_detail_renders_markdown_through_the_sanitiser(owner_client):
    sop = make_sop(
        "Risky", "# Title\n\n<script>alert('x')</script>\n\n[click](javascript:evil())\n"
    )
    body = owner_client.get(reverse("sops:detail", args=[sop.slug])).content.decode()
    assert "<h1>Title</h1>" in body
    assert "<script>alert" not in body
    assert "javascript:evil" not in body


def test_detail_shows_version_history_and_any_version(owner_client, sop):
    url = reverse("sops:detail", args=[sop.slug])
    response = owner_client.get(url)
    assert [v.number for v in response.context["versions"]] == [2, 1]
    assert response.context["shown"].number == 2
    old = owner_client.get(url + "?version=1")
    assert old.context["shown"].number == 1
    assert "Send the invoice" not in old.content.decode().split("sop-rendered")[1]
    missing = owner_client.get(url + "?version=nope")
    assert missing.status_code == 200 and missing.context["shown"].number == 2


def test_unknown_sop_is_404(owner_client):
    assert owner_client.get(reverse("sops:detail", args=["nope"])).status_code == 404
    assert owner_client.get(reverse("sops:publish", args=["nope"])).status_code == 404
    assert owner_client.get(reverse("sops:diff", args=["nope"])).status_code == 404


# --- create --------------------------------------------------------------------------------


def _create_data(**overrides):
    data = {
        "title": "Daily stand-up",
        "slug": "",
        "summary": "Say what you did",
        "body": "# Stand-up\r\n\r\nPost an update by 10:00.",
    }
    data.update(overrides)
    return data


def test_create_shows_a_preview_first_and_saves_nothing(owner_client):
    response = owner_client.post(reverse("sops:create"), {**_create_data(), "action": "preview"})
    assert response.status_code == 200
    assert "<h1>Stand-up</h1>" in response.content.decode()
    assert not SOP.objects.exists()


def test_create_after_the_preview_publishes_version_one(owner_client, owner):
    data = _create_data()
    preview = owner_client.post(reverse("sops:create"), {**data, "action": "preview"})
    token = preview.context["form"]["previewed"].value()
    response = owner_client.post(
        reverse("sops:create"), {**data, "previewed": token, "action": "save"}
    )
    sop = SOP.objects.get(slug="daily-stand-up")
    assert response.status_code == 302 and response.url == sop.get_absolute_url()
    version = sop.versions.get()
    assert version.number == 1 and version.published_by == owner
    assert version.body == "# Stand-up\n\nPost an update by 10:00."  # newlines normalised


def test_create_refuses_to_save_what_was_not_previewed(owner_client):
    data = _create_data()
    stale = preview_token("other", "daily-stand-up", "", False, data["body"])
    response = owner_client.post(
        reverse("sops:create"), {**data, "previewed": stale, "action": "save"}
    )
    assert response.status_code == 200
    assert not SOP.objects.exists()
    assert "changed since the preview" in response.content.decode()


def test_create_keeps_what_was_typed_on_errors(owner_client):
    make_sop("Daily stand-up")
    response = owner_client.post(reverse("sops:create"), {**_create_data(), "action": "preview"})
    body = response.content.decode()
    assert "already uses the address" in body
    assert "Post an update by 10:00." in body
    assert SOP.objects.count() == 1


def test_create_refuses_the_reserved_slug(owner_client):
    response = owner_client.post(
        reverse("sops:create"), {**_create_data(slug="create"), "action": "preview"}
    )
    assert "page of its own" in response.content.decode()


# --- publish -------------------------------------------------------------------------------


def _publish(client, sop, **data):
    return client.post(reverse("sops:publish", args=[sop.slug]), data)


def test_publish_needs_the_preview_step(owner_client, sop):
    data = {"body": "# Handover\n\nNew text.", "change_note": "Shorter", "material": "on"}
    preview = _publish(owner_client, sop, **data, action="preview")
    assert preview.status_code == 200
    assert "<p>New text.</p>" in preview.content.decode()
    assert preview.context["changes"].added >= 1
    assert sop.versions.count() == 2
    token = preview.context["form"]["previewed"].value()
    done = _publish(owner_client, sop, **data, previewed=token, action="publish")
    assert done.status_code == 302
    version = sop.versions.get(number=3)
    assert version.material and version.change_note == "Shorter"


def test_publish_after_editing_the_previewed_text_shows_the_preview_again(owner_client, sop):
    data = {"body": "# Handover\n\nNew text.", "change_note": "Shorter", "material": "on"}
    token = _publish(owner_client, sop, **data, action="preview").context["form"]["previewed"]
    data["body"] += "\n\nSneaky extra."
    response = _publish(owner_client, sop, **data, previewed=token.value(), action="publish")
    assert response.status_code == 200 and sop.versions.count() == 2
    assert "Sneaky extra." in response.content.decode()


def test_publish_a_minor_edit(owner_client, sop, other_freelancer):
    data = {"body": sop.latest_version.body + "\nTypo fixed.", "change_note": "Typo"}
    token = _publish(owner_client, sop, **data, action="preview").context["form"]["previewed"]
    _publish(owner_client, sop, **data, previewed=token.value(), action="publish")
    version = sop.versions.get(number=3)
    assert not version.material
    # The minor edit does not ask Otto to acknowledge again.
    response = owner_client.get(reverse("sops:list"))
    coverage = dict(response.context["rows"])[SOP.objects.get(pk=sop.pk)]
    assert [row.name for row in coverage.acknowledged] == ["Otto Berg"]


def test_publish_refuses_unchanged_text_and_a_missing_note(owner_client, sop):
    response = _publish(
        owner_client, sop, body=sop.latest_version.body, change_note="", action="preview"
    )
    errors = response.context["form"].errors
    assert "same as version 2" in errors["body"][0]
    assert "change_note" in errors
    assert sop.versions.count() == 2


def test_publish_form_starts_from_the_latest_text(owner_client, sop):
    response = owner_client.get(reverse("sops:publish", args=[sop.slug]))
    assert response.context["form"]["body"].value() == sop.latest_version.body


# --- diff ----------------------------------------------------------------------------------


def test_diff_between_two_versions(owner_client, sop):
    response = owner_client.get(reverse("sops:diff", args=[sop.slug]) + "?a=1&b=2")
    assert response.status_code == 200
    changes = response.context["changes"]
    assert changes.added == 1 and changes.removed == 0
    assert "Send the invoice." in response.content.decode()


def test_diff_defaults_to_the_last_two_versions(owner_client, sop):
    response = owner_client.get(reverse("sops:diff", args=[sop.slug]))
    assert (response.context["old"].number, response.context["new"].number) == (1, 2)


def test_diff_escapes_markup(owner_client):
    sop = make_sop("Esc", "plain\n")
    publish(sop, "plain\n<img src=x onerror=alert(1)>\n")
    body = owner_client.get(reverse("sops:diff", args=[sop.slug]) + "?a=1&b=2").content.decode()
    assert "<img src=x" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body


@pytest.mark.parametrize("query", ["?a=1&b=9", "?a=x&b=2", "?a=&b="])
def test_diff_with_bad_versions_says_so(owner_client, sop, query):
    response = owner_client.get(reverse("sops:diff", args=[sop.slug]) + query)
    assert response.status_code == 400
    assert "Choose two versions from the lists" in response.content.decode()


def test_diff_of_a_single_version_sop_explains(owner_client):
    sop = make_sop("Alone")
    response = owner_client.get(reverse("sops:diff", args=[sop.slug]))
    assert response.status_code == 200
    assert "only one version" in response.content.decode()


def test_versions_are_never_edited_by_the_pages(owner_client, sop):
    before = list(SOPVersion.objects.values_list("pk", "body"))
    owner_client.get(reverse("sops:publish", args=[sop.slug]))
    assert list(SOPVersion.objects.values_list("pk", "body")) == before


def test_list_names_twelve_per_group_and_links_to_the_rest(owner_client):
    everyone = make_sop("Everyone reads this", applies_to_all=True)
    for i in range(15):
        live_task_requiring(
            make_sop(f"Task procedure {i}"),
            freelancer=factories.ApprovedFreelancerFactory(name=f"Worker {i:02d}"),
        )
    body = owner_client.get(reverse("sops:list")).content.decode()
    assert "and 3 more" in body
    assert reverse("sops:detail", args=[everyone.slug]) in body
    row = body.split("Everyone reads this")[1].split("Task procedure 0")[0]
    assert "Worker 11" in row and "Worker 12" not in row
