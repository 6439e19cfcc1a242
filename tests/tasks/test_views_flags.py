"""The flag list (filters, links, pagination, fixed queries) and dismissing a flag with a note."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tasks.models import RiskFlag
from tests import factories
from tests.tasks.view_data import build_tasks

pytestmark = pytest.mark.django_db
URL = reverse("flags:list")
HTMX = {"HTTP_HX_REQUEST": "true"}


def shown(response) -> set[int]:
    return {flag.pk for flag in response.context["page"].object_list}


def resolved(**kwargs):
    return factories.RiskFlagFactory(
        resolved_at=timezone.now(), resolution=RiskFlag.Resolution.CLEARED, **kwargs
    )


def test_open_flags_are_the_default(owner_client):
    open_flag = factories.RiskFlagFactory()
    closed = resolved()
    assert shown(owner_client.get(URL)) == {open_flag.pk}
    assert shown(owner_client.get(URL, {"state": "resolved"})) == {closed.pk}
    assert shown(owner_client.get(URL, {"state": "all"})) == {open_flag.pk, closed.pk}


def test_filter_by_kind_and_severity(owner_client):
    core = factories.RiskFlagFactory(kind="core_task_outsourced", severity="high")
    single = factories.RiskFlagFactory(kind="single_freelancer", severity="medium")
    assert shown(owner_client.get(URL, {"kind": "single_freelancer"})) == {single.pk}
    assert shown(owner_client.get(URL, {"severity": "high"})) == {core.pk}


def test_filter_by_task(owner_client):
    flag = factories.RiskFlagFactory()
    factories.RiskFlagFactory()
    response = owner_client.get(URL, {"task": flag.task_id})
    assert shown(response) == {flag.pk}
    assert response.context["only_task"] == flag.task


def test_filter_by_freelancer_covers_their_assignments_and_their_tasks(owner_client):
    fran = factories.ApprovedFreelancerFactory(name="Fran")
    mine = factories.AssignmentFactory(freelancer=fran)
    on_mine = factories.RiskFlagFactory(
        task=mine.task, kind="sop_not_acknowledged", assignment=mine, severity="medium"
    )
    task_level = factories.RiskFlagFactory(task=mine.task, kind="single_freelancer")
    # Someone else's assignment flag on the same task is not about Fran.
    other = factories.AssignmentFactory(task=mine.task, role="backup")
    factories.RiskFlagFactory(task=mine.task, kind="sop_not_acknowledged", assignment=other)
    # A task Fran left before this flag was raised is not about her.
    left = factories.AssignmentFactory(
        freelancer=fran,
        assigned_at=timezone.now() - datetime.timedelta(days=30),
        ended_at=timezone.now() - datetime.timedelta(days=20),
    )
    factories.RiskFlagFactory(task=left.task)
    # A resolved task-level flag raised while she worked on that task is.
    earlier = resolved(
        task=left.task,
        kind="single_freelancer",
        raised_at=timezone.now() - datetime.timedelta(days=25),
    )

    response = owner_client.get(URL, {"freelancer": fran.pk, "state": "all"})

    assert shown(response) == {on_mine.pk, task_level.pk, earlier.pk}
    assert response.context["only_freelancer"] == fran


def test_rows_link_to_the_task_and_the_freelancers(owner_client):
    task = factories.TaskFactory(title="Landing page")
    primary = factories.AssignmentFactory(task=task, freelancer__name="Pia Primary")
    factories.AssignmentFactory(task=task, role="backup", freelancer__name="Bo Backup")
    factories.RiskFlagFactory(task=task, detail="Core work outside.")
    factories.RiskFlagFactory(
        task=task, kind="assigned_before_vetting", assignment=primary, severity="medium"
    )

    response = owner_client.get(URL)

    html = response.content.decode()
    assert task.get_absolute_url() in html
    assert "Core work outside." in html
    people = {flag.kind: [f.name for f in flag.people] for flag in response.context["page"]}
    assert people == {
        "core_task_outsourced": ["Pia Primary", "Bo Backup"],
        "assigned_before_vetting": ["Pia Primary"],
    }


def test_bad_ids_in_the_query_string_are_ignored(owner_client):
    flag = factories.RiskFlagFactory()
    response = owner_client.get(URL, {"task": "x", "freelancer": "99999999999999999999999"})
    assert response.status_code == 200
    assert shown(response) == {flag.pk}


def test_pagination(owner_client):
    for _ in range(27):
        factories.RiskFlagFactory()
    assert len(owner_client.get(URL).context["page"].object_list) == 25
    assert len(owner_client.get(URL, {"page": 2}).context["page"].object_list) == 2


# Queries: session, user, owner group check, COUNT for the paginator, the ids of the page, those
# flags with task, assignment, freelancer and dismisser, the tasks' assignments with freelancers,
# and the navigation's portal profile check.
FLAG_LIST_QUERIES = 8


@pytest.mark.parametrize("size", [2, 8])
def test_flag_list_queries_do_not_grow_with_the_data(owner_client, django_assert_num_queries, size):
    build_tasks(size)
    with django_assert_num_queries(FLAG_LIST_QUERIES):
        response = owner_client.get(URL, {"state": "all"})
    assert len(response.context["page"].object_list) == 3 * size


@pytest.mark.parametrize("size", [2, 8])
def test_filtered_flag_list_queries_do_not_grow(owner_client, django_assert_num_queries, size):
    task = build_tasks(size)[0]
    freelancer = task.assignments.first().freelancer
    # Two more: the task and the freelancer named in the query string.
    with django_assert_num_queries(FLAG_LIST_QUERIES + 2):
        owner_client.get(URL, {"task": task.pk, "freelancer": freelancer.pk, "state": "all"})


# --- Dismissing -----------------------------------------------------------------------------


def dismiss_url(flag) -> str:
    return reverse("flags:dismiss", args=[flag.pk])


@pytest.mark.parametrize("note", ["", "   "])
def test_dismiss_without_a_note_is_refused(owner_client, note):
    flag = factories.RiskFlagFactory()

    response = owner_client.post(dismiss_url(flag), {"note": note}, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Write a note saying why you dismiss this flag." in html
    assert f'id="flag-{flag.pk}"' in html
    flag.refresh_from_db()
    assert flag.resolved_at is None and flag.resolution == ""


def test_htmx_dismiss_swaps_the_row_for_who_dismissed_it_and_why(owner_client, owner):
    flag = factories.RiskFlagFactory()

    response = owner_client.post(
        dismiss_url(flag), {"note": "Agreed with the client: core by design."}, **HTMX
    )

    assert [t.name for t in response.templates][0] == "flags/partials/flag_item.html"
    html = response.content.decode()
    assert "<html" not in html
    assert "Dismissed by <strong>Olivia" in html
    assert "Agreed with the client: core by design." in html
    flag.refresh_from_db()
    assert flag.resolution == RiskFlag.Resolution.DISMISSED
    assert flag.resolved_at is not None
    assert flag.dismissed_by == owner
    assert flag.dismiss_note == "Agreed with the client: core by design."


def test_dismiss_without_htmx_redirects_back(owner_client):
    flag = factories.RiskFlagFactory()
    next_url = f"{URL}?kind=core_task_outsourced"

    response = owner_client.post(dismiss_url(flag), {"note": "Accepted", "next": next_url})

    assert response.status_code == 302
    assert response["Location"] == next_url
    flag.refresh_from_db()
    assert flag.resolution == RiskFlag.Resolution.DISMISSED


def test_dismiss_without_htmx_and_without_note_says_why(owner_client):
    flag = factories.RiskFlagFactory()
    response = owner_client.post(dismiss_url(flag), {"note": ""}, follow=True)
    assert "Write a note saying why you dismiss this flag." in response.content.decode()
    flag.refresh_from_db()
    assert flag.is_open


def test_dismiss_never_redirects_off_site(owner_client):
    flag = factories.RiskFlagFactory()
    response = owner_client.post(
        dismiss_url(flag), {"note": "Fine", "next": "https://evil.example/"}
    )
    assert response["Location"] == URL


def test_a_resolved_flag_cannot_be_dismissed(owner_client):
    flag = resolved()
    response = owner_client.post(dismiss_url(flag), {"note": "Too late"}, **HTMX)
    assert response.status_code == 200
    flag.refresh_from_db()
    assert flag.resolution == RiskFlag.Resolution.CLEARED
    assert flag.dismiss_note == ""
