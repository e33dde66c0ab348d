"""Allocating: the city splits its targets over the reporting units (suggested by weight, set
with history, city administrator only); an officer sees its own unit's row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from keqi.accounts.scope import Scope
from keqi.pipeline import figures
from keqi.registry import measures
from keqi.registry.bulk import history_reason
from keqi.registry.models import ReportingUnit
from keqi.screening.models import ScreeningRun, Standing

from .allocation import largest_remainder
from .models import SOURCE_LENGTH, Indicator, Target
from .services import COUNTED, MAX_VALUE, TIER_OF_INDICATOR, cached, unit_zones, units_of
from .zones import plan_zone

ALLOCATABLE = (Indicator.HNTE_COUNT, Indicator.TECH_COUNT, Indicator.CONTRACT_TURNOVER)


@dataclass(frozen=True)
class AllocationRow:
    unit_id: int
    unit_name: str
    zone: str  # the plan zone ("" when the unit has none)
    parent_key: str | None  # the target it is a part of: its zone's, else the city's (None: none set)
    weight: int  # what the suggestion is proportional to
    suggested: int | None
    target: Decimal | None  # the unit's current target
    source: str


@dataclass(frozen=True)
class Allocation:
    indicator: str
    year: int
    rows: list[AllocationRow]
    wholes: dict[str, Decimal]  # parent key → its target
    parts: dict[str, Decimal]  # parent key → sum of the units' current targets

    @property
    def differs(self) -> bool:
        return any(r.target is None or r.suggested is None or r.target != r.suggested for r in self.rows)


def _require_allocatable(indicator: str) -> None:
    if indicator not in ALLOCATABLE:
        names = ", ".join(ALLOCATABLE)
        raise ValidationError(f"指标 {indicator} 不能分解到区县（可分解：{names}）")


def allocation_weights(*, indicator: str, year: int, on: dt.date) -> dict[int, int]:
    """Per unit: firms holding the qualification on ``on`` plus the eligible candidates for that tier in
    the latest city-wide screening; for 技术合同成交额 the turnover registered the year before."""
    if indicator == Indicator.CONTRACT_TURNOVER:
        ids = set(ReportingUnit.objects.values_list("pk", flat=True))
        return {unit: int(amount) for unit, amount in
                measures.by_unit(Indicator.CONTRACT_TURNOVER, year=year - 1).items() if unit in ids}
    weights = dict(figures.holders_by_unit(kind=COUNTED[indicator], on=on))
    run = (ScreeningRun.objects.filter(status=ScreeningRun.Status.COMPLETE, reporting_unit__isnull=True)
           .order_by("-finished_at", "-pk").first())
    if run is not None:
        def eligible() -> dict[int, int]:
            rows = (Standing.objects.filter(run=run, next_tier=TIER_OF_INDICATOR[indicator], next_verdict="eligible")
                    .values("reporting_unit_id").annotate(n=Count("pk")).order_by())
            return {r["reporting_unit_id"]: r["n"] for r in rows}

        for unit, n in cached("eligible", (run.pk, indicator), eligible).items():
            weights[unit] = weights.get(unit, 0) + n
    return weights


def allocation(*, scope: Scope, indicator: str, year: int, on: dt.date) -> Allocation:
    """Every unit's target for (indicator, year) with the suggested split; an officer sees its own unit."""
    scope.require_read()
    scope.require("targets.allocations")
    _require_allocatable(indicator)
    parents = {t.scope_key: t.value for t in Target.objects.filter(indicator=indicator, year=year)
               .exclude(scope_key__startswith="unit:")}
    current = {int(t.scope_key[5:]): t for t in Target.objects.filter(indicator=indicator, year=year,
                                                                        scope_key__startswith="unit:")}
    units = list(ReportingUnit.objects.order_by("kind", "code", "name").values_list("pk", "name", "zone"))
    weights = allocation_weights(indicator=indicator, year=year, on=on)
    members: dict[str, dict[int, int]] = {}
    zones = unit_zones()
    parent_of: dict[int, str | None] = {}
    zone_of: dict[int, str] = {}
    for pk, name, zone in units:
        z = plan_zone(name, zone) or ""
        zone_of[pk] = z
        key = f"zone:{z}" if z and f"zone:{z}" in parents else ("city" if "city" in parents else None)
        parent_of[pk] = key
        if key:
            members.setdefault(key, {})[pk] = weights.get(pk, 0)
    suggested: dict[int, int] = {}
    for key, group in members.items():
        suggested.update(largest_remainder(int(parents[key]), group))
    rows = [AllocationRow(unit_id=pk, unit_name=name, zone=zone_of[pk], parent_key=parent_of[pk],
                          weight=weights.get(pk, 0), suggested=suggested.get(pk),
                          target=current[pk].value if pk in current else None,
                          source=current[pk].source if pk in current else "")
            for pk, name, _zone in units]
    if not scope.is_city:
        rows = [r for r in rows if r.unit_id == scope.unit_id]
    parts = {key: sum((current[pk].value for pk in units_of(key, zones) if pk in current), Decimal(0))
             for key in parents}
    return Allocation(indicator=indicator, year=year, rows=rows, wholes=parents, parts=parts)


def set_allocations(*, scope: Scope, user, indicator: str, year: int, values: dict[int, Decimal | None],
                    source: str) -> int:
    """Set (or, with ``None``, remove) units' targets; city administrator only; all or nothing.

    Every change is kept in the targets' history with who, when and the source. Returns how many
    targets changed.
    """
    scope.require("targets.set")
    _require_allocatable(indicator)
    if not 2000 <= year <= 2100:
        raise ValidationError(f"年度 {year} 不在 2000–2100 之间")
    source = (source or "").strip()
    if not source:
        raise ValidationError("请填写来源（文件名称和文号，或会议、日期）")
    if len(source) > SOURCE_LENGTH:
        raise ValidationError(f"来源最多 {SOURCE_LENGTH} 个字（现有 {len(source)} 个）")
    names = dict(ReportingUnit.objects.values_list("pk", "name"))
    errors = []
    for unit_id, value in values.items():
        if unit_id not in names:
            errors.append(f"没有编号为 {unit_id} 的区县")
        elif value is not None and value < 0:
            errors.append(f"{names[unit_id]}：目标值不能为负数（{value}）")
        elif value is not None and value.as_tuple().exponent < -4:
            errors.append(f"{names[unit_id]}：目标值最多四位小数（{value}）")
        elif value is not None and value >= MAX_VALUE:
            errors.append(f"{names[unit_id]}：目标值超出可记录的范围（小于 {MAX_VALUE:,}）")
    if errors:
        raise ValidationError(errors)
    existing = {t.scope_key: t for t in Target.objects.filter(indicator=indicator, year=year,
                                                             scope_key__in=[f"unit:{u}" for u in values])}
    changed = 0
    with transaction.atomic():
        for unit_id, value in values.items():
            key = f"unit:{unit_id}"
            t = existing.get(key)
            if value is None:
                if t is not None:
                    t._history_user = user
                    t._change_reason = history_reason(source)
                    t.delete()
                    changed += 1
                continue
            if t is not None and t.value == value and t.source == source:
                continue
            t = t or Target(indicator=indicator, year=year, scope_key=key)
            t.value = value
            t.source = source
            t._history_user = user
            t._change_reason = history_reason(source)
            t.save()
            changed += 1
    return changed


def accept_suggestion(*, scope: Scope, user, indicator: str, year: int, on: dt.date, source: str) -> int:
    """Set every unit's target to the suggested split (one click)."""
    scope.require("targets.set")
    plan = allocation(scope=scope, indicator=indicator, year=year, on=on)
    values = {r.unit_id: Decimal(r.suggested) for r in plan.rows if r.suggested is not None}
    if not values:
        raise ValidationError("没有可分解的全市或片区目标")
    return set_allocations(scope=scope, user=user, indicator=indicator, year=year, values=values, source=source)


def allocation_history(*, scope: Scope, indicator: str, year: int, limit: int = 50) -> list[dict]:
    """The latest changes to units' targets of (indicator, year): who, when, what, why."""
    rows = (Target.history.filter(indicator=indicator, year=year, scope_key__startswith="unit:")
            .select_related("history_user").order_by("-history_date", "-history_id"))
    if not scope.is_city:
        rows = rows.filter(scope_key=f"unit:{scope.unit_id}")
    names = dict(ReportingUnit.objects.values_list("pk", "name"))
    kinds = {"+": "created", "~": "changed", "-": "removed"}
    return [{"unit": names.get(int(h.scope_key[5:]), h.scope_key), "value": h.value, "source": h.source,
             "change": kinds[h.history_type], "by": h.history_user.get_username() if h.history_user else "",
             "at": h.history_date, "reason": h.history_change_reason or ""}
            for h in rows[:limit]]
