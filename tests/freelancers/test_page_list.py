"""The freelancer list: filters, search, pagination and a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from freelancers.models import Freelancer
from tests import factories

pytestmark = pytest.mark.django_db

LIST = reverse("freelancers:list")


def names(response) -> list[str]:
    return [f.name for f in response.context["page"].object_list]


def build_network(size: int, skills) -> None:
    """``size`` freelancers with skills, live and ended assignments, reviews."""
    for i in range(size):
        person = factories.ApprovedFreelancerFactory(skills=skills[: 1 + i % len(skills)])
        factories.ClientReviewFactory(freelancer=person)
        assignment = factories.AssignmentFactory(
            freelancer=person, task=factories.TaskFactory(skill=skills[0])
        )
        factories.PaymentFactory(assignment=assignment)
        if i % 2:
            factories.AssignmentFactory(freelancer=person, task__skill=skills[1])


def test_list_shows_skills_bench_vetting_status_and_live_work(owner_client):
    design = factories.SkillFactory(name="Design")
    seo = factories.SkillFactory(name="SEO")
    ann = factories.ApprovedFreelancerFactory(name="Ann", skills=[design, seo])
    factories.ApprovedFreelancerFactory(name="Bob", skills=[design])
    factories.FreelancerFactory(name="Cid", skills=[seo])  # pending: not on the bench
    factories.AssignmentFactory(freelancer=ann)
    factories.AssignmentFactory(freelancer=ann, task__status="done")  # not live
    ended = factories.AssignmentFactory(freelancer=ann)
    ended.ended_at = ended.assigned_at
    ended.save()

    response = owner_client.get(LIST)

    rows = {f.name: f for f in response.context["page"].object_list}
    assert rows["Ann"].live_assignments == 1
    assert rows["Bob"].live_assignments == 0
    bench = {s.name: s.bench for s in rows["Ann"].skills.all()}
    assert bench == {"Design": 2, "SEO": 1}
    html = response.content.decode()
    assert 'Design <span class="bench-count">· bench 2</span>' in html
    assert "bench-thin" in html  # SEO has a bench of 1
    assert "Pending" in html and "Approved" in html


def test_filters_by_skill_status_vetting_and_text(owner_client):
    design = factories.SkillFactory(name="Design", slug="design")
    factories.ApprovedFreelancerFactory(
        name="Ann Lee", email="ann@studio.test", headline="Logos", skills=[design]
    )
    factories.FreelancerFactory(name="Bob Roy", email="bob@books.test", headline="Bookkeeping")
    factories.ApprovedFreelancerFactory(name="Cat Poe", status="paused", headline="Brand design")

    assert names(owner_client.get(LIST, {"skill": "design"})) == ["Ann Lee"]
    assert names(owner_client.get(LIST, {"status": "paused"})) == ["Cat Poe"]
    assert names(owner_client.get(LIST, {"vetting_status": "pending"})) == ["Bob Roy"]
    assert names(owner_client.get(LIST, {"q": "STUDIO"})) == ["Ann Lee"]  # email
    assert names(owner_client.get(LIST, {"q": "books"})) == ["Bob Roy"]
    assert names(owner_client.get(LIST, {"q": "design"})) == ["Cat Poe"]  # headline
    assert names(owner_client.get(LIST, {"q": "roy"})) == ["Bob Roy"]  # name
    both = owner_client.get(LIST, {"vetting_status": "approved", "status": "active"})
    assert names(both) == ["Ann Lee"]


def test_unknown_filter_values_are_ignored_not_a_500(owner_client):
    factories.FreelancerFactory(name="Ann")
    response = owner_client.get(LIST, {"status": "bogus", "skill": "nope", "page": "x"})
    assert response.status_code == 200
    assert names(response) == ["Ann"]
    assert "These filters were ignored" in response.content.decode()


def test_paginates_25_per_page_and_keeps_filters_in_page_links(owner_client):
    for i in range(30):
        factories.FreelancerFactory(name=f"Person {i:02d}", headline="Writer")
    first = owner_client.get(LIST, {"q": "writer"})
    assert len(names(first)) == 25
    assert "?q=writer&amp;page=2" in first.content.decode()
    second = owner_client.get(LIST, {"q": "writer", "page": 2})
    assert names(second) == [f"Person {i:02d}" for i in range(25, 30)]


def test_htmx_request_gets_only_the_results(owner_client):
    factories.FreelancerFactory(name="Ann")
    response = owner_client.get(LIST, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"Ann" in response.content
    assert "HX-Request" in response["Vary"]


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_queries_do_not_grow_with_rows(owner_client, django_assert_num_queries):
    skills = [factories.SkillFactory(name=f"S{i}") for i in range(3)]
    owner_client.get(LIST)  # warm the session and the owner's group lookup
    build_network(3, skills)
    small = count_queries(owner_client, LIST)
    build_network(40, skills)
    # 1 session, 2 user, 3 owner's groups, 4 COUNT(*) for the paginator, 5 the page of
    # freelancers, 6 their skills (prefetch), 7 the bench of every skill, 8 live-assignment
    # counts of the page's freelancers, 9 the login's freelancer (navigation), 10 the skill
    # choices of the filter.
    with django_assert_num_queries(10):
        owner_client.get(LIST)
    # Filtering by skill adds the lookup of the chosen skill (its slug is validated).
    with django_assert_num_queries(11):
        owner_client.get(LIST, {"skill": skills[0].slug, "q": "free", "page": 2})
    assert small == 10
    assert Freelancer.objects.count() == 43
