"""The dashboard's series: the count at each year-end (trend), units ranked by progress, and the
firms per tier of the ladder on a day (funnel).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from keqi.accounts.scope import Scope
from keqi.registry.models import Enterprise, Qualification, ReportingUnit

from .models import Target
from .services import (
    COUNTED,
    PLAN_BASE_YEAR,
    aggregate,
    cached,
    counts_by_unit,
    unit_zones,
    valid_on,
    visible_scope_keys,
)
from .zones import PLAN_ZONES, plan_zone


def _require_scope_key(scope: Scope, scope_key: str) -> None:
    kind, _sep, rest = scope_key.partition(":")
    if not (scope_key == "city" or (kind == "zone" and rest in PLAN_ZONES)
            or (kind == "unit" and rest.isdigit() and len(rest) < 19 and ReportingUnit.objects.filter(pk=int(rest)).exists())):
        raise ValidationError(f"范围应为 city、zone:片区名 或 unit:区县编号：{scope_key}")
    keys = visible_scope_keys(scope=scope)
    if keys is not None and scope_key not in keys:
        raise PermissionDenied(_("This scope is outside yours."))


def default_scope_key(*, scope: Scope) -> str:
    return f"unit:{scope.unit_id}" if not scope.is_city and scope.unit_id else "city"


def trend(*, scope: Scope, indicator: str, scope_key: str, on: dt.date, first_year: int = PLAN_BASE_YEAR) -> list[dict]:
    """The count at every year-end from the plan's base year, and on ``on`` for the current year."""
    scope.require_read()
    if indicator not in COUNTED:
        raise ValidationError(f"指标 {indicator} 不是按企业计数的指标")
    _require_scope_key(scope, scope_key)
    zones = unit_zones()
    out = []
    for y in range(first_year, on.year + 1):
        day = min(dt.date(y, 12, 31), on)
        out.append({"year": y, "on": day,
                    "value": aggregate(counts_by_unit(kind=COUNTED[indicator], on=day), scope_key, zones)})
    return out


def ranking(*, scope: Scope, indicator: str, year: int, on: dt.date) -> list[dict]:
    """Units by how much of the way to their own target they have covered (else by the year's gain)."""
    scope.require_read()
    if indicator not in COUNTED:
        raise ValidationError(f"指标 {indicator} 不是按企业计数的指标")
    units = scope.units(ReportingUnit.objects.all()).values_list("pk", "name", "zone")
    day = min(on, dt.date(year, 12, 31))
    now = counts_by_unit(kind=COUNTED[indicator], on=day)
    start = counts_by_unit(kind=COUNTED[indicator], on=dt.date(day.year - 1, 12, 31))
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
    """Firms per tier of the tier ladder on ``on`` (the highest tier of the qualifications they hold)."""
    from keqi.pipeline.services import current_ladder

    scope.require_read()
    ladder = current_ladder()

    def compute() -> dict[int, int]:
        level_of = {kind: t.level for t in ladder.tiers for kind in t.qualifications}
        firms = scope.enterprises(Enterprise.objects.filter(registered_on__lte=on))
        if unit_id is not None:
            firms = firms.filter(reporting_unit_id=unit_id)
        level: dict[int, int] = {}
        quals = (Qualification.objects.filter(valid_on(on), enterprise__in=firms.values("pk"),
                                              kind__in=list(level_of))
                 .values_list("enterprise_id", "kind").distinct())
        for firm, kind in quals.iterator(chunk_size=5000):
            level[firm] = max(level.get(firm, -1), level_of[kind])
        counts = dict.fromkeys((t.level for t in ladder.tiers), 0)
        for lv in level.values():
            counts[lv] += 1
        counts[ladder.tiers[0].level] += firms.count() - len(level)
        return counts

    tiers = tuple((t.level, t.qualifications) for t in ladder.tiers)
    counts = cached("funnel", (scope.role, scope.unit_id, scope.enterprise_id, unit_id, on, tiers), compute)
    return [{"tier": t.key, "label": t.label, "firms": counts[t.level]} for t in ladder.tiers]
