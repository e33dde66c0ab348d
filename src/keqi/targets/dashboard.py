"""The dashboard's series: the count at each year-end (trend), units ranked by progress, and the
firms per tier of the ladder on a day (funnel). Every figure comes from ``keqi.pipeline.figures``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError

from keqi.accounts.scope import Scope
from keqi.pipeline import figures
from keqi.pipeline.figures import default_scope_key  # noqa: F401 - the targets' pages and the API read it here
from keqi.registry.models import ReportingUnit

from .forecasting import forecasts
from .services import COUNTED, PLAN_BASE_YEAR, STATUSES, Progress, progress, standing
from .zones import plan_zone


def _require_counted(indicator: str) -> None:
    if indicator not in COUNTED:
        raise ValidationError(f"指标 {indicator} 不是按企业计数的指标")


def trend(*, scope: Scope, indicator: str, scope_key: str, on: dt.date, first_year: int = PLAN_BASE_YEAR) -> list[dict]:
    """The count at every year-end from the plan's base year, and on ``on`` for the current year."""
    scope.require_read()
    _require_counted(indicator)
    figures.require_scope_key(scope=scope, scope_key=scope_key)
    out = []
    for y in range(first_year, on.year + 1):
        day = min(dt.date(y, 12, 31), on)
        out.append({"year": y, "on": day,
                    "value": figures.counts(scope=scope, on=day, scope_key=scope_key).holding(COUNTED[indicator])})
    return out


def ranking(*, scope: Scope, indicator: str, year: int, on: dt.date, progress_rows: list[Progress] | None = None,
            outlook: dict | None = None) -> list[dict]:
    """Units by how much of their own target they have reached (else by the year's gain), each with its
    standing on that target (``services.standing``: the year-end forecast's, else the progress's;
    ``no_target`` for a unit without a target or with a target of 0).

    ``progress_rows`` and ``outlook``: what ``progress`` and ``forecasts`` gave the caller for the same
    scope, year and day (a page that shows them too), else read here."""
    scope.require_read()
    _require_counted(indicator)
    units = scope.units(ReportingUnit.objects.all()).values_list("pk", "name", "zone")
    day = min(on, dt.date(year, 12, 31))
    now = figures.holders_by_unit(kind=COUNTED[indicator], on=day)
    start = figures.holders_by_unit(kind=COUNTED[indicator], on=dt.date(day.year - 1, 12, 31))
    if progress_rows is None:
        progress_rows = progress(scope=scope, year=year, on=on)
    rows_of = {p.scope_key: p for p in progress_rows if p.indicator == indicator and p.scope_key.startswith("unit:")}
    if outlook is None:
        outlook = forecasts(rows=list(rows_of.values()), on=on)
    rows = []
    for pk, name, zone in units:
        p = rows_of.get(f"unit:{pk}")
        target = p.target if p is not None and p.target else None
        actual = now.get(pk, 0)
        status = standing(progress=p, forecast=outlook.get((indicator, f"unit:{pk}")))
        rows.append({"unit_id": pk, "unit": name, "zone": plan_zone(name, zone) or "", "actual": actual,
                     "gain": actual - start.get(pk, 0), "target": target,
                     "share": (Decimal(actual) / target) if target else None,
                     "status": status, "status_label": str(STATUSES[status])})
    rows.sort(key=lambda r: (r["share"] is None, -(r["share"] or 0), -r["gain"], -r["actual"], r["unit"]))
    for i, r in enumerate(rows, start=1):
        r["rank"] = i
    return rows


#: the ranking chart shows this many units at each end (the table below it shows every unit)
CHART_ENDS = 5


def ranking_ends(rows: list[dict], *, ends: int = CHART_ENDS) -> list[dict]:
    """What the ranking chart shows of ``ranking``'s rows: the first and the last ``ends`` units with a
    target, in order; units without one follow while there is room (all of them when no unit has a
    target: then the rows are ranked by the year's gain and the ends are taken over every unit)."""
    with_target = [r for r in rows if r["share"] is not None]
    pool = with_target or rows
    shown = pool if len(pool) <= 2 * ends else pool[:ends] + pool[-ends:]
    if with_target:
        shown = shown + [r for r in rows if r["share"] is None][:max(2 * ends - len(shown), 0)]
    return shown


def funnel(*, scope: Scope, on: dt.date, unit_id: int | None = None) -> list[dict]:
    """Firms per tier of the ladder on ``on`` in the user's scope (``unit_id``: one unit it may see):
    ``firms`` each firm once, on its highest tier; ``holders`` firms holding a qualification of the tier."""
    scope_key = f"unit:{unit_id}" if unit_id is not None else None
    c = figures.counts(scope=scope, on=on, scope_key=scope_key)
    return [{"tier": t.key, "label": t.label, "firms": t.highest, "holders": t.holders,
             "firms_label": t.highest_label, "holders_label": t.holders_label} for t in c.tiers]
