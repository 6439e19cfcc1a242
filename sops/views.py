"""The owners' SOP pages: the list with acknowledgement coverage, one SOP with its history,
writing and publishing versions after a preview, and the diff between two versions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from freelancers.access import owner_required

from .diff import diff_texts
from .forms import DiffForm, SOPCreateForm, SOPPublishForm
from .models import SOP
from .rendering import render_markdown
from .selectors import requirements, sop_list, version_history
from .services import create_sop, publish_sop_version


@require_GET
@owner_required
def sop_list_view(request: HttpRequest) -> HttpResponse:
    sops = list(sop_list())
    reqs = requirements()
    coverage = reqs.coverage_by_sop()
    rows = [(sop, coverage.get(sop.pk)) for sop in sops]
    totals = {
        "required": len(reqs.required),
        "acknowledged": len(reqs.acknowledged),
        "freelancers_behind": len({freelancer_id for freelancer_id, _ in reqs.outstanding}),
    }
    return render(request, "sops/sop_list.html", {"rows": rows, "totals": totals})


@require_GET
@owner_required
def sop_detail(request: HttpRequest, slug: str) -> HttpResponse:
    sop = get_object_or_404(SOP, slug=slug)
    versions = list(version_history(sop).annotate(ack_count=Count("acknowledgments")))
    if not versions:
        shown = None
    else:
        wanted = request.GET.get("version", "")
        by_number = {str(v.number): v for v in versions}
        shown = by_number.get(wanted, versions[0])
        if wanted and wanted not in by_number:
            messages.warning(request, f"There is no version “{wanted}”; showing the newest.")
    current = next((v for v in versions if v.material), None)
    reqs = requirements(sops=SOP.objects.filter(pk=sop.pk))
    coverage = reqs.coverage(sop.pk) if sop.pk in reqs.sops else None
    numbers = [v.number for v in reversed(versions)]
    diff_form = DiffForm(
        initial={
            "a": numbers[-2] if len(numbers) > 1 else None,
            "b": numbers[-1] if numbers else None,
        },
        numbers=numbers,
    )
    context = {
        "sop": sop,
        "versions": versions,
        "shown": shown,
        "current": current,
        "body": render_markdown(shown.body) if shown else "",
        "coverage": coverage,
        "diff_form": diff_form,
    }
    return render(request, "sops/sop_detail.html", context)


@require_http_methods(["GET", "POST"])
@owner_required
def sop_create(request: HttpRequest) -> HttpResponse:
    form = SOPCreateForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "save" and form.was_previewed():
            data = form.cleaned_data
            try:
                sop = create_sop(
                    title=data["title"],
                    slug=data["slug"],
                    summary=data["summary"],
                    applies_to_all=data["applies_to_all"],
                    body=data["body"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"“{sop.title}” is published as version 1.")
                return redirect(sop)
        else:
            if request.POST.get("action") == "save":
                messages.warning(
                    request, "The text changed since the preview: check it, then save."
                )
            preview = render_markdown(form.cleaned_data["body"])
            form = form.with_preview_token()
    return render(request, "sops/sop_create.html", {"form": form, "preview": preview})


@require_http_methods(["GET", "POST"])
@owner_required
def sop_publish(request: HttpRequest, slug: str) -> HttpResponse:
    sop = get_object_or_404(SOP, slug=slug)
    latest = sop.latest_version
    next_number = (latest.number + 1) if latest else 1
    if request.method == "POST":
        form = SOPPublishForm(request.POST, latest=latest)
    else:
        form = SOPPublishForm(latest=latest, initial={"body": latest.body if latest else ""})
    preview = changes = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("action") == "publish" and form.was_previewed():
            try:
                version = publish_sop_version(
                    sop,
                    body=data["body"],
                    change_note=data["change_note"],
                    material=data["material"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if version.material:
                    note = "Freelancers who need it will be asked to acknowledge it."
                else:
                    note = "A minor edit: nobody has to acknowledge it again."
                messages.success(request, f"Version {version.number} is published. {note}")
                return redirect(sop)
        else:
            if request.POST.get("action") == "publish":
                messages.warning(
                    request, "The text changed since the preview: check it, then publish."
                )
            preview = render_markdown(data["body"])
            changes = diff_texts(latest.body if latest else "", data["body"])
            form = form.with_preview_token()
    context = {
        "sop": sop,
        "latest": latest,
        "next_number": next_number,
        "form": form,
        "preview": preview,
        "changes": changes,
    }
    return render(request, "sops/sop_publish.html", context)


@require_GET
@owner_required
def sop_diff(request: HttpRequest, slug: str) -> HttpResponse:
    sop = get_object_or_404(SOP, slug=slug)
    versions = {v.number: v for v in sop.versions.select_related("published_by")}
    numbers = sorted(versions)
    defaults = {"a": numbers[-2], "b": numbers[-1]} if len(numbers) > 1 else {}
    data = {**defaults, **{k: request.GET[k] for k in ("a", "b") if k in request.GET}}
    form = DiffForm(data, numbers=numbers)
    old = new = changes = error = None
    status = 200
    if len(numbers) < 2:
        pass  # the page says there is nothing to compare
    elif form.is_valid():
        old, new = versions[form.cleaned_data["a"]], versions[form.cleaned_data["b"]]
        changes = diff_texts(old.body, new.body)
    else:
        asked = ", ".join(str(data.get(k, "")) or "nothing" for k in ("a", "b"))
        error = (
            f"This SOP has versions {numbers[0]} to {numbers[-1]}; you asked for {asked}. "
            "Choose two versions from the lists."
        )
        form = DiffForm(initial=defaults, numbers=numbers)
        status = 400
    context = {
        "sop": sop,
        "form": form,
        "old": old,
        "new": new,
        "changes": changes,
        "error": error,
        "single": len(numbers) < 2,
    }
    return render(request, "sops/sop_diff.html", context, status=status)
