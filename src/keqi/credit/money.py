"""Exact money arithmetic of the risk fund (pure Python, integer yuan, no floats).

Rounding rule: every share is rounded **half up to the whole yuan**, and the last part of a split
is the remainder, so the parts of an amount always add up to it exactly.

- compensation = 80% of the overdue principal (chongqing.md §3: "按照逾期未收回本金80%的额度先行代偿");
  the bank bears the rest of the principal (and the interest);
- every fund amount is split city : district = 4 : 6 ("由市和区(县)两级财政资金以4:6比例出资");
  the city's part is 40% rounded half up, the district's part is the remainder.
"""

from __future__ import annotations

import calendar
import datetime as dt
from fractions import Fraction

COMPENSATION_SHARE = Fraction(4, 5)  # 80% of overdue principal
CITY_SHARE = Fraction(2, 5)  # city 4 : district 6


def half_up(amount: int, share: Fraction) -> int:
    """``amount × share`` rounded half up to the yuan (amount ≥ 0)."""
    if amount < 0:
        raise ValueError("amounts are never negative")
    num, den = amount * share.numerator, share.denominator
    return (2 * num + den) // (2 * den)


def compensation_for(overdue_principal: int) -> tuple[int, int]:
    """(fund compensation, principal the bank bears); they add up to the overdue principal."""
    fund = half_up(overdue_principal, COMPENSATION_SHARE)
    return fund, overdue_principal - fund


def city_district(amount: int) -> tuple[int, int]:
    """(city part, district part) of a fund amount; they add up to it."""
    city = half_up(amount, CITY_SHARE)
    return city, amount - city


def one_year_after(day: dt.date) -> dt.date:
    """The same day a year later (29 February → 28 February): the longest term of a loan."""
    year = day.year + 1
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))
