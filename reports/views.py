"""The owner's dashboard, the savings and concentration report, and its CSV exports."""

import csv
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from freelancers.access import is_owner, owner_required
from freelancers.selectors import skills_with_bench
from tasks.jobs import scan_all_tasks
from tasks.models import RiskFlag
from tasks.queueing import enqueue_on_commit

from . import selectors
from .forms import PeriodForm


def _month_label(month) -> str:
    return f"{month:%b %Y}"


def dashboard(request: HttpRequest) -> HttpResponse:
    """One card per outsourcing mistake, the open flags, bench depth and spend per month.

    Queries, whatever the size of the network: the flags' version (latest scan, dismissals) and,
    unless cached for that version, open flags by kind and severity and SOP flags (freelancers,
    count, oldest); live core tasks with a freelancer; the vetting pipeline;
    skills with their bench; savings totals; spend per month; spend per freelancer; the last
    full scan.
    """
    if not is_owner(request.user):
        return redirect("/portal/")
    period = selectors.last_months(12)
    summary = selectors.flag_summary()
    flags = summary.counts
    skills = list(skills_with_bench())
    savings = selectors.savings_totals(period)
    spend = selectors.spend_by_freelancer(period)
    spend_months = selectors.spend_by_month(period)
    cards = selectors.dashboard_cards(
        flags=flags,
        sop=summary.sop,
        core_with_freelancer=selectors.core_tasks_with_freelancer(),
        pipeline=selectors.vetting_pipeline(),
        skills=skills,
        savings=savings,
        spend=spend,
    )
    last_scan = selectors.last_full_scan()
    severities = [RiskFlag.Severity.HIGH, RiskFlag.Severity.MEDIUM, RiskFlag.Severity.LOW]
    flag_rows = [
        {
            "kind": kind,
            "label": label,
            "cells": [(severity, flags.get((kind, severity), 0)) for severity in severities],
            "total": sum(flags.get((kind, severity), 0) for severity in severities),
        }
        for kind, label in RiskFlag.Kind.choices
    ]
    charts = {
        "bench": {
            "labels": [skill.name for skill in skills],
            "values": [skill.bench for skill in skills],
        },
        "spend": {
            "labels": [_month_label(month) for month, _ in spend_months],
            "values": [str(paid) for _, paid in spend_months],
        },
    }
    return render(
        request,
        "reports/dashboard.html",
        {
            "cards": cards,
            "flag_rows": flag_rows,
            "severities": [(value, RiskFlag.Severity(value).label) for value in severities],
            "flags_total": sum(flags.values()),
            "charts": charts,
            "last_scan": last_scan,
            "period": period,
        },
    )


@require_POST
@owner_required
def scan_now(request: HttpRequest) -> HttpResponse:
    """Queue a scan of the whole network; a dead broker is logged, never a 500."""
    enqueue_on_commit(scan_all_tasks)
    messages.success(request, "Scan queued. The flags update when it finishes; refresh to see.")
    return redirect("home")


def _period_form(request: HttpRequest) -> PeriodForm:
    return PeriodForm(request.GET)


@owner_required
def index(request: HttpRequest) -> HttpResponse:
    """Did outsourcing pay off, where, and with whom, over the chosen months.

    Queries, whatever the data: totals; by month; by skill; spend per freelancer; the
    overestimated tasks.
    """
    form = _period_form(request)
    period = form.period
    totals = selectors.savings_totals(period)
    months = selectors.savings_by_month(period)
    spend = selectors.spend_by_freelancer(period)
    skills = selectors.savings_by_skill(period)
    overestimated = list(selectors.overestimated_tasks(period))
    not_counted = selectors.not_counted(period)
    share_chart = spend.top_ten_and_rest()
    hhi = spend.hhi
    charts = {
        "savings": {
            "labels": [row.label for row in months],
            "estimated": [str(row.estimated_savings) for row in months],
            "realised": [str(row.realised_savings) for row in months],
        },
        "share": {
            "labels": [name for name, _ in share_chart],
            "values": [str(paid) for _, paid in share_chart],
        },
        "hhi": {
            "value": str(hhi) if hhi is not None else None,
            "moderate": str(selectors.HHI_MODERATE),
            "high": str(selectors.HHI_HIGH),
        },
    }
    return render(
        request,
        "reports/report_index.html",
        {
            "form": form,
            "period": period,
            "totals": totals,
            "months": months,
            "skills": skills,
            "spend": spend,
            "overestimated": overestimated,
            "not_counted": not_counted,
            "charts": charts,
            "overhead_band": selectors.OVERHEAD_BAND,
            "rate": settings.OWNER_HOURLY_RATE,
        },
    )


# --- CSV exports ----------------------------------------------------------------------------

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with a single quote.

    Only text is touched: numbers come from Decimals and ints, so ``-50.00`` stays a number.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose write() hands the line back, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def _csv_response(filename: str, header: list[str], rows: Iterable[list]) -> HttpResponse:
    """Stream UTF-8 with a byte-order mark, so Excel reads accented names correctly."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(header)
        # The rows are queried while streaming, after the view has returned.
        for row in rows:
            yield writer.writerow([neutralise(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _bad_period(form: PeriodForm) -> HttpResponse:
    errors = "; ".join(message for messages_ in form.errors.values() for message in messages_)
    return HttpResponse(
        f"Bad period: {errors}", status=400, content_type="text/plain; charset=utf-8"
    )


SAVINGS_COLUMNS = [
    "task_id",
    "task",
    "skill",
    "status",
    "is_core",
    "in_house_estimate",
    "budget",
    "paid",
    "oversight_hours",
    "oversight_cost",
    "investment",
    "estimated_savings",
    "realised_savings",
]


@owner_required
def savings_csv(request: HttpRequest) -> HttpResponse:
    """The tasks of the period with their figures (one query, streamed in chunks).

    By default the done tasks, whose rows add up to the report's totals; ``?tasks=all`` adds the
    period's unfinished and cancelled tasks (their ``status`` column tells them apart).
    """
    form = _period_form(request)
    if form.is_bound and not form.is_valid():
        return _bad_period(form)
    period = form.period
    every_task = request.GET.get("tasks") == "all"
    chosen = selectors.tasks_in_period if every_task else selectors.done_tasks
    tasks = chosen(period).order_by("last_paid_on", "pk")
    rows = (
        [
            task.pk,
            task.title,
            task.skill.name if task.skill else "",
            task.status,
            "true" if task.is_core else "false",
            task.in_house_estimate,
            task.budget,
            task.paid,
            task.oversight_hours,
            task.oversight_cost,
            task.investment,
            task.estimated_savings,
            task.realised_savings,
        ]
        for task in tasks.iterator(chunk_size=2000)
    )
    return _csv_response(
        f"savings-{period.first:%Y-%m}-to-{period.last:%Y-%m}.csv", SAVINGS_COLUMNS, rows
    )


@owner_required
def spend_csv(request: HttpRequest) -> HttpResponse:
    """Spend per freelancer in the period: paid, share (% of the period's spend), tasks."""
    form = _period_form(request)
    if form.is_bound and not form.is_valid():
        return _bad_period(form)
    period = form.period

    def rows() -> Iterator[list]:
        # Evaluated while streaming, like the savings export.
        for row in selectors.spend_by_freelancer(period).rows:
            yield [row.name, row.paid, row.share_rounded, row.tasks]

    return _csv_response(
        f"spend-{period.first:%Y-%m}-to-{period.last:%Y-%m}.csv",
        ["freelancer", "paid", "share", "tasks"],
        rows(),
    )
