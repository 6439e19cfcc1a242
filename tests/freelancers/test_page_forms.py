"""Create, edit and offboard: clear messages, typed values kept, nothing half-written."""

from decimal import Decimal

import pytest
from django.urls import reverse

from freelancers.models import Freelancer
from freelancers.services import offboard_freelancer
from tests import factories

pytestmark = pytest.mark.django_db

CREATE = reverse("freelancers:create")


def profile(**overrides) -> dict:
    data = {
        "name": "Nina Park",
        "email": "nina@example.com",
        "headline": "Copy that sells",
        "hourly_rate": "45.00",
        "status": "active",
    }
    data.update(overrides)
    return data


def test_create_saves_the_profile_pending_and_redirects(owner_client):
    design = factories.SkillFactory(name="Design")
    copy = factories.SkillFactory(name="Copy")
    response = owner_client.post(CREATE, profile(skills=[design.pk, copy.pk]))
    nina = Freelancer.objects.get(email="nina@example.com")
    assert response.status_code == 302 and response.url == nina.get_absolute_url()
    assert set(nina.skills.all()) == {design, copy}
    assert nina.hourly_rate == Decimal("45.00")
    assert nina.vetting_status == Freelancer.Vetting.PENDING


def test_posted_vetting_status_is_ignored(owner_client):
    owner_client.post(CREATE, profile(vetting_status="approved"))
    nina = Freelancer.objects.get(email="nina@example.com")
    assert nina.vetting_status == Freelancer.Vetting.PENDING
    assert nina.vetting_completed_at is None

    response = owner_client.post(
        reverse("freelancers:edit", args=[nina.pk]),
        profile(name="Nina P.", vetting_status="approved", vetting_completed_at="2020-01-01"),
    )
    assert response.status_code == 302
    nina.refresh_from_db()
    assert nina.name == "Nina P." and nina.vetting_status == Freelancer.Vetting.PENDING


def test_duplicate_email_in_another_case_is_refused_and_input_kept(owner_client):
    factories.FreelancerFactory(email="nina@example.com")
    response = owner_client.post(
        CREATE, profile(email="Nina@Example.COM", headline="Typed headline")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "A freelancer with this email address already exists (addresses are compared "
        "without regard to upper and lower case)."
    ]
    html = response.content.decode()
    assert 'value="Typed headline"' in html and 'value="Nina@Example.COM"' in html
    assert Freelancer.objects.count() == 1


def test_duplicate_email_is_refused_by_the_service_and_the_database_too():
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    from freelancers.services import create_freelancer

    factories.FreelancerFactory(email="nina@example.com")
    with pytest.raises(ValidationError) as caught:
        create_freelancer(name="Nina", email="NINA@example.com")
    assert "email" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Freelancer.objects.create(name="Nina", email="NINA@EXAMPLE.COM")


def test_editing_keeps_own_email_allowed(owner_client):
    nina = factories.FreelancerFactory(email="nina@example.com")
    response = owner_client.post(
        reverse("freelancers:edit", args=[nina.pk]), profile(email="NINA@example.com")
    )
    assert response.status_code == 302


def test_negative_hourly_rate_is_refused_with_a_clear_message(owner_client):
    response = owner_client.post(CREATE, profile(hourly_rate="-5"))
    assert response.status_code == 200
    assert response.context["form"].errors["hourly_rate"] == ["The hourly rate cannot be negative."]
    assert 'value="-5"' in response.content.decode()
    assert not Freelancer.objects.exists()


def test_missing_fields_and_bad_email_are_reported(owner_client):
    response = owner_client.post(CREATE, profile(name="", email="not-an-email"))
    errors = response.context["form"].errors
    assert "name" in errors and "email" in errors
    assert not Freelancer.objects.exists()


def test_status_choices_leave_offboarding_to_its_action(owner_client):
    nina = factories.FreelancerFactory()
    response = owner_client.post(
        reverse("freelancers:edit", args=[nina.pk]), profile(status="offboarded")
    )
    assert response.status_code == 200
    assert "status" in response.context["form"].errors
    nina.refresh_from_db()
    assert nina.status == Freelancer.Status.ACTIVE


def test_an_offboarded_freelancer_can_be_brought_back(owner_client, owner):
    nina = factories.FreelancerFactory(email="nina@example.com")
    offboard_freelancer(nina, by=owner)
    response = owner_client.post(reverse("freelancers:edit", args=[nina.pk]), profile())
    assert response.status_code == 302
    nina.refresh_from_db()
    assert nina.status == Freelancer.Status.ACTIVE


def test_portal_login_can_be_linked_but_not_to_owners_or_taken_logins(owner_client, owner):
    login = factories.UserFactory(username="nina")
    taken = factories.ApprovedFreelancerFactory(user=factories.UserFactory(username="taken"))
    form = owner_client.get(CREATE).context["form"]
    choices = set(form.fields["user"].queryset)
    assert login in choices and owner not in choices and taken.user not in choices

    owner_client.post(CREATE, profile(user=login.pk))
    assert Freelancer.objects.get(email="nina@example.com").user == login
    response = owner_client.post(CREATE, profile(email="other@example.com", user=login.pk))
    assert "user" in response.context["form"].errors


# --- Offboarding ----------------------------------------------------------------------------


def test_offboarding_needs_confirmation(owner_client):
    nina = factories.FreelancerFactory()
    url = reverse("freelancers:offboard", args=[nina.pk])
    response = owner_client.post(url, {})
    assert response.status_code == 200
    assert response.context["form"].errors["confirm"] == ["Tick the box to confirm."]
    nina.refresh_from_db()
    assert nina.status == Freelancer.Status.ACTIVE

    response = owner_client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    nina.refresh_from_db()
    assert nina.status == Freelancer.Status.OFFBOARDED


def test_offboarding_is_refused_while_live_work_remains_and_names_it(owner_client):
    nina = factories.ApprovedFreelancerFactory(name="Nina")
    factories.AssignmentFactory(freelancer=nina, task__title="Landing page")
    factories.AssignmentFactory(freelancer=nina, task__title="Old job", task__status="done")
    url = reverse("freelancers:offboard", args=[nina.pk])

    page = owner_client.get(url)
    assert "Landing page" in page.content.decode() and "Old job" not in page.content.decode()

    response = owner_client.post(url, {"confirm": "on"})
    assert response.status_code == 200
    [message] = response.context["form"].non_field_errors()
    assert "Nina still works on 1 live task: “Landing page”" in message
    nina.refresh_from_db()
    assert nina.status == Freelancer.Status.ACTIVE


def test_offboarding_is_allowed_once_assignments_ended(owner, owner_client):
    nina = factories.ApprovedFreelancerFactory()
    assignment = factories.AssignmentFactory(freelancer=nina)
    assignment.ended_at = assignment.assigned_at
    assignment.save()
    offboard_freelancer(nina, by=owner)
    nina.refresh_from_db()
    assert nina.status == Freelancer.Status.OFFBOARDED
    assert nina.assignments.count() == 1  # history kept
