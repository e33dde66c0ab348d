"""Screening pages: a firm judged against every edition, on a chosen day."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import replace
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from keqi.accounts.scope import scope_for
from keqi.pipeline.services import current_ladder
from keqi.registry import listing
from keqi.registry import services as registry
from keqi.registry.downloads import xlsx_response
from keqi.registry.models import Enterprise

from . import exporting, flows, services, tasks
from .forms import CandidateFilterForm, ScreenForm
from .models import ScreeningRun


def _day(text: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if text else timezone.localdate()
    except ValueError:
        return timezone.localdate()


@login_required
def enterprise_evaluation(request, uscc: str):
    scope = scope_for(request.user)
    scope.require_read()
    assess_on = _day(request.GET.get("on"))
    try:
        firm = Enterprise.objects.select_related("reporting_unit").get(
            pk__in=scope.enterprises(Enterprise.objects.filter(uscc=uscc.upper())).values("pk"))
        verdicts = services.explained(services.evaluate_enterprise(scope=scope, uscc=uscc, assess_on=assess_on))
    except Enterprise.DoesNotExist:
        raise Http404(_("No such enterprise in your scope.")) from None
    return render(request, "screening/enterprise_evaluation.html",
                  {"enterprise": firm, "verdicts": verdicts, "assess_on": assess_on})


PAGE_SIZE = 50


def _runs_page(request, scope):
    from django.core.paginator import Paginator

    return Paginator(services.runs_visible(scope=scope), 20).get_page(request.GET.get("page"))


@login_required
def index(request):
    scope = scope_for(request.user)
    scope.require_screen()
    form = ScreenForm(request.POST or None, units=registry.units_visible(scope=scope), city=scope.is_city,
                      day=request.GET.get("on"))
    if request.method == "POST" and form.is_valid():
        unit = form.cleaned_data.get("unit")
        run = flows.request_screening(scope=scope, user=request.user, assess_on=form.cleaned_data["assess_on"],
                                      unit_id=unit.pk if unit else None)
        transaction.on_commit(lambda: tasks.run_screening.enqueue(run.pk))
        return redirect("screening:run_detail", pk=run.pk)
    return render(request, "screening/index.html", {"form": form, "page": _runs_page(request, scope)})


@login_required
def run_detail(request, pk: int):
    scope = scope_for(request.user)
    run = get_object_or_404(services.runs_visible(scope=scope), pk=pk)
    counts = services.verdict_counts(run=run) if run.status == ScreeningRun.Status.COMPLETE else {}
    running = run.status in (ScreeningRun.Status.QUEUED, ScreeningRun.Status.RUNNING)
    return render(request, "screening/run_detail.html", {"run": run, "counts": counts, "running": running})


def _candidates(request, scope):
    """The filter form and the candidate list it asks for; a sort key the list does not have falls back
    to closest first (the page is not refused for an edited address; the API is: 422)."""
    form = CandidateFilterForm(request.GET or None, units=registry.units_visible(scope=scope), city=scope.is_city,
                               planning=scope.can_write_registry)
    f = services.CandidateFilter()
    if form.is_valid():
        d = form.cleaned_data
        unit = d.get("unit")
        f = services.CandidateFilter(unit_id=unit.pk if unit else None, next_tier=d["next_tier"],
                                     edition=d["edition"], hitech_field=d["hitech_field"], industry=d["industry"],
                                     planned=d.get("planned", ""))
    try:
        found = services.candidate_list(scope=scope, filters=replace(f, sort=request.GET.get("sort", "")))
    except ValidationError:
        found = services.candidate_list(scope=scope, filters=f)
    return form, found


CANDIDATE_HEADERS = (
    "#", services.CANDIDATE_SORTS["name"], services.CANDIDATE_SORTS["unit"], "当前梯次 → 目标梯次",
    services.CANDIDATE_SORTS["closeness"], services.CANDIDATE_SORTS["revenue"], services.CANDIDATE_SORTS["rd_ratio"],
    services.CANDIDATE_SORTS["tech_share"], services.CANDIDATE_SORTS["ip"], "未满足的条件", "改进路径",
)


@login_required
def candidate_list(request):
    scope = scope_for(request.user)
    form, found = _candidates(request, scope)
    run = found.run
    page = listing.paged(found.standings if run else [], request.GET)
    rows = found.rows(page.object_list)
    from keqi.registry.marks import for_firms

    marks = for_firms(scope=scope, enterprise_ids=[c.standing.enterprise_id for c in rows])  # e.g. an open application
    return render(request, "screening/candidate_list.html", {
        "form": form, "run": run, "page": page, "rows": [(c, marks.get(c.standing.enterprise_id, ())) for c in rows],
        "headers": listing.headers(CANDIDATE_HEADERS, found.sort, request.GET), "sort": found.sort.text,
        "size": page.paginator.per_page, "tiers": current_ladder().labels(), "total": page.paginator.count,
    })


@login_required
def candidate_export(request):
    scope = scope_for(request.user)
    _, found = _candidates(request, scope)
    if found.run is None:
        raise Http404(_("No screening has been completed for this unit yet."))
    frame = exporting.candidate_frame(found.rows(found.standings))
    tmp = Path(tempfile.mkdtemp()) / "candidates.xlsx"
    exporting.write_candidates(tmp, frame)
    return xlsx_response(tmp, f"候选企业-{found.run.assess_on:%Y%m%d}.xlsx")
