"""Reminder e-mails about SOPs to acknowledge: at most once per interval, never twice on a retry."""

import datetime
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from config.celery import app as celery_app
from sops.jobs import remind_outstanding_acknowledgments
from sops.models import AcknowledgmentReminder
from tests import factories
from tests.sops.builders import ack, live_task_requiring, make_sop

pytestmark = pytest.mark.django_db

START = datetime.datetime(2030, 3, 4, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def network(freelancer, other_freelancer):
    """Fran owes two SOPs, Otto owes one, Dana has acknowledged everything, Idle has no work."""
    handover = make_sop("Client handover")
    conduct = make_sop("Code of conduct", applies_to_all=True)
    live_task_requiring(handover, freelancer=freelancer)
    live_task_requiring(freelancer=other_freelancer)
    dana = factories.ApprovedFreelancerFactory(name="Dana", email="dana@example.com")
    live_task_requiring(handover, freelancer=dana)
    ack(dana, handover.current_version)
    ack(dana, conduct.current_version)
    factories.ApprovedFreelancerFactory(name="Idle")
    return {"handover": handover, "conduct": conduct}


def _recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_each_freelancer_with_outstanding_sops_gets_one_email(
    network, freelancer, other_freelancer
):
    with time_machine.travel(START, tick=False):
        result = remind_outstanding_acknowledgments.apply().get()
    assert result == {"sent": 2, "failed": 0}
    assert _recipients() == sorted([freelancer.email, other_freelancer.email])


def test_the_email_names_each_sop_and_links_to_the_version_to_read(network, freelancer):
    with time_machine.travel(START, tick=False):
        remind_outstanding_acknowledgments.apply()
    (message,) = [m for m in mail.outbox if m.to == [freelancer.email]]
    assert message.subject == "Please read and acknowledge 2 procedures"
    for sop in network.values():
        assert sop.title in message.body
        assert reverse("portal:sop", args=[sop.current_version.pk]) in message.body
    assert "Hello Fran Lopez" in message.body


def test_running_twice_sends_once_then_again_after_the_interval(network, settings):
    settings.SOP_REMINDER_INTERVAL_DAYS = 3
    with time_machine.travel(START, tick=False):
        remind_outstanding_acknowledgments.apply()
        remind_outstanding_acknowledgments.apply()  # a retry, or beat firing twice
    assert len(mail.outbox) == 2
    with time_machine.travel(START + datetime.timedelta(days=2), tick=False):
        remind_outstanding_acknowledgments.apply()
    assert len(mail.outbox) == 2
    with time_machine.travel(START + datetime.timedelta(days=3), tick=False):
        remind_outstanding_acknowledgments.apply()
        remind_outstanding_acknowledgments.apply()
    assert len(mail.outbox) == 4
    assert AcknowledgmentReminder.objects.filter(sent_at__isnull=False).count() == 4


def test_nobody_is_reminded_once_everything_is_acknowledged(network, freelancer):
    with time_machine.travel(START, tick=False):
        remind_outstanding_acknowledgments.apply()
    for sop in network.values():
        ack(freelancer, sop.current_version)
    mail.outbox.clear()
    with time_machine.travel(START + datetime.timedelta(days=10), tick=False):
        remind_outstanding_acknowledgments.apply()
    assert freelancer.email not in _recipients()
    assert len(mail.outbox) == 1  # Otto still owes the code of conduct


def test_a_failed_email_releases_its_reminder_so_a_retry_sends_it(network, freelancer):
    real_send = mail.EmailMessage.send

    def flaky(message, *args, **kwargs):
        if message.to == [freelancer.email]:
            raise ConnectionRefusedError("SMTP down")
        return real_send(message, *args, **kwargs)

    with time_machine.travel(START, tick=False):
        with mock.patch.object(mail.EmailMessage, "send", flaky):
            assert remind_outstanding_acknowledgments.apply().get() == {"sent": 1, "failed": 1}
        assert not AcknowledgmentReminder.objects.filter(freelancer=freelancer).exists()
        remind_outstanding_acknowledgments.apply()
    assert _recipients().count(freelancer.email) == 1
    assert len(mail.outbox) == 2


def test_a_reminder_claimed_but_not_sent_is_not_sent_again(network, freelancer):
    """A worker that died after claiming: the safe side of "never twice" is to skip it."""
    AcknowledgmentReminder.objects.create(
        freelancer=freelancer,
        reminded_on=START.date(),
        claim="00000000-0000-0000-0000-000000000001",
    )
    with time_machine.travel(START, tick=False):
        remind_outstanding_acknowledgments.apply()
    assert freelancer.email not in _recipients()


def test_the_decision_is_set_based(network, django_assert_num_queries):
    """Queries: the requirements (4); the claim insert in its transaction (a savepoint under the
    test's transaction: 3) and its read-back; one UPDATE marking the batch sent. Never a query
    per freelancer, whatever their number."""
    with time_machine.travel(START, tick=False), django_assert_num_queries(4 + 4 + 1):
        remind_outstanding_acknowledgments.apply()
    for _ in range(4):
        live_task_requiring(network["handover"], freelancer=factories.ApprovedFreelancerFactory())
    mail.outbox.clear()
    later = START + datetime.timedelta(days=30)
    with time_machine.travel(later, tick=False), django_assert_num_queries(4 + 4 + 1):
        remind_outstanding_acknowledgments.apply()
    assert len(mail.outbox) == 6


def test_the_daily_schedule_is_in_celery_beat():
    task = PeriodicTask.objects.get(task="sops.jobs.remind_outstanding_acknowledgments")
    assert task.enabled and task.crontab is not None and task.crontab.hour == "9"
    assert task.task in celery_app.tasks


def test_reminder_days_are_local_dates(network, settings):
    settings.SOP_REMINDER_INTERVAL_DAYS = 1
    with time_machine.travel(START, tick=False):
        remind_outstanding_acknowledgments.apply()
        assert set(AcknowledgmentReminder.objects.values_list("reminded_on", flat=True)) == {
            timezone.localdate()
        }
