"""Targets endpoints: progress with the year-end forecast, the dashboards' series, the units'
allocations (the city administrator writes) and the reported indicator values."""

import datetime as dt
from typing import Annotated

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from keqi.pipeline import figures
from keqi.registry.columns import QUALIFICATION_KINDS
from keqi.targets import allocating, dashboard, forecasting, reported, services
from keqi.targets.models import Indicator

from .auth import read_scope
from .params import Amount, Day, Id, NoNul, Source, Year

router = Router(tags=["targets"])
ScopeKey = Annotated[str, Field(max_length=40, description="city、zone:片区名 或 unit:区县编号"), NoNul]


class ForecastOut(Schema):
    central: float
    low: float
    high: float
    needed: float
    status: str
    pipeline: float | None
    trend: float | None
    expiring: int


class ProgressOut(Schema):
    indicator: str
    label: str
    year: int
    scope_key: str
    scope_label: str
    target: float
    actual: float | None
    base: float | None
    covered: float | None
    elapsed: float
    lagging: bool | None
    status: str = Field(description="on_track、at_risk、behind、no_target 或 no_data（目标服务判定）")
    status_label: str
    period_start: int
    source: str
    forecast: ForecastOut | None


class ProgressQuery(Schema):
    year: Year | None = None
    on: Day | None = None


@router.get("/progress", response=list[ProgressOut])
def progress(request, q: Query[ProgressQuery]):
    """Every target of the year the caller may see, with actual, base, share covered, share of time gone
    and, for counted indicators, the year-end forecast with its range."""
    scope = read_scope(request)
    on = q.on or timezone.localdate()
    year = q.year or on.year
    rows = services.progress(scope=scope, year=year, on=on)
    fc = forecasting.forecasts(rows=rows, on=on)
    out = []
    for p in rows:
        f = fc.get((p.indicator, p.scope_key))
        status = services.standing(progress=p, forecast=f)
        out.append({**p.__dict__, "lagging": p.lagging, "status": status, "status_label": str(services.STATUSES[status]),
                    "forecast": None if f is None else {**f.__dict__, "status": f.status}})
    return out


@router.get("/years", response=list[int])
def years(request):
    return services.years(scope=read_scope(request))


class SeriesQuery(Schema):
    indicator: Indicator = Indicator.HNTE_COUNT
    scope_key: ScopeKey = ""
    year: Year | None = None
    on: Day | None = None


class TrendOut(Schema):
    year: int
    on: dt.date
    value: int


@router.get("/trend", response=list[TrendOut])
def trend(request, q: Query[SeriesQuery]):
    """The count of a counted indicator at every year-end since 2022 (the last point: today)."""
    scope = read_scope(request)
    key = q.scope_key or dashboard.default_scope_key(scope=scope)
    return dashboard.trend(scope=scope, indicator=q.indicator, scope_key=key, on=q.on or timezone.localdate())


class RankOut(Schema):
    rank: int
    unit_id: int
    unit: str
    zone: str
    actual: int
    gain: int
    target: float | None
    share: float | None
    status: str = Field(description="on_track、at_risk、behind、no_target 或 no_data（目标服务判定）")
    status_label: str


class RankQuery(SeriesQuery):
    ends: int | None = Field(None, ge=1, le=50, description="只返回排名前后各若干个单位（图表所用）")


@router.get("/ranking", response=list[RankOut])
def ranking(request, q: Query[RankQuery]):
    """Units by share of their own target reached (then by this year's gain), each with its standing; an
    officer gets its own unit. ``ends``: only the first and last so many units with a target (the chart)."""
    scope = read_scope(request)
    on = q.on or timezone.localdate()
    rows = dashboard.ranking(scope=scope, indicator=q.indicator, year=q.year or on.year, on=on)
    return dashboard.ranking_ends(rows, ends=q.ends) if q.ends else rows


class TierOut(Schema):
    tier: str
    label: str
    firms: int = Field(description="firms whose highest tier on the day is this one (each firm once)")
    holders: int = Field(description="firms holding a qualification of this tier on the day")
    firms_label: str
    holders_label: str


@router.get("/funnel", response=list[TierOut])
def funnel(request, on: Day | None = None, unit: Id | None = None):
    """Firms per tier of the ladder (储备 → 科技型企业 → 高企 → 高成长 → 领军) in the caller's scope (its own
    unit, else the city; ``unit``: one reporting unit it may see, else 403): ``firms`` counts each firm once,
    on its highest tier; ``holders`` the firms holding a qualification of the tier (keqi.pipeline.figures)."""
    return dashboard.funnel(scope=read_scope(request), on=on or timezone.localdate(), unit_id=unit)


class CountsQuery(Schema):
    on: Day | None = None
    scope_key: ScopeKey = ""


class HolderOut(Schema):
    kind: str
    label: str
    firms: int


class TierCountOut(Schema):
    tier: str
    label: str
    highest: int = Field(description="firms whose highest tier on the day is this one (each firm once)")
    holders: int = Field(description="firms holding a qualification of this tier on the day")
    highest_label: str
    holders_label: str


class CountsOut(Schema):
    on: dt.date
    scope_key: str
    scope_label: str
    firms: int = Field(description="firms registered on or before the day")
    holders: list[HolderOut]
    tiers: list[TierCountOut]


@router.get("/counts", response=CountsOut)
def counts(request, q: Query[CountsQuery]):
    """A scope's counts on a day (default: the caller's own scope, today): firms, holders of each qualification
    and firms per tier, from the one counting service (keqi.pipeline.figures) every page and export uses."""
    scope = read_scope(request)
    c = figures.counts(scope=scope, on=q.on or timezone.localdate(), scope_key=q.scope_key or None)
    return {"on": c.on, "scope_key": c.scope_key, "scope_label": c.scope_label, "firms": c.firms,
            "holders": [{"kind": k, "label": QUALIFICATION_KINDS[k], "firms": n} for k, n in c.holders.items()],
            "tiers": [{"tier": t.key, "label": t.label, "highest": t.highest, "holders": t.holders,
                       "highest_label": t.highest_label, "holders_label": t.holders_label} for t in c.tiers]}


class AllocationRowOut(Schema):
    unit_id: int
    unit_name: str
    zone: str
    parent_key: str | None
    weight: int
    suggested: int | None
    target: float | None
    source: str


class AllocationOut(Schema):
    indicator: str
    year: int
    wholes: dict[str, float]
    parts: dict[str, float]
    rows: list[AllocationRowOut]


class AllocationQuery(Schema):
    indicator: Indicator = Indicator.HNTE_COUNT
    year: Year


@router.get("/allocations", response=AllocationOut)
def allocations(request, q: Query[AllocationQuery]):
    """The units' targets with the suggested split (an officer sees its own unit's row)."""
    return allocating.allocation(scope=read_scope(request), indicator=q.indicator, year=q.year,
                               on=timezone.localdate())


class AllocationIn(Schema):
    indicator: Indicator
    year: Year
    source: Source
    values: dict[Id, Amount | None] = Field(max_length=1000)  # unit id → target (null removes it)


class ChangedOut(Schema):
    changed: int


@router.put("/allocations", response=ChangedOut)
def set_allocations(request, body: AllocationIn):
    """Set units' targets (city administrator only); all or nothing; kept in history with who and source."""
    scope = read_scope(request)
    n = allocating.set_allocations(scope=scope, user=request.auth, indicator=body.indicator, year=body.year,
                                 values=body.values, source=body.source)
    return {"changed": n}


class AcceptIn(Schema):
    indicator: Indicator
    year: Year
    source: Source


@router.post("/allocations/accept", response=ChangedOut)
def accept(request, body: AcceptIn):
    """Set every unit's target to the suggested split (city administrator only)."""
    scope = read_scope(request)
    n = allocating.accept_suggestion(scope=scope, user=request.auth, indicator=body.indicator,
                                   year=body.year, on=timezone.localdate(), source=body.source)
    return {"changed": n}


class ValueIn(Schema):
    indicator: Indicator
    year: Year
    scope_key: ScopeKey = "city"
    as_of: Day
    value: Amount
    source: Source


class ValueOut(Schema):
    id: int
    indicator: str
    year: int
    scope_key: str
    as_of: dt.date
    value: float
    source: str
    entered_by: str | None

    @staticmethod
    def resolve_entered_by(obj) -> str | None:
        return obj.entered_by.get_username() if obj.entered_by else None


class ValueQuery(Schema):
    indicator: Indicator | None = None
    year: Year | None = None


@router.get("/values", response=list[ValueOut])
def values(request, q: Query[ValueQuery]):
    """Dated values of the reported indicators (R&D intensity, S&T service revenue growth …), newest first."""
    return list(reported.indicator_values(scope=read_scope(request), indicator=q.indicator or "", year=q.year)[:500])


@router.post("/values", response={201: ValueOut})
def record_value(request, body: ValueIn):
    """Record a value (city administrator only)."""
    scope = read_scope(request)
    v = reported.record_value(scope=scope, user=request.auth, **body.dict())
    return Status(201, v)
