"""little-giant-2026 — 专精特新"小巨人" (《优质中小企业梯度培育管理办法》, 工信部企业〔2026〕2号).

In force from 2026-04-01 for new applications (tiers.md §2.0, SECONDARY [SEC-2]); 2026 re-reviews
(复核) of earlier batches still use the 2022 standard (工信厅企业函〔2026〕117号): evaluate those with
``--edition little-giant-2022``. All seven conditions must be met (tiers.md §2.1, SECONDARY [SEC-2]):

1. holds the 专精特新中小企业 title (``sme.title_srdi``) and ≥ 3 years in the niche market;
2. 上年度营业收入 ≥ 5000万元; 主营业务收入占比 ≥ 90 %; 近两年营业收入复合增长率 ≥ 5 % (re-review
   firms are not assessed on it, [SEC-1], ``sme.rereview``); 资产负债率 ≤ 75 %;
3. 近两年研发费用合计 ≥ 1200万元 and 每年研发强度 ≥ 3 %;
4. ≥ 4 项 related, applied, economically beneficial Ⅰ类知识产权, unless 近三年国家级科技奖励 and top 3;
5. 主导产品 niche 市场占有率 ≥ 10 % or 国内前三 (``sme.market_share_pct``, ``sme.market_rank``);
6. 主导产品 in a key link of the chain (六基, or 改造提升传统产业/培育壮大新兴产业/布局建设未来产业),
   recorded by the officer (``sme.chain_key_link``);
7. 当年度专精特新发展质量评价得分 ≥ 60 (``sme.quality_score``).

Reading choice (not official): "近两年营业收入复合增长率" is measured from y3 to y1 (two growth
periods), y1 · 100² ≥ 105² · y3 exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from keqi.policy.editions import _tiers as tr
from keqi.policy.editions import sme_size_2011 as size
from keqi.policy.editions._base import GAP_COST_SETTING, Criterion, Edition, all3
from keqi.policy.editions._levers import spend_to_ratio
from keqi.policy.lazy import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir

ART = tr.miit_2026
NICHE_YEARS = 3
MIN_REVENUE = 50_000_000  # 5000万元
MAIN_PCT = 90
GROWTH_PCT = 5
DEBT_PCT = 75
MIN_RD_2Y = 12_000_000  # 1200万元
RD_PCT = 3
MIN_IP = 4
SHARE_PCT = 10
TOP_RANK = 3
QUALITY_MARK = 60

CRITERIA = (
    size.entry_criterion(tr.miit_2026("适用于中小企业（符合《中小企业划型标准规定》；条文未核实）", "UNCONFIRMED")),
    Criterion(
        "title",
        "持有有效期内的专精特新中小企业称号",
        ART('专精特新"小巨人" 条件一'),
        controllable=False,
        fields="sme.title_srdi",
        blocker_note="尚未取得专精特新中小企业称号，须先申请该称号",
    ),
    Criterion(
        "niche_years",
        "从事特定细分市场3年以上",
        ART('专精特新"小巨人" 条件一'),
        threshold=float(NICHE_YEARS),
        controllable=False,
        fields="sme.niche_years",
        blocker_note="从事特定细分市场不足3年",
    ),
    Criterion(
        "revenue",
        "上年度营业收入不低于5000万元",
        ART('专精特新"小巨人" 条件二'),
        threshold=float(MIN_REVENUE),
        controllable=False,
        fields="financials[].revenue",
        blocker_note="上年度营业收入不足5000万元",
    ),
    Criterion(
        "main_business",
        "主营业务收入占营业收入比重不低于90%",
        ART('专精特新"小巨人" 条件二'),
        threshold=MAIN_PCT / 100,
        fields="financials[].main_revenue, financials[].revenue",
    ),
    Criterion(
        "revenue_growth",
        "近两年营业收入复合增长率不低于5%（复核企业不考核）",
        ART('专精特新"小巨人" 条件二'),
        threshold=GROWTH_PCT / 100,
        controllable=False,
        fields="financials[].revenue, sme.rereview",
        blocker_note="近两年营业收入复合增长率低于5%",
    ),
    Criterion(
        "debt_ratio",
        "资产负债率不高于75%",
        ART('专精特新"小巨人" 条件二'),
        threshold=DEBT_PCT / 100,
        controllable=False,
        fields="financials[].total_assets, financials[].net_assets",
        blocker_note="资产负债率高于75%",
    ),
    Criterion(
        "rd_expense",
        "近两年研发费用合计不低于1200万元",
        ART('专精特新"小巨人" 条件三'),
        threshold=float(MIN_RD_2Y),
        fields="financials[].rd_expense",
    ),
    Criterion(
        "rd_intensity",
        "近两年每年研发费用占营业收入比重不低于3%",
        ART('专精特新"小巨人" 条件三'),
        threshold=RD_PCT / 100,
        fields="financials[].rd_expense, financials[].revenue",
    ),
    Criterion(
        "ip",
        "拥有4项以上与主导产品相关、已实际应用并产生经济效益的Ⅰ类知识产权（或近三年国家级科技奖励前三）",
        ART('专精特新"小巨人" 条件四'),
        threshold=float(MIN_IP),
        fields="ip.class1, sme.ip_class1_in_use, sme.award_national_top3",
    ),
    Criterion(
        "market_share",
        "主导产品细分市场占有率不低于10%或位列国内前三",
        ART('专精特新"小巨人" 条件五'),
        threshold=SHARE_PCT / 100,
        controllable=False,
        fields="sme.market_share_pct, sme.market_rank",
        blocker_note="主导产品细分市场占有率低于10%且未进入国内前三",
    ),
    Criterion(
        "chain_role",
        "主导产品位于产业链关键环节，对产业链供应链安全稳定有重要支撑作用（官员判断）",
        ART('专精特新"小巨人" 条件六'),
        controllable=False,
        fields="sme.chain_key_link",
        blocker_note="主导产品不在产业链关键环节",
    ),
    Criterion(
        "quality_score",
        "当年度专精特新发展质量评价得分不低于60分",
        ART('专精特新"小巨人" 条件七；评价指标体系 工信厅企业〔2024〕75号'),
        threshold=float(QUALITY_MARK),
        controllable=False,
        fields="sme.quality_score",
        blocker_note="专精特新发展质量评价得分低于60分",
    ),
)


def build(t: ir.Table, s: Mapping[str, Any]) -> ir.Table:
    rev1 = t.y1_revenue
    rereview = t.sme_rereview.fill_null(False)
    growth = tr.cagr_ge(rev1, t.y3_revenue, GROWTH_PCT, 2)
    ip_in_use = (t.ip_class1 >= MIN_IP) & t.sme_ip_class1_in_use
    share = (t.sme_market_share_pct >= SHARE_PCT) | (t.sme_market_rank <= TOP_RANK)
    t = t.mutate(
        sme_size__passed=size.entry_passed(t, s["size_limits"]),
        title__passed=t.sme_title_srdi,
        niche_years__passed=t.sme_niche_years >= NICHE_YEARS,
        niche_years__value=t.sme_niche_years.cast("float64"),
        revenue__passed=rev1 >= MIN_REVENUE,
        revenue__value=rev1.cast("float64"),
        main_business__passed=tr.share_ge(t.y1_main_revenue, rev1, MAIN_PCT),
        main_business__value=tr.ratio_value(t.y1_main_revenue, rev1),
        revenue_growth__passed=rereview.ifelse(ibis.literal(True), growth),
        revenue_growth__value=tr.cagr_value(rev1, t.y3_revenue, 2),
        debt_ratio__passed=tr.debt_le(t, DEBT_PCT),
        debt_ratio__value=tr.debt_ratio(t),
        rd_expense__passed=tr.sum2(t, "rd_expense") >= MIN_RD_2Y,
        rd_expense__value=tr.sum2(t, "rd_expense").cast("float64"),
        rd_intensity__passed=tr.rd_intensity_each(t, RD_PCT),
        rd_intensity__value=tr.ratio_value(t.y1_rd_expense, rev1),
        ip__passed=ip_in_use | t.sme_award_national_top3,
        ip__value=t.ip_class1.cast("float64"),
        market_share__passed=share,
        market_share__value=t.sme_market_share_pct / 100,
        chain_role__passed=t.sme_chain_key_link,
        quality_score__passed=t.sme_quality_score >= QUALITY_MARK,
        quality_score__value=t.sme_quality_score,
    )
    t = t.mutate(eligible=all3(*(t[f"{c.id}__passed"] for c in CRITERIA)))
    return t.mutate(route=tr.route_when(t.eligible))


def options(cols: Mapping[str, np.ndarray], settings: Mapping[str, Any]) -> list[list[dict[str, np.ndarray]]]:
    """R&D spending (latest year: the two-year total and the 3 % intensity at once), Ⅰ类 IP items and
    revenue moved to the main business (90 %)."""
    zero = np.zeros_like(cols["y1_revenue"])
    rd1, rd2, rev1 = cols["y1_rd_expense"], cols["y2_rd_expense"], cols["y1_revenue"]
    rd = np.maximum(tr.raise_to(MIN_RD_2Y, rd1 + rd2), spend_to_ratio(rd1, rev1, RD_PCT))
    return [
        [{"rd_expense": zero}, {"rd_expense": rd}],
        [{"ip.class1": zero}, {"ip.class1": tr.raise_to(MIN_IP, cols["ip_class1"])}],
        tr.main_revenue_options(cols, [MAIN_PCT]),
    ]


EDITION = Edition(
    id="little-giant-2026",
    family="little-giant",
    title='专精特新"小巨人"企业（2026年办法）',
    version="2026.1",
    sources=(ART('专精特新"小巨人"认定条件（tiers.md §2.1）'),),
    criteria=CRITERIA,
    settings=(size.SIZE_LIMITS, GAP_COST_SETTING),
    pass_mark=None,
    build=build,
    levers={"rd_expense": ("rd_expense", "rd_intensity"), "ip.class1": "ip", "main_revenue": "main_business"},
    options=options,
    doc=__doc__ or "",
    in_force_from=date(2026, 4, 1),
    in_force_source=tr.IN_FORCE_2026,
)
