"""Property: on random small networks the set-based scan leaves open exactly the flags that a
plain-Python reading of DOMAIN.md's table wants.

The reference below works from the generated description of the network, not from the
database, so it shares no code (and no SQL) with the scan. Each example is built inside a
savepoint that is rolled back afterwards: fast, and examples never see each other's rows.
"""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from freelancers.models import Freelancer, Skill
from sops.models import SOP, SOPVersion, sha256_text
from tasks.models import Assignment, RiskFlag, Task
from tasks.scanning import scan
from tests.tasks.scan_network import ack, open_flags

pytestmark = pytest.mark.django_db

BASE = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
KINDS = list(RiskFlag.Kind.values)
LIVE = {"open", "in_progress"}


def at(hour: int) -> datetime.datetime:
    return BASE + datetime.timedelta(hours=hour)


@st.composite
def networks(draw):
    n_skills = draw(st.integers(1, 3))
    skill = st.integers(0, n_skills - 1)
    freelancers = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "status": st.sampled_from(["active", "active", "paused", "offboarded"]),
                    "vetting": st.sampled_from(
                        ["approved", "approved", "pending", "in_review", "rejected"]
                    ),
                    # Approved freelancers always have a completion time (a database
                    # constraint); others sometimes keep a stale one.
                    "completed": st.integers(0, 6),
                    "stale_completed": st.booleans(),
                    "skills": st.sets(skill, max_size=n_skills),
                }
            ),
            min_size=1,
            max_size=6,
        )
    )
    sops = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "applies_to_all": st.booleans(),
                    "archived": st.integers(0, 4).map(lambda n: n == 0),
                    "versions": st.lists(st.booleans(), max_size=4),  # material or not
                }
            ),
            max_size=3,
        )
    )
    sop_index = st.integers(0, max(len(sops) - 1, 0))
    tasks = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "status": st.sampled_from(["open", "in_progress", "done", "cancelled"]),
                    "is_core": st.booleans(),
                    "skill": st.none() | skill,
                    "required": st.sets(sop_index, max_size=len(sops)) if sops else st.just(set()),
                }
            ),
            min_size=1,
            max_size=5,
        )
    )
    assignments = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "task": st.integers(0, len(tasks) - 1),
                    "freelancer": st.integers(0, len(freelancers) - 1),
                    "assigned": st.integers(0, 6),
                    "ended": st.integers(0, 3).map(lambda n: n == 0),
                }
            ),
            max_size=10,
        )
    )
    acks = draw(
        st.lists(
            st.tuples(st.integers(0, len(freelancers) - 1), sop_index, st.integers(0, 3)),
            max_size=12,
        )
    )
    # (kind, task index, assignment index): dismissed keys and stale open flags.
    key = st.tuples(st.sampled_from(KINDS), st.integers(0, len(tasks) - 1), st.integers(0, 9))
    dismissed = draw(st.lists(key, max_size=4))
    stale = draw(st.lists(key, max_size=4))
    return {
        "n_skills": n_skills,
        "freelancers": freelancers,
        "sops": sops,
        "tasks": tasks,
        "assignments": assignments,
        "acks": acks,
        "dismissed": dismissed,
        "stale": stale,
    }


def build(net: dict) -> dict:
    """Write the network; return the ids, and the assignments that were actually created."""
    skills = [
        Skill.objects.create(name=f"P skill {i}", slug=f"p-skill-{i}")
        for i in range(net["n_skills"])
    ]
    freelancers = []
    for i, spec in enumerate(net["freelancers"]):
        approved = spec["vetting"] == "approved"
        fl = Freelancer.objects.create(
            name=f"P{i}",
            email=f"p{i}@example.com",
            status=spec["status"],
            vetting_status=spec["vetting"],
            vetting_completed_at=(
                at(spec["completed"]) if approved or spec["stale_completed"] else None
            ),
        )
        fl.skills.set([skills[s] for s in spec["skills"]])
        freelancers.append(fl)
    sops, versions = [], []
    for i, spec in enumerate(net["sops"]):
        sop = SOP.objects.create(
            title=f"P SOP {i}",
            slug=f"p-sop-{i}",
            applies_to_all=spec["applies_to_all"],
            archived=spec["archived"],
        )
        sops.append(sop)
        versions.append(
            [
                SOPVersion.objects.create(
                    sop=sop,
                    number=n,
                    body=f"v{n}",
                    material=material,
                    content_sha256=sha256_text(f"v{n}"),
                )
                for n, material in enumerate(spec["versions"], start=1)
            ]
        )
    tasks = []
    for i, spec in enumerate(net["tasks"]):
        task = Task.objects.create(
            title=f"P task {i}",
            status=spec["status"],
            is_core=spec["is_core"],
            skill=skills[spec["skill"]] if spec["skill"] is not None else None,
        )
        task.required_sops.set([sops[s] for s in spec["required"]])
        tasks.append(task)
    created = []  # (spec, Assignment)
    active_pairs = set()
    for spec in net["assignments"]:
        pair = (spec["task"], spec["freelancer"])
        if not spec["ended"]:
            if pair in active_pairs:
                continue  # one active assignment per task and freelancer
            active_pairs.add(pair)
        assigned = at(spec["assigned"])
        created.append(
            (
                spec,
                Assignment.objects.create(
                    task=tasks[spec["task"]],
                    freelancer=freelancers[spec["freelancer"]],
                    assigned_at=assigned,
                    ended_at=assigned + datetime.timedelta(hours=1) if spec["ended"] else None,
                ),
            )
        )
    acked = set()  # (freelancer index, sop index, version number)
    for fl, s, v in net["acks"]:
        if not sops or v >= len(versions[s]) or (fl, s, v) in acked:
            continue
        acked.add((fl, s, v))
        version = versions[s][v]
        ack(freelancers[fl], version)

    def key_of(kind, task_index, assignment_index):
        """A flag key; assignment kinds use an assignment of that task, if there is one."""
        if kind in (RiskFlag.Kind.SINGLE_FREELANCER, RiskFlag.Kind.CORE_TASK_OUTSOURCED):
            return tasks[task_index], None
        if not created:
            return None
        assignment = created[assignment_index % len(created)][1]
        return assignment.task, assignment

    dismissed_keys = set()
    for kind, t, a in net["dismissed"]:
        key = key_of(kind, t, a)
        if key is None:
            continue
        task, assignment = key
        RiskFlag.objects.create(
            task=task,
            kind=kind,
            assignment=assignment,
            severity="low",
            resolved_at=at(0),
            resolution="dismissed",
            dismiss_note="accepted",
        )
        dismissed_keys.add((task.pk, kind, assignment.pk if assignment else None))
    stale_keys = set()
    for kind, t, a in net["stale"]:
        key = key_of(kind, t, a)
        if key is None:
            continue
        task, assignment = key
        ident = (task.pk, kind, assignment.pk if assignment else None)
        if ident in stale_keys:
            continue
        stale_keys.add(ident)
        RiskFlag.objects.create(task=task, kind=kind, assignment=assignment, severity="low")
    return {
        "freelancers": freelancers,
        "tasks": tasks,
        "created": created,
        "acked": acked,
        "dismissed": dismissed_keys,
    }


def reference(net: dict, ids: dict) -> set[tuple]:
    """DOMAIN.md's table, read literally, over the generated description."""
    fls, sops = net["freelancers"], net["sops"]

    def approved(i):
        return fls[i]["vetting"] == "approved"

    def current_number(s):
        """The version to acknowledge: the newest material one (numbers start at 1)."""
        material = [n for n, m in enumerate(sops[s]["versions"], start=1) if m]
        return max(material) if material else None

    def has_acknowledged(fl, s):
        number = current_number(s)
        return any(f == fl and sop == s and v + 1 >= number for f, sop, v in ids["acked"])

    wanted = set()
    for t, spec in enumerate(net["tasks"]):
        if spec["status"] not in LIVE:
            continue
        task_id = ids["tasks"][t].pk
        active = [
            (a_spec, a)
            for a_spec, a in ids["created"]
            if a_spec["task"] == t and not a_spec["ended"]
        ]
        people = {a_spec["freelancer"] for a_spec, _ in active}
        if len(people) == 1:
            (only,) = people
            if spec["skill"] is None:
                severity = "high"
            else:
                others = [
                    i
                    for i, fl in enumerate(fls)
                    if i != only
                    and fl["status"] == "active"
                    and approved(i)
                    and spec["skill"] in fl["skills"]
                ]
                severity = "medium" if others else "high"
            wanted.add((task_id, "single_freelancer", None, severity))
        if spec["is_core"] and active:
            wanted.add((task_id, "core_task_outsourced", None, "high"))
        required = {
            s
            for s in range(len(sops))
            if (s in spec["required"] or sops[s]["applies_to_all"])
            and not sops[s]["archived"]
            and current_number(s) is not None
        }
        for a_spec, a in active:
            fl = a_spec["freelancer"]
            if not approved(fl):
                wanted.add((task_id, "assigned_before_vetting", a.pk, "high"))
            elif a_spec["assigned"] < fls[fl]["completed"]:
                wanted.add((task_id, "assigned_before_vetting", a.pk, "medium"))
            if any(not has_acknowledged(fl, s) for s in required):
                wanted.add((task_id, "sop_not_acknowledged", a.pk, "medium"))
    return {w for w in wanted if (w[0], w[1], w[2]) not in ids["dismissed"]}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(net=networks())
def test_scan_leaves_open_exactly_the_flags_the_rules_want(net):
    with transaction.atomic():
        ids = build(net)
        expected = reference(net, ids)
        scan()
        assert open_flags() == expected
        scan()  # and again: nothing changes
        assert open_flags() == expected
        transaction.set_rollback(True)
