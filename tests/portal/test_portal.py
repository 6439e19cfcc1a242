"""The freelancer portal: own work only, reading and acknowledging SOPs as evidence."""

import pytest
from django.test import Client
from django.urls import reverse

from sops.models import SOP, Acknowledgment, sha256_text
from tasks.models import Task
from tests import factories
from tests.sops.builders import ack, live_task_requiring, make_sop, publish

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) PortalTest/1.0"


@pytest.fixture
def work(freelancer, other_freelancer):
    """Fran works on two tasks; Otto on a third. One SOP applies to everyone."""
    handover = make_sop("Client handover", "# Handover\n\n1. Send the files.\n")
    invoices = make_sop("Invoicing", "# Invoices\n\nBy the 5th.\n")
    secret = make_sop("Otto's procedure", "# Only Otto\n")
    conduct = make_sop("Code of conduct", "# Be kind\n", applies_to_all=True)
    logo = live_task_requiring(handover, invoices, freelancer=freelancer, title="Logo redesign")
    copy = live_task_requiring(handover, freelancer=freelancer, title="Website copy")
    otto_task = live_task_requiring(secret, freelancer=other_freelancer, title="Otto's task")
    return {
        "handover": handover,
        "invoices": invoices,
        "secret": secret,
        "conduct": conduct,
        "logo": logo,
        "copy": copy,
        "otto_task": otto_task,
    }


def sop_url(sop):
    return reverse("portal:sop", args=[sop.current_version.pk])


def ack_url(version):
    return reverse("portal:acknowledge", args=[version.pk])


def post_ack(client, version, meta=None, **fields):
    """POST the acknowledgement form as the page would; ``meta`` adds request headers."""
    data = {"confirm": "on", "content_sha256": sha256_text(version.body)}
    data.update(fields)
    return client.post(ack_url(version), data, **{"HTTP_USER_AGENT": BROWSER, **(meta or {})})


# --- home ----------------------------------------------------------------------------------


def test_home_lists_own_assignments_and_outstanding_sops_first(freelancer_client, work, freelancer):
    ack(freelancer, work["invoices"].current_version)
    response = freelancer_client.get(reverse("portal:home"))
    assert response.status_code == 200
    overview = response.context["overview"]
    assert {a.task.title for a in overview.assignments} == {"Logo redesign", "Website copy"}
    assert [s.title for s in overview.outstanding] == ["Client handover", "Code of conduct"]
    assert [s.title for s in overview.done] == ["Invoicing"]
    assert [s.title for s in overview.sops][:2] == ["Client handover", "Code of conduct"]
    body = response.content.decode()
    assert body.count("Read and acknowledge") == 2
    assert "Otto" not in body.replace("Otto Berg", "")  # nothing of Otto's work


def test_home_shows_role_due_date_and_each_task_sop_status(freelancer_client, work, freelancer):
    Task.objects.filter(pk=work["logo"].pk).update(due_on="2030-05-17")
    ack(freelancer, work["invoices"].current_version)
    overview = freelancer_client.get(reverse("portal:home")).context["overview"]
    logo = next(a for a in overview.assignments if a.task.title == "Logo redesign")
    assert logo.assignment.role == "primary"
    assert {(s.title, s.acknowledged) for s in logo.sops} == {
        ("Client handover", False),
        ("Code of conduct", False),  # applies to all work, so to this assignment too
        ("Invoicing", True),
    }
    assert "17 May 2030" in freelancer_client.get(reverse("portal:home")).content.decode()


def test_home_shows_own_profile_read_only(freelancer_client, freelancer):
    freelancer.skills.add(factories.SkillFactory(name="Illustration"))
    response = freelancer_client.get(reverse("portal:home"))
    body = response.content.decode()
    assert "Illustration" in body and "Approved" in body
    assert "<form" not in body.split("My profile")[1].split("</section>")[0]


def test_home_when_all_is_done(freelancer_client, work, freelancer):
    for key in ("handover", "invoices", "conduct"):
        ack(freelancer, work[key].current_version)
    body = freelancer_client.get(reverse("portal:home")).content.decode()
    assert "All done." in body and "Read and acknowledge" not in body


def test_a_new_material_version_puts_the_sop_back_on_the_list(freelancer_client, work, freelancer):
    ack(freelancer, work["handover"].current_version)
    publish(work["handover"], "# Handover\n\n1. Send the files.\n2. Call the client.\n")
    overview = freelancer_client.get(reverse("portal:home")).context["overview"]
    handover = next(s for s in overview.sops if s.title == "Client handover")
    assert not handover.acknowledged and handover.last_number == 1 and handover.current_number == 2


def _grow(freelancer, n):
    for i in range(n):
        s = make_sop(f"Extra {n}-{i}")
        live_task_requiring(s, freelancer=freelancer)
        ack(freelancer, s.current_version)
    freelancer.skills.add(factories.SkillFactory())


def test_home_takes_a_fixed_number_of_queries(
    freelancer_client, freelancer, django_assert_num_queries
):
    # session, user, the user's freelancer (access helper; cached for the navigation), Owners
    # group (navigation); assignments with their tasks; the tasks' SOPs; requirements(): SOPs to
    # acknowledge, freelancers with live work, task-required pairs, current acknowledgements;
    # the freelancer's acknowledgements (last version of each); their skills.
    _grow(freelancer, 1)
    with django_assert_num_queries(12):
        small = freelancer_client.get(reverse("portal:home"))
    _grow(freelancer, 4)
    with django_assert_num_queries(12):
        big = freelancer_client.get(reverse("portal:home"))
    assert len(big.context["overview"].sops) > len(small.context["overview"].sops)


# --- access --------------------------------------------------------------------------------


def test_sop_page_opens_for_an_sop_that_applies(freelancer_client, work):
    for key in ("handover", "invoices", "conduct"):
        response = freelancer_client.get(sop_url(work[key]))
        assert response.status_code == 200, key


def test_another_freelancers_sop_is_404(freelancer_client, work):
    assert freelancer_client.get(sop_url(work["secret"])).status_code == 404
    response = post_ack(freelancer_client, work["secret"].current_version)
    assert response.status_code == 404
    assert not Acknowledgment.objects.exists()


def test_other_freelancer_gets_404_on_fran_only_urls(other_freelancer_client, work):
    for key in ("handover", "invoices"):
        assert other_freelancer_client.get(sop_url(work[key])).status_code == 404
        assert post_ack(other_freelancer_client, work[key].current_version).status_code == 404
    assert other_freelancer_client.get(sop_url(work["secret"])).status_code == 200
    assert not Acknowledgment.objects.exists()


def test_archived_and_unknown_versions_are_404(freelancer_client, work):
    url = sop_url(work["handover"])
    SOP.objects.filter(pk=work["handover"].pk).update(archived=True)
    assert freelancer_client.get(url).status_code == 404
    assert freelancer_client.get(reverse("portal:sop", args=[999_999])).status_code == 404


def test_finished_work_no_longer_opens_its_sops(freelancer_client, work):
    url = sop_url(work["invoices"])
    Task.objects.filter(pk=work["logo"].pk).update(status=Task.Status.DONE)
    assert freelancer_client.get(url).status_code == 404


def test_owner_without_a_freelancer_profile_gets_404_on_the_portal(owner_client, work):
    assert owner_client.get(reverse("portal:home")).status_code == 404
    assert owner_client.get(sop_url(work["handover"])).status_code == 404
    assert post_ack(owner_client, work["handover"].current_version).status_code == 404


def test_anonymous_users_are_sent_to_login(client, work):
    for url in (reverse("portal:home"), sop_url(work["handover"])):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_acknowledge_only_accepts_post(freelancer_client, work):
    response = freelancer_client.get(ack_url(work["handover"].current_version))
    assert response.status_code == 405


# --- reading -------------------------------------------------------------------------------


def test_sop_page_shows_text_version_note_and_statement(freelancer_client, work):
    response = freelancer_client.get(sop_url(work["handover"]))
    body = response.content.decode()
    assert "<h1>Handover</h1>" in body
    assert "Version 1" in body
    assert "I have read version 1 of “Client handover” and will follow it." in body
    assert sha256_text(work["handover"].current_version.body) in body


def test_sop_page_shows_what_changed_since_the_last_acknowledged_version(
    freelancer_client, work, freelancer
):
    ack(freelancer, work["handover"].current_version)
    publish(
        work["handover"],
        "# Handover\n\n1. Send the files.\n2. Call the client.\n",
        note="Call the client",
    )
    response = freelancer_client.get(sop_url(work["handover"]))
    assert response.context["changes"].added == 1
    body = response.content.decode()
    assert "What changed since version 1" in body and "Call the client" in body


def test_an_old_version_says_it_is_not_the_one_and_links_to_the_current(freelancer_client, work):
    old = work["handover"].current_version
    current = publish(work["handover"], "# Handover\n\nNew.\n")
    response = freelancer_client.get(reverse("portal:sop", args=[old.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "an old text: version 2 changed what to do" in body
    assert reverse("portal:sop", args=[current.pk]) in body
    assert response.context["form"] is None


# --- acknowledging -------------------------------------------------------------------------


def test_acknowledging_records_evidence(freelancer_client, work, freelancer):
    version = work["handover"].current_version
    response = post_ack(freelancer_client, version)
    assert response.status_code == 302 and response.url == reverse("portal:home")
    record = Acknowledgment.objects.get()
    assert record.freelancer == freelancer and record.version == version
    assert record.ip_address == "127.0.0.1"  # the test client's socket address
    assert record.user_agent == BROWSER
    assert record.content_sha256 == version.content_sha256
    assert record.record_hash == record.compute_hash()
    follow = freelancer_client.get(response.url)
    assert "Done: you acknowledged version 1 of “Client handover”" in follow.content.decode()
    overview = follow.context["overview"]
    assert [s.title for s in overview.done] == ["Client handover"]


def test_the_box_must_be_ticked(freelancer_client, work):
    version = work["handover"].current_version
    response = freelancer_client.post(
        ack_url(version), {"content_sha256": sha256_text(version.body)}
    )
    assert response.status_code == 200
    assert "Tick the box" in response.content.decode()
    assert not Acknowledgment.objects.exists()


def test_a_hash_that_differs_from_the_version_records_nothing(freelancer_client, work):
    version = work["handover"].current_version
    response = post_ack(freelancer_client, version, content_sha256="0" * 64)
    assert response.status_code == 302
    assert not Acknowledgment.objects.exists()
    page = freelancer_client.get(response.url).content.decode()
    assert "does not match version 1" in page and "nothing was recorded" in page


def test_double_submit_makes_one_record(freelancer_client, work):
    version = work["handover"].current_version
    post_ack(freelancer_client, version)
    second = post_ack(freelancer_client, version)
    assert second.status_code == 302
    assert Acknowledgment.objects.count() == 1


def test_an_outdated_version_records_nothing_and_says_why(freelancer_client, work):
    old = work["handover"].current_version
    publish(work["handover"], "# Handover\n\nNew.\n")
    response = post_ack(freelancer_client, old)
    assert response.status_code == 302
    assert not Acknowledgment.objects.exists()
    page = freelancer_client.get(response.url).content.decode()
    assert "Nothing was recorded" in page and "is out of date" in page


def test_nobody_can_acknowledge_for_someone_else(freelancer_client, work, other_freelancer):
    """Whatever the POST carries, the freelancer is the signed-in one."""
    conduct = work["conduct"].current_version  # applies to both of them
    post_ack(
        freelancer_client,
        conduct,
        freelancer=other_freelancer.pk,
        freelancer_id=other_freelancer.pk,
        user=other_freelancer.user_id,
    )
    assert list(Acknowledgment.objects.values_list("freelancer__name", flat=True)) == ["Fran Lopez"]


def test_csrf_is_enforced(freelancer, work):
    client = Client(enforce_csrf_checks=True)
    client.force_login(freelancer.user)
    version = work["handover"].current_version
    data = {"confirm": "on", "content_sha256": sha256_text(version.body)}
    assert client.post(ack_url(version), data).status_code == 403
    assert not Acknowledgment.objects.exists()
    # With the token from the page, it goes through.
    page = client.get(sop_url(work["handover"]))
    token = page.context["csrf_token"]
    response = client.post(ack_url(version), {**data, "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302 and Acknowledgment.objects.count() == 1


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "127.0.0.1"),  # no proxy: the header is the client's word, ignored
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # one proxy: its entry, the right-most
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.2", "198.51.100.1"),
        (1, "not-an-ip", "127.0.0.1"),
        (2, "198.51.100.1", "127.0.0.1"),  # fewer entries than proxies: the socket address
    ],
)
def test_ip_address_comes_from_the_socket_or_trusted_proxies(
    freelancer_client, work, settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    version = work["handover"].current_version
    post_ack(freelancer_client, version, meta={"HTTP_X_FORWARDED_FOR": forwarded})
    assert Acknowledgment.objects.get().ip_address == expected


def test_after_a_typo_fix_the_portal_offers_the_corrected_text_and_it_counts(
    freelancer_client, work, owner
):
    from sops.services import publish_sop_version

    sop = work["handover"]
    typo = publish_sop_version(
        sop, body=sop.current_version.body + "\nTypo fixed.\n", change_note="", by=owner,
        material=False,
    )  # fmt: skip
    home = freelancer_client.get(reverse("portal:home")).content.decode()
    assert reverse("portal:sop", args=[typo.pk]) in home
    response = post_ack(freelancer_client, typo)
    assert response.status_code == 302 and response.url == reverse("portal:home")
    assert Acknowledgment.objects.get().version == typo
