"""The owners' daily digest of new high-severity flags: once a day, never twice on a retry."""

import datetime
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django_celery_beat.models import PeriodicTask

from config.celery import app as celery_app
from reports.jobs import owner_emails, send_high_flag_digest
from reports.models import FlagDigest
from tasks.models import RiskFlag
from tests import factories

pytestmark = pytest.mark.django_db

DAY1 = datetime.datetime(2030, 3, 4, 7, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def owners(owner, admin_user):
    factories.OwnerFactory(username="noemail", email="")
    factories.UserFactory(username="plainuser")
    return [owner, admin_user]


def _flag(raised_at, **fields):
    fields.setdefault("severity", RiskFlag.Severity.HIGH)
    return factories.RiskFlagFactory(raised_at=raised_at, last_seen_at=raised_at, **fields)


def test_owners_and_superusers_with_an_email_receive_it(owners):
    assert owner_emails() == sorted(user.email for user in owners)


def test_the_digest_lists_new_high_open_flags(owners):
    new_high = _flag(DAY1 - 2 * HOUR, task=factories.TaskFactory(title="Brand book"))
    _flag(DAY1 - 2 * HOUR, severity=RiskFlag.Severity.MEDIUM)
    _flag(DAY1 - 3 * HOUR, resolved_at=DAY1 - HOUR, resolution="cleared")
    _flag(DAY1 - 3 * datetime.timedelta(days=2))  # older than the first digest's day
    with time_machine.travel(DAY1, tick=False):
        assert send_high_flag_digest.apply().get()["status"] == "sent"
    (message,) = mail.outbox
    assert sorted(message.to) == sorted(user.email for user in owners)
    assert message.subject == "1 new high-severity flag in your freelancer network"
    assert new_high.task.title in message.body
    assert new_high.get_kind_display() in message.body


def test_a_retry_or_second_run_the_same_day_sends_nothing(owners):
    _flag(DAY1 - HOUR)
    with time_machine.travel(DAY1, tick=False):
        send_high_flag_digest.apply()
        _flag(DAY1)  # raised between the two runs; it waits for tomorrow
    with time_machine.travel(DAY1 + HOUR, tick=False):
        assert send_high_flag_digest.apply().get()["status"] == "already"
    assert len(mail.outbox) == 1
    with time_machine.travel(DAY1 + datetime.timedelta(days=1), tick=False):
        send_high_flag_digest.apply()
    assert len(mail.outbox) == 2
    assert "1 new high-severity flag" in mail.outbox[1].subject


def test_the_next_digest_starts_where_the_last_ended(owners):
    first = _flag(DAY1 - HOUR)
    with time_machine.travel(DAY1, tick=False):
        send_high_flag_digest.apply()
    second = _flag(DAY1 + 5 * HOUR, task=factories.TaskFactory(title="Second task"))
    with time_machine.travel(DAY1 + datetime.timedelta(days=1), tick=False):
        send_high_flag_digest.apply()
    body = mail.outbox[1].body
    assert second.task.title in body and first.task.title not in body


def test_nothing_new_sends_nothing_but_is_recorded(owners):
    with time_machine.travel(DAY1, tick=False):
        assert send_high_flag_digest.apply().get()["status"] == "empty"
    assert not mail.outbox
    assert FlagDigest.objects.get().flag_count == 0


def test_a_failed_email_releases_the_day_so_a_retry_sends_it(owners):
    _flag(DAY1 - HOUR)
    with time_machine.travel(DAY1, tick=False):
        with mock.patch.object(
            mail.EmailMessage, "send", side_effect=ConnectionRefusedError("SMTP down")
        ):
            assert send_high_flag_digest.apply().get()["status"] == "failed"
        assert not FlagDigest.objects.exists()
        assert send_high_flag_digest.apply().get()["status"] == "sent"
    assert len(mail.outbox) == 1


def test_the_daily_schedule_is_in_celery_beat():
    task = PeriodicTask.objects.get(task="reports.jobs.send_high_flag_digest")
    assert task.enabled and task.crontab is not None
    assert task.task in celery_app.tasks


def test_a_flag_whose_scan_committed_after_the_digest_is_reported_next_day(owners):
    reported = _flag(DAY1 - 2 * HOUR, task=factories.TaskFactory(title="Reported task"))
    with time_machine.travel(DAY1, tick=False):
        send_high_flag_digest.apply()
    # Stamped ten minutes before the digest ran, but committed after it.
    late = _flag(DAY1 - datetime.timedelta(minutes=10), task=factories.TaskFactory(title="Late"))
    with time_machine.travel(DAY1 + datetime.timedelta(days=1), tick=False):
        send_high_flag_digest.apply()
    body = mail.outbox[1].body
    assert late.task.title in body
    assert reported.task.title not in body
