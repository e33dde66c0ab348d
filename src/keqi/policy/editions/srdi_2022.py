"""srdi-2022 — 专精特新中小企业 (《优质中小企业梯度培育管理暂行办法》, 工信部企业〔2022〕63号 附件2).

In force until 2026-03-31: from 2026-04-01 new applications use ``srdi-2026`` (工信部企业〔2026〕2号,
tiers.md §2.0). Still the standard for some re-reviews and for local 细则 built on 63号.

Conditions, all four required (tiers.md §2.2, SECONDARY [SEC-2]):

1. 从事特定细分市场时间 ≥ 2 年;
2. 上年度研发费用总额 ≥ 100万元 and ≥ 3 % of 营业收入;
3. 上年度营业收入 ≥ 1000万元, or 近2年新增股权融资（合格机构投资者实缴额）≥ 2000万元;
4. 评价得分 ≥ 60, or one of the 专项条件 (existence SECONDARY [SEC-1]; details [MEM] → the figures
   are the setting ``special_thresholds``): a. 近三年省级科技奖励前三 or 国家级科技奖励 (recorded as
   ``sme.award_provincial_top3`` / ``sme.award_national_top3``; a national award
   outside the top three is not recorded apart, so ``sme.award_any`` leaves item a undecided); b. 近两年研发费用总额均值 ≥ 1000万元;
   c. 近两年新增股权融资 ≥ 6000万元; d. 近三年"创客中国"全国500强企业组 (``sme.chuangke``).

Scorecard: 13 indicators, 100 points (SECONDARY [SEC-2]); each band's lower bound inclusive:

- 专业化 (25): 主营业务收入占比 (5: ≥80 % 5, ≥70 % 3, ≥60 % 1); 近2年主营业务收入平均增长率
  (10: ≥10 % 10, ≥8 % 8, ≥6 % 6, ≥4 % 4, ≥0 2); 细分市场年限 (5: 1 per full 2 years); 主导产品所属领域
  (5: 补短板/锻长板/填空白 5, 六基等 3, other 0);
- 精细化 (25): 数字化水平 (5: 三级 5, 二级 3, 一级 0); 质量管理水平 (5: 3 per item, max 5);
  净利润率 (10: ≥10 % 10, ≥8 % 8, ≥6 % 6, ≥4 % 4, ≥2 % 2); 资产负债率 (5: ≤50 % 5, ≤60 % 3, ≤70 % 1);
- 特色化 (15): the province's own indicators, recorded as points (``sme.local_points``);
- 创新能力 (35): 知识产权 (10: 高价值Ⅰ类 10, 自主研发Ⅰ类 8, Ⅰ类 6, Ⅱ类 2); 研发费用
  (10: ≥500万 or ≥10 % 10, ≥400万/8 % 8, ≥300万/6 % 6, ≥200万/4 % 4, ≥100万/3 % 2); 研发人员占比
  (5: ≥20 % 5, ≥10 % 3, ≥5 % 1); 研发机构级别 (10: 国家级 10, 省级 8, 市级 4, 市级以下 2).

Reading choice (not official): 近2年主营业务收入平均增长率 = the mean of y2→y1 and y3→y2 growth.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from keqi.policy.editions import _tiers as tr
from keqi.policy.editions import sme_size_2011 as size
from keqi.policy.editions._base import (
    GAP_COST_SETTING,
    Criterion,
    Edition,
    Setting,
    all3,
    any3,
    null_bool,
    score_pass,
)
from keqi.policy.editions._levers import spend_to_ratio
from keqi.policy.lazy import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir

ART = tr.miit_2022
A2 = "附件2 专精特新中小企业认定标准"
NICHE_YEARS = 2
MIN_RD = 1_000_000  # 100万元
RD_PCT = 3
MIN_REVENUE = 10_000_000  # 1000万元
MIN_EQUITY_2Y = 20_000_000  # 2000万元
PASS_MARK = 60

MAIN_BANDS = ((80, 5), (70, 3), (60, 1))
GROWTH_BANDS = ((10, 10), (8, 8), (6, 6), (4, 4), (0, 2))
PRODUCT_FIELD_POINTS = {"short_board": 5, "six_basics": 3, "other": 0}
DIGITAL_POINTS = {3: 5, 2: 3, 1: 0}
MARGIN_BANDS = ((10, 10), (8, 8), (6, 6), (4, 4), (2, 2))
DEBT_BANDS = ((50, 5), (60, 3), (70, 1))  # upper bounds (≤), best first
RD_BANDS = ((5_000_000, 10, 10), (4_000_000, 8, 8), (3_000_000, 6, 6), (2_000_000, 4, 4), (1_000_000, 3, 2))
RD_STAFF_BANDS = ((20, 5), (10, 3), (5, 1))
INSTITUTION_POINTS = {"national": 10, "provincial": 8, "municipal": 4, "below_municipal": 2, "none": 0}

SPECIAL_SETTING = Setting(
    key="special_thresholds",
    default={"rd_avg_2y": 10_000_000, "equity_2y": 60_000_000},
    official=False,
    status="UNCONFIRMED",
    description=(
        "UNCONFIRMED ([MEM], tiers.md §2.2): 专项条件 b 近两年研发费用总额均值 (default 1000万元) and c "
        "近两年新增股权融资总额 (default 6000万元), in yuan"
    ),
)

SCORED = (
    ("main_share", "上年度主营业务收入占营业收入比重", 5, "financials[].main_revenue"),
    ("main_growth", "近2年主营业务收入平均增长率", 10, "financials[].main_revenue"),
    ("niche_score", "从事特定细分市场年限", 5, "sme.niche_years"),
    ("product_field", "主导产品所属领域", 5, "sme.product_field"),
    ("digital", "数字化水平", 5, "sme.digital_level"),
    ("quality_mgmt", "质量管理水平", 5, "sme.quality_items"),
    ("net_margin", "上年度净利润率", 10, "financials[].net_profit, financials[].revenue"),
    ("debt_score", "上年度资产负债率", 5, "financials[].total_assets, financials[].net_assets"),
    ("local", "特色化指标（地方）", 15, "sme.local_points"),
    ("ip_score", "与主导产品相关的有效知识产权", 10, "ip.*, sme.ip_class1_high_value"),
    ("rd_score", "上年度研发费用投入", 10, "financials[].rd_expense, financials[].revenue"),
    ("rd_staff_score", "上年度研发人员占比", 5, "rd_staff, staff_total"),
    ("rd_institution", "建立研发机构级别", 10, "sme.rd_institution_level"),
)

CRITERIA = (
    size.entry_criterion(tr.miit_2022("第二条 适用于中小企业（符合《中小企业划型标准规定》；条文未核实）", "UNCONFIRMED")),
    Criterion(
        "niche_years",
        "从事特定细分市场时间达到2年以上",
        ART(f"{A2} 第一项"),
        threshold=float(NICHE_YEARS),
        controllable=False,
        fields="sme.niche_years",
        blocker_note="从事特定细分市场不足2年",
    ),
    Criterion(
        "rd",
        "上年度研发费用总额不低于100万元，且占营业收入总额比重不低于3%",
        ART(f"{A2} 第二项"),
        threshold=float(MIN_RD),
        fields="financials[].rd_expense, financials[].revenue",
    ),
    Criterion(
        "size",
        "上年度营业收入总额1000万元以上，或近2年新增股权融资总额不低于2000万元",
        ART(f"{A2} 第三项"),
        threshold=float(MIN_REVENUE),
        controllable=False,
        fields="financials[].revenue, financials[].equity_financing",
        blocker_note="营业收入不足1000万元且近2年股权融资不足2000万元",
    ),
    Criterion(
        "special",
        "专项条件（省级科技奖励前三或国家级科技奖励、研发费用均值、股权融资、创客中国500强）",
        ART(f"{A2} 第四项 专项条件", "UNCONFIRMED"),
        gate=False,
        fields="sme.award_*, financials[].rd_expense, financials[].equity_financing, sme.chuangke",
    ),
    *(
        Criterion(cid, label, ART(f"{A2} 评价指标 {label}"), gate=False, scored=True, points=top, fields=fields)
        for cid, label, top, fields in SCORED
    ),
)


def _scored(t: ir.Table) -> dict[str, tuple[ir.Value, ir.Value]]:
    rev1, main1 = t.y1_revenue, t.y1_main_revenue
    out: dict[str, tuple[ir.Value, ir.Value]] = {}
    out["main_share"] = tr.bands([(tr.share_ge(main1, rev1, p), pts) for p, pts in MAIN_BANDS])
    m1, m2, m3 = t.y1_main_revenue, t.y2_main_revenue, t.y3_main_revenue
    out["main_growth"] = tr.bands([(tr.avg_growth_ge(m1, m2, m3, p), pts) for p, pts in GROWTH_BANDS])
    years = tr.capped(t.sme_niche_years // 2, 5)
    out["niche_score"] = (years.fill_null(0), years.fill_null(5))
    field = t.sme_product_field.cases(*PRODUCT_FIELD_POINTS.items(), else_=None)
    out["product_field"] = (field.fill_null(0), field.fill_null(5))
    digital = t.sme_digital_level.cases(*DIGITAL_POINTS.items(), else_=None)
    out["digital"] = (digital.fill_null(0), digital.fill_null(5))
    quality = tr.capped(t.sme_quality_items * 3, 5)
    out["quality_mgmt"] = (quality.fill_null(0), quality.fill_null(5))
    out["net_margin"] = tr.bands([(tr.share_ge(t.y1_net_profit, rev1, p), pts) for p, pts in MARGIN_BANDS])
    out["debt_score"] = tr.bands([(tr.debt_le(t, p), pts) for p, pts in DEBT_BANDS])
    out["local"] = (t.sme_local_points.fill_null(0), t.sme_local_points.fill_null(15))
    c1, c2 = t.ip_class1, t.ip_class2
    out["ip_score"] = tr.bands(
        [
            (t.sme_ip_class1_high_value >= 1, 10),
            (tr.self_developed_class1(t), 8),  # undecided with Ⅱ类 items: 6–8
            (c1 >= 1, 6),
            (c2 >= 1, 2),
        ]
    )
    rd1 = t.y1_rd_expense
    out["rd_score"] = tr.bands([(any3(rd1 >= a, tr.share_ge(rd1, rev1, p)), pts) for a, p, pts in RD_BANDS])
    out["rd_staff_score"] = tr.bands(
        [(tr.share_ge(t.rd_staff, t.staff_total, p), pts) for p, pts in RD_STAFF_BANDS]
    )
    inst = t.sme_rd_institution_level.cases(*INSTITUTION_POINTS.items(), else_=None)
    out["rd_institution"] = (inst.fill_null(0), inst.fill_null(10))
    return out


def build(t: ir.Table, s: Mapping[str, Any]) -> ir.Table:
    special = s["special_thresholds"]
    rev1, rd1 = t.y1_revenue, t.y1_rd_expense
    cols: dict[str, ir.Value] = {
        "sme_size__passed": size.entry_passed(t, s["size_limits"]),
        "niche_years__passed": t.sme_niche_years >= NICHE_YEARS,
        "niche_years__value": t.sme_niche_years.cast("float64"),
        "rd__passed": (rd1 >= MIN_RD) & tr.share_ge(rd1, rev1, RD_PCT),
        "rd__value": rd1.cast("float64"),
        "size__passed": any3(rev1 >= MIN_REVENUE, tr.sum2(t, "equity_financing") >= MIN_EQUITY_2Y),
        "size__value": rev1.cast("float64"),
        "special__passed": any3(
            t.sme_award_provincial_top3,
            t.sme_award_national_top3,
            # a national award outside the top three also counts, but is not recorded apart: any award
            # of the last three years leaves item a undecided, none at all rules it out
            ibis.cases((t.sme_award_any == False, False), else_=null_bool()),  # noqa: E712 - SQL comparison
            tr.sum2(t, "rd_expense") >= 2 * int(special["rd_avg_2y"]),
            tr.sum2(t, "equity_financing") >= int(special["equity_2y"]),
            t.sme_chuangke.isin(["top50", "top500"]),
        ),
    }
    total_lo: ir.Value = ibis.literal(0)
    total_hi: ir.Value = ibis.literal(0)
    for cid, (lo, hi) in _scored(t).items():
        cols[f"{cid}__min"], cols[f"{cid}__max"] = lo, hi
        total_lo, total_hi = total_lo + lo, total_hi + hi
    cols["main_share__value"] = tr.ratio_value(t.y1_main_revenue, rev1)
    cols["main_growth__value"] = tr.avg_growth_value(t.y1_main_revenue, t.y2_main_revenue, t.y3_main_revenue)
    cols["net_margin__value"] = tr.ratio_value(t.y1_net_profit, rev1)
    cols["debt_score__value"] = tr.debt_ratio(t)
    cols["rd_score__value"] = rd1.cast("float64")
    cols["rd_staff_score__value"] = tr.ratio_value(t.rd_staff, t.staff_total)
    cols["score_min"], cols["score_max"] = total_lo, total_hi
    t = t.mutate(**cols)
    t = t.mutate(
        **{f"{cid}__passed": tr.points_passed(t[f"{cid}__min"], t[f"{cid}__max"]) for cid, *_ in SCORED}
    )
    basic = all3(t.sme_size__passed, t.niche_years__passed, t.rd__passed, t.size__passed)
    by_score = all3(basic, score_pass(t.score_min, t.score_max, PASS_MARK))
    by_special = all3(basic, t.special__passed)
    t = t.mutate(by_score__ok=by_score, by_special__ok=by_special)
    return t.mutate(
        eligible=any3(t.by_special__ok, t.by_score__ok),
        route=ibis.cases(
            (t.by_score__ok, "score"), (t.by_special__ok, "direct"), else_=ibis.null().cast("string")
        ),
    )


def options(cols: Mapping[str, np.ndarray], settings: Mapping[str, Any]) -> list[list[dict[str, np.ndarray]]]:
    """R&D spending: the 100万/3 % condition, each 研发费用 band on top of it, the 专项 average; IP items;
    revenue moved to the main business, to each 主营业务收入占比 band."""
    zero = np.zeros_like(cols["y1_revenue"])
    rd1, rd2, rev1 = cols["y1_rd_expense"], cols["y2_rd_expense"], cols["y1_revenue"]
    gate = np.maximum(tr.raise_to(MIN_RD, rd1), spend_to_ratio(rd1, rev1, RD_PCT))
    rd = [{"rd_expense": zero}, {"rd_expense": gate}]
    for amount, pct, _ in RD_BANDS:
        by_ratio = np.where(rev1 > 0, spend_to_ratio(rd1, rev1, pct), tr.raise_to(amount, rd1))
        rd.append({"rd_expense": np.maximum(gate, np.minimum(tr.raise_to(amount, rd1), by_ratio))})
    avg = 2 * int(settings["special_thresholds"]["rd_avg_2y"])
    rd.append({"rd_expense": np.maximum(gate, tr.raise_to(avg, rd1 + rd2))})
    return [rd, tr.ip_class_options(cols), tr.main_revenue_options(cols, [p for p, _ in MAIN_BANDS])]


EDITION = Edition(
    id="srdi-2022",
    family="srdi",
    title="专精特新中小企业（2022年暂行办法）",
    version="2022.1",
    sources=(ART(f"{A2}（tiers.md §2.2）"), ART(f"{A2} 专项条件（tiers.md §2.2）", "UNCONFIRMED")),
    criteria=CRITERIA,
    settings=(SPECIAL_SETTING, size.SIZE_LIMITS, GAP_COST_SETTING),
    pass_mark=PASS_MARK,
    build=build,
    levers={
        "rd_expense": ("rd", "rd_score", "special"),
        "ip.class1": "ip_score",
        "ip.class2": "ip_score",
        "main_revenue": "main_share",
    },
    options=options,
    doc=__doc__ or "",
    in_force_until=date(2026, 3, 31),
    in_force_source=tr.IN_FORCE_2026,
)
