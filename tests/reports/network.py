"""A small network of every kind of row the reports read, at a chosen size.

Used to prove the query counts do not grow with the data, and to look at the pages.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from freelancers.models import Freelancer
from tasks.models import Assignment, OversightEntry, Payment, RiskFlag, Task
from tests import factories


def build_network(size: int, *, today: datetime.date | None = None) -> None:
    """``size`` tasks spread over a year, each with money, oversight and some flags."""
    today = today or timezone.localdate()
    skills = [factories.SkillFactory(name=f"Skill {i}", slug=f"skill-{i}") for i in range(4)]
    freelancers = [
        factories.ApprovedFreelancerFactory(skills=[skills[i % 3]])
        for i in range(max(3, size // 2))
    ]
    factories.FreelancerFactory(vetting_status=Freelancer.Vetting.IN_REVIEW)
    now = timezone.now()
    for i in range(size):
        task = Task.objects.create(
            title=f"Task {i}" if i % 5 else f'=HYPERLINK("http://evil","{i}")',
            skill=skills[i % 4] if i % 7 else None,
            is_core=i % 6 == 0,
            status=[Task.Status.IN_PROGRESS, Task.Status.DONE, Task.Status.OPEN][i % 3],
            # Every fourth task cost more than its budget: "Are we overestimating?" has rows.
            budget=Decimal(200 if i % 4 == 1 else 400 + 10 * i),
            in_house_estimate=Decimal(900 + 15 * i),
        )
        first = freelancers[i % len(freelancers)]
        second = freelancers[(i + 1) % len(freelancers)]
        primary = Assignment.objects.create(task=task, freelancer=first, assigned_at=now)
        backup = Assignment.objects.create(
            task=task, freelancer=second, role=Assignment.Role.BACKUP, assigned_at=now
        )
        paid_on = today - datetime.timedelta(days=(i * 37) % 330)
        Payment.objects.bulk_create(
            [
                Payment(assignment=primary, amount=Decimal("150.25") + i, paid_on=paid_on),
                Payment(assignment=primary, amount=Decimal("99.75"), paid_on=today),
                Payment(assignment=backup, amount=Decimal("40.00"), paid_on=today),
            ]
        )
        OversightEntry.objects.bulk_create(
            [
                OversightEntry(task=task, minutes=45 + i % 30, logged_on=paid_on),
                OversightEntry(task=task, minutes=20, logged_on=today),
            ]
        )
        kinds = list(RiskFlag.Kind)
        kind = kinds[i % len(kinds)]
        per_assignment = kind in (
            RiskFlag.Kind.SOP_NOT_ACKNOWLEDGED,
            RiskFlag.Kind.ASSIGNED_BEFORE_VETTING,
        )
        RiskFlag.objects.create(
            task=task,
            kind=kind,
            assignment=primary if per_assignment else None,
            freelancer=primary.freelancer if per_assignment else None,
            severity=[RiskFlag.Severity.HIGH, RiskFlag.Severity.MEDIUM][i % 2],
            raised_at=now - datetime.timedelta(days=i % 10),
        )
