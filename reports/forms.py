"""The report's period picker: whole months, from ``start`` to ``end`` (``YYYY-MM``)."""

import datetime

from django import forms
from django.utils import timezone

from .selectors import MAX_PERIOD_MONTHS, Period, add_months, last_months


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m")


class MonthField(forms.DateField):
    """A month typed as ``YYYY-MM``; cleaned to the first day of that month."""

    widget = MonthInput
    input_formats = ["%Y-%m"]
    default_error_messages = {"invalid": "Enter a month as YYYY-MM, for example 2025-01."}
    EARLIEST_YEAR = 2000

    def to_python(self, value):
        month = super().to_python(value)
        if month is not None and month.year < self.EARLIEST_YEAR:
            raise forms.ValidationError(f"Choose a month from {self.EARLIEST_YEAR} onwards.")
        return month


class PeriodForm(forms.Form):
    """Bound to the query string; ``period`` is the chosen one, or the last 12 months."""

    start = MonthField(label="From", required=False)
    end = MonthField(label="To", required=False)

    def __init__(self, data=None, *, today: datetime.date | None = None, **kwargs):
        self.today = today or timezone.localdate()
        self.default = last_months(12, today=self.today)
        # Only the picker's own fields count: other parameters never make the form bound.
        if data is not None and not any(data.get(name) for name in ("start", "end")):
            data = None
        super().__init__(data, **kwargs)
        for name in ("start", "end"):
            self.fields[name].widget.attrs.update(
                {
                    "max": f"{self.today:%Y-%m}",
                    "class": "form-control form-control-sm",
                    "placeholder": "YYYY-MM",
                }
            )
        if not self.is_bound:
            self.initial = {"start": self.default.first, "end": self.default.last}

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        this_month = self.today.replace(day=1)
        end = cleaned.get("end") or this_month
        start = cleaned.get("start") or add_months(end, -11)
        if end > this_month:
            self.add_error("end", "The period cannot end after the current month.")
        if start > end:
            self.add_error("start", "The first month must not come after the last month.")
        elif add_months(start, MAX_PERIOD_MONTHS) <= end:
            self.add_error(
                None,
                f"Choose at most {MAX_PERIOD_MONTHS} months ({MAX_PERIOD_MONTHS // 12} years).",
            )
        cleaned["start"], cleaned["end"] = start, end
        return cleaned

    @property
    def period(self) -> Period:
        """The chosen period; the default one when the input was missing or invalid."""
        if self.is_bound and self.is_valid():
            return Period(first=self.cleaned_data["start"], last=self.cleaned_data["end"])
        return self.default

    def presets(self) -> list[tuple[str, Period]]:
        """Common periods offered as links beside the picker."""
        this_month = self.today.replace(day=1)
        this_year = Period(first=this_month.replace(month=1), last=this_month)
        last_year = Period(
            first=datetime.date(self.today.year - 1, 1, 1),
            last=datetime.date(self.today.year - 1, 12, 1),
        )
        return [
            ("Last 3 months", last_months(3, today=self.today)),
            ("Last 12 months", self.default),
            ("This year", this_year),
            (f"{self.today.year - 1}", last_year),
            ("Last 5 years", last_months(60, today=self.today)),
        ]
