"""Admin actions that need a written reason (reject vetting, approve with override, dismiss a flag).

The action first answers with a confirmation page asking for the reason; the page posts back to
the changelist with the same action and selection plus ``confirm``, and only then does the action
call its service, once per selected object. Lives in the lowest app so that every app's admin can
use it without importing upward.
"""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=2000,
        strip=True,
    )

    def __init__(self, *args, label: str, help_text: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].help_text = help_text


def run_with_reason(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    action: str,
    title: str,
    label: str,
    apply: Callable[[Model, str], str],
    help_text: str = "",
    button: str = "Confirm",
) -> TemplateResponse | None:
    """Ask for a reason, then call ``apply(obj, reason)`` for each object.

    ``apply`` returns a success message or raises ValidationError; each object's outcome becomes
    one admin message, so a refusal on one object does not hide what happened to the others.
    Returning None sends the admin back to the changelist.
    """
    if request.POST.get("confirm"):
        form = ReasonForm(request.POST, label=label, help_text=help_text)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            for obj in queryset:
                try:
                    done = apply(obj, reason)
                except ValidationError as exc:
                    modeladmin.message_user(
                        request, f"{obj}: {' '.join(exc.messages)}", messages.ERROR
                    )
                else:
                    modeladmin.message_user(request, done, messages.SUCCESS)
            return None
    else:
        form = ReasonForm(label=label, help_text=help_text)
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "subtitle": None,
        "opts": opts,
        "objects": list(queryset),
        "form": form,
        "action": action,
        "button": button,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media,
    }
    return TemplateResponse(request, "admin/action_with_reason.html", context)
