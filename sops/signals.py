"""Signals this app sends so that higher apps (tasks) can re-scan without being imported here."""

from django.dispatch import Signal

# kwargs: sop, version. Sent inside the publishing transaction.
sop_published = Signal()
# kwargs: acknowledgment. Sent inside the transaction that records it.
sop_acknowledged = Signal()

# kwargs: sop, changed (the field names). Sent when who must acknowledge the SOP changes without
# a new version: it was archived or brought back, or it now applies (or no longer) to all work.
sop_requirements_changed = Signal()
