"""The year-end forecast of every counted target: the pipeline and its conversion rates (from two
screenings a year apart, else from the qualification history), expiring certificates, and
``forecast.py``'s arithmetic (see docs/targets.md).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from keqi.pipeline import figures, memo
from keqi.policy.workflows import PIPELINE_PHASES
from keqi.registry import measures
from keqi.registry.models import Enterprise, Qualification, held_on
from keqi.screening.models import ScreeningRun, Standing

from . import forecast
from .models import Indicator
from .services import (
    COUNTED,
    TIER_OF_INDICATOR,
    Progress,
    cached,
    unit_zones,
    units_of,
)

LOWER_KINDS = {Indicator.HNTE_COUNT: ("cq_tech", "tsme"), Indicator.TECH_COUNT: ()}  # () = any firm without it


def _pipeline_firms(indicator: str, day: dt.date):
    """Firms one tier below the indicator's qualification on ``day`` (the pipeline)."""
    kind = COUNTED[indicator]
    holds = Exists(Qualification.objects.filter(held_on(day), enterprise=OuterRef("pk"), kind=kind))
    firms = Enterprise.objects.filter(registered_on__lte=day).exclude(holds)
    lower = LOWER_KINDS[indicator]
    if lower:
        firms = firms.filter(Exists(Qualification.objects.filter(held_on(day), enterprise=OuterRef("pk"),
                                                                  kind__in=lower)))
    return firms


def conversion_rates(*, indicator: str, on: dt.date) -> dict[int, forecast.Rate]:
    """Per unit: of the firms in the pipeline at the end of the year before last, how many gained the
    qualification during the last full year (qualification history)."""
    d0, d1 = dt.date(on.year - 2, 12, 31), dt.date(on.year - 1, 12, 31)
    gained = Exists(Qualification.objects.filter(enterprise=OuterRef("pk"), kind=COUNTED[indicator],
                                                 valid_from__gt=d0, valid_from__lte=d1))
    rows = (_pipeline_firms(indicator, d0).alias(gained=gained).values("reporting_unit_id")
            .annotate(observed=Count("pk"), converted=Count("pk", filter=Q(gained=True))).order_by())
    return {r["reporting_unit_id"]: forecast.Rate(r["converted"], r["observed"]) for r in rows}


def pipeline_by_unit(*, indicator: str, on: dt.date) -> dict[int, int]:
    rows = _pipeline_firms(indicator, on).values("reporting_unit_id").annotate(n=Count("pk")).order_by()
    return {r["reporting_unit_id"]: r["n"] for r in rows}


CANDIDATE_VERDICTS = ("eligible", "uncertain")


def _city_run(*, on: dt.date, before: dt.date | None = None) -> ScreeningRun | None:
    runs = ScreeningRun.objects.filter(status=ScreeningRun.Status.COMPLETE, reporting_unit__isnull=True,
                                       assess_on__lte=before or on)
    return runs.order_by("-assess_on", "-finished_at", "-pk").first()


def _candidates(run: ScreeningRun, indicator: str):
    return Standing.objects.filter(run=run, next_tier=TIER_OF_INDICATOR[indicator],
                                   next_verdict__in=CANDIDATE_VERDICTS)


def screening_pipeline(*, indicator: str, on: dt.date) -> tuple[dict[int, int], dict[int, forecast.Rate]] | None:
    """Candidates of the latest city-wide screening and their rates from a screening at least a year
    older: of its candidates for the tier, the share that held the qualification within 365 days of
    its assessment day. None when no such pair of screenings exists."""
    now = _city_run(on=on)
    old = _city_run(on=on, before=on - dt.timedelta(days=365))
    if now is None or old is None:
        return None
    gained = Exists(Qualification.objects.filter(
        enterprise=OuterRef("enterprise_id"), kind=COUNTED[indicator], valid_from__gt=old.assess_on,
        valid_from__lte=old.assess_on + dt.timedelta(days=365)))
    rates = {r["reporting_unit_id"]: forecast.Rate(r["converted"], r["observed"])
             for r in _candidates(old, indicator).alias(gained=gained).values("reporting_unit_id")
             .annotate(observed=Count("pk"), converted=Count("pk", filter=Q(gained=True))).order_by()}
    if not rates:
        return None
    pipeline = {r["reporting_unit_id"]: r["n"]
                for r in _screened_pipeline(now, indicator, on).values("reporting_unit_id")
                .annotate(n=Count("pk")).order_by()}
    return pipeline, rates


def _screened_pipeline(run: ScreeningRun, indicator: str, on: dt.date):
    """The run's candidates for the indicator's tier that do not hold its qualification on ``on``."""
    held = Exists(Qualification.objects.filter(held_on(on), enterprise=OuterRef("enterprise_id"),
                                               kind=COUNTED[indicator]))
    return _candidates(run, indicator).exclude(held)


def applying_in_pipeline(*, indicator: str, on: dt.date, source: str, firms) -> dict[int, int]:
    """Per unit: firms of the pipeline (as ``pipeline_and_rates`` took it from ``source``) that have an
    application in progress; the forecast counts them with their application's phase instead."""
    if source == "screening":
        rows = _screened_pipeline(_city_run(on=on), indicator, on).filter(enterprise_id__in=firms)
    else:
        rows = _pipeline_firms(indicator, on).filter(pk__in=firms)
    return {r["reporting_unit_id"]: r["n"] for r in rows.values("reporting_unit_id").annotate(n=Count("pk")).order_by()}


def applications_in_progress(*, indicator: str, on: dt.date,
                             source: str) -> tuple[measures.OpenApplications, dict[int, int]]:
    """The applications for the indicator's qualification in progress (only for a forecast made today or
    later: their past phases are not kept by day) and, per unit, the pipeline's firms among them; read once
    per web request (:mod:`keqi.pipeline.memo`: a targets page forecasts the same indicator for several rows)."""
    if on < timezone.localdate():
        return measures.OpenApplications(), {}
    return memo.once(f"applications_in_progress:{indicator}:{on.isoformat()}:{source}",
                     partial(_applications_in_progress, indicator=indicator, on=on, source=source))


def _applications_in_progress(*, indicator: str, on: dt.date,
                              source: str) -> tuple[measures.OpenApplications, dict[int, int]]:
    found = measures.open_applications(kind=COUNTED[indicator])
    if not found.by_unit:
        return found, {}
    return found, applying_in_pipeline(indicator=indicator, on=on, source=source, firms=found.enterprise_ids)


def pipeline_and_rates(*, indicator: str, on: dt.date) -> tuple[dict[int, int], dict[int, forecast.Rate], str]:
    """The pipeline per unit and its conversion rates: from the screenings when two a year apart exist
    (candidates = eligible or uncertain for the tier), else from the qualification history (pipeline =
    every firm one tier below)."""
    found = screening_pipeline(indicator=indicator, on=on)
    if found is not None:
        return found[0], found[1], "screening"
    return pipeline_by_unit(indicator=indicator, on=on), conversion_rates(indicator=indicator, on=on), "qualifications"


def expiring_by_unit(*, indicator: str, on: dt.date, until: dt.date) -> dict[int, int]:
    """Firms whose only valid certificate of the kind ends after ``on`` and by ``until`` (not yet renewed)."""
    kind = COUNTED[indicator]
    renewed = Exists(Qualification.objects.filter(enterprise=OuterRef("enterprise_id"), kind=kind)
                     .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=until)))
    rows = (Qualification.objects.filter(held_on(on), kind=kind, valid_to__lte=until).exclude(renewed)
            .values("enterprise__reporting_unit_id").annotate(n=Count("enterprise_id", distinct=True)).order_by())
    return {r["enterprise__reporting_unit_id"]: r["n"] for r in rows}


def _latest_run_id() -> int | None:
    return (ScreeningRun.objects.filter(status=ScreeningRun.Status.COMPLETE).order_by("-pk")
            .values_list("pk", flat=True).first())


def forecasts(*, rows: list[Progress], on: dt.date) -> dict[tuple[str, str], forecast.Forecast]:
    """The year-end forecast of every counted progress row (keyed by indicator and scope key)."""
    zones = unit_zones()
    out: dict[tuple[str, str], forecast.Forecast] = {}
    inputs: dict[tuple, tuple] = {}
    for p in rows:
        if p.indicator not in COUNTED or p.actual is None or p.base is None or p.status == "no_target":
            continue
        end_of_target = dt.date(p.year, 12, 31)
        year_end = min(dt.date(on.year, 12, 31), end_of_target)
        day = min(on, year_end)
        key = (p.indicator, day, year_end)
        if key not in inputs:
            start = dt.date(year_end.year - 1, 12, 31)
            ind = p.indicator
            pipeline, rates, source = cached("pipeline", (ind, day, _latest_run_id()),
                                              partial(pipeline_and_rates, indicator=ind, on=day))
            applying, overlap = applications_in_progress(indicator=ind, on=day, source=source)
            inputs[key] = (figures.holders_by_unit(kind=COUNTED[ind], on=start), pipeline, rates,
                           cached("expiring", (ind, day, year_end),
                                   partial(expiring_by_unit, indicator=ind, on=day, until=year_end)),
                           Decimal((day - start).days) / Decimal((year_end - start).days), applying, overlap)
        start_counts, pipeline, rates, expiring, elapsed, applying, overlap = inputs[key]
        city_rate = forecast.Rate(sum(r.converted for r in rates.values()), sum(r.observed for r in rates.values()))
        units = units_of(p.scope_key, zones)
        # candidates of each unit, less those with an application in progress: these count as a group of
        # their application's phase, at the rate at which applications that reached it were granted
        groups = [forecast.Group(max(pipeline.get(u, 0) - overlap.get(u, 0), 0), rates.get(u, forecast.Rate(0, 0)),
                                 city_rate) for u in units]
        phase_rates = {ph: forecast.Rate(*applying.history.get(ph, (0, 0))) for ph in PIPELINE_PHASES}
        groups += [forecast.Group(n, phase_rates[ph], phase_rates[ph])
                   for u in units for ph, n in applying.by_unit.get(u, {}).items()]
        base_day = dt.date(p.period_start - 1, 12, 31)
        period_share = Decimal(min(max((year_end - base_day).days, 0), (end_of_target - base_day).days)) / Decimal(
            (end_of_target - base_day).days)
        needed = forecast.needed_by_year_end(base=float(p.base), target=float(p.target),
                                             period_share_at_year_end=float(period_share))
        out[(p.indicator, p.scope_key)] = forecast.year_end(
            actual=float(p.actual), start_of_year=float(sum(start_counts.get(u, 0) for u in units)),
            elapsed=float(elapsed), groups=groups, expiring=sum(expiring.get(u, 0) for u in units), needed=needed)
    return out
