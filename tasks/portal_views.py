"""The freelancer portal: my live work, the SOPs it asks of me, and acknowledging them.

Every view takes the freelancer from ``request.user`` (``freelancer_required``), never from the
URL or the form, so nobody can read or acknowledge for anyone else; what does not apply to them
answers 404.
"""

import ipaddress

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_POST

from freelancers.access import freelancer_required
from freelancers.models import Freelancer
from sops.diff import diff_texts
from sops.forms import AcknowledgeForm
from sops.rendering import render_markdown
from sops.services import acknowledge as acknowledge_version

from .portal_selectors import portal_overview, sop_page

USER_AGENT_MAX = 512


def _valid_ip(value: str | None) -> bool:
    if not value:
        return False
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, as evidence.

    The socket address, unless ``TRUSTED_PROXY_COUNT`` says N proxies stand in front: each appends
    the address it saw to X-Forwarded-For, so the client is the N-th entry from the right. Entries
    further left are whatever the client chose to send and are never believed.
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies and _valid_ip(forwarded[-proxies]):
            return forwarded[-proxies]
    return remote if _valid_ip(remote) else None


@require_GET
@freelancer_required
def home(request: HttpRequest, *, freelancer: Freelancer) -> HttpResponse:
    context = {"overview": portal_overview(freelancer), "today": timezone.localdate()}
    return render(request, "portal/portal_home.html", context)


def _render_sop(request, freelancer, version_id, form=None, status=200) -> HttpResponse:
    page = sop_page(freelancer, version_id)
    last = page.last_acknowledgment
    changes = None
    if last is not None and last.version.number < page.version.number:
        changes = diff_texts(last.version.body, page.version.body)
    can_acknowledge = page.is_current and not page.acknowledged
    if form is None and can_acknowledge:
        form = AcknowledgeForm(version=page.version)
    context = {
        "page": page,
        "version": page.version,
        "sop": page.sop,
        "body": render_markdown(page.version.body),
        "changes": changes,
        "form": form if can_acknowledge else None,
    }
    return render(request, "portal/sop_read.html", context, status=status)


@require_GET
@freelancer_required
def sop(request: HttpRequest, version_id: int, *, freelancer: Freelancer) -> HttpResponse:
    return _render_sop(request, freelancer, version_id)


@require_POST
@freelancer_required
def acknowledge(request: HttpRequest, version_id: int, *, freelancer: Freelancer) -> HttpResponse:
    page = sop_page(freelancer, version_id)  # 404 unless this SOP applies to them
    version = page.version
    form = AcknowledgeForm(request.POST, version=version)
    if not form.is_valid():
        return _render_sop(request, freelancer, version_id, form=form)
    if form.cleaned_data["content_sha256"] != version.content_sha256:
        messages.error(
            request,
            f"The text you read does not match version {version.number} as published, so "
            "nothing was recorded. Read the text below again, then confirm.",
        )
        return redirect("portal:sop", version.pk)
    try:
        record = acknowledge_version(
            freelancer,
            version,
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX],
        )
    except ValidationError as error:
        messages.error(request, "Nothing was recorded: " + " ".join(error.messages))
        return redirect("portal:sop", version.pk)
    when = date_format(timezone.localtime(record.acknowledged_at), "j F Y, H:i")
    messages.success(
        request,
        f"Done: you acknowledged version {version.number} of “{page.sop.title}” on {when}.",
    )
    return redirect("portal:home")
