"""Writes about SOPs: publishing versions, recording acknowledgements and reminders (mistake 2)."""

import datetime
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, Max, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from freelancers.models import Freelancer

from .models import (
    GENESIS_HASH,
    SOP,
    Acknowledgment,
    AcknowledgmentReminder,
    SOPVersion,
    sha256_text,
)
from .selectors import FreelancerRow, SOPRow, requirements
from .signals import sop_acknowledged, sop_published

logger = logging.getLogger(__name__)

# Key of the PostgreSQL advisory lock that serialises appends to the acknowledgement chain.
ACK_CHAIN_LOCK = 727_001


@transaction.atomic
def create_sop(
    *, title: str, body: str, by, summary: str = "", slug: str = "", applies_to_all: bool = False
) -> SOP:
    """Create an SOP together with its first version (an SOP without text guides nobody)."""
    sop = SOP(
        title=title.strip(),
        slug=slug or slugify(title)[:80],
        summary=summary.strip(),
        applies_to_all=applies_to_all,
    )
    sop.full_clean()
    sop.save()
    publish_sop_version(sop, body=body, change_note="First version", by=by)
    return sop


@transaction.atomic
def publish_sop_version(
    sop: SOP, *, body: str, change_note: str, by, material: bool = True
) -> SOPVersion:
    """Publish new text as the next version. Published versions are never edited.

    A non-material version (a typo fix) needs no new acknowledgement; the first version is always
    material, because until then nobody has acknowledged anything.
    """
    if not body.strip():
        raise ValidationError({"body": "An SOP version needs some text."})
    # Lock the SOP row so that two publications at once get consecutive numbers.
    SOP.objects.select_for_update().filter(pk=sop.pk).first()
    last = sop.versions.aggregate(n=Max("number"))["n"] or 0
    if last and sop.versions.filter(number=last, body=body).exists():
        raise ValidationError({"body": "This text is the same as the current version."})
    version = SOPVersion(
        sop=sop,
        number=last + 1,
        body=body,
        change_note=change_note.strip(),
        material=material or last == 0,
        content_sha256=sha256_text(body),
        published_by=by,
    )
    version.full_clean()
    version.save()
    sop_published.send(sender=SOP, sop=sop, version=version)
    return version


def _lock_chain() -> None:
    """Serialise chain appends. On SQLite the IMMEDIATE transaction already does."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ACK_CHAIN_LOCK])


def acknowledge(
    freelancer: Freelancer, version: SOPVersion, *, ip_address: str | None, user_agent: str
) -> Acknowledgment:
    """Record that ``freelancer`` read ``version``. Idempotent: a second call returns the first.

    Only the version to acknowledge (the newest material one of a live SOP) can be acknowledged:
    acknowledging an outdated text would be evidence of the wrong thing.
    """
    existing = Acknowledgment.objects.filter(freelancer=freelancer, version=version).first()
    if existing is not None:
        return existing
    try:
        return _acknowledge(freelancer, version, ip_address=ip_address, user_agent=user_agent)
    except IntegrityError:
        # A double submit raced us; the unique constraint kept one record: return it.
        existing = Acknowledgment.objects.filter(freelancer=freelancer, version=version).first()
        if existing is None:
            raise
        return existing


@transaction.atomic
def _acknowledge(
    freelancer: Freelancer, version: SOPVersion, *, ip_address: str | None, user_agent: str
) -> Acknowledgment:
    _lock_chain()
    existing = Acknowledgment.objects.filter(freelancer=freelancer, version=version).first()
    if existing is not None:
        return existing
    sop = version.sop
    if sop.archived:
        raise ValidationError("This SOP is archived and needs no acknowledgement.")
    # The newest material version must be covered; a later (non-material) version covers it too.
    current = sop.current_version
    if current is None or version.number < current.number:
        raise ValidationError(
            f"Version {version.number} of “{sop.title}” is out of date: version "
            f"{current.number if current else '?'} changed what to do, so acknowledge that one "
            "(or a later one)."
        )
    if version.content_sha256 != sha256_text(version.body):
        raise ValidationError("The text of this version does not match its recorded hash.")
    last = Acknowledgment.objects.order_by("-id").values_list("record_hash", flat=True).first()
    record = Acknowledgment(
        freelancer=freelancer,
        version=version,
        acknowledged_at=timezone.now(),
        # Stored as the database will give it back (IPv6 in canonical form), so that the hash
        # computed now still matches when verify_acknowledgments re-computes it.
        ip_address=Acknowledgment._meta.get_field("ip_address").to_python(ip_address or None),
        user_agent=(user_agent or "")[:512],
        content_sha256=version.content_sha256,
        previous_hash=last or GENESIS_HASH,
    )
    record.record_hash = record.compute_hash()
    record.full_clean()
    record.save()
    sop_acknowledged.send(sender=Acknowledgment, acknowledgment=record)
    return record


# --- Reminders ----------------------------------------------------------------------------------

REMINDER_BATCH = 500


@dataclass(frozen=True)
class ReminderRun:
    """What one reminder run did: e-mails sent, and e-mails that failed and will be retried."""

    sent: int = 0
    failed: int = 0


def send_acknowledgment_reminders(*, today: datetime.date | None = None) -> ReminderRun:
    """E-mail every freelancer who has SOPs to acknowledge, at most once per reminder interval.

    Not one transaction, on purpose: the reminder rows are claimed and committed first (unique per
    freelancer and day; each run claims with its own token, so of two runs at once only one gets a
    given freelancer), then the e-mails go and their rows are marked sent in batches. A retried
    job finds the rows and sends nothing twice. An e-mail that fails releases its row, so the
    retry sends it; a worker that dies between claim and send loses those reminders until the
    next interval, which is the safe side of "never twice".
    """
    today = today or timezone.localdate()
    interval = datetime.timedelta(days=settings.SOP_REMINDER_INTERVAL_DAYS)
    recently_reminded = AcknowledgmentReminder.objects.filter(
        freelancer=OuterRef("pk"), reminded_on__gt=today - interval
    )
    # Who is due and what they owe: a fixed number of set-based queries for the whole network.
    due = requirements(freelancers=Freelancer.objects.exclude(Exists(recently_reminded)))
    outstanding = due.outstanding_by_freelancer()
    if not outstanding:
        return ReminderRun()

    claim = uuid.uuid4()
    with transaction.atomic():
        # bulk_create skips full_clean(): every value here comes from the queries above.
        AcknowledgmentReminder.objects.bulk_create(
            [
                AcknowledgmentReminder(
                    freelancer_id=freelancer_id,
                    reminded_on=today,
                    claim=claim,
                    versions=[row.current_version_id for row in rows],
                )
                for freelancer_id, rows in outstanding.items()
            ],
            ignore_conflicts=True,
        )
    claimed = AcknowledgmentReminder.objects.filter(claim=claim).values_list("pk", "freelancer_id")

    sent: list[int] = []
    failed = 0

    def mark_sent() -> None:
        # sent_at is bookkeeping (the claimed row already prevents a resend): one UPDATE per
        # batch rather than per e-mail.
        AcknowledgmentReminder.objects.filter(pk__in=sent).update(sent_at=timezone.now())
        sent.clear()

    total = 0
    with mail.get_connection() as connection:
        for reminder_id, freelancer_id in claimed:
            message = _reminder_message(due.freelancers[freelancer_id], outstanding[freelancer_id])
            message.connection = connection
            try:
                message.send()
            except Exception:
                logger.exception("Could not send the SOP reminder to freelancer %s", freelancer_id)
                AcknowledgmentReminder.objects.filter(pk=reminder_id).delete()
                failed += 1
                continue
            sent.append(reminder_id)
            total += 1
            if len(sent) >= REMINDER_BATCH:
                mark_sent()
    if sent:
        mark_sent()
    return ReminderRun(sent=total, failed=failed)


def _reminder_message(freelancer: FreelancerRow, sops: list[SOPRow]) -> mail.EmailMessage:
    site = settings.SITE_URL
    context = {
        "freelancer": freelancer,
        "sops": [
            {
                "title": row.title,
                "number": row.latest_number,
                "url": site + reverse("portal:sop", args=[row.latest_version_id]),
            }
            for row in sops
        ],
        "portal_url": site + reverse("portal:home"),
        "interval_days": settings.SOP_REMINDER_INTERVAL_DAYS,
    }
    subject = render_to_string("sops/email/reminder_subject.txt", context).strip()
    body = render_to_string("sops/email/reminder_body.txt", context)
    return mail.EmailMessage(subject=subject, body=body, to=[freelancer.email])
