"""Every task and flag page, for every role: owner 200, freelancer 403, anonymous to login."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows():
    task = factories.TaskFactory()
    assignment = factories.AssignmentFactory(task=task)
    flag = factories.RiskFlagFactory(task=task)
    return {"task": task, "assignment": assignment, "flag": flag}


def _pages(rows):
    task, assignment, flag = rows["task"], rows["assignment"], rows["flag"]
    return {
        "tasks:list": ("get", reverse("tasks:list")),
        "tasks:create": ("get", reverse("tasks:create")),
        "tasks:detail": ("get", reverse("tasks:detail", args=[task.pk])),
        "tasks:edit": ("get", reverse("tasks:edit", args=[task.pk])),
        "flags:list": ("get", reverse("flags:list")),
        "tasks:assign": ("post", reverse("tasks:assign", args=[task.pk])),
        "tasks:end_assignment": (
            "post",
            reverse("tasks:end_assignment", args=[task.pk, assignment.pk]),
        ),
        "tasks:add_payment": ("post", reverse("tasks:add_payment", args=[task.pk, assignment.pk])),
        "tasks:add_oversight": ("post", reverse("tasks:add_oversight", args=[task.pk])),
        "flags:dismiss": ("post", reverse("flags:dismiss", args=[flag.pk])),
    }


GET_PAGES = ["tasks:list", "tasks:create", "tasks:detail", "tasks:edit", "flags:list"]
ALL_PAGES = [
    *GET_PAGES,
    "tasks:assign",
    "tasks:end_assignment",
    "tasks:add_payment",
    "tasks:add_oversight",
    "flags:dismiss",
]


@pytest.mark.parametrize("name", GET_PAGES)
def test_owner_sees_every_page(owner_client, rows, name):
    _, url = _pages(rows)[name]
    response = owner_client.get(url)
    assert response.status_code == 200
    assert b"<title>" in response.content
    assert b'class="breadcrumb' in response.content


@pytest.mark.parametrize("name", ALL_PAGES)
def test_freelancer_is_refused_every_page(freelancer_client, rows, name):
    method, url = _pages(rows)[name]
    response = getattr(freelancer_client, method)(url)
    assert response.status_code == 403


@pytest.mark.parametrize("name", ALL_PAGES)
def test_anonymous_is_sent_to_login(client, rows, name):
    method, url = _pages(rows)[name]
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "name", ["tasks:assign", "tasks:end_assignment", "tasks:add_payment", "flags:dismiss"]
)
def test_actions_refuse_get(owner_client, rows, name):
    _, url = _pages(rows)[name]
    assert owner_client.get(url).status_code == 405


def test_freelancer_refusal_writes_nothing(freelancer_client, rows):
    task, assignment = rows["task"], rows["assignment"]
    freelancer_client.post(
        reverse("tasks:add_payment", args=[task.pk, assignment.pk]),
        {f"pay{assignment.pk}-amount": "10", f"pay{assignment.pk}-paid_on": "2024-01-01"},
    )
    assert not assignment.payments.exists()


def test_unknown_task_is_404(owner_client, db):
    assert owner_client.get(reverse("tasks:detail", args=[999999])).status_code == 404
    assert owner_client.get(reverse("tasks:edit", args=[999999])).status_code == 404
