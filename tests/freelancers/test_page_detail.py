"""The freelancer page: evidence, assignments, SOP status, spend, in a fixed number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from sops.services import acknowledge, create_sop, publish_sop_version
from tests import factories

pytestmark = pytest.mark.django_db


def detail(client, freelancer):
    response = client.get(reverse("freelancers:detail", args=[freelancer.pk]))
    assert response.status_code == 200
    return response


def test_shows_reviews_portfolio_checklist_and_badges(owner_client):
    ann = factories.FreelancerFactory(name="Ann")
    factories.ClientReviewFactory(freelancer=ann, client_name="Globex", rating=5)
    factories.ClientReviewFactory(freelancer=ann, client_name="Initech", rating=3, verified=False)
    factories.PortfolioItemFactory(freelancer=ann, title="Shop", reviewed_at=None)

    response = detail(owner_client, ann)

    html = response.content.decode()
    assert "Globex" in html and "Initech" in html and "Shop" in html
    assert "Mark verified" in html  # for Initech
    rules = {rule.code: rule.met for rule in response.context["checklist"]}
    assert rules == {"reviews": False, "rating": True, "portfolio": False}
    assert 'data-rule="reviews" data-met="no"' in html
    assert 'data-rule="rating" data-met="yes"' in html
    assert "Approve with an override" in html  # rules unmet: no plain Approve
    assert (
        'data-testid="vetting-badge"><span class="visually-hidden">Vetting: </span>Pending' in html
    )


def test_shows_active_and_past_assignments_and_spend_summed_in_the_database(owner_client):
    ann = factories.ApprovedFreelancerFactory(name="Ann")
    live = factories.AssignmentFactory(freelancer=ann, task__title="Landing page")
    factories.PaymentFactory(assignment=live, amount=Decimal("120.50"))
    factories.PaymentFactory(assignment=live, amount=Decimal("80.00"))
    past = factories.AssignmentFactory(
        freelancer=ann,
        task__title="Old brochure",
        role="backup",
        assigned_at=timezone.now() - datetime.timedelta(days=90),
    )
    past.ended_at = timezone.now() - datetime.timedelta(days=30)
    past.save()
    factories.PaymentFactory(assignment=past, amount=Decimal("300.00"))
    factories.PaymentFactory(amount=Decimal("999.00"))  # someone else's

    response = detail(owner_client, ann)

    assert [a.task.title for a in response.context["active_assignments"]] == ["Landing page"]
    assert [a.task.title for a in response.context["past_assignments"]] == ["Old brochure"]
    assert response.context["active_assignments"][0].paid == Decimal("200.50")
    spend = response.context["spend"]
    assert spend.total == Decimal("500.50") and spend.payments == 3
    html = response.content.decode()
    assert "500.50" in html
    assert reverse("tasks:detail", args=[live.task.pk]) in html


def test_sop_status_lists_what_is_acknowledged_and_what_is_owed(owner_client, owner):
    ann = factories.ApprovedFreelancerFactory(name="Ann")
    everyone = create_sop(title="Be kind", body="v1", by=owner, applies_to_all=True)
    invoicing = create_sop(title="Invoicing", body="v1", by=owner)
    create_sop(title="Unrelated", body="v1", by=owner)  # required by no task of Ann's
    archived = create_sop(title="Old way", body="v1", by=owner, applies_to_all=True)
    archived.archived = True
    archived.save()
    task = factories.TaskFactory(required_sops=[invoicing])
    factories.AssignmentFactory(freelancer=ann, task=task)
    acknowledge(ann, everyone.current_version, ip_address=None, user_agent="test")
    # A non-material edit keeps the acknowledgement valid; a material one on Invoicing is owed.
    publish_sop_version(
        everyone, body="v1 typo fixed", change_note="typo", by=owner, material=False
    )
    acknowledge(ann, invoicing.current_version, ip_address=None, user_agent="test")
    publish_sop_version(invoicing, body="v2", change_note="new rule", by=owner)

    response = detail(owner_client, ann)

    by_title = {o.sop.title: o for o in response.context["obligations"]}
    assert set(by_title) == {"Be kind", "Invoicing"}
    assert by_title["Be kind"].acknowledged and not by_title["Be kind"].owed
    assert by_title["Invoicing"].owed and by_title["Invoicing"].current_number == 2
    assert response.context["sops_owed"] == 1
    assert "Owes v2" in response.content.decode()


def test_sop_for_everyone_is_not_owed_without_live_work(owner_client, owner):
    ann = factories.ApprovedFreelancerFactory(name="Ann")
    create_sop(title="Be kind", body="v1", by=owner, applies_to_all=True)
    response = detail(owner_client, ann)
    [obligation] = response.context["obligations"]
    assert not obligation.required and not obligation.owed
    assert "Not yet required" in response.content.decode()


def build_profile(freelancer, owner, size: int) -> None:
    """Evidence, work, payments, SOPs and a bench around ``freelancer``, ``size`` of each."""
    skill = freelancer.skills.first()
    for i in range(size):
        factories.ClientReviewFactory(freelancer=freelancer)
        factories.PortfolioItemFactory(freelancer=freelancer)
        sop = create_sop(title=f"SOP {freelancer.pk}-{i}-{size}", body="x", by=owner)
        task = factories.TaskFactory(skill=skill, required_sops=[sop])
        assignment = factories.AssignmentFactory(freelancer=freelancer, task=task)
        factories.PaymentFactory(assignment=assignment)
        peer = factories.ApprovedFreelancerFactory(skills=[skill])
        factories.AssignmentFactory(freelancer=peer)
        if i % 2:
            factories.AssignmentFactory(freelancer=peer, task=task, role="backup")
            acknowledge(freelancer, sop.current_version, ip_address=None, user_agent="t")


def test_detail_queries_do_not_grow_with_the_data(owner_client, owner, django_assert_num_queries):
    skill = factories.SkillFactory(name="Design")
    small = factories.ApprovedFreelancerFactory(skills=[skill])
    large = factories.ApprovedFreelancerFactory(skills=[skill])
    build_profile(small, owner, 2)
    build_profile(large, owner, 12)
    detail(owner_client, small)  # warm up the session
    # 1 session, 2 user, 3 owner's groups, 4 the freelancer, 5 their skills, 6 bench of every
    # skill, 7 portfolio, 8 assignments with paid sums, 9-10 checklist (reviews aggregate,
    # reviewed items), 11 reviews, 12 SOP obligations, 13-15 what-if (tasks, benches,
    # candidates), 16 vetting log, 17 spend, 18 the login's freelancer (navigation).
    with django_assert_num_queries(18):
        detail(owner_client, small)
    with django_assert_num_queries(18):
        response = detail(owner_client, large)
    assert len(response.context["active_assignments"]) == 12
