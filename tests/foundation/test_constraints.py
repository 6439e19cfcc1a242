"""The database itself refuses bad rows: writes here skip the model validators on purpose
(``QuerySet.update``, ``bulk_create``, raw SQL), so only the constraints stand in the way."""

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from sops.models import Acknowledgment
from sops.services import acknowledge
from tasks.models import Assignment, Payment, RiskFlag
from tests import factories

pytestmark = pytest.mark.django_db


def refused(callable_, *args, **kwargs):
    """Run a write in its own savepoint and say whether the database refused it."""
    try:
        with transaction.atomic():
            callable_(*args, **kwargs)
    except IntegrityError:
        return True
    return False


def test_database_refuses_a_rating_of_six():
    review = factories.ClientReviewFactory(rating=5)
    assert refused(lambda: type(review).objects.filter(pk=review.pk).update(rating=6))
    review.refresh_from_db()
    assert review.rating == 5


@pytest.mark.parametrize("rating", [0, 6])
def test_database_refuses_out_of_range_ratings_on_insert(rating):
    freelancer = factories.FreelancerFactory()
    review = factories.ClientReviewFactory.build(freelancer=freelancer, rating=rating)
    assert refused(lambda: type(review).objects.bulk_create([review]))


def test_database_accepts_ratings_one_to_five():
    freelancer = factories.FreelancerFactory()
    reviews = [
        factories.ClientReviewFactory.build(freelancer=freelancer, rating=r) for r in range(1, 6)
    ]
    type(reviews[0]).objects.bulk_create(reviews)
    assert freelancer.reviews.count() == 5


@pytest.mark.parametrize("amount", ["-10.00", "0.00"])
def test_database_refuses_a_payment_that_is_not_positive(amount):
    assignment = factories.AssignmentFactory()
    payment = Payment(assignment=assignment, amount=Decimal(amount), paid_on=timezone.localdate())
    assert refused(lambda: Payment.objects.bulk_create([payment]))
    assert not Payment.objects.exists()


def test_database_refuses_zeroing_an_existing_payment():
    payment = factories.PaymentFactory(amount=Decimal("100.00"))
    assert refused(lambda: Payment.objects.filter(pk=payment.pk).update(amount=0))


def test_database_refuses_negative_oversight_minutes_and_money_on_tasks():
    task = factories.TaskFactory()
    entry = factories.OversightEntryFactory(task=task)
    assert refused(lambda: type(entry).objects.filter(pk=entry.pk).update(minutes=0))
    assert refused(lambda: type(task).objects.filter(pk=task.pk).update(budget=-1))
    assert refused(lambda: type(task).objects.filter(pk=task.pk).update(in_house_estimate=-1))


def test_database_refuses_a_second_active_assignment_for_the_same_task_and_freelancer():
    first = factories.AssignmentFactory()
    second = Assignment(task=first.task, freelancer=first.freelancer, role=Assignment.Role.BACKUP)
    assert refused(lambda: Assignment.objects.bulk_create([second]))
    assert Assignment.objects.count() == 1


def test_a_new_assignment_is_allowed_once_the_earlier_one_ended():
    first = factories.AssignmentFactory(assigned_at=timezone.now() - datetime.timedelta(days=10))
    Assignment.objects.filter(pk=first.pk).update(ended_at=timezone.now())
    Assignment.objects.bulk_create([Assignment(task=first.task, freelancer=first.freelancer)])
    assert Assignment.objects.filter(task=first.task, freelancer=first.freelancer).count() == 2


def test_database_refuses_an_assignment_that_ends_before_it_starts():
    assignment = factories.AssignmentFactory()
    earlier = assignment.assigned_at - datetime.timedelta(days=1)
    assert refused(lambda: Assignment.objects.filter(pk=assignment.pk).update(ended_at=earlier))


def _published_version():
    sop = factories.SOPFactory()
    return factories.SOPVersionFactory(sop=sop)


def test_database_refuses_a_second_acknowledgment_for_the_same_freelancer_and_version():
    version = _published_version()
    freelancer = factories.ApprovedFreelancerFactory()
    first = acknowledge(freelancer, version, ip_address="203.0.113.5", user_agent="test")
    duplicate = Acknowledgment(
        freelancer=freelancer,
        version=version,
        acknowledged_at=timezone.now(),
        content_sha256=version.content_sha256,
        previous_hash=first.record_hash,
        record_hash="f" * 64,
    )
    assert refused(lambda: Acknowledgment.objects.bulk_create([duplicate]))
    assert Acknowledgment.objects.count() == 1


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE sops_acknowledgment SET user_agent = 'forged' WHERE id = %s",
        "UPDATE sops_acknowledgment SET acknowledged_at = acknowledged_at WHERE id = %s",
        "DELETE FROM sops_acknowledgment WHERE id = %s",
    ],
)
def test_database_trigger_refuses_changing_or_deleting_an_acknowledgment(statement):
    version = _published_version()
    freelancer = factories.ApprovedFreelancerFactory()
    ack = acknowledge(freelancer, version, ip_address=None, user_agent="original")
    assert connection.vendor in ("postgresql", "sqlite")  # the trigger exists on both
    with pytest.raises(DatabaseError, match="acknowledgements are evidence"):  # noqa: SIM117
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [ack.pk])
    stored = Acknowledgment.objects.get(pk=ack.pk)
    assert stored.user_agent == "original"
    assert stored.record_hash == ack.record_hash


def test_queryset_update_and_delete_of_acknowledgments_are_refused_too():
    version = _published_version()
    ack = acknowledge(
        factories.ApprovedFreelancerFactory(), version, ip_address=None, user_agent="ua"
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        Acknowledgment.objects.filter(pk=ack.pk).update(ip_address="10.0.0.1")
    with pytest.raises(DatabaseError), transaction.atomic():
        Acknowledgment.objects.filter(pk=ack.pk).delete()
    assert Acknowledgment.objects.filter(pk=ack.pk, ip_address=None).exists()


def _flag(task, assignment=None, **extra):
    return RiskFlag(
        task=task,
        kind=RiskFlag.Kind.SINGLE_FREELANCER
        if assignment is None
        else RiskFlag.Kind.ASSIGNED_BEFORE_VETTING,
        assignment=assignment,
        severity=RiskFlag.Severity.MEDIUM,
        **extra,
    )


def test_database_refuses_a_second_open_flag_for_the_same_task_and_kind_without_assignment():
    task = factories.TaskFactory()
    RiskFlag.objects.bulk_create([_flag(task)])
    assert refused(lambda: RiskFlag.objects.bulk_create([_flag(task)]))
    assert RiskFlag.objects.count() == 1


def test_database_refuses_a_second_open_flag_for_the_same_assignment():
    assignment = factories.AssignmentFactory()
    RiskFlag.objects.bulk_create([_flag(assignment.task, assignment)])
    assert refused(lambda: RiskFlag.objects.bulk_create([_flag(assignment.task, assignment)]))
    assert RiskFlag.objects.count() == 1


def test_open_flags_for_different_assignments_and_resolved_duplicates_are_allowed():
    task = factories.TaskFactory()
    first = factories.AssignmentFactory(task=task)
    second = factories.AssignmentFactory(task=task)
    resolved = {"resolved_at": timezone.now(), "resolution": RiskFlag.Resolution.CLEARED}
    RiskFlag.objects.bulk_create(
        [
            _flag(task, first),
            _flag(task, second),
            _flag(task, first, **resolved),
            _flag(task),
            _flag(task, **resolved),
        ]
    )
    assert RiskFlag.objects.count() == 5


def test_database_refuses_a_resolved_flag_without_a_resolution():
    flag = factories.RiskFlagFactory()
    assert refused(lambda: RiskFlag.objects.filter(pk=flag.pk).update(resolved_at=timezone.now()))
