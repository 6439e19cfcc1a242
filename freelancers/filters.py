"""Filters of the freelancer list (django-filter). Unknown values are ignored, never a 500."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from .models import Freelancer, Skill


class FreelancerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        label="Search",
        widget=forms.TextInput(attrs={"placeholder": "Name, email or headline", "type": "search"}),
    )
    skill = django_filters.ModelChoiceFilter(
        field_name="skills",
        queryset=Skill.objects.order_by("name"),
        to_field_name="slug",
        label="Skill",
        empty_label="Any skill",
        distinct=False,  # one skill matches at most one row per freelancer
    )
    status = django_filters.ChoiceFilter(
        choices=Freelancer.Status.choices, label="Status", empty_label="Any status"
    )
    vetting_status = django_filters.ChoiceFilter(
        choices=Freelancer.Vetting.choices, label="Vetting", empty_label="Any vetting"
    )

    class Meta:
        model = Freelancer
        fields = ["q", "skill", "status", "vetting_status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.form.fields.items():
            css = "form-control" if name == "q" else "form-select"
            field.widget.attrs.setdefault("class", css)
            if name != "q":
                field.widget.attrs["data-autosubmit"] = ""

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(email__icontains=value) | Q(headline__icontains=value)
        )
