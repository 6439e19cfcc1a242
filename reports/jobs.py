"""Celery jobs of the reports app: the owners' daily digest of new high-severity flags."""

import datetime
import logging
from dataclasses import dataclass

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from freelancers.access import OWNERS_GROUP
from tasks.models import RiskFlag

from .models import FlagDigest

logger = logging.getLogger(__name__)

# How many flags the e-mail lists one by one; the rest are counted and linked.
DIGEST_LIST_LIMIT = 50
# A scan stamps raised_at before it commits, so a flag may become visible after a digest whose
# window already covers its raised_at. Each digest looks back this much further and skips the
# flags an earlier digest reported.
LATE_COMMIT_MARGIN = datetime.timedelta(hours=1)
RETRY_DELAY_SECONDS = 600


@dataclass(frozen=True)
class DigestRun:
    """One run: ``status`` is sent, empty (nothing new), no_recipients, already or failed."""

    status: str
    flags: int = 0
    recipients: int = 0


def owner_emails() -> list[str]:
    """Owners (the Owners group) and superusers who can receive e-mail."""
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(is_superuser=True) | Q(groups__name=OWNERS_GROUP))
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )
    return list(users)


def _url(name: str, *args) -> str:
    try:
        return settings.SITE_URL + reverse(name, args=args)
    except NoReverseMatch:  # the page is not there (yet): the e-mail still lists the flag
        return ""


def send_digest(*, now: datetime.datetime | None = None) -> DigestRun:
    """E-mail the owners the high-severity flags raised since the last digest, once per day.

    The day's row is claimed and committed first (``sent_on`` is unique), so a retried or doubled
    job finds it and sends nothing. If the e-mail fails the row is released, so a retry sends it.
    The next digest starts where this one's ``covered_until`` ends, so no flag is listed twice.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    previous = FlagDigest.objects.filter(sent_on__lt=today).order_by("-sent_on").first()
    since = previous.covered_until if previous else now - datetime.timedelta(days=1)
    try:
        with transaction.atomic():
            digest = FlagDigest(sent_on=today, covered_from=since, covered_until=now)
            digest.full_clean(validate_unique=False)
            digest.save()
    except IntegrityError:
        return DigestRun(status="already")

    window_start = since - LATE_COMMIT_MARGIN
    reported = {
        flag_id
        for ids in FlagDigest.objects.filter(covered_until__gt=window_start)
        .exclude(pk=digest.pk)
        .values_list("flag_ids", flat=True)
        for flag_id in ids
    }
    flags = (
        RiskFlag.objects.filter(
            severity=RiskFlag.Severity.HIGH,
            resolved_at__isnull=True,
            raised_at__gt=window_start,
            raised_at__lte=now,
        )
        .exclude(pk__in=reported)
        .order_by("raised_at", "pk")
    )
    flag_ids = list(flags.values_list("pk", flat=True))
    count = len(flag_ids)
    recipients = owner_emails()
    FlagDigest.objects.filter(pk=digest.pk).update(
        flag_count=count, flag_ids=flag_ids, recipient_count=len(recipients)
    )
    if not count:
        return DigestRun(status="empty")
    if not recipients:
        logger.warning("%s new high-severity flags, but no owner has an e-mail address", count)
        return DigestRun(status="no_recipients", flags=count)

    listed = (
        RiskFlag.objects.filter(pk__in=flag_ids[:DIGEST_LIST_LIMIT])
        .select_related("task", "assignment__freelancer")
        .order_by("raised_at", "pk")
    )
    flags_url = _url("flags:list")
    context = {
        "count": count,
        "since": since,
        "flags": [
            {
                "flag": flag,
                "freelancer": flag.assignment.freelancer if flag.assignment_id else None,
                "url": _url("tasks:detail", flag.task_id),
            }
            for flag in listed
        ],
        "more": max(0, count - DIGEST_LIST_LIMIT),
        "flags_url": f"{flags_url}?severity=high&state=open" if flags_url else "",
        "dashboard_url": _url("home"),
    }
    message = mail.EmailMessage(
        subject=render_to_string("reports/email/flag_digest_subject.txt", context).strip(),
        body=render_to_string("reports/email/flag_digest_body.txt", context),
        to=recipients,
    )
    try:
        message.send()
    except Exception:
        logger.exception("Could not send the high-severity flag digest")
        FlagDigest.objects.filter(pk=digest.pk).delete()
        return DigestRun(status="failed", flags=count, recipients=len(recipients))
    FlagDigest.objects.filter(pk=digest.pk).update(sent_at=timezone.now())
    return DigestRun(status="sent", flags=count, recipients=len(recipients))


@shared_task(bind=True, acks_late=True, max_retries=3, ignore_result=True)
def send_high_flag_digest(self) -> dict:
    """Daily (django-celery-beat). Safe to deliver twice: the day's digest row is claimed first."""
    run = send_digest()
    if run.status == "failed" and not self.request.is_eager:
        raise self.retry(countdown=RETRY_DELAY_SECONDS)
    return {"status": run.status, "flags": run.flags, "recipients": run.recipients}
