"""SOP services: version numbering, immutable versions, idempotent acknowledgements and the
hash chain that makes them tamper-evident."""

import pytest
from django.core.exceptions import ValidationError

from sops.models import GENESIS_HASH, Acknowledgment, SOPVersion, sha256_text
from sops.services import acknowledge, create_sop, publish_sop_version
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(db):
    return factories.OwnerFactory(username="olivia", password=None)


@pytest.fixture
def sop(owner):
    return create_sop(title="Delivering code", body="# Steps\n\n1. Branch.\n", by=owner)


def test_create_sop_publishes_version_one(sop, owner):
    version = sop.versions.get()
    assert version.number == 1
    assert version.material is True
    assert version.published_by == owner
    assert version.content_sha256 == sha256_text(version.body)
    assert sop.slug == "delivering-code"


def test_versions_are_numbered_one_after_the_other(sop, owner):
    v2 = publish_sop_version(sop, body="v2 text", change_note="More steps", by=owner)
    v3 = publish_sop_version(sop, body="v3 text", change_note="Typo", by=owner, material=False)
    assert [v2.number, v3.number] == [2, 3]
    assert list(sop.versions.order_by("number").values_list("number", flat=True)) == [1, 2, 3]
    assert v3.content_sha256 == sha256_text("v3 text")
    assert v2.change_note == "More steps"


def test_numbering_is_per_sop(sop, owner):
    other = create_sop(title="Client data", body="Keep it safe.", by=owner)
    publish_sop_version(sop, body="second", change_note="", by=owner)
    assert other.versions.get().number == 1


def test_the_first_version_is_always_material(owner):
    sop = factories.SOPFactory()
    version = publish_sop_version(sop, body="text", change_note="", by=owner, material=False)
    assert version.material is True


def test_current_version_is_the_newest_material_one(sop, owner):
    v2 = publish_sop_version(sop, body="v2", change_note="", by=owner)
    publish_sop_version(sop, body="v2 with a typo fixed", change_note="", by=owner, material=False)
    assert sop.current_version == v2
    assert sop.latest_version.number == 3


@pytest.mark.parametrize("body", ["", "   \n"])
def test_publishing_empty_text_is_refused(sop, owner, body):
    with pytest.raises(ValidationError):
        publish_sop_version(sop, body=body, change_note="", by=owner)
    assert sop.versions.count() == 1


def test_publishing_the_same_text_again_is_refused(sop, owner):
    with pytest.raises(ValidationError):
        publish_sop_version(sop, body=sop.latest_version.body, change_note="", by=owner)
    assert sop.versions.count() == 1


def test_a_published_version_never_changes_and_is_never_deleted(sop):
    version = sop.versions.get()
    version.body = "rewritten"
    with pytest.raises(ValidationError):
        version.save()
    with pytest.raises(ValidationError):
        version.delete()
    assert SOPVersion.objects.get(pk=version.pk).body == "# Steps\n\n1. Branch.\n"


def test_acknowledge_records_what_was_shown_and_where_from(sop):
    freelancer = factories.ApprovedFreelancerFactory()
    version = sop.current_version
    ack = acknowledge(freelancer, version, ip_address="203.0.113.9", user_agent="Firefox")
    assert ack.content_sha256 == version.content_sha256
    assert ack.ip_address == "203.0.113.9"
    assert ack.user_agent == "Firefox"
    assert ack.record_hash == ack.compute_hash()


def test_acknowledge_is_idempotent(sop):
    freelancer = factories.ApprovedFreelancerFactory()
    version = sop.current_version
    first = acknowledge(freelancer, version, ip_address=None, user_agent="a")
    second = acknowledge(freelancer, version, ip_address="10.0.0.1", user_agent="b")
    assert second.pk == first.pk
    assert second.user_agent == "a"
    assert Acknowledgment.objects.count() == 1


def test_acknowledgments_form_a_hash_chain(sop, owner):
    other = create_sop(title="Client data", body="Keep it safe.", by=owner)
    people = factories.ApprovedFreelancerFactory.create_batch(2)
    records = [
        acknowledge(person, s.current_version, ip_address=None, user_agent="ua")
        for person in people
        for s in (sop, other)
    ]
    assert records[0].previous_hash == GENESIS_HASH
    for earlier, later in zip(records, records[1:], strict=False):
        assert later.previous_hash == earlier.record_hash
    for record in Acknowledgment.objects.order_by("id"):
        assert record.record_hash == record.compute_hash()


def test_tampering_with_an_acknowledgment_breaks_its_hash(sop):
    ack = acknowledge(
        factories.ApprovedFreelancerFactory(), sop.current_version, ip_address=None, user_agent="ua"
    )
    ack.user_agent = "forged"
    assert ack.compute_hash() != ack.record_hash


def test_only_the_current_version_can_be_acknowledged(sop, owner):
    old = sop.current_version
    publish_sop_version(sop, body="new rules", change_note="", by=owner)
    with pytest.raises(ValidationError):
        acknowledge(factories.ApprovedFreelancerFactory(), old, ip_address=None, user_agent="")
    assert not Acknowledgment.objects.exists()


def test_a_typo_fix_keeps_the_material_version_the_one_to_acknowledge(sop, owner):
    material = sop.current_version
    publish_sop_version(sop, body="fixed typo", change_note="", by=owner, material=False)
    assert sop.current_version == material


def test_the_corrected_text_after_a_typo_fix_can_be_acknowledged_and_counts(sop, owner):
    """DOMAIN: acknowledging the version to acknowledge *or any later one* counts."""
    typo = publish_sop_version(sop, body="fixed typo", change_note="", by=owner, material=False)
    record = acknowledge(
        factories.ApprovedFreelancerFactory(), typo, ip_address=None, user_agent=""
    )
    assert record.version == typo


def test_a_version_older_than_the_one_to_acknowledge_is_refused(sop, owner):
    old = sop.current_version
    publish_sop_version(sop, body="new rules", change_note="", by=owner, material=True)
    with pytest.raises(ValidationError, match="out of date"):
        acknowledge(factories.ApprovedFreelancerFactory(), old, ip_address=None, user_agent="")


def test_an_archived_sop_is_not_acknowledged(sop):
    sop.archived = True
    sop.save()
    with pytest.raises(ValidationError):
        acknowledge(
            factories.ApprovedFreelancerFactory(),
            sop.current_version,
            ip_address=None,
            user_agent="",
        )


def test_an_acknowledgment_is_never_changed_or_deleted_through_the_model(sop):
    ack = acknowledge(
        factories.ApprovedFreelancerFactory(), sop.current_version, ip_address=None, user_agent="ua"
    )
    ack.user_agent = "forged"
    with pytest.raises(ValidationError):
        ack.save()
    with pytest.raises(ValidationError):
        ack.delete()
    assert Acknowledgment.objects.get(pk=ack.pk).user_agent == "ua"
