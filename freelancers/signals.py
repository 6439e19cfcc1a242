"""Signals this app sends so that higher apps can react without being imported here."""

from django.dispatch import Signal

# Sent inside the transaction that records a vetting decision; kwargs: freelancer, decision.
vetting_decided = Signal()
