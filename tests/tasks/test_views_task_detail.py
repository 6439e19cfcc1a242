"""The task page: its facts, the assignment picker with its confirmation step, ending an
assignment, and payments and oversight time added inline (htmx) or by a plain POST."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from freelancers.models import Freelancer
from tasks.models import Assignment, OversightEntry, Payment
from tests import factories
from tests.tasks.view_data import build_tasks

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def detail_url(task) -> str:
    return reverse("tasks:detail", args=[task.pk])


def assign_url(task) -> str:
    return reverse("tasks:assign", args=[task.pk])


# --- What the page shows --------------------------------------------------------------------


def test_page_shows_money_time_assignments_flags_and_sops(owner_client):
    sop = factories.SOPFactory(title="Handover checklist")
    task = factories.TaskFactory(
        title="Launch video",
        is_core=True,
        budget=Decimal("1200.00"),
        in_house_estimate=Decimal("2000.00"),
        required_sops=[sop],
    )
    active = factories.AssignmentFactory(task=task, freelancer__name="Ana Active")
    ended = factories.AssignmentFactory(
        task=task,
        freelancer__name="Eve Ended",
        assigned_at=timezone.now() - datetime.timedelta(days=20),
        ended_at=timezone.now() - datetime.timedelta(days=2),
    )
    factories.PaymentFactory(assignment=active, amount=Decimal("300.00"))
    factories.PaymentFactory(assignment=ended, amount=Decimal("150.50"))
    factories.OversightEntryFactory(task=task, minutes=90)
    factories.OversightEntryFactory(task=task, minutes=45)
    factories.RiskFlagFactory(task=task, detail="Core work is with Ana.")
    factories.RiskFlagFactory(
        task=task, kind="single_freelancer", resolved_at=timezone.now(), resolution="cleared"
    )

    response = owner_client.get(detail_url(task))

    money = response.context["money"]
    assert money.estimated_savings == Decimal("800.00")
    assert money.paid == Decimal("450.50")
    assert money.oversight_hours == Decimal("2.25")
    html = response.content.decode()
    for text in ("Launch video", "Core", "1,200.00", "2,000.00", "800.00", "450.50", "2.25"):
        assert text in html
    assert [a.freelancer.name for a in response.context["active_assignments"]] == ["Ana Active"]
    assert [a.freelancer.name for a in response.context["ended_assignments"]] == ["Eve Ended"]
    assert [f.kind for f in response.context["flags"]] == ["core_task_outsourced"]
    assert "Core work is with Ana." in html
    assert "Handover checklist" in html


def test_picker_lists_active_freelancers_with_the_skill_first(owner_client):
    skill = factories.SkillFactory(name="Copywriting")
    task = factories.TaskFactory(skill=skill)
    factories.AssignmentFactory(task=task, freelancer__name="Already On")
    factories.FreelancerFactory(name="Zed Skilled Pending", skills=[skill])
    factories.ApprovedFreelancerFactory(name="Yan Skilled Approved", skills=[skill])
    factories.ApprovedFreelancerFactory(name="Abe Other")
    factories.ApprovedFreelancerFactory(name="Pat Paused", status="paused", skills=[skill])

    response = owner_client.get(detail_url(task))

    form = response.context["assign_form"]
    groups = dict(form.fields["freelancer"].choices[1:])
    with_skill = [label for _, label in groups["With Copywriting"]]
    others = [label for _, label in groups["Other active freelancers"]]
    assert with_skill == [
        "Yan Skilled Approved — approved · 0 live tasks",
        "Zed Skilled Pending — NOT VETTED (pending) · 0 live tasks",
    ]
    assert others == ["Abe Other — approved · 0 live tasks"]
    html = response.content.decode()
    assert "Pat Paused" not in html.split('id="assign-card"')[1]
    # Bench depth: active, approved freelancers with the skill, including the one on the task
    # only if they have the skill (here they do not).
    assert response.context["task"].bench_depth == 1
    assert "Thin bench" in html


def test_finished_task_offers_no_picker(owner_client):
    task = factories.TaskFactory(status="done")
    response = owner_client.get(detail_url(task))
    assert response.context["assign_form"] is None
    assert "only open or in-progress tasks take new assignments" in response.content.decode()


# Queries: session, user, owner group check, the task with its totals and bench depth, its
# assignments with freelancers and paid sums, their payments, the picker's candidates, the
# latest oversight entries, the open flags, the required SOPs, and the navigation's portal
# profile check.
DETAIL_QUERIES = 11


@pytest.mark.parametrize("size", [1, 10])
def test_detail_queries_do_not_grow_with_the_data(owner_client, django_assert_num_queries, size):
    sops = factories.SOPFactory.create_batch(size)
    task = build_tasks(1, sops=sops)[0]
    for _ in range(size):
        extra = factories.AssignmentFactory(task=task, role="backup")
        factories.PaymentFactory.create_batch(2, assignment=extra)
        factories.RiskFlagFactory(task=task, kind="sop_not_acknowledged", assignment=extra)
        factories.OversightEntryFactory(task=task)
        factories.ApprovedFreelancerFactory(skills=[task.skill])
    with django_assert_num_queries(DETAIL_QUERIES):
        response = owner_client.get(detail_url(task))
    assert len(response.context["active_assignments"]) == 2 + size


# --- Assigning ------------------------------------------------------------------------------


def test_assigning_an_approved_freelancer_needs_no_confirmation(owner_client):
    task = factories.TaskFactory()
    freelancer = factories.ApprovedFreelancerFactory(skills=[task.skill])
    response = owner_client.post(assign_url(task), {"freelancer": freelancer.pk, "role": "backup"})
    assert response.status_code == 302
    assert response["Location"] == detail_url(task)
    assignment = Assignment.objects.get(task=task)
    assert (assignment.freelancer, assignment.role, assignment.ended_at) == (
        freelancer,
        "backup",
        None,
    )


@pytest.mark.parametrize("vetting", ["pending", "in_review", "rejected"])
def test_unvetted_freelancer_needs_confirmation(owner_client, vetting):
    task = factories.TaskFactory()
    freelancer = factories.FreelancerFactory(name="Nova New", vetting_status=vetting)

    response = owner_client.post(assign_url(task), {"freelancer": freelancer.pk, "role": "primary"})

    assert response.status_code == 200
    assert not Assignment.objects.exists()
    html = response.content.decode()
    assert "Nova New has not passed vetting" in html
    assert "Tick this box to assign anyway." in html
    assert 'name="confirm"' in html
    # What was chosen is kept for the second submit.
    assert f'value="{freelancer.pk}" selected' in html

    response = owner_client.post(
        assign_url(task), {"freelancer": freelancer.pk, "role": "primary", "confirm": "on"}
    )
    assert response.status_code == 302
    assert Assignment.objects.get(task=task).freelancer == freelancer


def test_core_task_needs_confirmation_even_for_an_approved_freelancer(owner_client):
    task = factories.TaskFactory(is_core=True)
    freelancer = factories.ApprovedFreelancerFactory()

    response = owner_client.post(assign_url(task), {"freelancer": freelancer.pk, "role": "primary"})
    assert response.status_code == 200
    assert "This is a core task" in response.content.decode()
    assert not Assignment.objects.exists()

    owner_client.post(
        assign_url(task), {"freelancer": freelancer.pk, "role": "primary", "confirm": "on"}
    )
    assert Assignment.objects.filter(task=task, freelancer=freelancer).exists()


def test_htmx_assign_returns_the_picker_with_the_warning_then_redirects(owner_client):
    task = factories.TaskFactory()
    freelancer = factories.FreelancerFactory()

    response = owner_client.post(
        assign_url(task), {"freelancer": freelancer.pk, "role": "backup"}, **HTMX
    )
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "tasks/partials/assign_form.html"
    assert "Assign anyway" in response.content.decode()

    response = owner_client.post(
        assign_url(task), {"freelancer": freelancer.pk, "role": "backup", "confirm": "on"}, **HTMX
    )
    assert response["HX-Redirect"] == detail_url(task)
    assert Assignment.objects.filter(task=task, freelancer=freelancer, role="backup").exists()


def test_duplicate_active_assignment_is_refused_with_a_clear_message(owner_client):
    task = factories.TaskFactory()
    existing = factories.AssignmentFactory(task=task, freelancer__name="Dana Double")

    response = owner_client.post(
        assign_url(task),
        {"freelancer": existing.freelancer.pk, "role": "backup", "confirm": "on"},
    )

    assert response.status_code == 200
    assert "Dana Double already works on this task." in response.content.decode()
    assert Assignment.objects.filter(task=task).count() == 1


def test_a_freelancer_whose_assignment_ended_can_be_assigned_again(owner_client):
    task = factories.TaskFactory()
    old = factories.AssignmentFactory(
        task=task,
        assigned_at=timezone.now() - datetime.timedelta(days=5),
        ended_at=timezone.now() - datetime.timedelta(days=1),
    )
    response = owner_client.post(
        assign_url(task), {"freelancer": old.freelancer.pk, "role": "primary"}
    )
    assert response.status_code == 302
    assert task.assignments.filter(ended_at__isnull=True, freelancer=old.freelancer).exists()


def test_paused_freelancer_cannot_be_assigned(owner_client):
    task = factories.TaskFactory()
    paused = factories.ApprovedFreelancerFactory(status=Freelancer.Status.PAUSED)
    response = owner_client.post(assign_url(task), {"freelancer": paused.pk, "role": "primary"})
    assert response.status_code == 200
    assert "paused or offboarded ones take no work" in response.content.decode()
    assert not Assignment.objects.exists()


def test_finished_task_refuses_assignments_with_a_message(owner_client):
    task = factories.TaskFactory(status="done")
    freelancer = factories.ApprovedFreelancerFactory()
    response = owner_client.post(assign_url(task), {"freelancer": freelancer.pk, "role": "primary"})
    assert response.status_code == 200
    assert "Only open or in-progress tasks take new assignments." in response.content.decode()
    assert not Assignment.objects.exists()


def test_assigning_queues_a_scan_of_the_task_after_commit(
    owner_client, django_capture_on_commit_callbacks, monkeypatch
):
    from tasks import jobs

    queued = []
    monkeypatch.setattr(jobs.scan_task, "apply_async", lambda args: queued.append(args))
    task = factories.TaskFactory()
    freelancer = factories.ApprovedFreelancerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(assign_url(task), {"freelancer": freelancer.pk, "role": "primary"})
    assert (task.pk,) in queued


# --- Ending an assignment -------------------------------------------------------------------


def test_ending_an_assignment_keeps_the_row_and_its_payments(owner_client):
    assignment = factories.AssignmentFactory(
        assigned_at=timezone.now() - datetime.timedelta(days=3)
    )
    factories.PaymentFactory(assignment=assignment)
    url = reverse("tasks:end_assignment", args=[assignment.task_id, assignment.pk])

    response = owner_client.post(url)

    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.ended_at is not None
    assert assignment.payments.count() == 1

    response = owner_client.post(url, follow=True)
    assert "This assignment has already ended." in response.content.decode()


def test_ending_an_assignment_of_another_task_is_404(owner_client):
    assignment = factories.AssignmentFactory()
    other = factories.TaskFactory()
    url = reverse("tasks:end_assignment", args=[other.pk, assignment.pk])
    assert owner_client.post(url).status_code == 404
    assignment.refresh_from_db()
    assert assignment.ended_at is None


# --- Payments inline ------------------------------------------------------------------------


def payment_data(assignment, **values) -> dict:
    data = {"amount": "250.00", "paid_on": timezone.localdate().isoformat(), "note": "March"}
    data.update(values)
    return {f"pay{assignment.pk}-{name}": value for name, value in data.items()}


def payment_url(assignment) -> str:
    return reverse("tasks:add_payment", args=[assignment.task_id, assignment.pk])


def test_htmx_payment_returns_the_partial_with_the_new_total(owner_client):
    assignment = factories.AssignmentFactory()
    factories.PaymentFactory(assignment=assignment, amount=Decimal("100.00"))

    response = owner_client.post(payment_url(assignment), payment_data(assignment), **HTMX)

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "tasks/partials/payments.html"
    html = response.content.decode()
    assert f'id="payments-{assignment.pk}"' in html
    assert "Payment recorded." in html
    assert 'id="task-money" hx-swap-oob="true"' in html
    assert '<span id="task-paid">350.00</span>' in html
    assert "<html" not in html
    payment = Payment.objects.get(note="March")
    assert (payment.amount, payment.assignment) == (Decimal("250.00"), assignment)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5", "Enter an amount greater than zero."),
        ("0", "Enter an amount greater than zero."),
        ("abc", "Enter a number."),
        ("", "This field is required."),
    ],
)
def test_htmx_invalid_payment_shows_the_error_and_writes_nothing(owner_client, amount, message):
    assignment = factories.AssignmentFactory()
    response = owner_client.post(
        payment_url(assignment), payment_data(assignment, amount=amount), **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "hx-swap-oob" not in html
    assert "March" in html  # what was typed is kept
    assert not Payment.objects.exists()


def test_payment_dated_in_the_future_is_refused(owner_client):
    assignment = factories.AssignmentFactory()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = owner_client.post(
        payment_url(assignment), payment_data(assignment, paid_on=tomorrow.isoformat()), **HTMX
    )
    assert "A payment cannot be dated in the future." in response.content.decode()
    assert not Payment.objects.exists()


def test_payment_without_htmx_redirects_or_shows_the_page_with_errors(owner_client):
    assignment = factories.AssignmentFactory()

    response = owner_client.post(payment_url(assignment), payment_data(assignment))
    assert response.status_code == 302
    assert response["Location"].endswith(f"#assignment-{assignment.pk}")
    assert Payment.objects.count() == 1

    response = owner_client.post(payment_url(assignment), payment_data(assignment, amount="-1"))
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert "Enter an amount greater than zero." in response.content.decode()
    assert Payment.objects.count() == 1


def test_payment_to_an_ended_assignment_is_allowed(owner_client):
    assignment = factories.AssignmentFactory(
        assigned_at=timezone.now() - datetime.timedelta(days=9),
        ended_at=timezone.now() - datetime.timedelta(days=1),
    )
    owner_client.post(payment_url(assignment), payment_data(assignment), **HTMX)
    assert assignment.payments.count() == 1


# --- Oversight inline -----------------------------------------------------------------------


def oversight_url(task) -> str:
    return reverse("tasks:add_oversight", args=[task.pk])


def test_htmx_oversight_returns_the_partial_with_the_new_hours(owner_client, owner):
    task = factories.TaskFactory()
    factories.OversightEntryFactory(task=task, minutes=30)

    response = owner_client.post(
        oversight_url(task),
        {"minutes": "60", "logged_on": timezone.localdate().isoformat(), "note": "Review call"},
        **HTMX,
    )

    assert [t.name for t in response.templates][0] == "tasks/partials/oversight.html"
    html = response.content.decode()
    assert "Time logged." in html
    assert 'id="task-money" hx-swap-oob="true"' in html
    assert '<span id="task-oversight-hours">1.50</span>' in html
    entry = OversightEntry.objects.get(note="Review call")
    assert (entry.minutes, entry.logged_by) == (60, owner)


@pytest.mark.parametrize(
    ("minutes", "logged_on", "message"),
    [
        ("0", None, "Enter at least one minute."),
        ("-15", None, "Enter at least one minute."),
        ("2000", None, "Enter at most 1,440 minutes"),
        ("30", "2024-02-30", "Enter a real date (YYYY-MM-DD)."),
        ("30", "2999-01-01", "Time cannot be logged in the future."),
    ],
)
def test_htmx_invalid_oversight_shows_the_error_and_writes_nothing(
    owner_client, minutes, logged_on, message
):
    task = factories.TaskFactory()
    response = owner_client.post(
        oversight_url(task),
        {
            "minutes": minutes,
            "logged_on": logged_on or timezone.localdate().isoformat(),
            "note": "Typed note",
        },
        **HTMX,
    )
    html = response.content.decode()
    assert message in html
    assert "Typed note" in html
    assert "hx-swap-oob" not in html
    assert not OversightEntry.objects.exists()


def test_oversight_without_htmx_redirects(owner_client):
    task = factories.TaskFactory()
    response = owner_client.post(
        oversight_url(task), {"minutes": "20", "logged_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#oversight")
    assert task.oversight_entries.get().minutes == 20


def test_picker_offers_primary_until_the_task_has_one(owner_client):
    task = factories.TaskFactory()
    assert owner_client.get(detail_url(task)).context["assign_form"]["role"].value() == "primary"
    factories.AssignmentFactory(task=task, role="primary")
    assert owner_client.get(detail_url(task)).context["assign_form"]["role"].value() == "backup"


def test_large_networks_cut_the_picker_and_search_finds_the_others(owner_client, monkeypatch):
    from tasks import selectors

    monkeypatch.setattr(selectors, "CANDIDATE_LIMIT", 2)
    skill = factories.SkillFactory(name="SEO")
    task = factories.TaskFactory(skill=skill)
    factories.ApprovedFreelancerFactory(name="Amy Skilled", skills=[skill])
    factories.FreelancerFactory(name="Bob Skilled", skills=[skill])
    zoe = factories.ApprovedFreelancerFactory(name="Zoe Elsewhere", email="zoe@example.org")

    response = owner_client.get(detail_url(task))
    candidates = response.context["assign_form"].candidates
    assert [f.name for f in candidates.freelancers] == ["Amy Skilled", "Bob Skilled"]
    assert candidates.more
    assert "search to find others" in response.content.decode()

    response = owner_client.get(detail_url(task), {"who": "zoe@"})
    assert [f.name for f in response.context["assign_form"].candidates.freelancers] == [
        "Zoe Elsewhere"
    ]

    # Zoe was found by a search; a confirmation round-trip keeps her in the picker.
    task.is_core = True
    task.save()
    response = owner_client.post(assign_url(task), {"freelancer": zoe.pk, "role": "backup"})
    assert f'value="{zoe.pk}" selected' in response.content.decode()


def test_money_card_shows_the_realised_savings_with_the_domain_formulas(owner_client, settings):
    """In-house 1000, payments 400 and 200, 120 minutes at 50 an hour: investment 700.00,
    realised 300.00, overhead 100 / 600 = 17 %."""
    settings.OWNER_HOURLY_RATE = Decimal("50")
    task = factories.TaskFactory(in_house_estimate=Decimal("1000"), budget=Decimal("500"))
    assignment = factories.AssignmentFactory(task=task)
    factories.PaymentFactory(assignment=assignment, amount=Decimal("400"))
    factories.PaymentFactory(assignment=assignment, amount=Decimal("200"))
    factories.OversightEntryFactory(task=task, minutes=120)
    money = owner_client.get(detail_url(task)).context["money"]
    assert money.oversight_cost == Decimal("100.00")
    assert money.investment == Decimal("700.00")
    assert money.realised_savings == Decimal("300.00")
    assert round(money.overhead, 4) == Decimal("0.1667")


def test_an_inline_payment_refreshes_the_whole_money_card(owner_client):
    task = factories.TaskFactory(in_house_estimate=Decimal("1000"))
    assignment = factories.AssignmentFactory(task=task)
    response = owner_client.post(payment_url(assignment), payment_data(assignment), **HTMX)
    body = response.content.decode()
    assert 'id="task-money" hx-swap-oob="true"' in body
    assert '<span id="task-realised">750.00</span>' in body
