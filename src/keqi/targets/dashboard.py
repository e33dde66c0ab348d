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

from .models import Target
from .services import COUNTED, PLAN_BASE_YEAR
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


def ranking(*, scope: Scope, indicator: str, year: int, on: dt.date) -> list[dict]:
    """Units by how much of the way to their own target they have covered (else by the year's gain)."""
    scope.require_read()
    _require_counted(indicator)
    units = scope.units(ReportingUnit.objects.all()).values_list("pk", "name", "zone")
    day = min(on, dt.date(year, 12, 31))
    now = figures.holders_by_unit(kind=COUNTED[indicator], on=day)
    start = figures.holders_by_unit(kind=COUNTED[indicator], on=dt.date(day.year - 1, 12, 31))
    targets = {int(k[5:]): v for k, v in Target.objects.filter(indicator=indicator, year=year,
                                                              scope_key__startswith="unit:")
               .values_list("scope_key", "value")}
    rows = []
    for pk, name, zone in units:
        target = targets.get(pk)
        actual = now.get(pk, 0)
        rows.append({"unit_id": pk, "unit": name, "zone": plan_zone(name, zone) or "", "actual": actual,
                     "gain": actual - start.get(pk, 0), "target": target,
                     "share": (Decimal(actual) / target) if target else None})
    rows.sort(key=lambda r: (r["share"] is None, -(r["share"] or 0), -r["gain"], -r["actual"], r["unit"]))
    return rows


def funnel(*, scope: Scope, on: dt.date, unit_id: int | None = None) -> list[dict]:
    """Firms per tier of the ladder on ``on`` in the user's scope (``unit_id``: one unit it may see):
    ``firms`` each firm once, on its highest tier; ``holders`` firms holding a qualification of the tier."""
    scope_key = f"unit:{unit_id}" if unit_id is not None else None
    c = figures.counts(scope=scope, on=on, scope_key=scope_key)
    return [{"tier": t.key, "label": t.label, "firms": t.highest, "holders": t.holders,
             "firms_label": t.highest_label, "holders_label": t.holders_label} for t in c.tiers]
