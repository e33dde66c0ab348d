"""unicorn-cq-2023 — 重庆市潜在独角兽 / 独角兽企业.

Sources (see shared/reference/chongqing.md §4):

- 《重庆市独角兽、瞪羚企业培育工作方案(2023—2027年)》, criteria as paraphrased by 市经信委's spokesperson
  (光明网, 2024-03-26) — SECONDARY:
  - 潜在独角兽: founded ≤ 9 years, valuation ≥ 1亿美元, financing ≥ 500万美元;
  - 独角兽: founded ≤ 10 years, valuation ≥ 10亿美元, financing ≥ 5000万美元;
  - both in 新技术、新产业、新业态 fields (not decidable from data → setting ``new_economy_field``).

Reading choices: "founded within n years" = the assessment day is no later than the n-th anniversary
of ``registered_on``. The verdict is eligible when either tier holds; the extra output ``tier`` is
``unicorn``, ``potential_unicorn`` or null (the higher tier wins).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from keqi.policy.editions._base import Criterion, Edition, Source, all3, any3, full_years, within_years
from keqi.policy.editions.gazelle_cq_2023 import DOC, NEW_ECONOMY_SETTING, NUM, new_economy
from keqi.policy.lazy import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir

SRC = Source(DOC, NUM, "独角兽、潜在独角兽企业条件（市经信委解读）", "SECONDARY")

TIERS = {
    "potential": (9, 100_000_000, 5_000_000),
    "unicorn": (10, 1_000_000_000, 50_000_000),
}


def _criteria() -> tuple[Criterion, ...]:
    out = []
    for tier, (years, valuation, financing) in TIERS.items():
        name = "潜在独角兽" if tier == "potential" else "独角兽"
        out += [
            Criterion(
                f"{tier}_age",
                f"{name}：成立{years}年以内",
                SRC,
                threshold=float(years),
                gate=False,
                controllable=False,
                fields="registered_on, assess_on",
            ),
            Criterion(
                f"{tier}_valuation",
                f"{name}：估值不低于{valuation // 100_000_000}亿美元"
                if valuation >= 100_000_000
                else f"{name}：估值",
                SRC,
                threshold=float(valuation),
                gate=False,
                controllable=False,
                fields="valuation_usd",
            ),
            Criterion(
                f"{tier}_financing",
                f"{name}：融资额不低于{financing // 10_000}万美元",
                SRC,
                threshold=float(financing),
                gate=False,
                controllable=False,
                fields="financing_usd",
            ),
        ]
    out.append(
        Criterion(
            "new_economy",
            "属于新技术、新产业、新业态领域",
            SRC,
            controllable=False,
            fields="（无法由数据判定）",
            blocker_note="不属于新技术、新产业、新业态领域",
        )
    )
    return tuple(out)


CRITERIA = _criteria()


def build(t: ir.Table, s: Mapping[str, Any]) -> ir.Table:
    cols: dict[str, ir.Value] = {}
    age = full_years(t.registered_on, t.assess_on).cast("float64")
    for tier, (years, valuation, financing) in TIERS.items():
        cols[f"{tier}_age__passed"] = within_years(t.registered_on, t.assess_on, years)
        cols[f"{tier}_age__value"] = age
        cols[f"{tier}_valuation__passed"] = t.valuation_usd >= valuation
        cols[f"{tier}_valuation__value"] = t.valuation_usd
        cols[f"{tier}_financing__passed"] = t.financing_usd >= financing
        cols[f"{tier}_financing__value"] = t.financing_usd
    cols["new_economy__passed"] = new_economy(s)
    t = t.mutate(**cols)
    tier_ok = {
        tier: all3(t[f"{tier}_age__passed"], t[f"{tier}_valuation__passed"], t[f"{tier}_financing__passed"])
        for tier in TIERS
    }
    t = t.mutate(unicorn__ok=tier_ok["unicorn"], potential__ok=tier_ok["potential"])
    t = t.mutate(
        eligible=all3(t.new_economy__passed, any3(t.unicorn__ok, t.potential__ok)),
        tier=ibis.cases(
            (t.unicorn__ok, "unicorn"),
            (t.potential__ok, "potential_unicorn"),
            else_=ibis.null().cast("string"),
        ),
    )
    return t.mutate(route=ibis.cases((t.eligible, "score"), else_=ibis.null().cast("string")))


EDITION = Edition(
    id="unicorn-cq-2023",
    family="unicorn",  # no dated in-force interval in the sources: in force on any day
    title="重庆市潜在独角兽、独角兽企业",
    version="2023.1",
    sources=(SRC,),
    criteria=CRITERIA,
    settings=(NEW_ECONOMY_SETTING,),
    pass_mark=None,
    build=build,
    extras=("tier",),
    doc=__doc__ or "",
)
