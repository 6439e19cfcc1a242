"""Creating and editing tasks: saved through the services, clear errors that keep what was typed."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tasks.forms import NEGATIVE_MONEY
from tasks.models import Task
from tests import factories

pytestmark = pytest.mark.django_db
CREATE = reverse("tasks:create")


def task_data(**values) -> dict:
    data = {
        "title": "Spring newsletter",
        "description": "Three issues.",
        "skill": "",
        "status": "open",
        "budget": "400.00",
        "in_house_estimate": "650.00",
        "due_on": "2031-04-30",
    }
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


def test_create_saves_every_field_and_goes_to_the_task(owner_client):
    skill = factories.SkillFactory(name="Copywriting")
    sop = factories.SOPFactory(title="Tone of voice")
    response = owner_client.post(
        CREATE,
        task_data(skill=skill.pk, is_core="on", required_sops=[sop.pk], status="in_progress"),
    )
    task = Task.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("tasks:detail", args=[task.pk])
    assert (task.title, task.skill, task.is_core, task.status) == (
        "Spring newsletter",
        skill,
        True,
        "in_progress",
    )
    assert (task.budget, task.in_house_estimate) == (Decimal("400.00"), Decimal("650.00"))
    assert task.due_on == datetime.date(2031, 4, 30)
    assert list(task.required_sops.all()) == [sop]


@pytest.mark.parametrize("field", ["budget", "in_house_estimate"])
def test_negative_money_is_refused_and_what_was_typed_is_kept(owner_client, field):
    response = owner_client.post(CREATE, task_data(**{field: "-10"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert NEGATIVE_MONEY in html
    assert "nothing was saved" in html
    assert 'value="Spring newsletter"' in html
    assert 'value="-10"' in html
    assert not Task.objects.exists()


@pytest.mark.parametrize("due_on", ["2031-02-30", "tomorrow", "30/04/2031x"])
def test_bad_date_is_refused(owner_client, due_on):
    response = owner_client.post(CREATE, task_data(due_on=due_on))
    assert "Enter a real date (YYYY-MM-DD)." in response.content.decode()
    assert not Task.objects.exists()


@pytest.mark.parametrize("title", ["", "   "])
def test_missing_title_is_refused(owner_client, title):
    response = owner_client.post(CREATE, task_data(title=title))
    assert "Give the task a title." in response.content.decode()
    assert 'value="400.00"' in response.content.decode()
    assert not Task.objects.exists()


def test_money_that_is_not_a_number_is_refused(owner_client):
    response = owner_client.post(CREATE, task_data(budget="lots"))
    assert "Enter a number." in response.content.decode()
    assert not Task.objects.exists()


def test_archived_sops_are_not_offered_unless_already_required(owner_client):
    factories.SOPFactory(title="Live SOP")
    archived = factories.SOPFactory(title="Old SOP", archived=True)
    assert "Old SOP" not in owner_client.get(CREATE).content.decode()

    task = factories.TaskFactory(required_sops=[archived])
    html = owner_client.get(reverse("tasks:edit", args=[task.pk])).content.decode()
    assert "Old SOP" in html and "Live SOP" in html


def test_edit_saves_changes(owner_client):
    task = factories.TaskFactory(title="Draft", budget=Decimal("100.00"))
    sop = factories.SOPFactory()
    response = owner_client.post(
        reverse("tasks:edit", args=[task.pk]),
        task_data(title="Final", budget="120.50", required_sops=[sop.pk], status="done"),
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.title, task.budget, task.status) == ("Final", Decimal("120.50"), "done")
    assert list(task.required_sops.all()) == [sop]


def test_edit_with_errors_changes_nothing(owner_client):
    task = factories.TaskFactory(title="Keep me", in_house_estimate=Decimal("800.00"))
    response = owner_client.post(
        reverse("tasks:edit", args=[task.pk]),
        task_data(title="Changed", in_house_estimate="-1"),
    )
    assert response.status_code == 200
    assert NEGATIVE_MONEY in response.content.decode()
    assert 'value="Changed"' in response.content.decode()
    task.refresh_from_db()
    assert (task.title, task.in_house_estimate) == ("Keep me", Decimal("800.00"))
