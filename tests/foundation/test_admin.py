"""The admin: every changelist and add form loads, with a query count that does not grow with
the rows; the vetting actions go through the services; logs and evidence are read-only."""

import datetime
import uuid

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from freelancers.models import (
    ClientReview,
    Freelancer,
    PortfolioItem,
    Skill,
    VettingDecision,
)
from reports.models import FlagDigest
from sops.models import SOP, Acknowledgment, AcknowledgmentReminder, SOPVersion
from sops.services import acknowledge
from tasks.models import Assignment, OversightEntry, Payment, RiskFlag, ScanRun, Task
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    """A superuser without a usable password (force_login needs none; hashing is slow)."""
    return factories.UserFactory(username="root", is_staff=True, is_superuser=True, password=None)


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


# --- Rows of each model, n at a time, with the relations each changelist displays ---------


def _skills(n):
    for _ in range(n):
        factories.SkillFactory()


def _freelancers(n):
    skills = factories.SkillFactory.create_batch(2)
    for _ in range(n):
        user = factories.UserFactory(password=None)
        factories.FreelancerFactory(user=user, skills=skills)


def _reviews(n):
    factories.ClientReviewFactory.create_batch(n)


def _portfolio(n):
    reviewer = factories.UserFactory(password=None)
    factories.PortfolioItemFactory.create_batch(n, reviewed_by=reviewer)


def _decisions(n):
    decider = factories.UserFactory(password=None)
    VettingDecision.objects.bulk_create(
        VettingDecision(freelancer=f, decision="started", decided_by=decider)
        for f in factories.FreelancerFactory.create_batch(n)
    )


def _sops(n):
    for _ in range(n):
        factories.SOPVersionFactory()


def _versions(n):
    publisher = factories.UserFactory(password=None)
    for _ in range(n):
        factories.SOPVersionFactory(published_by=publisher)


def _acks(n):
    version = factories.SOPVersionFactory()
    for freelancer in factories.ApprovedFreelancerFactory.create_batch(n):
        acknowledge(freelancer, version, ip_address="203.0.113.1", user_agent="test")


def _reminders(n):
    AcknowledgmentReminder.objects.bulk_create(
        AcknowledgmentReminder(
            freelancer=freelancer, reminded_on=timezone.localdate(), claim=uuid.uuid4()
        )
        for freelancer in factories.FreelancerFactory.create_batch(n)
    )


def _tasks(n):
    for _ in range(n):
        task = factories.TaskFactory()
        factories.AssignmentFactory(task=task)
        factories.RiskFlagFactory(task=task)


def _assignments(n):
    for assignment in factories.AssignmentFactory.create_batch(n):
        factories.PaymentFactory(assignment=assignment)


def _payments(n):
    factories.PaymentFactory.create_batch(n)


def _oversight(n):
    owner = factories.UserFactory(password=None)
    factories.OversightEntryFactory.create_batch(n, logged_by=owner)


def _flags(n):
    for assignment in factories.AssignmentFactory.create_batch(n):
        factories.RiskFlagFactory(
            task=assignment.task,
            assignment=assignment,
            kind=RiskFlag.Kind.ASSIGNED_BEFORE_VETTING,
        )


def _scans(n):
    now = timezone.now()
    ScanRun.objects.bulk_create(
        ScanRun(
            scope="full", started_at=now - datetime.timedelta(minutes=i, seconds=1),
            finished_at=now - datetime.timedelta(minutes=i),
        )
        for i in range(n)
    )  # fmt: skip


def _digests(n):
    today = timezone.localdate()
    start = FlagDigest.objects.count()
    FlagDigest.objects.bulk_create(
        FlagDigest(
            sent_on=today - datetime.timedelta(days=start + i),
            covered_until=timezone.now(),
            flag_count=i,
        )
        for i in range(n)
    )


BUILDERS = {
    Skill: _skills,
    Freelancer: _freelancers,
    ClientReview: _reviews,
    PortfolioItem: _portfolio,
    VettingDecision: _decisions,
    SOP: _sops,
    SOPVersion: _versions,
    Acknowledgment: _acks,
    AcknowledgmentReminder: _reminders,
    Task: _tasks,
    Assignment: _assignments,
    Payment: _payments,
    OversightEntry: _oversight,
    RiskFlag: _flags,
    ScanRun: _scans,
    FlagDigest: _digests,
}
MODELS = list(BUILDERS)
READ_ONLY = {
    VettingDecision,
    SOPVersion,
    Acknowledgment,
    AcknowledgmentReminder,
    ScanRun,
    FlagDigest,
}
NO_ADD = READ_ONLY | {RiskFlag}


def _changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_every_model_of_the_domain_is_in_the_admin():
    for model in MODELS:
        assert model in admin.site._registry, model


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_query_count_does_not_grow_with_rows(staff, model):
    # Queries: session, user, the filtered count, the page of rows (with list_select_related),
    # one per related list filter, the date hierarchy and any prefetch. None per row.
    build = BUILDERS[model]
    url = _changelist(model)
    build(1)
    staff.get(url)  # warm up per-process caches (content types, site)
    few = _count_queries(staff, url)
    build(19)
    assert model.objects.count() >= 20
    many = _count_queries(staff, url)
    assert many == few, f"{model.__name__}: {few} queries with 1 row, {many} with 20"
    assert few <= 12


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_add_form_loads_or_is_refused_for_read_only_models(staff, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    response = staff.get(url)
    assert response.status_code == (403 if model in NO_ADD else 200)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_change_page_loads_for_an_existing_row(staff, model):
    BUILDERS[model](2)
    obj = model.objects.first()
    opts = model._meta
    response = staff.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
    assert response.status_code == 200


def test_search_works_on_every_changelist(staff):
    for model in MODELS:
        response = staff.get(_changelist(model), {"q": "anything"})
        assert response.status_code == 200, model


def test_every_registered_changelist_loads(staff):
    """Including models other parts of the project register later."""
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ("freelancers", "sops", "tasks", "reports"):
            continue
        assert staff.get(_changelist(model)).status_code == 200, model
        if model in MODELS and model not in (Skill, SOP):  # the small tables may count
            assert model_admin.show_full_result_count is False, model


# --- Read-only evidence ---------------------------------------------------------------------


@pytest.mark.parametrize("model", sorted(READ_ONLY, key=str), ids=lambda m: m.__name__)
def test_logs_and_evidence_are_read_only(staff, model):
    BUILDERS[model](1)
    obj = model.objects.get()
    opts = model._meta
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
    page = staff.get(change)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # shown, not editable
    assert staff.post(change, {}).status_code == 403
    assert staff.get(delete).status_code == 403
    assert staff.post(delete, {"post": "yes"}).status_code == 403
    response = staff.post(
        _changelist(model), {"action": "delete_selected", ACTION_CHECKBOX_NAME: [obj.pk]}
    )
    assert model.objects.filter(pk=obj.pk).exists()
    assert response.status_code in (200, 302)


# --- Vetting actions ------------------------------------------------------------------------


def _act(client, action, objs, follow=True, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objs], **extra}
    return client.post(_changelist(Freelancer), data, follow=follow)


def test_start_vetting_action_goes_through_the_service(staff, admin_user):
    pending = factories.FreelancerFactory.create_batch(2)
    response = _act(staff, "start_vetting_action", pending)
    assert response.status_code == 200
    for freelancer in pending:
        freelancer.refresh_from_db()
        assert freelancer.vetting_status == Freelancer.Vetting.IN_REVIEW
        decision = freelancer.vetting_decisions.get()
        assert decision.decision == "started"
        assert decision.decided_by == admin_user
    assert b"Vetting started for" in response.content


def test_approve_action_reports_each_freelancers_unmet_rules(staff):
    ready = factories.FreelancerFactory(name="Ready Rita", vetting_status="in_review")
    factories.ClientReviewFactory.create_batch(2, freelancer=ready, rating=5)
    factories.PortfolioItemFactory(freelancer=ready)
    missing = factories.FreelancerFactory(name="Missing Max", vetting_status="in_review")
    response = _act(staff, "approve_vetting_action", [ready, missing])
    content = response.content.decode()
    ready.refresh_from_db()
    missing.refresh_from_db()
    assert ready.vetting_status == Freelancer.Vetting.APPROVED
    assert missing.vetting_status == Freelancer.Vetting.IN_REVIEW
    assert "Missing Max was not approved" in content
    assert "verified client reviews" in content
    assert "reviewed portfolio item" in content
    assert "Ready Rita is approved" in content


def test_approve_with_override_asks_for_a_reason_then_logs_it(staff, admin_user):
    freelancer = factories.FreelancerFactory(name="Urgent Uma", vetting_status="in_review")
    page = _act(staff, "approve_with_override_action", [freelancer])
    assert page.status_code == 200
    assert b'name="reason"' in page.content
    freelancer.refresh_from_db()
    assert freelancer.vetting_status == Freelancer.Vetting.IN_REVIEW

    blank = _act(staff, "approve_with_override_action", [freelancer], confirm="yes", reason=" ")
    assert b"This field is required" in blank.content
    freelancer.refresh_from_db()
    assert freelancer.vetting_status == Freelancer.Vetting.IN_REVIEW

    _act(
        staff,
        "approve_with_override_action",
        [freelancer],
        confirm="yes",
        reason="Worked with her for years.",
    )
    freelancer.refresh_from_db()
    assert freelancer.vetting_status == Freelancer.Vetting.APPROVED
    decision = freelancer.vetting_decisions.get(decision="approved")
    assert decision.override is True
    assert decision.decided_by == admin_user
    assert "Worked with her for years." in decision.reason


def test_reject_action_asks_for_a_reason_and_logs_it(staff):
    freelancers = factories.FreelancerFactory.create_batch(2, vetting_status="in_review")
    page = _act(staff, "reject_vetting_action", freelancers)
    assert page.status_code == 200
    assert b"Reject vetting" in page.content
    assert not VettingDecision.objects.exists()

    response = _act(
        staff, "reject_vetting_action", freelancers, confirm="yes", reason="References failed."
    )
    assert response.redirect_chain[-1][0] == _changelist(Freelancer)
    for freelancer in freelancers:
        freelancer.refresh_from_db()
        assert freelancer.vetting_status == Freelancer.Vetting.REJECTED
        assert freelancer.vetting_decisions.get().reason == "References failed."


def test_reject_action_reports_a_refusal_without_stopping_the_others(staff):
    already = factories.FreelancerFactory(name="Already Rejected", vetting_status="rejected")
    other = factories.FreelancerFactory(vetting_status="in_review")
    response = _act(staff, "reject_vetting_action", [already, other], confirm="yes", reason="No.")
    assert b"already rejected" in response.content
    other.refresh_from_db()
    assert other.vetting_status == Freelancer.Vetting.REJECTED


def test_vetting_state_cannot_be_edited_by_hand(staff):
    freelancer = factories.FreelancerFactory()
    page = staff.get(reverse("admin:freelancers_freelancer_change", args=[freelancer.pk]))
    assert b'name="vetting_status"' not in page.content
    assert b'name="name"' in page.content


# --- SOPs -----------------------------------------------------------------------------------


def _sop_form(sop=None, **fields):
    data = {
        "title": "Client data",
        "slug": "client-data",
        "summary": "",
        "change_note": "",
        "new_body": "",
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": str(sop.versions.count()) if sop else "0",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
    }
    data.update(fields)
    return data


def test_adding_an_sop_needs_its_first_text_and_publishes_version_one(staff, admin_user):
    url = reverse("admin:sops_sop_add")
    refused = staff.post(url, _sop_form())
    assert refused.status_code == 200
    assert not SOP.objects.exists()

    staff.post(url, _sop_form(new_body="Keep it safe.", material="on"))
    sop = SOP.objects.get()
    version = sop.versions.get()
    assert version.number == 1
    assert version.published_by == admin_user


def test_changing_an_sop_with_new_text_publishes_the_next_version(staff):
    version = factories.SOPVersionFactory(body="old text")
    sop = version.sop
    url = reverse("admin:sops_sop_change", args=[sop.pk])
    fields = {"title": sop.title, "slug": sop.slug}

    same = staff.post(url, _sop_form(sop, new_body="old text", **fields))
    assert same.status_code == 200  # the same text again is refused in the form
    assert sop.versions.count() == 1

    staff.post(url, _sop_form(sop, new_body="typo fixed", change_note="Typo", **fields))
    v2 = sop.versions.get(number=2)
    assert v2.material is False
    assert v2.change_note == "Typo"

    staff.post(url, _sop_form(sop, summary="Only the summary", **fields))
    assert sop.versions.count() == 2


# --- Risk flags -----------------------------------------------------------------------------


def test_dismiss_action_asks_for_a_note_then_dismisses_through_the_service(staff, admin_user):
    flag = factories.RiskFlagFactory()
    url = _changelist(RiskFlag)
    page = staff.post(url, {"action": "dismiss_action", ACTION_CHECKBOX_NAME: [flag.pk]})
    assert page.status_code == 200
    assert b'name="reason"' in page.content
    staff.post(
        url,
        {
            "action": "dismiss_action",
            ACTION_CHECKBOX_NAME: [flag.pk],
            "confirm": "yes",
            "reason": "Accepted: the client insists on this freelancer.",
        },
    )
    flag.refresh_from_db()
    assert flag.resolution == RiskFlag.Resolution.DISMISSED
    assert flag.dismissed_by == admin_user
    assert flag.dismiss_note == "Accepted: the client insists on this freelancer."


def test_dismiss_action_passes_each_open_flag_the_user_and_the_note(staff, admin_user, monkeypatch):
    """The admin's side of dismissing, whatever the service does with it."""
    from tasks import services

    calls = []
    monkeypatch.setattr(
        services,
        "dismiss_flag",
        lambda flag, *, by, note: calls.append((flag.pk, by.pk, note)),
    )
    open_flag = factories.RiskFlagFactory()
    closed = factories.RiskFlagFactory(
        kind=RiskFlag.Kind.SINGLE_FREELANCER,
        resolved_at=timezone.now(),
        resolution=RiskFlag.Resolution.CLEARED,
    )
    selection = {"action": "dismiss_action", ACTION_CHECKBOX_NAME: [open_flag.pk, closed.pk]}
    url = _changelist(RiskFlag)
    blank = staff.post(url, {**selection, "confirm": "yes", "reason": ""})
    assert blank.status_code == 200 and calls == []
    response = staff.post(
        url, {**selection, "confirm": "yes", "reason": "Known risk."}, follow=True
    )
    assert calls == [(open_flag.pk, admin_user.pk, "Known risk.")]
    assert b"Dismissed:" in response.content
    only_closed = staff.post(url, {"action": "dismiss_action", ACTION_CHECKBOX_NAME: [closed.pk]})
    assert only_closed.status_code == 302
    assert len(calls) == 1


def test_flags_cannot_be_added_or_deleted_in_the_admin(staff):
    flag = factories.RiskFlagFactory()
    assert staff.get(reverse("admin:tasks_riskflag_add")).status_code == 403
    delete = reverse("admin:tasks_riskflag_delete", args=[flag.pk])
    assert staff.post(delete, {"post": "yes"}).status_code == 403
    assert RiskFlag.objects.filter(pk=flag.pk).exists()


def test_saving_a_task_in_the_admin_queues_a_scan(staff, django_capture_on_commit_callbacks):
    task = factories.TaskFactory(title="Old title")
    data = {
        "title": "New title",
        "description": "",
        "skill": task.skill_id,
        "status": "open",
        "budget": "500.00",
        "in_house_estimate": "800.00",
        "due_on": "",
        "assignments-TOTAL_FORMS": "0",
        "assignments-INITIAL_FORMS": "0",
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000",
        "oversight_entries-TOTAL_FORMS": "0",
        "oversight_entries-INITIAL_FORMS": "0",
        "oversight_entries-MIN_NUM_FORMS": "0",
        "oversight_entries-MAX_NUM_FORMS": "1000",
    }
    with django_capture_on_commit_callbacks() as callbacks:
        response = staff.post(reverse("admin:tasks_task_change", args=[task.pk]), data)
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.title == "New title"
    assert len(callbacks) >= 1


def test_two_active_rows_for_one_freelancer_in_the_task_inline_are_refused(staff):
    task = factories.TaskFactory()
    freelancer = factories.ApprovedFreelancerFactory()
    now = timezone.now().strftime("%Y-%m-%d %H:%M:%S")
    data = {
        "title": task.title,
        "skill": task.skill_id,
        "status": "open",
        "budget": "500.00",
        "in_house_estimate": "800.00",
        "assignments-TOTAL_FORMS": "2",
        "assignments-INITIAL_FORMS": "0",
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000",
        "oversight_entries-TOTAL_FORMS": "0",
        "oversight_entries-INITIAL_FORMS": "0",
        "oversight_entries-MIN_NUM_FORMS": "0",
        "oversight_entries-MAX_NUM_FORMS": "1000",
    }
    for i in range(2):
        data.update(
            {
                f"assignments-{i}-freelancer": freelancer.pk,
                f"assignments-{i}-role": "primary",
                f"assignments-{i}-assigned_at_0": now[:10],
                f"assignments-{i}-assigned_at_1": now[11:],
                f"assignments-{i}-task": task.pk,
            }
        )
    response = staff.post(reverse("admin:tasks_task_change", args=[task.pk]), data)
    assert response.status_code == 200
    assert b"listed twice as active" in response.content
    assert not Assignment.objects.exists()


def test_offboarding_in_the_admin_is_refused_while_the_freelancer_has_live_work(staff):
    from tests.factories import AssignmentFactory

    assignment = AssignmentFactory()
    freelancer = assignment.freelancer
    url = reverse("admin:freelancers_freelancer_change", args=[freelancer.pk])
    data = {
        "name": freelancer.name,
        "email": freelancer.email,
        "headline": freelancer.headline,
        "status": "offboarded",
        "reviews-TOTAL_FORMS": 0,
        "reviews-INITIAL_FORMS": 0,
        "portfolio_items-TOTAL_FORMS": 0,
        "portfolio_items-INITIAL_FORMS": 0,
        "vetting_decisions-TOTAL_FORMS": 0,
        "vetting_decisions-INITIAL_FORMS": 0,
    }
    response = staff.post(url, data)
    assert response.status_code == 200
    assert "still works on 1 live task" in response.content.decode()
    freelancer.refresh_from_db()
    assert freelancer.status == "active"


def test_pausing_in_the_admin_rescans_the_tasks_whose_replacement_it_was(
    staff, django_capture_on_commit_callbacks
):
    from tasks.models import RiskFlag
    from tasks.scanning import scan
    from tests.factories import ApprovedFreelancerFactory, AssignmentFactory, SkillFactory

    skill = SkillFactory()
    quinn = ApprovedFreelancerFactory(skills=[skill])
    task = AssignmentFactory(task__skill=skill, freelancer__skills=[skill]).task
    scan()
    flag = RiskFlag.objects.get(task=task, kind="single_freelancer")
    assert flag.severity == "medium"
    data = {
        "name": quinn.name,
        "email": quinn.email,
        "headline": quinn.headline,
        "skills": [skill.pk],
        "status": "paused",
        "reviews-TOTAL_FORMS": 0,
        "reviews-INITIAL_FORMS": 0,
        "portfolio_items-TOTAL_FORMS": 0,
        "portfolio_items-INITIAL_FORMS": 0,
        "vetting_decisions-TOTAL_FORMS": 0,
        "vetting_decisions-INITIAL_FORMS": 0,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(reverse("admin:freelancers_freelancer_change", args=[quinn.pk]), data)
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.severity == "high"


def test_freelancers_are_offboarded_not_deleted_in_the_admin(staff):
    from tests.factories import FreelancerFactory

    freelancer = FreelancerFactory()
    url = reverse("admin:freelancers_freelancer_delete", args=[freelancer.pk])
    assert staff.get(url).status_code == 403
    assert Freelancer.objects.filter(pk=freelancer.pk).exists()
