"""Targets, actual values and progress (reads; keyword-only arguments; scoped).

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
from decimal import Decimal, InvalidOperation
from functools import partial

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from keqi.accounts.models import Role
from keqi.accounts.scope import Scope
from keqi.registry import measures
from keqi.registry.models import Enterprise, Qualification, ReportingUnit
from keqi.screening.models import ScreeningRun, Standing

from . import forecast
from .allocation import largest_remainder
from .models import Indicator, IndicatorValue, Target
from .zones import PLAN_ZONES, plan_zone

COUNTED = {Indicator.HNTE_COUNT: "hnte", Indicator.TECH_COUNT: "cq_tech"}
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


def _unit_zones() -> dict[int, str | None]:
    return {pk: plan_zone(name, zone) for pk, name, zone in ReportingUnit.objects.values_list("pk", "name", "zone")}


def _data_version() -> tuple:
    """Changes whenever a firm or a qualification is written (every write leaves a history row)."""
    parts = [f"(SELECT CAST(history_id AS TEXT) || '@' || CAST(history_date AS TEXT) FROM {table} "
             f"ORDER BY history_id DESC LIMIT 1)"
             for table in (Qualification.history.model._meta.db_table, Enterprise.history.model._meta.db_table)]
    with connection.cursor() as cursor:  # one round trip: this runs before every cached aggregate
        cursor.execute("SELECT " + ", ".join(parts))
        return tuple(cursor.fetchone())


def _cached(name: str, args: tuple, compute):
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

    return _cached("counts", (kind, on), compute)


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
            actual = Decimal(_aggregate(counted(t.indicator, min(on, end)), t.scope_key, zones))
            base = Decimal(_aggregate(counted(t.indicator, min(base_day, on)), t.scope_key, zones))
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
                            covered=covered, elapsed=elapsed, source=t.source, period_start=start_year))
    order = {"city": 0, **{f"zone:{z}": i + 1 for i, z in enumerate(PLAN_ZONES)}}
    return sorted(out, key=lambda p: (order.get(p.scope_key, 9), p.scope_label, p.indicator))


def years(*, scope: Scope) -> list[int]:
    return sorted(set(Target.objects.values_list("year", flat=True)))


# ---------------------------------------------------------------- allocations (the city splits its targets)

ALLOCATABLE = (Indicator.HNTE_COUNT, Indicator.TECH_COUNT, Indicator.CONTRACT_TURNOVER)
TIER_OF_INDICATOR = {Indicator.HNTE_COUNT: "hnte", Indicator.TECH_COUNT: "tech"}


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


def unit_names() -> dict[int, str]:
    return dict(ReportingUnit.objects.values_list("pk", "name"))


def allocation_weights(*, indicator: str, year: int, on: dt.date) -> dict[int, int]:
    """Per unit: firms holding the qualification on ``on`` plus the eligible candidates for that tier in
    the latest city-wide screening; for 技术合同成交额 the turnover registered the year before."""
    if indicator == Indicator.CONTRACT_TURNOVER:
        ids = set(ReportingUnit.objects.values_list("pk", flat=True))
        return {unit: int(amount) for unit, amount in
                measures.by_unit(Indicator.CONTRACT_TURNOVER, year=year - 1).items() if unit in ids}
    weights = dict(counts_by_unit(kind=COUNTED[indicator], on=on))
    run = (ScreeningRun.objects.filter(status=ScreeningRun.Status.COMPLETE, reporting_unit__isnull=True)
           .order_by("-finished_at", "-pk").first())
    if run is not None:
        def eligible() -> dict[int, int]:
            rows = (Standing.objects.filter(run=run, next_tier=TIER_OF_INDICATOR[indicator], next_verdict="eligible")
                    .values("reporting_unit_id").annotate(n=Count("pk")).order_by())
            return {r["reporting_unit_id"]: r["n"] for r in rows}

        for unit, n in _cached("eligible", (run.pk, indicator), eligible).items():
            weights[unit] = weights.get(unit, 0) + n
    return weights


def allocation(*, scope: Scope, indicator: str, year: int, on: dt.date) -> Allocation:
    """Every unit's target for (indicator, year) with the suggested split; an officer sees its own unit."""
    scope.require_read()
    if scope.role == Role.ENTERPRISE_USER:
        raise PermissionDenied(_("Your role cannot see the allocations."))
    _require_allocatable(indicator)
    parents = {t.scope_key: t.value for t in Target.objects.filter(indicator=indicator, year=year)
               .exclude(scope_key__startswith="unit:")}
    current = {int(t.scope_key[5:]): t for t in Target.objects.filter(indicator=indicator, year=year,
                                                                        scope_key__startswith="unit:")}
    units = list(ReportingUnit.objects.order_by("kind", "code", "name").values_list("pk", "name", "zone"))
    weights = allocation_weights(indicator=indicator, year=year, on=on)
    members: dict[str, dict[int, int]] = {}
    zones = _unit_zones()
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
    parts = {key: sum((current[pk].value for pk in _units_of(key, zones) if pk in current), Decimal(0))
             for key in parents}
    return Allocation(indicator=indicator, year=year, rows=rows, wholes=parents, parts=parts)


def set_allocations(*, scope: Scope, user, indicator: str, year: int, values: dict[int, Decimal | None],
                    source: str) -> int:
    """Set (or, with ``None``, remove) units' targets; city administrator only; all or nothing.

    Every change is kept in the targets' history with who, when and the source. Returns how many
    targets changed.
    """
    if not scope.is_city:
        raise PermissionDenied(_("Only the city administrator sets the units' targets."))
    _require_allocatable(indicator)
    if not 2000 <= year <= 2100:
        raise ValidationError(f"年度 {year} 不在 2000–2100 之间")
    source = (source or "").strip()
    if not source:
        raise ValidationError("请填写来源（文件名称和文号，或会议、日期）")
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
                    t._change_reason = source
                    t.delete()
                    changed += 1
                continue
            if t is not None and t.value == value and t.source == source:
                continue
            t = t or Target(indicator=indicator, year=year, scope_key=key)
            t.value = value
            t.source = source
            t._history_user = user
            t._change_reason = source
            t.save()
            changed += 1
    return changed


def accept_suggestion(*, scope: Scope, user, indicator: str, year: int, on: dt.date, source: str) -> int:
    """Set every unit's target to the suggested split (one click)."""
    if not scope.is_city:
        raise PermissionDenied(_("Only the city administrator sets the units' targets."))
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


# ---------------------------------------------------------------- forecast (see forecast.py and docs/targets.md)

LOWER_KINDS = {Indicator.HNTE_COUNT: ("cq_tech", "tsme"), Indicator.TECH_COUNT: ()}  # () = any firm without it


def _valid(day: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}valid_from__lte": day}) & (Q(**{f"{prefix}valid_to__isnull": True})
                                                     | Q(**{f"{prefix}valid_to__gte": day}))


def _pipeline_firms(indicator: str, day: dt.date):
    """Firms one tier below the indicator's qualification on ``day`` (the pipeline)."""
    kind = COUNTED[indicator]
    holds = Exists(Qualification.objects.filter(_valid(day), enterprise=OuterRef("pk"), kind=kind))
    firms = Enterprise.objects.filter(registered_on__lte=day).exclude(holds)
    lower = LOWER_KINDS[indicator]
    if lower:
        firms = firms.filter(Exists(Qualification.objects.filter(_valid(day), enterprise=OuterRef("pk"),
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
    held = Exists(Qualification.objects.filter(_valid(on), enterprise=OuterRef("enterprise_id"),
                                               kind=COUNTED[indicator]))
    pipeline = {r["reporting_unit_id"]: r["n"]
                for r in _candidates(now, indicator).exclude(held).values("reporting_unit_id")
                .annotate(n=Count("pk")).order_by()}
    return pipeline, rates


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
    rows = (Qualification.objects.filter(_valid(on), kind=kind, valid_to__lte=until).exclude(renewed)
            .values("enterprise__reporting_unit_id").annotate(n=Count("enterprise_id", distinct=True)).order_by())
    return {r["enterprise__reporting_unit_id"]: r["n"] for r in rows}


def _units_of(scope_key: str, zones: dict[int, str | None]) -> list[int]:
    if scope_key == "city":
        return list(zones)
    kind, _, value = scope_key.partition(":")
    if kind == "zone":
        return [u for u, z in zones.items() if z == value]
    return [int(value)]


def _latest_run_id() -> int | None:
    return (ScreeningRun.objects.filter(status=ScreeningRun.Status.COMPLETE).order_by("-pk")
            .values_list("pk", flat=True).first())


def forecasts(*, rows: list[Progress], on: dt.date) -> dict[tuple[str, str], forecast.Forecast]:
    """The year-end forecast of every counted progress row (keyed by indicator and scope key)."""
    zones = _unit_zones()
    out: dict[tuple[str, str], forecast.Forecast] = {}
    inputs: dict[tuple, tuple] = {}
    for p in rows:
        if p.indicator not in COUNTED or p.actual is None or p.base is None:
            continue
        end_of_target = dt.date(p.year, 12, 31)
        year_end = min(dt.date(on.year, 12, 31), end_of_target)
        day = min(on, year_end)
        key = (p.indicator, day, year_end)
        if key not in inputs:
            start = dt.date(year_end.year - 1, 12, 31)
            ind = p.indicator
            pipeline, rates, _source = _cached("pipeline", (ind, day, _latest_run_id()),
                                               partial(pipeline_and_rates, indicator=ind, on=day))
            inputs[key] = (counts_by_unit(kind=COUNTED[ind], on=start), pipeline, rates,
                           _cached("expiring", (ind, day, year_end),
                                   partial(expiring_by_unit, indicator=ind, on=day, until=year_end)),
                           Decimal((day - start).days) / Decimal((year_end - start).days))
        start_counts, pipeline, rates, expiring, elapsed = inputs[key]
        city_rate = forecast.Rate(sum(r.converted for r in rates.values()), sum(r.observed for r in rates.values()))
        units = _units_of(p.scope_key, zones)
        groups = [forecast.Group(pipeline.get(u, 0), rates.get(u, forecast.Rate(0, 0)), city_rate) for u in units]
        base_day = dt.date(p.period_start - 1, 12, 31)
        period_share = Decimal(min(max((year_end - base_day).days, 0), (end_of_target - base_day).days)) / Decimal(
            (end_of_target - base_day).days)
        needed = forecast.needed_by_year_end(base=float(p.base), target=float(p.target),
                                             period_share_at_year_end=float(period_share))
        out[(p.indicator, p.scope_key)] = forecast.year_end(
            actual=float(p.actual), start_of_year=float(sum(start_counts.get(u, 0) for u in units)),
            elapsed=float(elapsed), groups=groups, expiring=sum(expiring.get(u, 0) for u in units), needed=needed)
    return out


# ---------------------------------------------------------------- dashboard series

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
    zones = _unit_zones()
    out = []
    for y in range(first_year, on.year + 1):
        day = min(dt.date(y, 12, 31), on)
        out.append({"year": y, "on": day,
                    "value": _aggregate(counts_by_unit(kind=COUNTED[indicator], on=day), scope_key, zones)})
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
    """Firms per stage of the tier ladder on ``on`` (the highest stage of the qualifications they hold)."""
    from keqi.pipeline.services import current_ladder

    scope.require_read()
    ladder = current_ladder()

    def compute() -> dict[int, int]:
        level_of = {kind: t.level for t in ladder.tiers for kind in t.qualifications}
        firms = scope.enterprises(Enterprise.objects.filter(registered_on__lte=on))
        if unit_id is not None:
            firms = firms.filter(reporting_unit_id=unit_id)
        level: dict[int, int] = {}
        quals = (Qualification.objects.filter(_valid(on), enterprise__in=firms.values("pk"),
                                              kind__in=list(level_of))
                 .values_list("enterprise_id", "kind").distinct())
        for firm, kind in quals.iterator(chunk_size=5000):
            level[firm] = max(level.get(firm, -1), level_of[kind])
        counts = dict.fromkeys((t.level for t in ladder.tiers), 0)
        for lv in level.values():
            counts[lv] += 1
        counts[ladder.tiers[0].level] += firms.count() - len(level)
        return counts

    stages = tuple((t.level, t.qualifications) for t in ladder.tiers)
    counts = _cached("funnel", (scope.role, scope.unit_id, scope.enterprise_id, unit_id, on, stages), compute)
    return [{"tier": t.key, "label": t.label, "firms": counts[t.level]} for t in ladder.tiers]


# ---------------------------------------------------------------- reported indicator values

REPORTED = (Indicator.RD_INTENSITY, Indicator.CONTRACT_TURNOVER, Indicator.SNT_REVENUE_GROWTH,
            Indicator.STAR_LISTINGS)


def indicator_values(*, scope: Scope, indicator: str = "", year: int | None = None):
    scope.require_read()
    qs = IndicatorValue.objects.select_related("entered_by").order_by("-as_of", "-pk")
    keys = visible_scope_keys(scope=scope)
    if keys is not None:
        qs = qs.filter(scope_key__in=keys)
    if indicator:
        qs = qs.filter(indicator=indicator)
    if year:
        qs = qs.filter(year=year)
    return qs


def check_value(*, indicator: str, year, scope_key: str, as_of, value, source: str,
                zones: tuple[str, ...] = PLAN_ZONES, units: set[int] | None = None) -> list[tuple[str, str]]:
    """What is wrong with one value: a list of (field, reason), empty when it may be recorded."""
    faults = []
    if indicator not in REPORTED:
        faults.append(("indicator", f"不是填报类指标：{indicator}（可填：{', '.join(REPORTED)}）"))
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        faults.append(("year", f"年度应为 2000–2100 的整数：{year}"))
    kind, _sep, rest = (scope_key or "").partition(":")
    if not (scope_key == "city" or (kind == "zone" and rest in zones)
            or (kind == "unit" and rest.isdigit() and (units is None or int(rest) in units))):
        faults.append(("scope_key", f"范围应为 city、zone:片区名 或 unit:区县编号：{scope_key}"))
    if not isinstance(as_of, dt.date):
        faults.append(("as_of", f"截至日期不是日期：{as_of}"))
    if not isinstance(value, Decimal) or not value.is_finite():
        faults.append(("value", f"数值不是数字：{value}"))
    elif value.as_tuple().exponent < -4:
        faults.append(("value", f"数值最多四位小数：{value}"))
    elif abs(value) >= MAX_VALUE:
        faults.append(("value", f"数值超出可记录的范围（绝对值小于 {MAX_VALUE:,}）：{value}"))
    if not (source or "").strip():
        faults.append(("source", "来源不能为空"))
    return faults


def record_value(*, scope: Scope, user, indicator: str, year: int, scope_key: str, as_of: dt.date, value: Decimal,
                 source: str) -> IndicatorValue:
    """Record a dated value of a reported indicator (city administrator only)."""
    if not scope.is_city:
        raise PermissionDenied(_("Only the city administrator records indicator values."))
    faults = check_value(indicator=indicator, year=year, scope_key=scope_key, as_of=as_of, value=value,
                         source=source, units=set(unit_names()))
    if faults:
        raise ValidationError([f"{field}: {why}" for field, why in faults])
    v = IndicatorValue(indicator=indicator, year=year, scope_key=scope_key, as_of=as_of, value=value,
                       source=source.strip(), entered_by=user)
    v._history_user = user
    v.save()
    return v


# ---------------------------------------------------------------- the leadership report (数读)


@dataclass(frozen=True)
class Row:
    progress: Progress
    forecast: forecast.Forecast | None

    @property
    def flagged(self) -> bool:
        """Lagging now, or forecast to miss what it needs by the year-end."""
        return bool(self.progress.lagging) or (self.forecast is not None and self.forecast.status != "on_track")


def report(*, scope: Scope, year: int, on: dt.date) -> dict:
    """The key figures, the tier funnel, the trend and the lagging units, in the caller's scope:
    the city for the city administrator, its own unit for a district officer."""
    scope.require_read()
    if scope.role not in (Role.CITY_ADMIN, Role.DISTRICT_OFFICER):
        raise PermissionDenied(_("Your role cannot see the leadership report."))
    rows = progress(scope=scope, year=year, on=on)
    fc = forecasts(rows=rows, on=on)
    own = default_scope_key(scope=scope)
    unit_id = None if scope.is_city else scope.unit_id
    all_rows = [Row(p, fc.get((p.indicator, p.scope_key))) for p in rows]
    key_rows = [r for r in all_rows if (r.progress.scope_key == own
                                        or (scope.is_city and r.progress.scope_key.startswith("zone:")))]
    lagging = [r for r in all_rows if r.progress.scope_key.startswith("unit:") and r.flagged]
    return {
        "scope_key": own,
        "scope_label": scope_label(own, unit_names()),
        "year": year, "on": on,
        "key_rows": key_rows,
        "sources": list(dict.fromkeys(r.progress.source for r in key_rows if r.progress.source)),
        "lagging": lagging,
        "funnel": funnel(scope=scope, on=on, unit_id=unit_id),
        "trend": {ind: trend(scope=scope, indicator=ind, scope_key=own, on=on) for ind in COUNTED},
    }


def report_xlsx(*, data: dict, path) -> None:
    """The report as a workbook: key figures, lagging units, the tier funnel and the trend."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    bold = book.add_format({"bold": True, "bg_color": "#F3F4F6", "border": 1})
    pct = book.add_format({"num_format": "0.0%"})
    title = book.add_format({"bold": True, "font_size": 14})

    def table(sheet_name: str, caption: str, headers: list[str], rows: list[list]) -> None:
        ws = book.add_worksheet(sheet_name)
        ws.write(0, 0, caption, title)
        for c, h in enumerate(headers):
            ws.write(2, c, h, bold)
            ws.set_column(c, c, max(12, len(h) * 2))
        for r, values in enumerate(rows, start=3):
            for c, v in enumerate(values):
                if isinstance(v, tuple):  # (share, "pct")
                    ws.write_number(r, c, v[0], pct) if v[0] is not None else ws.write_blank(r, c, None)
                elif v is None:
                    ws.write_blank(r, c, None)
                elif isinstance(v, int | float | Decimal):
                    ws.write_number(r, c, float(v))
                else:
                    ws.write_string(r, c, str(v))

    def fig_rows(rows: list[Row]) -> list[list]:
        out = []
        for r in rows:
            p, f = r.progress, r.forecast
            out.append([p.scope_label, p.label, p.target, p.base, p.actual,
                        (float(p.covered) if p.covered is not None else None,), (float(p.elapsed),),
                        round(f.central) if f else None, round(f.low) if f else None, round(f.high) if f else None,
                        round(f.needed) if f else None, STATUS_ZH.get(f.status, "") if f else "",
                        "落后" if p.lagging else ("正常" if p.lagging is False else "无数据"), p.source])
        return out

    heads = ["范围", "指标", "目标", "期初", "现值", "完成进度", "时间进度", "年末预测", "预测下限", "预测上限",
             "年末应达", "预测判断", "进度判断", "来源"]
    caption = f"数读 · {data['scope_label']} · {data['year']} 年目标 · 截至 {data['on'].isoformat()}"
    table("关键指标", caption, heads, fig_rows(data["key_rows"]))
    table("落后单位", caption, heads, fig_rows(data["lagging"]))
    table("梯次", caption, ["梯次", "企业数"], [[t["label"], t["firms"]] for t in data["funnel"]])
    labels = dict(Indicator.choices)
    trend_rows = []
    for ind, points in data["trend"].items():
        trend_rows += [[str(labels[ind]), p["on"].isoformat(), p["value"]] for p in points]
    table("趋势", caption, ["指标", "日期", "数量"], trend_rows)
    book.close()


STATUS_ZH = {"on_track": "可完成", "at_risk": "有风险", "off_track": "难完成"}


# ---------------------------------------------------------------- importing reported values (xlsx)

VALUE_SHEET = "指标数值"
VALUE_HEADERS = {"indicator": "指标", "year": "年度", "scope": "范围", "as_of": "截至日期", "value": "数值",
                 "source": "来源"}
REPORTED_ZH = {  # the names officers write in the sheet (the keys work too)
    Indicator.RD_INTENSITY: "研发经费投入强度",
    Indicator.CONTRACT_TURNOVER: "技术合同成交额",
    Indicator.SNT_REVENUE_GROWTH: "科学研究和技术服务业营业收入增速",
    Indicator.STAR_LISTINGS: "科创板上市企业数",
}


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet's row number (the header is row 1)
    column: str
    value: str
    reason: str


def _scope_key_of(text: str, units: dict[str, int]) -> str | None:
    text = text.strip()
    if text in ("全市", "city"):
        return "city"
    zone = text.removeprefix("zone:")
    if zone in PLAN_ZONES:
        return f"zone:{zone}"
    if text.startswith("unit:") and text[5:].isdigit() and int(text[5:]) in units.values():
        return text
    return f"unit:{units[text]}" if text in units else None


def read_values(*, path) -> tuple[list[dict], list[RowError]]:
    """Parse a sheet of reported values; every fault is reported with its row, column and reason."""
    import polars as pl

    try:
        df = pl.read_excel(path, sheet_name=VALUE_SHEET, infer_schema_length=0)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is one clear error
        return [], [RowError(0, "", "", f"无法读取工作表“{VALUE_SHEET}”：{exc}")]
    missing = [h for h in VALUE_HEADERS.values() if h not in df.columns]
    if missing:
        return [], [RowError(1, h, "", "缺少此列") for h in missing]
    by_name = {v: k for k, v in REPORTED_ZH.items()} | {str(k): k for k in REPORTED}
    units = {name: pk for pk, name in unit_names().items()}
    rows, errors = [], []
    for i, raw in enumerate(df.iter_rows(named=True), start=2):
        cells = {f: (raw[h] or "").strip() for f, h in VALUE_HEADERS.items()}
        if not any(cells.values()):
            continue
        fault = len(errors)

        def bad(field: str, reason: str, i=i, cells=cells) -> None:
            errors.append(RowError(i, VALUE_HEADERS[field], cells[field], reason))

        indicator = by_name.get(cells["indicator"])
        if indicator is None:
            bad("indicator", "不是填报类指标（可填：" + "、".join(REPORTED_ZH.values()) + "）")
        year = int(cells["year"]) if cells["year"].isdigit() else None
        if year is None or not 2000 <= year <= 2100:
            bad("year", "应为 2000–2100 的年份")
        key = _scope_key_of(cells["scope"], units)
        if key is None:
            bad("scope", "应为 全市、片区名（中心城区、主城新区、两群）或区县名称")
        try:
            as_of = dt.date.fromisoformat(cells["as_of"][:10])
        except ValueError:
            as_of = None
            bad("as_of", "应为日期（YYYY-MM-DD）")
        try:
            value = Decimal(cells["value"].replace(",", ""))
            if not value.is_finite() or value.as_tuple().exponent < -4:
                raise InvalidOperation
        except InvalidOperation:
            value = None
            bad("value", "应为数字（最多四位小数）")
        if not cells["source"]:
            bad("source", "来源不能为空（文件名称和文号，或统计公报及日期）")
        if len(errors) == fault:
            rows.append({"indicator": indicator, "year": year, "scope_key": key, "as_of": as_of, "value": value,
                         "source": cells["source"]})
    return rows, errors


def import_values(*, scope: Scope, user, path) -> tuple[int, list[RowError]]:
    """Record every value of the sheet, or none when any row is wrong (city administrator only)."""
    if not scope.is_city:
        raise PermissionDenied(_("Only the city administrator records indicator values."))
    rows, errors = read_values(path=path)
    if errors:
        return 0, errors
    with transaction.atomic():
        for r in rows:
            record_value(scope=scope, user=user, **r)
    return len(rows), []


def write_values_template(*, path) -> None:
    """The empty sheet for reported values, with an example row and what each column takes."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    head = book.add_format({"bold": True, "bg_color": "#F3F4F6", "border": 1})
    text = book.add_format({"num_format": "@"})
    ws = book.add_worksheet(VALUE_SHEET)
    for c, h in enumerate(VALUE_HEADERS.values()):
        ws.write_string(0, c, h, head)
        ws.set_column(c, c, 22, text)
    ws.write_row(1, 0, ["研发经费投入强度", "2024", "全市", "2024-12-31", "2.41", "示例：统计公报名称及发布日期"])
    notes = book.add_worksheet("填写说明")
    lines = [("指标", "、".join(REPORTED_ZH.values())),
             ("年度", "数值所属年度，如 2024"),
             ("范围", "全市；片区名（中心城区、主城新区、两群）；或区县名称（如 渝北区）"),
             ("截至日期", "数值的统计截止日，YYYY-MM-DD"),
             ("数值", "研发强度、增速填百分数的数值（2.41 表示 2.41%）；成交额填元；上市企业填家数"),
             ("来源", "必填：文件名称和文号，或统计公报名称及日期"),
             ("规则", "任何一行有错，整个文件都不导入；错误按行、列列出")]
    for r, (k, v) in enumerate(lines):
        notes.write_string(r, 0, k, head)
        notes.write_string(r, 1, v)
    notes.set_column(0, 0, 12)
    notes.set_column(1, 1, 80)
    book.close()
