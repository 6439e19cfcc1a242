"""Signals this app sends so that higher apps can react without being imported here."""

from django.dispatch import Signal

# Sent inside the transaction that records a vetting decision; kwargs: freelancer, decision.
vetting_decided = Signal()

# Sent inside the transaction of a profile change that moves the freelancer onto or off the bench
# of some skills (status, or skills while available); kwargs: freelancer, skill_ids. Whether a
# replacement exists sets the severity of other tasks' single-freelancer flags.
bench_changed = Signal()
