"""Owner pages about freelancers: the list, one page per freelancer (evidence, vetting, work,
SOPs, spend and the "what if they leave?" panel), the profile forms and offboarding.

Views are thin: owner check, a form, one service call, redirect. Reads come from selectors.
"""

from pathlib import PurePosixPath

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .access import owner_required
from .filters import FreelancerFilter
from .forms import (
    ApproveForm,
    FreelancerForm,
    OffboardForm,
    PortfolioItemForm,
    PortfolioReviewForm,
    RejectForm,
    ReviewForm,
)
from .models import ClientReview, Freelancer, PortfolioItem
from .validators import KIND_BY_SUFFIX

PAGE_SIZE = 25


def _freelancer(pk: int) -> Freelancer:
    try:
        return selectors.freelancer_for_page(pk)
    except Freelancer.DoesNotExist:
        raise Http404("No such freelancer.") from None


def _add_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: next to its field when it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _posted(request: HttpRequest):
    """The POST data to bind, even when empty (``request.POST or None`` would leave an empty
    submission unbound, and so without its "required" messages)."""
    return request.POST if request.method == "POST" else None


def _error_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- List -----------------------------------------------------------------------------------


@require_GET
@owner_required
def freelancer_list(request: HttpRequest) -> HttpResponse:
    filterset = FreelancerFilter(request.GET or None, queryset=selectors.freelancer_list())
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    selectors.attach_list_figures(page.object_list)
    filtered = any(request.GET.get(name, "").strip() for name in FreelancerFilter.Meta.fields)
    context = {"filter": filterset, "page": page, "filtered": filtered}
    partial = request.htmx and not request.htmx.history_restore_request
    template = (
        "freelancers/partials/freelancer_table.html"
        if partial
        else "freelancers/freelancer_list.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- Detail and the actions on it -----------------------------------------------------------


def _render_detail(request: HttpRequest, freelancer: Freelancer, **forms) -> HttpResponse:
    """The freelancer page; ``forms`` replaces blank forms with bound ones that have errors."""
    assess_pk, assess_form = forms.pop("assess", (None, None))
    portfolio = list(selectors.portfolio_of(freelancer))
    for item in portfolio:
        if item.pk == assess_pk:
            item.assess_form = assess_form
        else:
            item.assess_form = PortfolioReviewForm(
                prefix=f"assess-{item.pk}", initial={"assessment": item.assessment}
            )
    selectors.attach_bench([freelancer])
    assignments = list(selectors.assignments_of(freelancer))
    checklist = selectors.vetting_checklist(freelancer)
    reviews = list(selectors.reviews_of(freelancer))
    obligations = selectors.sop_obligations(freelancer)
    impact = selectors.departure_impact(freelancer)
    approve_form = forms.get("approve_form") or ApproveForm(prefix="approve")
    reject_form = forms.get("reject_form") or RejectForm(prefix="reject")
    context = {
        "freelancer": freelancer,
        "reviews": reviews,
        "verified_reviews": sum(1 for r in reviews if r.verified),
        "portfolio": portfolio,
        "reviewed_items": sum(1 for item in portfolio if item.is_reviewed),
        "checklist": checklist,
        "checklist_met": all(rule.met for rule in checklist),
        "decisions": list(selectors.vetting_log(freelancer)),
        "active_assignments": [a for a in assignments if a.ended_at is None],
        "past_assignments": [a for a in assignments if a.ended_at is not None],
        "spend": selectors.spend_of(freelancer),
        "obligations": obligations,
        "sops_owed": sum(1 for o in obligations if o.owed),
        "impact": impact,
        "live_task_count": len(impact.orphaned_tasks) + len(impact.covered_tasks),
        "review_form": forms.get("review_form") or ReviewForm(prefix="review"),
        "portfolio_form": forms.get("portfolio_form") or PortfolioItemForm(prefix="portfolio"),
        "approve_form": approve_form,
        "reject_form": reject_form,
        "vetting_forms": [approve_form, reject_form],
        "open_panel": forms.get("open_panel", ""),
    }
    return render(request, "freelancers/freelancer_detail.html", context)


@require_GET
@owner_required
def freelancer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _freelancer(pk))


@require_POST
@owner_required
def review_add(request: HttpRequest, pk: int) -> HttpResponse:
    freelancer = _freelancer(pk)
    form = ReviewForm(request.POST, prefix="review")
    if form.is_valid():
        try:
            review = services.add_review(freelancer, **form.review_data())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                f"Review from {review.client_name} added. Verify it with the client so it "
                "counts toward vetting.",
            )
            return redirect(f"{freelancer.get_absolute_url()}#reviews")
    return _render_detail(request, freelancer, review_form=form, open_panel="review")


@require_POST
@owner_required
def review_verify(request: HttpRequest, pk: int, review_pk: int) -> HttpResponse:
    review = get_object_or_404(ClientReview, pk=review_pk, freelancer_id=pk)
    try:
        services.verify_review(review, by=request.user)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, f"Review from {review.client_name} marked as verified.")
    return redirect(f"{review.freelancer.get_absolute_url()}#reviews")


@require_POST
@owner_required
def portfolio_add(request: HttpRequest, pk: int) -> HttpResponse:
    freelancer = _freelancer(pk)
    form = PortfolioItemForm(request.POST, request.FILES, prefix="portfolio")
    if form.is_valid():
        data = form.cleaned_data
        try:
            item = services.add_portfolio_item(
                freelancer,
                title=data["title"],
                url=data["url"],
                file=data["file"] or None,
                description=data["description"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"“{item.title}” added to the portfolio.")
            return redirect(f"{freelancer.get_absolute_url()}#portfolio")
    return _render_detail(request, freelancer, portfolio_form=form, open_panel="portfolio")


@require_POST
@owner_required
def portfolio_review(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item = get_object_or_404(PortfolioItem, pk=item_pk, freelancer_id=pk)
    form = PortfolioReviewForm(request.POST, prefix=f"assess-{item.pk}")
    if form.is_valid():
        try:
            services.review_portfolio_item(
                item, by=request.user, assessment=form.cleaned_data["assessment"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"“{item.title}” marked as reviewed.")
            return redirect(f"{item.freelancer.get_absolute_url()}#portfolio")
    return _render_detail(request, _freelancer(pk), assess=(item.pk, form))


@require_GET
@owner_required
def portfolio_download(request: HttpRequest, pk: int, item_pk: int) -> FileResponse:
    """Serve an upload as a download, never inline and never from a public media URL."""
    item = get_object_or_404(PortfolioItem, pk=item_pk, freelancer_id=pk)
    if not item.file:
        raise Http404("This portfolio item has no file.")
    stored = PurePosixPath(item.file.name)
    kind = KIND_BY_SUFFIX.get(stored.suffix.lower())
    if kind is None:
        raise Http404("This file is not of an accepted type.")
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    filename = item.original_filename or stored.name
    if KIND_BY_SUFFIX.get(PurePosixPath(filename).suffix.lower()) != kind:
        filename = f"{PurePosixPath(filename).stem or 'portfolio'}{kind.suffix}"
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=kind.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@owner_required
def vetting_start(request: HttpRequest, pk: int) -> HttpResponse:
    freelancer = _freelancer(pk)
    try:
        services.start_vetting(freelancer, by=request.user)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, f"Vetting of {freelancer.name} started.")
    return redirect(f"{freelancer.get_absolute_url()}#vetting")


@require_POST
@owner_required
def vetting_approve(request: HttpRequest, pk: int) -> HttpResponse:
    freelancer = _freelancer(pk)
    form = ApproveForm(request.POST, prefix="approve")
    if form.is_valid():
        try:
            decision = services.approve_vetting(
                freelancer, by=request.user, override_reason=form.cleaned_data["override_reason"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            note = " (override logged)" if decision.override else ""
            messages.success(request, f"{freelancer.name} is approved{note}.")
            return redirect(f"{freelancer.get_absolute_url()}#vetting")
    return _render_detail(request, freelancer, approve_form=form, open_panel="approve")


@require_POST
@owner_required
def vetting_reject(request: HttpRequest, pk: int) -> HttpResponse:
    freelancer = _freelancer(pk)
    form = RejectForm(request.POST, prefix="reject")
    if form.is_valid():
        try:
            services.reject_vetting(freelancer, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"{freelancer.name} is rejected; the reason is logged.")
            return redirect(f"{freelancer.get_absolute_url()}#vetting")
    return _render_detail(request, freelancer, reject_form=form, open_panel="reject")


# --- Create, edit, offboard -----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@owner_required
def freelancer_create(request: HttpRequest) -> HttpResponse:
    form = FreelancerForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            freelancer = services.create_freelancer(**form.profile_data())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, f"{freelancer.name} added. Next: collect reviews and a portfolio."
            )
            return redirect(freelancer)
    return render(request, "freelancers/freelancer_form.html", {"form": form, "freelancer": None})


@require_http_methods(["GET", "POST"])
@owner_required
def freelancer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    freelancer = _freelancer(pk)
    shown = Freelancer(pk=freelancer.pk, name=freelancer.name, status=freelancer.status)
    form = FreelancerForm(_posted(request), instance=freelancer)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_freelancer(freelancer, **form.profile_data())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"{freelancer.name}'s profile saved.")
            return redirect(freelancer)
    # The form changed the instance while validating; the page shows the saved name.
    return render(request, "freelancers/freelancer_form.html", {"form": form, "freelancer": shown})


@require_http_methods(["GET", "POST"])
@owner_required
def freelancer_offboard(request: HttpRequest, pk: int) -> HttpResponse:
    freelancer = _freelancer(pk)
    form = OffboardForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.offboard_freelancer(freelancer, by=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, f"{freelancer.name} is offboarded. Their history stays on this page."
            )
            return redirect(freelancer)
    context = {
        "freelancer": freelancer,
        "form": form,
        "live_work": list(selectors.live_work_of(freelancer)),
    }
    return render(request, "freelancers/freelancer_offboard.html", context)
