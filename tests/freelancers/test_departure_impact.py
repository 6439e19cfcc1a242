""" "What if this freelancer leaves?" on a network built by hand, and on its page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from freelancers.models import Freelancer
from freelancers.selectors import departure_impact
from tests import factories

pytestmark = pytest.mark.django_db


def end(assignment):
    assignment.ended_at = timezone.now()
    assignment.save()


@pytest.fixture
def network():
    design = factories.SkillFactory(name="Design")
    copy = factories.SkillFactory(name="Copy")
    video = factories.SkillFactory(name="Video")
    seo = factories.SkillFactory(name="SEO")
    ann = factories.ApprovedFreelancerFactory(name="Ann", skills=[design, copy, video])
    bob = factories.ApprovedFreelancerFactory(name="Bob", skills=[design])
    cat = factories.ApprovedFreelancerFactory(name="Cat", skills=[design])
    dan = factories.FreelancerFactory(name="Dan", skills=[copy])  # pending: could be vetted
    factories.ApprovedFreelancerFactory(name="Eve", skills=[copy], status="paused")
    factories.FreelancerFactory(name="Fay", skills=[video], vetting_status="rejected")
    gus = factories.ApprovedFreelancerFactory(name="Gus", skills=[seo])

    t1 = factories.TaskFactory(title="T1 logo", skill=design)  # Ann alone -> orphaned
    factories.AssignmentFactory(task=t1, freelancer=ann)
    t2 = factories.TaskFactory(title="T2 blog", skill=copy, status="in_progress")
    factories.AssignmentFactory(task=t2, freelancer=ann)
    factories.AssignmentFactory(task=t2, freelancer=bob, role="backup")  # covered
    t3 = factories.TaskFactory(title="T3 done", skill=design, status="done")
    factories.AssignmentFactory(task=t3, freelancer=ann)  # not live: ignored
    t4 = factories.TaskFactory(title="T4 reel", skill=video)
    factories.AssignmentFactory(task=t4, freelancer=ann)
    end(factories.AssignmentFactory(task=t4, freelancer=cat))  # ended: does not cover
    t5 = factories.TaskFactory(title="T5 audit", skill=seo)  # a skill Ann lacks
    factories.AssignmentFactory(task=t5, freelancer=ann)
    t6 = factories.TaskFactory(title="T6 misc", skill=None)
    factories.AssignmentFactory(task=t6, freelancer=ann)
    t7 = factories.TaskFactory(title="T7 bob's own", skill=design)
    factories.AssignmentFactory(task=t7, freelancer=bob)
    return {"ann": ann, "bob": bob, "cat": cat, "dan": dan, "gus": gus}


def test_tasks_left_with_nobody_and_their_candidates(network):
    impact = departure_impact(Freelancer.objects.get(pk=network["ann"].pk))

    orphaned = {item.task.title: item for item in impact.orphaned_tasks}
    assert list(orphaned) == ["T1 logo", "T4 reel", "T5 audit", "T6 misc"]
    assert [t.title for t in impact.covered_tasks] == ["T2 blog"]
    # Least loaded first: Cat has no live task (her T4 assignment ended), Bob has two.
    assert [(c.name, c.load) for c in orphaned["T1 logo"].candidates] == [("Cat", 0), ("Bob", 2)]
    assert orphaned["T4 reel"].candidates == []  # Fay is rejected
    assert orphaned["T4 reel"].to_vet == []
    assert [c.name for c in orphaned["T5 audit"].candidates] == ["Gus"]
    assert orphaned["T6 misc"].candidates == []


def test_skills_whose_bench_becomes_thin_or_empty(network):
    impact = departure_impact(network["ann"])

    changes = {c.skill.name: c for c in impact.thin_skills}
    # Design keeps Bob and Cat (3 -> 2): not thin, so not listed. SEO is not Ann's skill.
    assert set(changes) == {"Copy", "Video"}
    assert (changes["Copy"].bench_now, changes["Copy"].bench_after) == (1, 0)
    assert changes["Copy"].empty
    assert changes["Copy"].candidates == []  # Eve is paused
    assert [c.name for c in changes["Copy"].to_vet] == ["Dan"]
    assert (changes["Video"].bench_now, changes["Video"].bench_after) == (1, 0)
    assert impact.on_bench and impact.skills_checked == 3 and impact.has_empty


def test_a_freelancer_off_the_bench_changes_no_bench(network):
    impact = departure_impact(network["dan"])  # pending, skill Copy (bench: Ann)
    assert not impact.on_bench
    [copy] = impact.thin_skills
    assert (copy.bench_now, copy.bench_after) == (1, 1)
    assert [c.name for c in copy.candidates] == ["Ann"]
    assert impact.orphaned_tasks == [] and impact.covered_tasks == []


def test_a_freelancer_with_backups_everywhere_is_harmless(network):
    impact = departure_impact(network["gus"])
    # Gus has SEO only and no task; bench of SEO is 1 -> 0: that is the one risk.
    assert impact.orphaned_tasks == []
    assert [c.skill.name for c in impact.thin_skills] == ["SEO"]
    cat = departure_impact(network["cat"])  # Design stays at 2 without her
    assert cat.harmless


def test_panel_on_the_page_shows_the_figures(owner_client, network):
    response = owner_client.get(reverse("freelancers:detail", args=[network["ann"].pk]))
    html = response.content.decode()
    assert 'data-testid="orphaned-count">4<' in html
    assert 'data-testid="thin-count">2<' in html
    assert "What if Ann leaves?" in html
    assert "Could be vetted" in html and ">Dan</a>" in html
    assert "1 other live task keeps another assignee." in html


def test_impact_takes_three_queries_whatever_the_network(network, django_assert_num_queries):
    ann = network["ann"]
    with django_assert_num_queries(3):
        departure_impact(ann)
    skill = ann.skills.first()
    for _ in range(15):
        peer = factories.ApprovedFreelancerFactory(skills=[skill])
        task = factories.TaskFactory(skill=skill)
        factories.AssignmentFactory(task=task, freelancer=ann)
        factories.AssignmentFactory(freelancer=peer)
    with django_assert_num_queries(3):
        impact = departure_impact(ann)
    assert len(impact.orphaned_tasks) == 19
