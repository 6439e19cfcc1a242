"""Helpers for the risk-scan tests: open flags as plain tuples, acknowledgements, bulk networks."""

import datetime
import itertools
import secrets
from decimal import Decimal

from django.utils import timezone

from freelancers.models import Freelancer, Skill
from sops.models import SOP, Acknowledgment, SOPVersion, sha256_text
from tasks.models import Assignment, RiskFlag, Task

K = RiskFlag.Kind
HIGH, MEDIUM = RiskFlag.Severity.HIGH, RiskFlag.Severity.MEDIUM


def open_flags() -> set[tuple]:
    """Open flags as (task_id, kind, assignment_id, severity)."""
    return set(
        RiskFlag.objects.filter(resolved_at__isnull=True).values_list(
            "task_id", "kind", "assignment_id", "severity"
        )
    )


def open_flag(task, kind, assignment=None) -> RiskFlag:
    return RiskFlag.objects.get(
        task=task, kind=kind, assignment=assignment, resolved_at__isnull=True
    )


def ack(freelancer: Freelancer, version: SOPVersion) -> Acknowledgment:
    """An acknowledgement row written directly, for any version (the service only accepts the
    current one); the chain hashes are random but unique, as the scan never reads them."""
    return Acknowledgment.objects.create(
        freelancer=freelancer,
        version=version,
        content_sha256=version.content_sha256,
        previous_hash=secrets.token_hex(32),
        record_hash=secrets.token_hex(32),
    )


def version(sop: SOP, number: int, *, material: bool = True) -> SOPVersion:
    body = f"# {sop.title}\n\nVersion {number}.\n"
    return SOPVersion.objects.create(
        sop=sop, number=number, body=body, material=material, content_sha256=sha256_text(body)
    )


_seq = itertools.count()


def build_network(n_tasks: int) -> None:
    """A network with every flag kind, built with bulk inserts: about n_tasks / 2 freelancers,
    two assignments per task on average, three SOPs, acknowledgements for some."""
    n = next(_seq)
    now = timezone.now()
    skills = Skill.objects.bulk_create(
        [Skill(name=f"Net{n} skill {i}", slug=f"net{n}-skill-{i}") for i in range(4)]
    )
    vetting = ["approved", "approved", "approved", "pending", "in_review", "rejected"]
    freelancers = Freelancer.objects.bulk_create(
        [
            Freelancer(
                name=f"Net{n} freelancer {i}",
                email=f"net{n}-{i}@example.com",
                vetting_status=vetting[i % len(vetting)],
                vetting_completed_at=(
                    now - datetime.timedelta(days=30)
                    if vetting[i % len(vetting)] == "approved"
                    else None
                ),
                status="active" if i % 7 else "paused",
            )
            for i in range(max(3, n_tasks // 2))
        ]
    )
    through = Freelancer.skills.through
    through.objects.bulk_create(
        [
            through(freelancer_id=f.pk, skill_id=skills[(i + j) % 4].pk)
            for i, f in enumerate(freelancers)
            for j in range(1 + i % 2)
        ]
    )
    sops = SOP.objects.bulk_create(
        [
            SOP(title=f"Net{n} SOP {i}", slug=f"net{n}-sop-{i}", applies_to_all=i == 0)
            for i in range(3)
        ]
    )
    versions = [version(sop, 1) for sop in sops] + [version(sops[1], 2)]
    statuses = ["open", "in_progress", "in_progress", "done", "cancelled"]
    tasks = Task.objects.bulk_create(
        [
            Task(
                title=f"Net{n} task {i}",
                skill=skills[i % 4] if i % 9 else None,
                is_core=i % 6 == 0,
                status=statuses[i % len(statuses)],
                budget=Decimal("100"),
                in_house_estimate=Decimal("150"),
            )
            for i in range(n_tasks)
        ]
    )
    task_sops = Task.required_sops.through
    task_sops.objects.bulk_create(
        [task_sops(task_id=t.pk, sop_id=sops[1 + i % 2].pk) for i, t in enumerate(tasks) if i % 2]
    )
    assignments = []
    for i, task in enumerate(tasks):
        for j in range(i % 4):  # 0 to 3 freelancers per task
            fl = freelancers[(i * 3 + j) % len(freelancers)]
            assignments.append(
                Assignment(
                    task=task,
                    freelancer=fl,
                    assigned_at=now - datetime.timedelta(days=40 if (i + j) % 5 == 0 else 10),
                    ended_at=now if (i + j) % 8 == 7 else None,
                )
            )
    Assignment.objects.bulk_create(assignments)
    Acknowledgment.objects.bulk_create(
        [
            Acknowledgment(
                freelancer=fl,
                version=v,
                content_sha256=v.content_sha256,
                previous_hash=secrets.token_hex(32),
                record_hash=secrets.token_hex(32),
            )
            for i, fl in enumerate(freelancers)
            for v in versions
            if (i + v.pk) % 3 == 0
        ]
    )
