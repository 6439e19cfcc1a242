"""Every URL pattern has a row here, and every row is checked for every persona.

Personas: anonymous, a freelancer (Fran), another freelancer (Otto), an owner, a staff user who
is not an owner. A new URL without a row fails ``test_every_url_pattern_has_a_row``.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from freelancers.models import Freelancer
from sops.models import Acknowledgment
from tests import factories

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

PUBLIC = "public"  # anyone
OWNER = "owner"  # owners 200; freelancers 403 (or sent to the portal); anonymous to login
PORTAL = "portal"  # the freelancer's own objects; another freelancer 404; owners 404
PORTAL_HOME = "portal-home"  # every freelancer has one; users without a profile 404


@dataclass(frozen=True)
class Row:
    audience: str
    method: str = "get"
    kwargs: Any = None  # a function of the network giving the URL's kwargs
    owner_ok: tuple[int, ...] = (200,)


MATRIX: dict[str, Row] = {
    "login": Row(PUBLIC),
    "logout": Row(PUBLIC, method="post", owner_ok=(302,)),
    "healthz": Row(PUBLIC),
    "favicon": Row(PUBLIC, owner_ok=(301,)),
    "home": Row(OWNER),
    # Freelancers
    "freelancers:list": Row(OWNER),
    "freelancers:create": Row(OWNER),
    "freelancers:detail": Row(OWNER, kwargs=lambda n: {"pk": n.fran.pk}),
    "freelancers:edit": Row(OWNER, kwargs=lambda n: {"pk": n.fran.pk}),
    "freelancers:offboard": Row(OWNER, kwargs=lambda n: {"pk": n.fran.pk}),
    "freelancers:review_add": Row(
        OWNER, "post", lambda n: {"pk": n.fran.pk}, owner_ok=(200, 302, 400)
    ),
    "freelancers:review_verify": Row(
        OWNER, "post", lambda n: {"pk": n.fran.pk, "review_pk": n.review.pk}, owner_ok=(302,)
    ),
    "freelancers:portfolio_add": Row(
        OWNER, "post", lambda n: {"pk": n.fran.pk}, owner_ok=(200, 302, 400)
    ),
    "freelancers:portfolio_review": Row(
        OWNER, "post", lambda n: {"pk": n.fran.pk, "item_pk": n.item.pk}, owner_ok=(200, 302)
    ),
    "freelancers:portfolio_download": Row(
        OWNER, kwargs=lambda n: {"pk": n.fran.pk, "item_pk": n.item.pk}
    ),
    "freelancers:vetting_start": Row(OWNER, "post", lambda n: {"pk": n.fran.pk}, (200, 302)),
    "freelancers:vetting_approve": Row(OWNER, "post", lambda n: {"pk": n.fran.pk}, (200, 302)),
    "freelancers:vetting_reject": Row(OWNER, "post", lambda n: {"pk": n.fran.pk}, (200, 302)),
    # Tasks and flags
    "tasks:list": Row(OWNER),
    "tasks:create": Row(OWNER),
    "tasks:detail": Row(OWNER, kwargs=lambda n: {"pk": n.task.pk}),
    "tasks:edit": Row(OWNER, kwargs=lambda n: {"pk": n.task.pk}),
    "tasks:assign": Row(OWNER, "post", lambda n: {"pk": n.task.pk}, (200, 302, 400)),
    "tasks:end_assignment": Row(
        OWNER, "post", lambda n: {"pk": n.task.pk, "assignment_pk": n.assignment.pk}, (302,)
    ),
    "tasks:add_payment": Row(
        OWNER,
        "post",
        lambda n: {"pk": n.task.pk, "assignment_pk": n.assignment.pk},
        (200, 302, 400),
    ),
    "tasks:add_oversight": Row(OWNER, "post", lambda n: {"pk": n.task.pk}, (200, 302, 400)),
    "flags:list": Row(OWNER),
    "flags:dismiss": Row(OWNER, "post", lambda n: {"pk": n.flag.pk}, (200, 302, 400)),
    # SOPs
    "sops:list": Row(OWNER),
    "sops:create": Row(OWNER),
    "sops:detail": Row(OWNER, kwargs=lambda n: {"slug": n.sop.slug}),
    "sops:publish": Row(OWNER, kwargs=lambda n: {"slug": n.sop.slug}),
    "sops:diff": Row(OWNER, kwargs=lambda n: {"slug": n.sop.slug}),
    # Reports
    "reports:index": Row(OWNER),
    "reports:savings_csv": Row(OWNER),
    "reports:spend_csv": Row(OWNER),
    "reports:scan_now": Row(OWNER, "post", owner_ok=(302,)),
    # Portal
    "portal:home": Row(PORTAL_HOME),
    "portal:sop": Row(PORTAL, kwargs=lambda n: {"version_id": n.version.pk}),
    "portal:acknowledge": Row(
        PORTAL, "post", lambda n: {"version_id": n.version.pk}, owner_ok=(200, 302)
    ),
}


def url_pattern_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue  # the admin is checked as a whole below
                inner = pattern.namespace or namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                assert pattern.name, f"URL pattern {pattern.pattern} has no name"
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


def test_every_url_pattern_has_a_row():
    names = url_pattern_names()
    assert names - set(MATRIX) == set(), "URL patterns without a row in the matrix"
    assert set(MATRIX) - names == set(), "rows for URL patterns that no longer exist"


@dataclass
class Network:
    fran: Freelancer
    otto: Freelancer
    review: Any
    item: Any
    task: Any
    assignment: Any
    flag: Any
    sop: Any
    version: Any
    owner: Any
    staff: Any


@pytest.fixture
def network(db, settings, tmp_path, freelancer, other_freelancer, owner):
    settings.MEDIA_ROOT = tmp_path
    sop = factories.SOPFactory()
    version = factories.SOPVersionFactory(sop=sop)
    task = factories.TaskFactory(required_sops=[sop])
    assignment = factories.AssignmentFactory(task=task, freelancer=freelancer)
    # Otto works elsewhere, on a task that does not require Fran's SOP.
    factories.AssignmentFactory(freelancer=other_freelancer)
    item = factories.PortfolioItemFactory(
        freelancer=freelancer, url="", file=SimpleUploadedFile("work.png", PNG)
    )
    return Network(
        fran=freelancer,
        otto=other_freelancer,
        review=factories.ClientReviewFactory(freelancer=freelancer, verified=False),
        item=item,
        task=task,
        assignment=assignment,
        flag=factories.RiskFlagFactory(task=task),
        sop=sop,
        version=version,
        owner=owner,
        staff=factories.UserFactory(username="stan", is_staff=True),
    )


def request(client: Client, name: str, network: Network):
    row = MATRIX[name]
    url = reverse(name, kwargs=row.kwargs(network) if row.kwargs else None)
    return getattr(client, row.method)(url)


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


PERSONAS = ["anonymous", "fran", "otto", "owner", "staff"]


@pytest.mark.parametrize("name", sorted(MATRIX))
@pytest.mark.parametrize("persona", PERSONAS)
def test_access(name, persona, network):
    row = MATRIX[name]
    user = {
        "anonymous": None,
        "fran": network.fran.user,
        "otto": network.otto.user,
        "owner": network.owner,
        "staff": network.staff,
    }[persona]
    response = request(client_for(user), name, network)
    status = response.status_code
    if row.audience == PUBLIC:
        # Signed-in users who open the login page are sent to their home.
        expected = (200, 302) if name == "login" else row.owner_ok
        assert status in expected, f"{persona} {name}: {status}"
        return
    if persona == "anonymous":
        assert status == 302, f"{name}: {status}"
        assert response["Location"].startswith(reverse("login"))
        return
    if row.audience == OWNER:
        if persona == "owner":
            assert status in row.owner_ok, f"{name}: {status}"
        elif name == "home" and persona in ("fran", "otto"):
            assert status == 302 and response["Location"] == "/portal/"
        else:
            # Freelancers, and staff who are not owners, are refused owner pages.
            assert status in (403, 302) if name == "home" else status == 403, f"{name}: {status}"
        return
    if row.audience == PORTAL_HOME:
        expected = 200 if persona in ("fran", "otto") else 404
        assert status == expected, f"{persona} {name}: {status}"
        return
    # PORTAL: only Fran's SOP; Otto, owners and staff get 404.
    if persona == "fran":
        assert status in (200, 302), f"{name}: {status}"
    else:
        assert status == 404, f"{persona} {name}: {status}"


@pytest.mark.parametrize(
    ("persona", "expected"), [("owner", 302), ("fran", 302), ("staff", 200), ("anonymous", 302)]
)
def test_admin_is_for_staff_only(persona, expected, network):
    user = {"owner": network.owner, "fran": network.fran.user, "staff": network.staff}.get(persona)
    response = client_for(user).get("/admin/")
    assert response.status_code == expected
    if expected == 302:
        assert "/admin/login/" in response["Location"]


def test_hidden_fields_posted_to_forms_are_ignored(network):
    owner = client_for(network.owner)
    fran = network.fran
    fran.vetting_status = Freelancer.Vetting.PENDING
    fran.vetting_completed_at = None
    fran.save()
    response = owner.post(
        reverse("freelancers:edit", args=[fran.pk]),
        {
            "name": "Fran Lopez",
            "email": fran.email,
            "headline": "Still reliable",
            "status": "active",
            "user": fran.user.pk,
            "vetting_status": "approved",
            "vetting_completed_at": "2020-01-01T00:00:00Z",
            "is_staff": "on",
        },
    )
    assert response.status_code == 302
    fran.refresh_from_db()
    assert fran.headline == "Still reliable"
    assert fran.vetting_status == Freelancer.Vetting.PENDING
    assert not fran.user.is_staff

    # A freelancer acknowledges only for themself, at server time.
    client = client_for(network.otto.user)
    client.post(
        reverse("portal:acknowledge", args=[network.version.pk]),
        {
            "confirm": "on",
            "content_sha256": network.version.content_sha256,
            "freelancer": fran.pk,
            "acknowledged_at": "2001-01-01T00:00:00Z",
        },
    )
    assert not Acknowledgment.objects.exists()  # Otto may not read it, Fran did not post

    client = client_for(fran.user)
    client.post(
        reverse("portal:acknowledge", args=[network.version.pk]),
        {
            "confirm": "on",
            "content_sha256": network.version.content_sha256,
            "freelancer": network.otto.pk,
            "acknowledged_at": "2001-01-01T00:00:00Z",
        },
    )
    record = Acknowledgment.objects.get()
    assert record.freelancer == fran
    assert record.acknowledged_at.year > 2001
