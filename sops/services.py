"""Writes about SOPs: publishing versions and recording acknowledgements (mistake 2)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from freelancers.models import Freelancer

from .models import GENESIS_HASH, SOP, Acknowledgment, SOPVersion, sha256_text
from .signals import sop_acknowledged, sop_published

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
    current = sop.current_version
    if current is None or current.pk != version.pk:
        raise ValidationError(
            f"Version {version.number} of “{sop.title}” is not the one to acknowledge; "
            f"version {current.number if current else '?'} is."
        )
    if version.content_sha256 != sha256_text(version.body):
        raise ValidationError("The text of this version does not match its recorded hash.")
    last = Acknowledgment.objects.order_by("-id").values_list("record_hash", flat=True).first()
    record = Acknowledgment(
        freelancer=freelancer,
        version=version,
        acknowledged_at=timezone.now(),
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:512],
        content_sha256=version.content_sha256,
        previous_hash=last or GENESIS_HASH,
    )
    record.record_hash = record.compute_hash()
    record.full_clean()
    record.save()
    sop_acknowledged.send(sender=Acknowledgment, acknowledgment=record)
    return record
