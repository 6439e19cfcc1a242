"""Tamper evidence: the chain check names altered records; the database refuses changes."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from sops.models import SOPVersion
from tests.sops.builders import ack, live_task_requiring, make_sop

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(freelancer, other_freelancer):
    """Three acknowledgements: two freelancers on one SOP, one on another."""
    a = make_sop("Handover")
    b = make_sop("Invoices")
    live_task_requiring(a, b, freelancer=freelancer)
    live_task_requiring(a, freelancer=other_freelancer)
    return [
        ack(freelancer, a.current_version),
        ack(other_freelancer, a.current_version),
        ack(freelancer, b.current_version),
    ]


def _disable_guard():
    """Simulate an attacker with database access: lift the trigger in this test's transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The test's rows still have deferred foreign-key checks pending; run them first,
            # or PostgreSQL refuses to alter the table inside this transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE sops_acknowledgment "
                "DISABLE TRIGGER sops_acknowledgment_no_update_delete"
            )
        else:
            cursor.execute("DROP TRIGGER IF EXISTS sops_acknowledgment_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS sops_acknowledgment_no_delete")


def _raw_update(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_intact_chain_verifies(chain, capsys):
    call_command("verify_acknowledgments")
    assert "3 acknowledgements verified" in capsys.readouterr().out


def test_an_empty_chain_verifies(db, capsys):
    call_command("verify_acknowledgments")
    assert "0 acknowledgements verified" in capsys.readouterr().out


def test_the_database_refuses_to_update_an_acknowledgment(chain):
    with pytest.raises(DatabaseError), transaction.atomic():
        _raw_update(
            "UPDATE sops_acknowledgment SET user_agent = %s WHERE id = %s", ["forged", chain[0].pk]
        )


def test_the_database_refuses_to_delete_an_acknowledgment(chain):
    with pytest.raises(DatabaseError), transaction.atomic():
        _raw_update("DELETE FROM sops_acknowledgment WHERE id = %s", [chain[1].pk])


def test_an_altered_field_is_reported(chain, capsys):
    _disable_guard()
    _raw_update(
        "UPDATE sops_acknowledgment SET ip_address = %s WHERE id = %s", ["10.9.9.9", chain[1].pk]
    )
    with pytest.raises(CommandError) as error:
        call_command("verify_acknowledgments")
    assert error.value.returncode == 1
    err = capsys.readouterr().err
    assert f"acknowledgement #{chain[1].pk}" in err
    assert "Otto Berg" in err and "Handover v1" in err
    assert "record_hash does not match" in err
    assert f"acknowledgement #{chain[0].pk} " not in err
    assert f"acknowledgement #{chain[2].pk} " not in err


def test_a_recomputed_hash_still_breaks_the_link_to_the_next_record(chain, capsys):
    _disable_guard()
    forged = chain[1]
    forged.user_agent = "forged"
    new_hash = forged.compute_hash()
    _raw_update(
        "UPDATE sops_acknowledgment SET user_agent = %s, record_hash = %s WHERE id = %s",
        ["forged", new_hash, forged.pk],
    )
    with pytest.raises(CommandError):
        call_command("verify_acknowledgments")
    err = capsys.readouterr().err
    assert f"acknowledgement #{chain[2].pk}" in err
    assert f"previous_hash does not match the record_hash of #{forged.pk}" in err


def test_a_deleted_record_is_reported_by_its_successor(chain, capsys):
    _disable_guard()
    _raw_update("DELETE FROM sops_acknowledgment WHERE id = %s", [chain[1].pk])
    with pytest.raises(CommandError):
        call_command("verify_acknowledgments")
    assert f"acknowledgement #{chain[2].pk}" in capsys.readouterr().err


def test_an_altered_sop_text_is_reported_for_every_record_of_it(chain, capsys):
    version = chain[0].version
    SOPVersion.objects.filter(pk=version.pk).update(body="Something else entirely")
    with pytest.raises(CommandError):
        call_command("verify_acknowledgments")
    err = capsys.readouterr().err
    assert err.count("differs from the SHA-256 of the version's text") == 2
    assert f"acknowledgement #{chain[2].pk} " not in err


def test_every_bad_record_is_named(chain, capsys):
    _disable_guard()
    for record in chain:
        _raw_update(
            "UPDATE sops_acknowledgment SET content_sha256 = %s WHERE id = %s",
            ["f" * 64, record.pk],
        )
    with pytest.raises(CommandError) as error:
        call_command("verify_acknowledgments")
    assert "3 of 3 acknowledgements fail" in str(error.value)
    err = capsys.readouterr().err
    for record in chain:
        assert f"acknowledgement #{record.pk} " in err


@pytest.mark.parametrize("address", ["2001:DB8:0:0::1", "::ffff:192.0.2.1", "192.0.2.1"])
def test_a_genuine_record_verifies_whatever_the_form_of_its_address(freelancer, address, capsys):
    """The database returns IPv6 addresses in canonical form; the hash must be of that form."""
    sop = make_sop("Handover")
    live_task_requiring(sop, freelancer=freelancer)
    ack(freelancer, sop.current_version, ip=address)
    call_command("verify_acknowledgments")
    assert "1 acknowledgement verified" in capsys.readouterr().out
