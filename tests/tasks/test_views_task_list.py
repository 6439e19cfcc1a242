"""The task list: what a row shows, the filters, pagination and a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.tasks.view_data import build_tasks

pytestmark = pytest.mark.django_db
URL = reverse("tasks:list")


def titles(response) -> list[str]:
    return [task.title for task in response.context["page"].object_list]


def test_row_shows_skill_core_status_freelancers_flags_and_due_date(owner_client):
    skill = factories.SkillFactory(name="Bookkeeping")
    task = factories.TaskFactory(
        title="Monthly books",
        skill=skill,
        is_core=True,
        status="in_progress",
        due_on=datetime.date(2031, 3, 14),
    )
    factories.AssignmentFactory(task=task, freelancer__name="Ana Primary")
    factories.AssignmentFactory(task=task, role="backup", freelancer__name="Ben Backup")
    factories.AssignmentFactory(
        task=task,
        freelancer__name="Old Hand",
        assigned_at=timezone.now() - datetime.timedelta(days=9),
        ended_at=timezone.now() - datetime.timedelta(days=1),
    )
    factories.RiskFlagFactory(task=task, severity="medium", kind="single_freelancer")
    factories.RiskFlagFactory(task=task, severity="high", kind="core_task_outsourced")
    factories.RiskFlagFactory(
        task=task,
        severity="high",
        kind="sop_not_acknowledged",
        resolved_at=timezone.now(),
        resolution="cleared",
    )

    response = owner_client.get(URL)

    html = response.content.decode()
    row = response.context["page"].object_list[0]
    assert row.open_flags == 2
    assert row.worst_severity == "high"
    for text in ("Monthly books", "Bookkeeping", "Core", "In progress", "14 Mar 2031"):
        assert text in html
    assert "Ana Primary" in html and "Ben Backup" in html
    assert "Old Hand" not in html  # ended assignments are not on the list
    assert f"{reverse('flags:list')}?task={task.pk}" in html


def test_task_without_open_flags_shows_none(owner_client):
    factories.TaskFactory(title="Quiet")
    factories.RiskFlagFactory(resolved_at=timezone.now(), resolution="cleared").task.delete()
    response = owner_client.get(URL)
    assert response.context["page"].object_list[0].open_flags == 0
    assert response.context["page"].object_list[0].worst_severity == ""


def test_filter_by_status(owner_client):
    factories.TaskFactory(title="Open one", status="open")
    factories.TaskFactory(title="Busy one", status="in_progress")
    factories.TaskFactory(title="Done one", status="done")
    assert titles(owner_client.get(URL, {"status": "done"})) == ["Done one"]
    assert set(titles(owner_client.get(URL, {"status": "live"}))) == {"Open one", "Busy one"}


def test_filter_by_skill(owner_client):
    writing = factories.SkillFactory(name="Writing")
    factories.TaskFactory(title="Words", skill=writing)
    factories.TaskFactory(title="Numbers")
    assert titles(owner_client.get(URL, {"skill": writing.pk})) == ["Words"]


def test_filter_by_core(owner_client):
    factories.TaskFactory(title="Core work", is_core=True)
    factories.TaskFactory(title="Side work", is_core=False)
    assert titles(owner_client.get(URL, {"core": "yes"})) == ["Core work"]
    assert titles(owner_client.get(URL, {"core": "no"})) == ["Side work"]


def test_filter_by_open_flags(owner_client):
    flagged = factories.TaskFactory(title="Flagged")
    factories.RiskFlagFactory(task=flagged)
    cleared = factories.TaskFactory(title="Cleared")
    factories.RiskFlagFactory(task=cleared, resolved_at=timezone.now(), resolution="cleared")
    factories.TaskFactory(title="Never flagged")
    assert titles(owner_client.get(URL, {"flagged": "yes"})) == ["Flagged"]
    assert set(titles(owner_client.get(URL, {"flagged": "no"}))) == {"Cleared", "Never flagged"}


def test_text_search(owner_client):
    factories.TaskFactory(title="Pricing page copy")
    factories.TaskFactory(title="Books", description="Reconcile the pricing ledger")
    factories.TaskFactory(title="Other")
    assert set(titles(owner_client.get(URL, {"q": "pricing"}))) == {"Pricing page copy", "Books"}


def test_bad_filter_values_do_not_break_the_page(owner_client):
    factories.TaskFactory(title="Any")
    response = owner_client.get(URL, {"skill": "nope", "status": "weird", "page": "999"})
    assert response.status_code == 200


def test_pagination_keeps_filters(owner_client):
    skill = factories.SkillFactory(name="SEO")
    for i in range(30):
        factories.TaskFactory(title=f"SEO task {i:02}", skill=skill)
    factories.TaskFactory(title="Not SEO")
    first = owner_client.get(URL, {"skill": skill.pk})
    assert len(first.context["page"].object_list) == 25
    assert f"skill={skill.pk}&amp;page=2" in first.content.decode()
    second = owner_client.get(URL, {"skill": skill.pk, "page": 2})
    assert len(second.context["page"].object_list) == 5


# Queries: session, user, owner group check, the portal profile check of the navigation,
# skills for the filter, COUNT for the paginator, the ids of the page, those tasks with their
# flag figures, and their active assignments with freelancers.
LIST_QUERIES = 9


@pytest.mark.parametrize("size", [2, 12])
def test_list_queries_do_not_grow_with_the_data(owner_client, django_assert_num_queries, size):
    build_tasks(size)
    with django_assert_num_queries(LIST_QUERIES):
        response = owner_client.get(URL)
    assert len(response.context["page"].object_list) == size


@pytest.mark.parametrize("size", [2, 12])
def test_filtered_list_queries_do_not_grow(owner_client, django_assert_num_queries, size):
    skill = factories.SkillFactory(name="Copywriting")
    build_tasks(size, skill=skill)
    # One more: the chosen skill is looked up to validate the filter.
    with django_assert_num_queries(LIST_QUERIES + 1):
        owner_client.get(URL, {"skill": skill.pk, "flagged": "yes", "core": "yes"})
