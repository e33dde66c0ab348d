"""Targets, actual values and progress (reads; keyword-only arguments; scoped).

Counted indicators (高新技术企业 and 科技型企业 counts) are counted from the registry: firms holding
a valid qualification of that kind on the day. Progress over a year is measured from the count at
the end of the previous year (the base) toward the year's target, and compared with the share of
the year elapsed: a scope is *lagging* when it has covered less of the way than of the year.
技术合同成交额 is summed from the contracts registered in the year (``keqi.contracts``); the other
reported indicators (R&D intensity, S&T service revenue growth, STAR listings) use their latest
entered value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from keqi.accounts.scope import SYSTEM, Scope
from keqi.contracts import services as contract_services
from keqi.registry.models import Qualification, ReportingUnit

from .models import Indicator, IndicatorValue, Target
from .zones import PLAN_ZONES, plan_zone

COUNTED = {Indicator.HNTE_COUNT: "hnte", Indicator.TECH_COUNT: "cq_tech"}


@dataclass(frozen=True)
class Progress:
    indicator: str
    label: str
    year: int
    scope_key: str
    scope_label: str
    target: Decimal
    actual: Decimal | None
    base: Decimal | None
    covered: Decimal | None  # share of the way from base to target, 0..1+ (None when unknown)
    elapsed: Decimal  # share of the year gone on the day
    source: str

    @property
    def lagging(self) -> bool | None:
        return None if self.covered is None else self.covered < self.elapsed


def _unit_zones() -> dict[int, str | None]:
    return {pk: plan_zone(name, zone) for pk, name, zone in ReportingUnit.objects.values_list("pk", "name", "zone")}


def counts_by_unit(*, kind: str, on: dt.date) -> dict[int, int]:
    """Firms holding a valid qualification of ``kind`` on ``on``, per reporting unit."""
    valid = Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    rows = (Qualification.objects.filter(valid, kind=kind).values("enterprise__reporting_unit_id")
            .annotate(n=Count("enterprise_id", distinct=True)))
    return {r["enterprise__reporting_unit_id"]: r["n"] for r in rows}


def _aggregate(by_unit: dict[int, int], scope_key: str, zones: dict[int, str | None]) -> int:
    if scope_key == "city":
        return sum(by_unit.values())
    kind, _, value = scope_key.partition(":")
    if kind == "zone":
        return sum(n for unit, n in by_unit.items() if zones.get(unit) == value)
    return by_unit.get(int(value), 0)


def visible_scope_keys(*, scope: Scope) -> set[str] | None:
    """The scopes whose targets a user may see (None = all): the city, its zone and its own unit."""
    if scope.is_city:
        return None
    if scope.unit_id is None:
        return {"city"}
    unit = ReportingUnit.objects.get(pk=scope.unit_id)
    zone = plan_zone(unit.name, unit.zone)
    return {"city", f"unit:{unit.pk}"} | ({f"zone:{zone}"} if zone else set())


def scope_label(scope_key: str, units: dict[int, str]) -> str:
    if scope_key == "city":
        return "全市"
    kind, _, value = scope_key.partition(":")
    return value if kind == "zone" else units.get(int(value), scope_key)


def progress(*, scope: Scope, year: int, on: dt.date) -> list[Progress]:
    """Every target of ``year`` the user may see, with actual, base and how much of the way is covered."""
    keys = visible_scope_keys(scope=scope)
    targets = Target.objects.filter(year=year)
    if keys is not None:
        targets = targets.filter(scope_key__in=keys)
    zones = _unit_zones()
    units = dict(ReportingUnit.objects.values_list("pk", "name"))
    year_start = dt.date(year, 1, 1)
    days = (dt.date(year + 1, 1, 1) - year_start).days
    elapsed = Decimal(min(max((on - year_start).days + 1, 0), days)) / Decimal(days)
    base_day = dt.date(year - 1, 12, 31)
    counted_now = {ind: counts_by_unit(kind=k, on=min(on, dt.date(year, 12, 31))) for ind, k in COUNTED.items()}
    ids_by_name = {name: pk for pk, name in units.items()}
    turnover_by_unit = {ids_by_name[r["key"]]: r["contract_amount"]
                        for r in contract_services.turnover_by(scope=SYSTEM, year=year, by="unit")
                        if r["key"] in ids_by_name}
    counted_base = {ind: counts_by_unit(kind=k, on=base_day) for ind, k in COUNTED.items()}
    out = []
    labels = dict(Indicator.choices)
    for t in targets:
        actual = base = covered = None
        if t.indicator in COUNTED:
            actual = Decimal(_aggregate(counted_now[t.indicator], t.scope_key, zones))
            base = Decimal(_aggregate(counted_base[t.indicator], t.scope_key, zones))
            if t.value > base:
                covered = (actual - base) / (t.value - base)
            else:
                covered = Decimal(1) if actual >= t.value else Decimal(0)
        elif t.indicator == Indicator.CONTRACT_TURNOVER:
            actual = Decimal(_aggregate(turnover_by_unit, t.scope_key, zones))
            covered = actual / t.value if t.value else None
        else:
            latest = (IndicatorValue.objects.filter(indicator=t.indicator, year=year, scope_key=t.scope_key,
                                                    as_of__lte=on).order_by("-as_of").first())
            if latest is not None:
                actual = latest.value
                covered = actual / t.value if t.value else None
        out.append(Progress(indicator=t.indicator, label=str(labels[t.indicator]), year=year, scope_key=t.scope_key,
                            scope_label=scope_label(t.scope_key, units), target=t.value, actual=actual, base=base,
                            covered=covered, elapsed=elapsed, source=t.source))
    order = {"city": 0, **{f"zone:{z}": i + 1 for i, z in enumerate(PLAN_ZONES)}}
    return sorted(out, key=lambda p: (order.get(p.scope_key, 9), p.scope_label, p.indicator))


def years(*, scope: Scope) -> list[int]:
    return sorted(set(Target.objects.values_list("year", flat=True)))
