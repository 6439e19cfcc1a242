"""Formatting for the reports: money with thousands separators, fractions as percentages."""

from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def money(value) -> str:
    """1234.5 → "1,234.50"; None → "—"."""
    if value is None or value == "":
        return "—"
    return floatformat(value, "2g")


@register.filter
def percent(value, digits: int = 1) -> str:
    """A fraction as a percentage: 0.843 → "84.3%"; None → "—"."""
    if value is None or value == "":
        return "—"
    return f"{floatformat(Decimal(value) * 100, f'{digits}g')}%"


@register.filter
def share(value, digits: int = 1) -> str:
    """A percentage already in 0–100: 43.21 → "43.2%"."""
    if value is None or value == "":
        return "—"
    return f"{floatformat(value, f'{digits}g')}%"


STATUS_LABELS = {"red": "Red", "amber": "Amber", "green": "Green", "none": "No data"}


@register.filter
def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)
