"""``seed_demo``: a network that shows every feature, built the same way however often it runs."""

import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import F

from freelancers.models import Freelancer
from sops.models import GENESIS_HASH, Acknowledgment
from tasks.models import Assignment, RiskFlag

pytestmark = pytest.mark.django_db
User = get_user_model()


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    labels = ("freelancers", "sops", "tasks", "auth")
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in labels
    }


def test_running_twice_leaves_the_same_rows_for_every_model(settings):
    settings.DEBUG = False  # no password hashing: faster, and the counts are what matter here
    seed()
    first = counts()
    open_flags = set(
        RiskFlag.objects.filter(resolved_at__isnull=True).values_list(
            "task_id", "kind", "assignment_id"
        )
    )
    output = seed()
    assert counts() == first
    assert "nothing added" in output
    assert (
        set(
            RiskFlag.objects.filter(resolved_at__isnull=True).values_list(
                "task_id", "kind", "assignment_id"
            )
        )
        == open_flags
    )
    assert first["freelancers.Freelancer"] >= 20
    assert first["tasks.Task"] >= 50


def test_the_demo_shows_every_feature(settings):
    settings.DEBUG = False
    seed()
    # Every vetting state, and the paused and offboarded freelancers.
    states = set(Freelancer.objects.values_list("vetting_status", flat=True))
    assert states == {"pending", "in_review", "approved", "rejected"}
    assert Freelancer.objects.filter(status="paused").exists()
    assert Freelancer.objects.filter(status="offboarded").exists()
    assert Freelancer.objects.filter(vetting_decisions__override=True).exists()
    # Approved freelancers have the evidence the rules ask for.
    approved = Freelancer.objects.filter(vetting_status="approved").exclude(
        vetting_decisions__override=True
    )
    for freelancer in approved.distinct():
        assert freelancer.reviews.filter(verified=True).count() >= 2, freelancer
        assert freelancer.portfolio_items.filter(reviewed_at__isnull=False).exists(), freelancer
    # Assignments made before vetting finished, both ways.
    active = Assignment.objects.filter(
        ended_at__isnull=True, task__status__in=["open", "in_progress"]
    )
    assert active.filter(assigned_at__lt=F("freelancer__vetting_completed_at")).exists()
    assert active.exclude(freelancer__vetting_status="approved").exists()
    # After the scan, open flags of all four kinds.
    kinds = set(RiskFlag.objects.filter(resolved_at__isnull=True).values_list("kind", flat=True))
    assert kinds == set(RiskFlag.Kind.values)
    # SOPs: one for everybody, a material v2, a non-material v3, and partial acknowledgements.
    from sops.models import SOP

    assert SOP.objects.filter(applies_to_all=True).exists()
    assert SOP.objects.filter(versions__number=2, versions__material=True).exists()
    assert SOP.objects.filter(versions__number=3, versions__material=False).exists()
    assert Acknowledgment.objects.filter(
        version__number=1, version__sop__versions__number=2
    ).exists()
    # Money and time over the last year, and tasks whose savings fell well short.
    from tasks.models import OversightEntry, Payment

    months = {d.strftime("%Y-%m") for d in Payment.objects.values_list("paid_on", flat=True)}
    assert len(months) >= 10
    assert OversightEntry.objects.count() >= 50


def test_acknowledgments_are_a_valid_hash_chain(settings):
    settings.DEBUG = False
    seed()
    previous = GENESIS_HASH
    records = list(Acknowledgment.objects.order_by("id"))
    assert len(records) >= 20
    for record in records:
        assert record.previous_hash == previous
        assert record.record_hash == record.compute_hash()
        previous = record.record_hash


def test_logins_exist_with_roles_and_linked_freelancers(settings):
    settings.DEBUG = False
    output = seed()
    owner = User.objects.get(username="owner")
    assert owner.groups.filter(name="Owners").exists()
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    for username in ("ana", "ben"):
        freelancer = User.objects.get(username=username).freelancer
        assert freelancer.assignments.filter(ended_at__isnull=True).exists()
    ben = User.objects.get(username="ben").freelancer
    assert RiskFlag.objects.filter(
        kind="sop_not_acknowledged", assignment__freelancer=ben, resolved_at__isnull=True
    ).exists()
    # Without DEBUG and without the flag, nobody gets a known password.
    for username in ("owner", "admin", "ana", "ben"):
        assert not User.objects.get(username=username).has_usable_password()
    assert "changepassword" in output
    assert "demo-owner-pass" not in output


def test_demo_passwords_only_on_request(settings):
    settings.DEBUG = False
    output = seed("--with-demo-passwords")
    assert User.objects.get(username="owner").check_password("demo-owner-pass")
    assert User.objects.get(username="ben").check_password("demo-ben-pass")
    assert "demo-owner-pass" in output and "demo-ana-pass" in output
