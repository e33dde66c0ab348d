"""Targets, actual values and progress (reads; keyword-only arguments; scoped), and what the other
services of the app share: counts per unit, the cache of registry aggregates, scope keys.

The app's other services, by job: ``allocating`` (the city splits its targets over the units),
``forecasting`` (year-end forecasts), ``dashboard`` (trend, ranking, funnel), ``reported`` (reported
indicator values and their xlsx import), ``leadership`` (the leadership report); the pure arithmetic
is in ``allocation`` (largest remainder) and ``forecast``.

Counted indicators (高新技术企业 and 科技型企业 counts) are counted from the registry: firms holding
a valid qualification of that kind on the day. A target's period starts after the previous target
year of the same indicator and scope, or after the plan's base year 2022 (渝府办发〔2023〕26号 doubles
"在2022年的基础上"): the 2023 targets cover 2023, the 2025 city targets 2024–2025, the 2027 city
targets 2026–2027 and the 2027 zone targets 2023–2027. Progress is measured from the count at the
start of the period (the base) toward the target, and compared with the share of the period
elapsed: a scope is *lagging* when it has covered less of the way than of the time.
技术合同成交额 is summed from the contracts registered in the year (measured by ``keqi.contracts``,
read through ``keqi.registry.measures``: the two apps are peers and do not import each other); the other
reported indicators (R&D intensity, S&T service revenue growth, STAR listings) use their latest
entered value.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q

from keqi.accounts.scope import Scope
from keqi.registry import measures
from keqi.registry.models import Enterprise, Qualification, ReportingUnit

from .models import Indicator, IndicatorValue, Target
from .zones import PLAN_ZONES, plan_zone

COUNTED = {Indicator.HNTE_COUNT: "hnte", Indicator.TECH_COUNT: "cq_tech"}
TIER_OF_INDICATOR = {Indicator.HNTE_COUNT: "hnte", Indicator.TECH_COUNT: "tech"}
PLAN_BASE_YEAR = 2022
#: a target or reported value is below this in magnitude (the columns hold 16 digits before the point)
MAX_VALUE = Decimal(10) ** 15


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
    elapsed: Decimal  # share of the target's period gone on the day
    source: str
    period_start: int  # first year of the period

    @property
    def lagging(self) -> bool | None:
        return None if self.covered is None else self.covered < self.elapsed


def unit_zones() -> dict[int, str | None]:
    return {pk: plan_zone(name, zone) for pk, name, zone in ReportingUnit.objects.values_list("pk", "name", "zone")}


def _data_version() -> tuple:
    """Changes whenever a firm or a qualification is written (every write leaves a history row)."""
    parts = [f"(SELECT CAST(history_id AS TEXT) || '@' || CAST(history_date AS TEXT) FROM {table} "
             f"ORDER BY history_id DESC LIMIT 1)"
             for table in (Qualification.history.model._meta.db_table, Enterprise.history.model._meta.db_table)]
    with connection.cursor() as cursor:  # one round trip: this runs before every cached aggregate
        cursor.execute("SELECT " + ", ".join(parts))
        return tuple(cursor.fetchone())


def cached(name: str, args: tuple, compute):
    """Per-unit aggregates over the registry, kept until the registry changes (see ``_data_version``).

    They are what makes the dashboards heavy on a large registry, and between two imports they
    cannot change.
    """
    raw = ":".join(map(str, args + _data_version()))
    key = f"targets:{name}:" + hashlib.sha256(raw.encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


CACHE_SECONDS = 6 * 3600


def counts_by_unit(*, kind: str, on: dt.date) -> dict[int, int]:
    """Firms holding a valid qualification of ``kind`` on ``on``, per reporting unit."""
    def compute():
        valid = Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        rows = (Qualification.objects.filter(valid, kind=kind).values("enterprise__reporting_unit_id")
                .annotate(n=Count("enterprise_id", distinct=True)).order_by())
        return {r["enterprise__reporting_unit_id"]: r["n"] for r in rows}

    return cached("counts", (kind, on), compute)


def aggregate(by_unit: dict[int, int], scope_key: str, zones: dict[int, str | None]) -> int:
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
    zones = unit_zones()
    units = dict(ReportingUnit.objects.values_list("pk", "name"))
    earlier = {}
    for ind, key, y in Target.objects.filter(year__lt=year).values_list("indicator", "scope_key", "year"):
        earlier[(ind, key)] = max(y, earlier.get((ind, key), y))
    counts: dict[tuple[str, dt.date], dict[int, int]] = {}

    def counted(indicator: str, day: dt.date) -> dict[int, int]:
        if (indicator, day) not in counts:
            counts[(indicator, day)] = counts_by_unit(kind=COUNTED[indicator], on=day)
        return counts[(indicator, day)]

    turnover_by_unit = {unit: amount for unit, amount in measures.by_unit(Indicator.CONTRACT_TURNOVER, year=year).items()
                        if unit in units}
    end = dt.date(year, 12, 31)
    out = []
    labels = dict(Indicator.choices)
    for t in targets:
        start_year = earlier.get((t.indicator, t.scope_key), PLAN_BASE_YEAR) + 1
        if t.indicator not in COUNTED:
            start_year = year  # reported indicators are yearly figures
        base_day = dt.date(start_year - 1, 12, 31)
        period_days = (end - base_day).days
        elapsed = Decimal(min(max((on - base_day).days, 0), period_days)) / Decimal(period_days)
        actual = base = covered = None
        if t.indicator in COUNTED:
            actual = Decimal(aggregate(counted(t.indicator, min(on, end)), t.scope_key, zones))
            base = Decimal(aggregate(counted(t.indicator, min(base_day, on)), t.scope_key, zones))
            if t.value > base:
                covered = (actual - base) / (t.value - base)
            else:
                covered = Decimal(1) if actual >= t.value else Decimal(0)
        elif t.indicator == Indicator.CONTRACT_TURNOVER:
            actual = Decimal(aggregate(turnover_by_unit, t.scope_key, zones))
            covered = actual / t.value if t.value else None
        else:
            latest = (IndicatorValue.objects.filter(indicator=t.indicator, year=year, scope_key=t.scope_key,
                                                    as_of__lte=on).order_by("-as_of").first())
            if latest is not None:
                actual = latest.value
                covered = actual / t.value if t.value else None
        out.append(Progress(indicator=t.indicator, label=str(labels[t.indicator]), year=year, scope_key=t.scope_key,
                            scope_label=scope_label(t.scope_key, units), target=t.value, actual=actual, base=base,
                            covered=covered, elapsed=elapsed, source=t.source, period_start=start_year))
    order = {"city": 0, **{f"zone:{z}": i + 1 for i, z in enumerate(PLAN_ZONES)}}
    return sorted(out, key=lambda p: (order.get(p.scope_key, 9), p.scope_label, p.indicator))


def years(*, scope: Scope) -> list[int]:
    return sorted(set(Target.objects.values_list("year", flat=True)))


def unit_names() -> dict[int, str]:
    return dict(ReportingUnit.objects.values_list("pk", "name"))


def valid_on(day: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}valid_from__lte": day}) & (Q(**{f"{prefix}valid_to__isnull": True})
                                                     | Q(**{f"{prefix}valid_to__gte": day}))


def units_of(scope_key: str, zones: dict[int, str | None]) -> list[int]:
    if scope_key == "city":
        return list(zones)
    kind, _, value = scope_key.partition(":")
    if kind == "zone":
        return [u for u, z in zones.items() if z == value]
    return [int(value)]
