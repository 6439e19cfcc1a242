"""Filters of the task and flag lists (django-filter), read from the query string."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet

from freelancers.models import Skill

from .models import RiskFlag, Task
from .selectors import filter_flags_by_freelancer

YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]
SELECT = forms.Select(attrs={"data-autosubmit": ""})
# A row id: whole, positive and within a bigint, so a bad query string cannot reach the database.
ID = {"min_value": 1, "max_value": 2**63 - 1, "decimal_places": 0}


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class BootstrapFilterSet(django_filters.FilterSet):
    """Gives the filter widgets Bootstrap's classes, so the templates lay out bare fields."""

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            widget = field.widget
            css = (
                "form-select form-select-sm"
                if isinstance(widget, forms.Select)
                else "form-control form-control-sm"
            )
            if not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", css)
        return form


class TaskFilter(BootstrapFilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="filter_text",
        widget=forms.TextInput(attrs={"placeholder": "Title or description", "type": "search"}),
    )
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[("live", "Live (open or in progress)"), *Task.Status.choices],
        empty_label="Any status",
        method="filter_status",
        widget=SELECT,
    )
    skill = django_filters.ModelChoiceFilter(
        queryset=Skill.objects.order_by("name"), empty_label="Any skill", widget=SELECT
    )
    core = django_filters.ChoiceFilter(
        label="Core", choices=YES_NO[1:], empty_label="Any", method="filter_core", widget=SELECT
    )
    flagged = django_filters.ChoiceFilter(
        label="Open flags",
        choices=YES_NO[1:],
        empty_label="Any",
        method="filter_flagged",
        widget=SELECT,
    )

    class Meta:
        model = Task
        fields = ["q", "status", "skill", "core", "flagged"]

    def filter_text(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))

    def filter_status(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        if value == "live":
            return queryset.live()
        return queryset.filter(status=value)

    def filter_core(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        wanted = _yes_no(value)
        return queryset if wanted is None else queryset.filter(is_core=wanted)

    def filter_flagged(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        wanted = _yes_no(value)
        if wanted is None:
            return queryset
        has_open = Exists(RiskFlag.objects.filter(task=OuterRef("pk"), resolved_at__isnull=True))
        return queryset.filter(has_open if wanted else ~has_open)


class FlagFilter(BootstrapFilterSet):
    STATES = [("open", "Open"), ("resolved", "Resolved"), ("all", "All")]

    kind = django_filters.ChoiceFilter(
        choices=RiskFlag.Kind.choices, empty_label="Any kind", widget=SELECT
    )
    severity = django_filters.ChoiceFilter(
        choices=RiskFlag.Severity.choices, empty_label="Any severity", widget=SELECT
    )
    state = django_filters.ChoiceFilter(
        label="State", choices=STATES, empty_label=None, method="filter_state", widget=SELECT
    )
    task = django_filters.NumberFilter(field_name="task_id", widget=forms.HiddenInput, **ID)
    freelancer = django_filters.NumberFilter(
        method="filter_freelancer", widget=forms.HiddenInput, **ID
    )

    class Meta:
        model = RiskFlag
        fields = ["kind", "severity", "state", "task", "freelancer"]

    def __init__(self, data=None, *args, **kwargs):
        # "open" is the default state: copy the query string and fill it in when absent.
        data = data.copy() if data is not None else None
        if data is not None and not data.get("state"):
            data["state"] = "open"
        super().__init__(data, *args, **kwargs)

    def filter_state(self, queryset: QuerySet[RiskFlag], name: str, value: str):
        if value == "open":
            return queryset.filter(resolved_at__isnull=True)
        if value == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset

    def filter_freelancer(self, queryset: QuerySet[RiskFlag], name: str, value):
        return filter_flags_by_freelancer(queryset, int(value))
