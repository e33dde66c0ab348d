"""Shared pieces of the upper-rung editions (优质中小企业梯度培育 and 科创属性).

Sources: ``shared/reference/tiers.md`` (its evidence labels: [SEC-2]/[SEC-1] → ``SECONDARY``,
[MEM]/UNCONFIRMED → ``UNCONFIRMED``, which makes the figure a bureau setting with a labelled default).

Reading choices shared by these editions (not official, stated in docs/policy.md):

- 资产负债率 = (资产总额 − 净资产) / 资产总额 of the latest fiscal year (liabilities = assets − equity);
  a firm with no assets has no ratio (the item fails).
- "近两年" sums are y1 + y2, "近三年" sums y1 + y2 + y3; a missing year leaves the sum undecided.
- Band tables: each band's lower bound is inclusive, and the upper edge of a "≤ p %" band belongs to
  it (资产负债率 50 % → the "≤50 %" band).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from keqi.policy.editions._base import Source, dec, null_bool
from keqi.policy.editions._levers import spend_to_ratio
from keqi.policy.lazy import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir

MIIT_2026_DOC = "《优质中小企业梯度培育管理办法》"
MIIT_2026_NUM = "工信部企业〔2026〕2号"
MIIT_2022_DOC = "《优质中小企业梯度培育管理暂行办法》"
MIIT_2022_NUM = "工信部企业〔2022〕63号"
STAR_DOC = "《科创属性评价指引（试行）》"


def miit_2026(article: str, status: str = "SECONDARY") -> Source:
    return Source(MIIT_2026_DOC, MIIT_2026_NUM, article, status)  # type: ignore[arg-type]


def miit_2022(article: str, status: str = "SECONDARY") -> Source:
    return Source(MIIT_2022_DOC, MIIT_2022_NUM, article, status)  # type: ignore[arg-type]


IN_FORCE_2026 = miit_2026("施行日期 2026-04-01（tiers.md §2.0）")


def bands(tests: Sequence[tuple[ir.BooleanValue, int]], top: int | None = None) -> tuple[ir.Value, ir.Value]:
    """Points range of a band table whose tests may be NULL (unknown data).

    The first test that surely holds gives the minimum, the first that may hold gives the maximum
    (tests are ordered from the best band down; the last band, 0 points, is implicit).
    """
    lo = ibis.cases(*[(t.fill_null(False), p) for t, p in tests], else_=0)
    hi = ibis.cases(*[(t.fill_null(True), p) for t, p in tests], else_=0)
    return lo, hi


def points_passed(lo: ir.Value, hi: ir.Value) -> ir.BooleanValue:
    """A scored item "passes" when it surely gets points, fails when it surely gets none."""
    return ibis.cases((lo > 0, True), (hi == 0, False), else_=null_bool())


def share_ge(part: ir.Value, whole: ir.Value, pct: int) -> ir.BooleanValue:
    """part / whole >= pct % exactly (a zero whole fails; NULL when either is unknown)."""
    return (whole > 0) & (part * 100 >= whole * pct)


def debt_le(t: ir.Table, pct: int) -> ir.BooleanValue:
    """资产负债率 (latest year) <= pct %, exactly."""
    assets, net = t.y1_total_assets, t.y1_net_assets
    return (assets > 0) & ((assets - net) * 100 <= assets * pct)


def debt_ratio(t: ir.Table) -> ir.Value:
    assets, net = t.y1_total_assets, t.y1_net_assets
    return (assets > 0).ifelse(
        (assets - net).cast("float64") / assets.cast("float64"), ibis.null().cast("float64")
    )


def sum2(t: ir.Table, name: str) -> ir.Value:
    return t[f"y1_{name}"] + t[f"y2_{name}"]


def sum3(t: ir.Table, name: str) -> ir.Value:
    return t[f"y1_{name}"] + t[f"y2_{name}"] + t[f"y3_{name}"]


def rd_intensity_each(t: ir.Table, pct: int, years: int = 2) -> ir.BooleanValue:
    """研发费用占营业收入 >= pct % in each of the last ``years`` fiscal years."""
    out = share_ge(t.y1_rd_expense, t.y1_revenue, pct)
    for k in range(2, years + 1):
        out = out & share_ge(t[f"y{k}_rd_expense"], t[f"y{k}_revenue"], pct)
    return out


def cagr_ge(last: ir.Value, base: ir.Value, pct: int, periods: int) -> ir.BooleanValue:
    """(last / base)^(1/periods) − 1 >= pct %, exactly: last · 100^k >= base · (100 + pct)^k."""
    return (base > 0) & (dec(last) * (100**periods) >= dec(base) * ((100 + pct) ** periods))


def cagr_value(last: ir.Value, base: ir.Value, periods: int) -> ir.Value:
    return (base > 0).ifelse(
        (last.cast("float64") / base.cast("float64")) ** (1.0 / periods) - 1, ibis.null().cast("float64")
    )


def growth_ge(last: ir.Value, prev: ir.Value, pct: int) -> ir.BooleanValue:
    """(last − prev) / prev >= pct % exactly (pct may be 0; a zero base fails)."""
    return (prev > 0) & (last * 100 >= prev * (100 + pct))


def avg_growth_ge(m1: ir.Value, m2: ir.Value, m3: ir.Value, pct: int) -> ir.BooleanValue:
    """近2年平均增长率: ((m1/m2 − 1) + (m2/m3 − 1)) / 2 >= pct %, exactly.

    ⇔ 100 · (m1·m3 + m2²) >= (200 + 2·pct) · m2 · m3 (m2, m3 > 0).
    """
    lhs = (dec(m1) * dec(m3) + dec(m2) * dec(m2)) * 100
    rhs = dec(m2) * dec(m3) * (200 + 2 * pct)
    return (m2 > 0) & (m3 > 0) & (lhs >= rhs)


def avg_growth_value(m1: ir.Value, m2: ir.Value, m3: ir.Value) -> ir.Value:
    f = [m.cast("float64") for m in (m1, m2, m3)]
    return ((m2 > 0) & (m3 > 0)).ifelse(
        ((f[0] / f[1] - 1) + (f[1] / f[2] - 1)) / 2, ibis.null().cast("float64")
    )


def ratio_value(part: ir.Value, whole: ir.Value) -> ir.Value:
    return (whole > 0).ifelse(part.cast("float64") / whole.cast("float64"), ibis.null().cast("float64"))


def self_developed_class1(t: ir.Table) -> ir.BooleanValue:
    """自主研发Ⅰ类 ≥ 1, as far as the data decide it.

    ``ip.self_developed`` says that at least one item was obtained by own R&D, not which: with Ⅱ类 items
    present (or their number unknown) that item may be a Ⅱ类 one, so the band is undecided (NULL) and the
    item scores a range; with no Ⅱ类 item at all it must be a Ⅰ类 one. No Ⅰ类 item, or none self-developed,
    rules the band out.
    """
    c1, c2 = t.ip_class1, t.ip_class2
    only_class1 = ibis.cases((c2 == 0, True), else_=null_bool())
    return (c1 >= 1) & t.ip_self_developed & only_class1


def provincial_rd_institution(t: ir.Table) -> ir.BooleanValue:
    """经认定的省部级以上研发机构: the recorded level, or the older ``direct`` flag."""
    level = t.sme_rd_institution_level.isin(["national", "provincial"])
    return level | t.direct_provincial_rd_institution


# ----------------------------------------------------------------------------------- gap levers


def raise_to(target: int | np.ndarray, current: np.ndarray) -> np.ndarray:
    """Smallest Δ >= 0 with current + Δ >= target."""
    return np.maximum(0, target - current)


def main_revenue_options(cols: Mapping[str, np.ndarray], pcts: Sequence[int]) -> list[dict[str, np.ndarray]]:
    """Leave the main business as it is, or move latest-year revenue into it up to each share (percent)."""
    zero = np.zeros_like(cols["y1_revenue"])
    main, revenue = cols["y1_main_revenue"], cols["y1_revenue"]
    return [{"main_revenue": zero}] + [{"main_revenue": spend_to_ratio(main, revenue, p)} for p in pcts]


def ip_class_options(cols: Mapping[str, np.ndarray]) -> list[dict[str, np.ndarray]]:
    """No new IP, one more Ⅰ类 item, or one more Ⅱ类 item."""
    zero = np.zeros_like(cols["y1_revenue"])
    return [
        {"ip.class1": zero, "ip.class2": zero},
        {"ip.class1": raise_to(1, cols["ip_class1"]), "ip.class2": zero},
        {"ip.class1": zero, "ip.class2": raise_to(1, cols["ip_class2"])},
    ]


def route_when(eligible: ir.BooleanValue, route: str = "score") -> ir.Value:
    return ibis.cases((eligible, route), else_=ibis.null().cast("string"))


def capped(x: ir.Value, cap: int) -> ir.Value:
    """min(x, cap), NULL when x is NULL (SQL LEAST would skip the NULL)."""
    return ibis.cases((x >= cap, cap), else_=x)
