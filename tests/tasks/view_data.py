"""Networks of a chosen size for the query-count tests of the task and flag pages."""

import datetime

from django.utils import timezone

from tasks.models import RiskFlag
from tests import factories


def build_tasks(n: int, *, skill=None, sops=()) -> list:
    """``n`` live tasks, each with a primary, a backup, an ended assignment, payments, oversight
    time and open and resolved flags of both kinds of scope (task and assignment)."""
    skill = skill or factories.SkillFactory(name="Copywriting")
    tasks = []
    for i in range(n):
        task = factories.TaskFactory(
            skill=skill,
            is_core=i % 2 == 0,
            status="in_progress",
            due_on=timezone.localdate() + datetime.timedelta(days=i),
            required_sops=list(sops),
        )
        primary = factories.AssignmentFactory(task=task, freelancer__skills=[skill])
        backup = factories.AssignmentFactory(
            task=task, role="backup", freelancer=factories.FreelancerFactory(skills=[skill])
        )
        ended = factories.AssignmentFactory(
            task=task,
            assigned_at=timezone.now() - datetime.timedelta(days=30),
            ended_at=timezone.now() - datetime.timedelta(days=10),
        )
        for assignment in (primary, backup, ended):
            factories.PaymentFactory.create_batch(2, assignment=assignment)
        factories.OversightEntryFactory.create_batch(2, task=task)
        factories.RiskFlagFactory(task=task, kind=RiskFlag.Kind.CORE_TASK_OUTSOURCED)
        factories.RiskFlagFactory(
            task=task,
            kind=RiskFlag.Kind.ASSIGNED_BEFORE_VETTING,
            assignment=backup,
            severity=RiskFlag.Severity.MEDIUM,
        )
        factories.RiskFlagFactory(
            task=task,
            kind=RiskFlag.Kind.SINGLE_FREELANCER,
            severity=RiskFlag.Severity.MEDIUM,
            resolved_at=timezone.now(),
            resolution=RiskFlag.Resolution.CLEARED,
        )
        tasks.append(task)
    return tasks
