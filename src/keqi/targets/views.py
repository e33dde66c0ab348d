"""Targets pages: progress (with charts fed by the JSON API), allocations to the units, reported
indicator values, a unit's page and the leadership report. No business rules here: see services."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from keqi.accounts.scope import scope_for
from keqi.registry.downloads import XLSX
from keqi.registry.tasks import queue_upload
from keqi.registry.upload_views import UploadForm, UploadPages
from keqi.registry.uploads import record_upload

from . import allocating, dashboard, forecasting, leadership, reported, services
from .models import Indicator, ValueImport


class ValueUploadForm(UploadForm):
    file = forms.FileField(label=_lazy("File (.xlsx)"))
    suffixes = (".xlsx",)
    wrong_kind = _lazy("Use the template: an .xlsx file.")


def _day(request, today: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("on") or today.isoformat())
    except ValueError:
        return today


def _year(request, years: list[int], on: dt.date) -> int:
    try:
        return int(request.GET.get("year") or (on.year if on.year in years else max(years, default=on.year)))
    except ValueError:
        return on.year


def _reader(request):
    scope = scope_for(request.user)
    scope.require("targets.read")
    return scope


@login_required
def overview(request):
    scope = _reader(request)
    on = _day(request, timezone.localdate())
    years = services.years(scope=scope)
    year = _year(request, years, on)
    progress = services.progress(scope=scope, year=year, on=on)
    fc = forecasting.forecasts(rows=progress, on=on)
    rows = [(p, fc.get((p.indicator, p.scope_key))) for p in progress]
    return render(request, "targets/overview.html", {"rows": rows, "year": year, "years": years, "on": on,
                                                     **_series(scope, year, on, progress, fc)})


@login_required
def allocations(request):
    """The units' targets for one indicator and year, the suggested split, and the city's edits."""
    scope = _reader(request)
    today = timezone.localdate()
    indicator = request.GET.get("indicator") or request.POST.get("indicator") or Indicator.HNTE_COUNT
    if indicator not in allocating.ALLOCATABLE:
        indicator = Indicator.HNTE_COUNT
    years = sorted(set(services.years(scope=scope)) | {today.year, today.year + 1})  # annual targets too
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or max(years, default=today.year))
    except ValueError:
        year = today.year
    errors: list[str] = []
    entered: dict[str, str] = {}
    if request.method == "POST":
        scope.require("targets.set")
        source = request.POST.get("source", "")
        try:
            if request.POST.get("action") == "accept":
                n = allocating.accept_suggestion(scope=scope, user=request.user, indicator=indicator, year=year,
                                               on=today, source=source)
            else:
                values, entered, errors = _posted_values(request.POST, services.unit_names())
                if errors:
                    raise ValidationError(errors)
                n = allocating.set_allocations(scope=scope, user=request.user, indicator=indicator, year=year,
                                             values=values, source=source)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("Targets saved. Changed:") + f" {n}")
            return redirect(f"{reverse('targets:allocations')}?indicator={indicator}&year={year}")
    plan = allocating.allocation(scope=scope, indicator=indicator, year=year, on=today)
    history = allocating.allocation_history(scope=scope, indicator=indicator, year=year)
    labels = dict(Indicator.choices)
    rows = [(r, entered[f"unit-{r.unit_id}"] if f"unit-{r.unit_id}" in entered
             else ("" if r.target is None else _plain(r.target))) for r in plan.rows]
    return render(request, "targets/allocations.html", {
        "rows": rows,
        "plan": plan, "indicator": indicator, "year": year, "years": years, "history": history,
        "indicators": [(k, labels[k]) for k in allocating.ALLOCATABLE], "errors": errors,
        "source": request.POST.get("source", ""), "can_write": scope.may("targets.set"),
    })


def _plain(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")


def _posted_values(post, names: dict[int, str]) -> tuple[dict[int, Decimal | None], dict[str, str], list[str]]:
    """Values typed per unit (``unit-<id>``): blank removes the unit's target."""
    values: dict[int, Decimal | None] = {}
    entered: dict[str, str] = {}
    errors: list[str] = []
    for name, raw in post.items():
        if not name.startswith("unit-"):
            continue
        text = raw.strip().replace(",", "")
        entered[name] = raw
        try:
            unit_id = int(name[5:])
        except ValueError:
            continue
        try:
            values[unit_id] = Decimal(text) if text else None
        except InvalidOperation:
            errors.append(f"{names.get(unit_id, unit_id)}: " + _("not a number") + f" “{raw}”")
    return values, entered, errors


def _series(scope, year: int, on: dt.date, progress, forecasts) -> dict:
    """The dashboards' data for the tables that stand in for the charts without JavaScript (the ranking
    from the progress and forecasts the page has read)."""
    key = dashboard.default_scope_key(scope=scope)
    return {
        "trend": dashboard.trend(scope=scope, indicator=Indicator.HNTE_COUNT, scope_key=key, on=on),
        "trend_tech": dashboard.trend(scope=scope, indicator=Indicator.TECH_COUNT, scope_key=key, on=on),
        "ranking": dashboard.ranking(scope=scope, indicator=Indicator.HNTE_COUNT, year=year, on=on,
                                     progress_rows=progress, outlook=forecasts)
        if scope.may("targets.ranking") else [],
        "funnel": dashboard.funnel(scope=scope, on=on),
        "ranking_ends": dashboard.CHART_ENDS, "ranking_shown": 2 * dashboard.CHART_ENDS,
        "statuses": [(k, services.STATUSES[k]) for k in ("on_track", "at_risk", "behind", "no_target")],
    }


@login_required
def unit_page(request, pk: int):
    """One reporting unit: its firms by tier, its closest candidates with their gaps, its tasks and targets."""
    from keqi.pipeline import services as pipeline
    from keqi.pipeline.services import current_ladder
    from keqi.screening import services as screening

    scope = _reader(request)
    scope.require_unit_page(pk)
    names = services.unit_names()
    if pk not in names:
        raise Http404(_("No such reporting unit."))
    on = _day(request, timezone.localdate())
    years = services.years(scope=scope)
    year = _year(request, years, on)
    rows = [p for p in services.progress(scope=scope, year=year, on=on) if p.scope_key == f"unit:{pk}"]
    fc = forecasting.forecasts(rows=rows, on=on)
    run = screening.latest_run(scope=scope, unit_id=pk)
    candidates, gaps = [], {}
    if run is not None:
        candidates = list(screening.candidates(scope=scope, run=run,
                                               filters=screening.CandidateFilter(unit_id=pk))[:TOP_CANDIDATES])
        gaps = screening.gaps_for(run=run, standings=candidates)
    tasks = (pipeline.tasks(scope=scope, view="all", today=timezone.localdate())
             .filter(enterprise__reporting_unit_id=pk, status="open")[:50])
    overdue = pipeline.tasks(scope=scope, view="overdue", today=timezone.localdate()).filter(
        enterprise__reporting_unit_id=pk).count()
    return render(request, "targets/unit.html", {
        "unit_id": pk, "unit_name": names[pk], "year": year, "years": years, "on": on,
        "rows": [(p, fc.get((p.indicator, p.scope_key))) for p in rows],
        "funnel": dashboard.funnel(scope=scope, on=on, unit_id=pk), "run": run, "tiers": current_ladder().labels(),
        "candidates": [(s, gaps.get(s.enterprise_id)) for s in candidates], "tasks": tasks, "overdue": overdue,
        "trend": dashboard.trend(scope=scope, indicator=Indicator.HNTE_COUNT, scope_key=f"unit:{pk}", on=on),
    })


TOP_CANDIDATES = 20


def _report_data(request):
    scope = _reader(request)
    on = _day(request, timezone.localdate())
    years = services.years(scope=scope)
    year = _year(request, years, on)
    return leadership.report(scope=scope, year=year, on=on), years


@login_required
def report(request):
    """数读: the key figures, charts and lagging units, printable."""
    data, years = _report_data(request)
    return render(request, "targets/report.html", {**data, "years": years,
                                                   "labels": dict(Indicator.choices)})


@login_required
def report_xlsx(request):
    data, _years = _report_data(request)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.xlsx"
        leadership.report_xlsx(data=data, path=path)
        content = path.read_bytes()
    name = f"数读-{data['scope_label']}-{data['year']}-{data['on'].isoformat()}.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def values(request):
    """Dated values of the reported indicators: the list, one entered by hand, or a sheet imported."""
    scope = _reader(request)
    errors: list = []
    names = services.unit_names()
    form = {k: request.POST.get(k, "") for k in ("indicator", "year", "scope", "as_of", "value", "source")}
    if request.method == "POST":
        scope.require("targets.record_values")
        if request.FILES:  # a sheet: the upload lifecycle (kept, checked, shown, confirmed, imported)
            upload_form = ValueUploadForm(request.POST, request.FILES)
            if upload_form.is_valid():
                upload = record_upload(model=ValueImport, scope=scope, user=request.user,
                                       uploaded=upload_form.cleaned_data["file"])
                queue_upload(upload, apply=False)
                return redirect("targets:import_detail", pk=upload.pk)
            errors = [{"row": "", "column": "", "value": getattr(request.FILES.get("file"), "name", ""), "reason": " ".join(m)}
                      for m in upload_form.errors.values()]
        else:
            with tempfile.TemporaryDirectory() as tmp:  # one row, checked exactly like a sheet
                rows, errors = _one_row(form, Path(tmp) / "one.xlsx")
            if not errors:
                reported.record_value(scope=scope, user=request.user, **rows[0])
                messages.success(request, _("Value recorded."))
                return redirect("targets:values")
    return render(request, "targets/values.html", {
        "values": [(v, services.scope_label(v.scope_key, names)) for v in reported.indicator_values(scope=scope)[:200]],
        "errors": errors, "form": form,
        "indicators": reported.REPORTED_ZH.items(), "can_write": scope.may("targets.record_values"),
        "labels": dict(Indicator.choices),
    })


def _one_row(form: dict, path: Path):
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet(reported.VALUE_SHEET)
    ws.write_row(0, 0, list(reported.VALUE_HEADERS.values()))
    ws.write_row(1, 0, [form["indicator"], form["year"], form["scope"], form["as_of"], form["value"],
                        form["source"]], book.add_format({"num_format": "@"}))
    book.close()
    return reported.read_values(path=path)


@login_required
def values_template(request):
    _reader(request)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.xlsx"
        reported.write_values_template(path=path)
        content = path.read_bytes()
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('指标数值模板.xlsx')}"
    return response


# The upload lifecycle's pages (registry/upload_views.py) for sheets of values: values/imports/…
uploads = UploadPages(
    model=ValueImport, namespace="targets", list_title=_lazy("Imports of indicator values"),
    upload_title=_lazy("Import a sheet of indicator values"),
    intro=_lazy("Fill in the template (one row per value, with its source) and upload it. The sheet is checked "
                "first and nothing is recorded until you confirm; a sheet with any error records nothing."),
    template_url="targets:values_template", done_links=((_lazy("Reported indicator values"), "targets:values"),),
    form=ValueUploadForm, prefix="values/imports/",
)
