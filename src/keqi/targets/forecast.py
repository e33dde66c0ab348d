"""A year-end forecast with a range for a counted indicator (pure computation, no Django).

Two estimates of what the rest of the year adds, each with a low and a high end:

* **Pipeline**: for every group of candidates (a tier step in a reporting unit) the expected number
  that reach the next tier = candidates × their historical conversion rate × the share of the year
  still to come (conversions are assumed to spread evenly over the year). The rate is the share of
  earlier candidates that did convert within a year, ``converted / observed``. A unit with fewer
  than ``MIN_OBSERVED`` observations borrows the city's rate for the same step (pooling); with no
  history at all the rate is unknown, and the group contributes 0 at the low end and all its
  candidates at the high end. The low and high rates are the ends of the Wilson score interval at
  about 80 % confidence (z = 1.2816).
* **Trend**: the net gain since the start of the year continued at the same pace to the year-end
  (gain × remaining / elapsed); unknown while no time has passed. Its range is ±50 % of the
  projected addition (a setting, not an official figure).

Certificates that expire before the year-end and are not yet renewed (高企 certificates run three
years) are subtracted: all of them at the low end, none at the high end, and ``1 - renewal_rate``
of them in the central figure. ``renewal_rate`` defaults to 0.5 (a setting, NOT an official rate).

The central forecast is the mean of the two estimates when both exist, else the one that exists,
else the actual value; the range spans the lows and highs of both. With the whole year gone the
forecast is the actual value. A scope is *off track* when even the high end misses what it needs by
the year-end, *at risk* when the central forecast misses it, else *on track*.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_OBSERVED = 20  # a unit needs this many earlier candidates of a step to use its own rate
WILSON_Z = 1.2816  # two-sided 80 %
TREND_SPREAD = 0.5  # the trend's range: ± this share of its projected addition (setting)
DEFAULT_RENEWAL_RATE = 0.5  # share of expiring certificates renewed in time (setting, not official)


@dataclass(frozen=True)
class Rate:
    converted: int
    observed: int

    @property
    def value(self) -> float | None:
        return self.converted / self.observed if self.observed else None

    def interval(self, z: float = WILSON_Z) -> tuple[float, float]:
        """Wilson score interval; (0, 1) without observations."""
        n = self.observed
        if n == 0:
            return 0.0, 1.0
        p = self.converted / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Group:
    """Candidates of one tier step in one unit, with the unit's and the city's history of that step."""

    candidates: int
    unit_rate: Rate
    city_rate: Rate

    @property
    def rate(self) -> Rate:
        return self.unit_rate if self.unit_rate.observed >= MIN_OBSERVED else self.city_rate


@dataclass(frozen=True)
class Forecast:
    actual: float
    central: float
    low: float
    high: float
    needed: float  # what the scope needs by the year-end to stay on its path to the target
    pipeline: float | None  # the pipeline's central addition (before expiries)
    trend: float | None  # the trend's central addition
    expiring: int

    @property
    def status(self) -> str:
        if self.high < self.needed:
            return "off_track"
        if self.central < self.needed:
            return "at_risk"
        return "on_track"


def needed_by_year_end(*, base: float, target: float, period_share_at_year_end: float) -> float:
    """Where the straight path from ``base`` to ``target`` stands at this year's end."""
    share = min(max(period_share_at_year_end, 0.0), 1.0)
    return base + (target - base) * share


def year_end(*, actual: float, start_of_year: float, elapsed: float, groups: list[Group] = (),
             expiring: int = 0, renewal_rate: float = DEFAULT_RENEWAL_RATE, needed: float) -> Forecast:
    """The year-end forecast of a count, ``elapsed`` being the share of the calendar year gone (0..1)."""
    if not 0 <= elapsed <= 1:
        raise ValueError(f"share of the year elapsed must be between 0 and 1: {elapsed}")
    if not 0 <= renewal_rate <= 1:
        raise ValueError(f"renewal rate must be between 0 and 1: {renewal_rate}")
    if any(g.candidates < 0 for g in groups) or expiring < 0:
        raise ValueError("candidates and expiring certificates cannot be negative")
    remaining = 1.0 - elapsed
    if remaining == 0:
        return Forecast(actual=actual, central=actual, low=actual, high=actual, needed=needed, pipeline=0.0,
                        trend=0.0, expiring=0)
    pipeline = p_low = p_high = None
    if groups:
        pipeline = p_low = p_high = 0.0
        for g in groups:
            lo, hi = g.rate.interval()
            v = g.rate.value
            pipeline += g.candidates * (v if v is not None else (lo + hi) / 2) * remaining
            p_low += g.candidates * lo * remaining
            p_high += g.candidates * hi * remaining
    trend = t_low = t_high = None
    if elapsed > 0:
        trend = (actual - start_of_year) * remaining / elapsed
        t_low, t_high = sorted((trend * (1 - TREND_SPREAD), trend * (1 + TREND_SPREAD)))
    estimates = [e for e in (pipeline, trend) if e is not None]
    added = sum(estimates) / len(estimates) if estimates else 0.0
    lows = [e for e in (p_low, t_low) if e is not None] or [0.0]
    highs = [e for e in (p_high, t_high) if e is not None] or [0.0]
    central = actual + added - expiring * (1 - renewal_rate)
    low = actual + min(lows) - expiring
    high = actual + max(highs)
    return Forecast(actual=actual, central=central, low=min(low, central), high=max(high, central), needed=needed,
                    pipeline=pipeline, trend=trend, expiring=expiring)
