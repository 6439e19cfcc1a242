"""The owner's task and flag pages (issue 4, items 4 and 5).

Views stay thin: load through a selector, validate with a form, call one service, redirect. The
inline actions (payments, oversight time, dismissing a flag, assigning) answer an htmx request
with the partial they replace, and a plain POST with a redirect, so every action also works
without JavaScript.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from freelancers.access import owner_required
from freelancers.models import Freelancer

from . import selectors, services
from .filters import FlagFilter, TaskFilter
from .forms import AssignmentForm, DismissFlagForm, OversightForm, PaymentForm, TaskForm
from .models import Assignment, RiskFlag, Task

PAGE_SIZE = 25


def _page(request: HttpRequest, ordered, load, *, size: int = PAGE_SIZE):
    """Cut the page from the ids of a bare ordered queryset, then load only that page's rows.

    Sorting and skipping bare ids is cheap even deep into a large table; the joins, subqueries
    and prefetches of a row then run for the rows shown only.
    """
    page = Paginator(ordered.values_list("pk", flat=True), size).get_page(request.GET.get("page"))
    page.object_list = load(list(page.object_list))
    return page


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _errors_of(error: ValidationError) -> list[str]:
    return list(error.messages)


# --- Task list, create, edit ----------------------------------------------------------------


@owner_required
def task_list(request: HttpRequest) -> HttpResponse:
    """Queries: session, user, owner check, skills for the filter, count, the page's ids, its
    tasks with their flag figures, their active assignments."""
    filterset = TaskFilter(request.GET or None, queryset=Task.objects.all())
    page = _page(request, selectors.ordered_tasks(filterset.qs), selectors.task_rows)
    return render(
        request,
        "tasks/task_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": _query_without_page(request),
            "today": timezone.localdate(),
        },
    )


def _save_task(request: HttpRequest, form: TaskForm, task: Task | None) -> Task | None:
    """Call the service; a ValidationError it raises lands on the form, nothing is written."""
    try:
        if task is None:
            return services.create_task(
                required_sops=form.cleaned_data["required_sops"], **form.service_fields()
            )
        return services.update_task(
            task, required_sops=form.cleaned_data["required_sops"], **form.service_fields()
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None


@owner_required
def task_create(request: HttpRequest) -> HttpResponse:
    form = TaskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        task = _save_task(request, form, None)
        if task is not None:
            messages.success(request, f"Task “{task.title}” created.")
            return redirect(task)
    return render(request, "tasks/task_form.html", {"form": form, "task": None})


@owner_required
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.select_related("skill"), pk=pk)
    form = TaskForm(request.POST or None, instance=task)
    if request.method == "POST" and form.is_valid():
        # The form already copied the typed values onto ``task``; the service saves them.
        saved = _save_task(request, form, Task.objects.get(pk=pk))
        if saved is not None:
            messages.success(request, f"Task “{saved.title}” saved.")
            return redirect(saved)
        task.refresh_from_db()
    return render(request, "tasks/task_form.html", {"form": form, "task": task})


# --- Task detail and its inline actions -----------------------------------------------------


def _detail_context(
    request: HttpRequest,
    task: Task,
    *,
    assign_form: AssignmentForm | None = None,
    payment_forms: dict[int, PaymentForm] | None = None,
    oversight_form: OversightForm | None = None,
) -> dict:
    """Everything the task page shows, in a fixed number of queries whatever the data size."""
    assignments = selectors.task_assignments(task)
    payment_forms = payment_forms or {}
    for assignment in assignments:
        assignment.payment_form = payment_forms.get(assignment.pk) or PaymentForm(
            prefix=f"pay{assignment.pk}"
        )
    if assign_form is None and task.is_live:
        has_primary = any(
            a.ended_at is None and a.role == Assignment.Role.PRIMARY for a in assignments
        )
        role = Assignment.Role.BACKUP if has_primary else Assignment.Role.PRIMARY
        assign_form = _assignment_form(request, task, initial={"role": role})
    return {
        "task": task,
        "money": selectors.task_money(task),
        "active_assignments": [a for a in assignments if a.ended_at is None],
        "ended_assignments": [a for a in assignments if a.ended_at is not None],
        "assign_form": assign_form,
        "oversight_form": oversight_form or OversightForm(),
        "oversight_entries": selectors.recent_oversight(task),
        "flags": selectors.open_flags_for_task(task, assignments),
        "required_sops": selectors.task_required_sops(task),
        "next_url": request.get_full_path(),
        "today": timezone.localdate(),
    }


def _assignment_form(request: HttpRequest, task: Task, data=None, *, initial=None):
    """The picker. ``?who=`` searches a large network; a freelancer already chosen stays listed."""
    chosen = data.get("freelancer") if data is not None else None
    candidates = selectors.assignment_candidates(
        task,
        search=request.GET.get("who", ""),
        include=int(chosen) if chosen and chosen.isdigit() and len(chosen) < 19 else None,
    )
    return AssignmentForm(data, task=task, candidates=candidates, initial=initial)


def _load_task(pk: int) -> Task:
    try:
        return selectors.task_detail(pk)
    except Task.DoesNotExist:
        raise Http404("No such task.") from None


@owner_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Queries: session, user, owner check, task with totals, assignments, payments, candidates,
    oversight entries, open flags, required SOPs."""
    task = _load_task(pk)
    return render(request, "tasks/task_detail.html", _detail_context(request, task))


@owner_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a primary or a backup. Risky choices (unvetted, core task) need a confirmed submit."""
    task = _load_task(pk)
    form = _assignment_form(request, task, request.POST)
    if form.is_valid():
        freelancer: Freelancer = form.cleaned_data["freelancer"]
        try:
            assignment = services.assign_freelancer(
                task, freelancer, role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"{freelancer.name} added as {assignment.get_role_display().lower()}. "
                "The risk scan re-checks this task's flags.",
            )
            if request.htmx:
                return HttpResponseClientRedirect(task.get_absolute_url())
            return redirect(task)
    if request.htmx:
        return render(request, "tasks/partials/assign_form.html", {"task": task, "form": form})
    return render(
        request, "tasks/task_detail.html", _detail_context(request, task, assign_form=form)
    )


@owner_required
@require_POST
def end_assignment(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        Assignment.objects.select_related("freelancer", "task"), pk=assignment_pk, task_id=pk
    )
    try:
        services.end_assignment(assignment)
    except ValidationError as error:
        messages.error(request, " ".join(_errors_of(error)))
    else:
        messages.success(
            request,
            f"{assignment.freelancer.name} is off this task. The risk scan re-checks its flags.",
        )
    if request.htmx:
        return HttpResponseClientRedirect(reverse("tasks:detail", args=[pk]))
    return redirect("tasks:detail", pk=pk)


@owner_required
@require_POST
def add_payment(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    """Record a payment for one assignment; htmx gets the assignment's payments partial back."""
    assignment = get_object_or_404(
        Assignment.objects.select_related("freelancer"), pk=assignment_pk, task_id=pk
    )
    form = PaymentForm(request.POST, prefix=f"pay{assignment.pk}")
    saved = False
    if form.is_valid():
        try:
            services.record_payment(
                assignment,
                amount=form.cleaned_data["amount"],
                paid_on=form.cleaned_data["paid_on"],
                note=form.cleaned_data["note"],
            )
            saved = True
        except ValidationError as error:
            form.add_error(None, error)
    if not request.htmx:
        if saved:
            messages.success(request, f"Payment to {assignment.freelancer.name} recorded.")
            return redirect(f"{reverse('tasks:detail', args=[pk])}#assignment-{assignment.pk}")
        task = _load_task(pk)
        return render(
            request,
            "tasks/task_detail.html",
            _detail_context(request, task, payment_forms={assignment.pk: form}),
        )
    task = _load_task(pk)
    fresh = next(a for a in selectors.task_assignments(task) if a.pk == assignment.pk)
    fresh.payment_form = PaymentForm(prefix=f"pay{assignment.pk}") if saved else form
    return render(
        request,
        "tasks/partials/payments.html",
        {
            "task": task,
            "assignment": fresh,
            "money": selectors.task_money(task),
            "saved": saved,
            "oob": saved,
        },
    )


@owner_required
@require_POST
def add_oversight(request: HttpRequest, pk: int) -> HttpResponse:
    """Log the owner's own time on the task; htmx gets the oversight partial back."""
    task = _load_task(pk)
    form = OversightForm(request.POST)
    saved = False
    if form.is_valid():
        try:
            services.log_oversight(
                task,
                minutes=form.cleaned_data["minutes"],
                logged_on=form.cleaned_data["logged_on"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
            saved = True
        except ValidationError as error:
            form.add_error(None, error)
    if not request.htmx:
        if saved:
            messages.success(request, "Oversight time logged.")
            return redirect(f"{reverse('tasks:detail', args=[pk])}#oversight")
        return render(
            request, "tasks/task_detail.html", _detail_context(request, task, oversight_form=form)
        )
    if saved:
        task = _load_task(pk)
    return render(
        request,
        "tasks/partials/oversight.html",
        {
            "task": task,
            "oversight_form": OversightForm() if saved else form,
            "oversight_entries": selectors.recent_oversight(task),
            "money": selectors.task_money(task),
            "saved": saved,
            "oob": saved,
        },
    )


# --- Flags ----------------------------------------------------------------------------------


@owner_required
def flag_list(request: HttpRequest) -> HttpResponse:
    """Queries: session, user, owner check, count, the page's ids, its flags with task, assignment
    and freelancer, the tasks' assignments; plus one each for a task or freelancer filter."""
    filterset = FlagFilter(request.GET, queryset=RiskFlag.objects.all())
    page = _page(request, selectors.ordered_flags(filterset.qs), selectors.flag_rows)
    cleaned = filterset.form.cleaned_data if filterset.is_valid() else {}
    task_id, freelancer_id = cleaned.get("task"), cleaned.get("freelancer")
    return render(
        request,
        "flags/flag_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": _query_without_page(request),
            "state": cleaned.get("state") or "open",
            "only_task": Task.objects.filter(pk=task_id).first() if task_id else None,
            "only_freelancer": (
                Freelancer.objects.filter(pk=freelancer_id).first() if freelancer_id else None
            ),
            "next_url": request.get_full_path(),
        },
    )


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@owner_required
@require_POST
def dismiss_flag(request: HttpRequest, pk: int) -> HttpResponse:
    """Dismiss an open flag with a required note. htmx swaps the flag's row for the outcome."""
    flag = get_object_or_404(
        RiskFlag.objects.select_related("task", "assignment__freelancer", "dismissed_by"), pk=pk
    )
    form = DismissFlagForm(request.POST)
    done = False
    if form.is_valid():
        try:
            services.dismiss_flag(flag, by=request.user, note=form.cleaned_data["note"])
            done = True
        except ValidationError as error:
            # The service names the note when it is missing; anything else is about the flag.
            form.add_error("note" if hasattr(error, "error_dict") else None, error.messages)
    if request.htmx:
        flag = selectors.flag_list(RiskFlag.objects.filter(pk=pk)).get()
        selectors.attach_flag_people([flag])
        return render(
            request,
            "flags/partials/flag_item.html",
            {
                "flag": flag,
                "hide_task": request.POST.get("on_task_page") == "1",
                "dismiss_form": None if done else form,
                "next_url": _safe_next(request, reverse("flags:list")),
            },
        )
    if done:
        messages.success(request, f"Flag “{flag.get_kind_display()}” on {flag.task} dismissed.")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(_safe_next(request, reverse("flags:list")))
