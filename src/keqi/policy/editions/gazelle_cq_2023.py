"""gazelle-cq-2023 — 重庆市瞪羚企业.

Sources (see shared/reference/chongqing.md §4):

- 《重庆市独角兽、瞪羚企业培育工作方案(2023—2027年)》, issued end-2023 (issuer presumably 市经信委,
  UNCONFIRMED), criteria as paraphrased by 市经信委's spokesperson (光明网, 2024-03-26) — SECONDARY:
  近3年营业收入复合增长率 ≥ 15 %; 最低营收 ≥ 1000万元; in 新技术、新产业、新业态 fields.
- The full legal text (minimum firm age, sector lists) is UNCONFIRMED.

Reading choices (not official; settings):

- The profile holds at most three fiscal years, so the compound growth rate is measured over
  ``cagr_periods`` periods (default 2: y3 → y1, i.e. (y1 / y3)^(1/2) − 1 ≥ 15 %, tested exactly as
  y1 · 100² ≥ 115² · y3). A zero or missing base year fails or leaves the test undecided respectively.
- "新技术、新产业、新业态" cannot be decided from the data: undecided unless the setting
  ``new_economy_field`` is ``assume_met``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from keqi.policy.editions._base import Criterion, Edition, Setting, Source, all3, dec, null_bool
from keqi.policy.lazy import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir

DOC = "《重庆市独角兽、瞪羚企业培育工作方案(2023—2027年)》"
NUM = "《重庆市独角兽、瞪羚企业培育工作方案(2023—2027年)》（文号未确认）"
MIN_REVENUE = 10_000_000  # 1000万元
CAGR_PCT = 15

NEW_ECONOMY_SETTING = Setting(
    key="new_economy_field",
    default="undecided",
    official=False,
    status="UNCONFIRMED",
    description=(
        "not official: 新技术、新产业、新业态 field — 'undecided' (default, the data cannot decide) or "
        "'assume_met' (the bureau has checked the field elsewhere)"
    ),
    choices=("undecided", "assume_met"),
)

SETTINGS = (
    Setting(
        key="cagr_periods",
        default=2,
        official=False,
        status="SETTING",
        description="not official: growth periods of the 近3年复合增长率 (2 = y3→y1, 1 = y2→y1)",
        choices=(1, 2),
    ),
    NEW_ECONOMY_SETTING,
)

SRC = Source(DOC, NUM, "瞪羚企业条件（市经信委解读）", "SECONDARY")
CRITERIA = (
    Criterion(
        "revenue_growth",
        "近3年营业收入复合增长率不低于15%",
        SRC,
        threshold=0.15,
        controllable=False,
        fields="financials[].revenue",
        blocker_note="营业收入复合增长率未达到15%，短期内无法通过可控指标弥补",
    ),
    Criterion(
        "revenue",
        "最近一年营业收入不低于1000万元",
        SRC,
        threshold=float(MIN_REVENUE),
        controllable=False,
        fields="financials[].revenue",
        blocker_note="最近一年营业收入低于1000万元",
    ),
    Criterion(
        "new_economy",
        "属于新技术、新产业、新业态领域",
        SRC,
        controllable=False,
        fields="（无法由数据判定）",
        blocker_note="不属于新技术、新产业、新业态领域",
    ),
)


def new_economy(s: Mapping[str, Any]) -> ir.BooleanValue:
    return ibis.literal(True) if s["new_economy_field"] == "assume_met" else null_bool()


def build(t: ir.Table, s: Mapping[str, Any]) -> ir.Table:
    k = int(s["cagr_periods"])
    base = t.y3_revenue if k == 2 else t.y2_revenue
    last = t.y1_revenue
    growth_ok = (base > 0) & (dec(last) * (100**k) >= dec(base) * ((100 + CAGR_PCT) ** k))
    value = (base > 0).ifelse(
        (last.cast("float64") / base.cast("float64")) ** (1.0 / k) - 1, ibis.null().cast("float64")
    )
    t = t.mutate(
        revenue_growth__passed=growth_ok,
        revenue_growth__value=value,
        revenue__passed=last >= MIN_REVENUE,
        revenue__value=last.cast("float64"),
        new_economy__passed=new_economy(s),
    )
    t = t.mutate(eligible=all3(t.revenue_growth__passed, t.revenue__passed, t.new_economy__passed))
    return t.mutate(route=ibis.cases((t.eligible, "score"), else_=ibis.null().cast("string")))


EDITION = Edition(
    id="gazelle-cq-2023",
    family="gazelle",  # no dated in-force interval in the sources: in force on any day
    title="重庆市瞪羚企业",
    version="2023.1",
    sources=(SRC,),
    criteria=CRITERIA,
    settings=SETTINGS,
    pass_mark=None,
    build=build,
    doc=__doc__ or "",
)
