"""Acknowledging an SOP re-scans the freelancer's live tasks, so their flags clear."""

import pytest
from django.urls import reverse

from sops.models import sha256_text
from tasks.models import RiskFlag
from tasks.scanning import scan
from tests.sops.builders import live_task_requiring, make_sop

pytestmark = pytest.mark.django_db


def _open_sop_flags(freelancer):
    return RiskFlag.objects.filter(
        kind=RiskFlag.Kind.SOP_NOT_ACKNOWLEDGED,
        resolved_at__isnull=True,
        assignment__freelancer=freelancer,
    )


def test_acknowledging_clears_the_sop_not_acknowledged_flags(
    freelancer_client, freelancer, other_freelancer, django_capture_on_commit_callbacks
):
    handover = make_sop("Handover")
    first = live_task_requiring(handover, freelancer=freelancer)
    second = live_task_requiring(handover, freelancer=freelancer)
    live_task_requiring(handover, freelancer=other_freelancer)
    scan()
    assert _open_sop_flags(freelancer).count() == 2
    assert _open_sop_flags(other_freelancer).count() == 1

    version = handover.current_version
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = freelancer_client.post(
            reverse("portal:acknowledge", args=[version.pk]),
            {"confirm": "on", "content_sha256": sha256_text(version.body)},
        )
    assert response.status_code == 302
    assert callbacks  # the re-scan of Fran's live tasks is queued after commit
    assert not _open_sop_flags(freelancer).exists()
    cleared = RiskFlag.objects.filter(
        kind=RiskFlag.Kind.SOP_NOT_ACKNOWLEDGED, task__in=[first, second]
    )
    assert {flag.resolution for flag in cleared} == {RiskFlag.Resolution.CLEARED}
    # Otto has not acknowledged: his flag stays.
    assert _open_sop_flags(other_freelancer).count() == 1
