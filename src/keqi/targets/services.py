"""Targets, actual values and progress (reads; keyword-only arguments; scoped), and what the other
services of the app share: counts per unit, scope keys (both from ``keqi.pipeline.figures``).

The app's other services, by job: ``allocating`` (the city splits its targets over the units),
``forecasting`` (year-end forecasts), ``dashboard`` (trend, ranking, funnel), ``reported`` (reported
indicator values and their xlsx import), ``leadership`` (the leadership report); the pure arithmetic
is in ``allocation`` (largest remainder) and ``forecast``.

Counted indicators (高新技术企业 and 科技型企业 counts) are counted by ``keqi.pipeline.figures`` (the one
counting service): firms holding a valid qualification of that kind on the day. A target's period starts after the previous target
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
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from keqi.accounts.scope import Scope
from keqi.pipeline import figures
from keqi.pipeline.figures import (  # noqa: F401 - the app's other services read the scopes through here
    aggregate,
    cached,
    scope_label,
    unit_names,
    unit_zones,
    units_of,
    visible_scope_keys,
)
from keqi.registry import measures

from .models import Indicator, IndicatorValue, Target
from .zones import PLAN_ZONES

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

    @property
    def status(self) -> str:
        """Where the target stands now: ``no_target`` (a target of 0), ``no_data``, ``behind`` (lagging)
        or ``on_track`` (one of ``STATUSES``)."""
        if not self.target:
            return "no_target"
        if self.lagging is None:
            return "no_data"
        return "behind" if self.lagging else "on_track"

    @property
    def status_label(self) -> str:
        return str(STATUSES[self.status])


#: The one list of a target's standings, each with its word; badges (``status-<key>``) and charts take
#: their colour from the CSS variable ``--status-<key>`` (keqi.css). A forecast's ``off_track`` is
#: ``behind``: it will miss what it needs, as a lagging target has.
STATUSES = {
    "on_track": _("on track"),
    "at_risk": _("at risk"),
    "behind": _("lagging"),
    "no_target": _("no target"),
    "no_data": _("no data"),
}
OUTLOOKS = {"on_track": _("will make it"), "at_risk": _("at risk"), "off_track": _("will miss it")}


def standing(*, progress: Progress | None, forecast=None) -> str:
    """A unit's standing on one target: the year-end forecast's when there is one (``on_track``,
    ``at_risk``, ``behind``), else the progress's; ``no_target`` without a target or with a target of 0."""
    if progress is None or progress.status == "no_target":
        return "no_target"
    if forecast is not None:
        return "behind" if forecast.status == "off_track" else forecast.status
    return progress.status


def progress(*, scope: Scope, year: int, on: dt.date) -> list[Progress]:
    """Every target of ``year`` the user may see, with actual, base and how much of the way is covered."""
    keys = visible_scope_keys(scope=scope)
    targets = Target.objects.filter(year=year)
    if keys is not None:
        targets = targets.filter(scope_key__in=keys)
    zones = unit_zones()
    units = unit_names()
    earlier = {}
    for ind, key, y in Target.objects.filter(year__lt=year).values_list("indicator", "scope_key", "year"):
        earlier[(ind, key)] = max(y, earlier.get((ind, key), y))
    counts: dict[tuple[str, dt.date], dict[int, int]] = {}

    def counted(indicator: str, day: dt.date) -> dict[int, int]:
        if (indicator, day) not in counts:
            counts[(indicator, day)] = figures.holders_by_unit(kind=COUNTED[indicator], on=day)
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
            if not t.value:
                covered = None  # a target of 0 is no target: nothing to cover (shown as 无目标)
            elif t.value > base:
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
