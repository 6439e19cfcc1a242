"""Signals this app sends so that higher apps (tasks) can re-scan without being imported here."""

from django.dispatch import Signal

# kwargs: sop, version. Sent inside the publishing transaction.
sop_published = Signal()
# kwargs: acknowledgment. Sent inside the transaction that records it.
sop_acknowledged = Signal()
