"""srdi-2026 — 专精特新中小企业 (《优质中小企业梯度培育管理办法》, 工信部企业〔2026〕2号).

In force from 2026-04-01 for new applications (tiers.md §2.0, SECONDARY [SEC-2]); it replaces
``srdi-2022``. All six conditions must be met (tiers.md §2.1, SECONDARY [SEC-2]):

1. holds the 科技和创新型中小企业 title (``sme.title_innovative_sme``; a valid 科技型中小企业 入库 under
   国科发政〔2017〕115号 also counts, ``sme.title_tsme``, [SEC-1]) and, as of 上年末, ≥ 3 years in a
   specific niche market (``sme.niche_years``);
2. 上年度营业收入 ≥ 1500万元 or 近两年合格机构投资者实缴股权投资 ≥ 2000万元; 主营业务收入占营业收入
   ≥ 80 %; 资产负债率 ≤ 80 %;
3. 近两年研发费用每年 ≥ 100万元 and 每年研发强度 ≥ 3 %;
4. ≥ 1 项 与主导产品相关、已实际应用并产生经济效益的 Ⅰ类知识产权 (``ip.class1`` with the officer's
   ``sme.ip_class1_in_use``), unless 近三年获省部级以上科技奖励 and ranked in the top 3, or an 经认定的
   省部级以上研发机构;
5. 主导产品 细分市场占有率"较为靠前" with some 知名度: no numeric line, recorded by the officer
   (``sme.market_leading``);
6. 当年度专精特新发展质量评价得分 ≥ 50 (computed by the MIIT platform, recorded as ``sme.quality_score``).

Not decided here: the "≥ 50 in either of the last two years" rule for re-review firms [SEC-1] (only
the current score is recorded).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from keqi.policy.editions import _tiers as tr
from keqi.policy.editions import sme_size_2011 as size
from keqi.policy.editions._base import GAP_COST_SETTING, Criterion, Edition, all3, any3
from keqi.policy.editions._levers import spend_to_ratio

if TYPE_CHECKING:
    import ibis.expr.types as ir

ART = tr.miit_2026
NICHE_YEARS = 3
MIN_REVENUE = 15_000_000  # 1500万元
MIN_EQUITY_2Y = 20_000_000  # 2000万元
MAIN_PCT = 80
DEBT_PCT = 80
MIN_RD_EACH = 1_000_000  # 100万元
RD_PCT = 3
MIN_IP = 1
QUALITY_MARK = 50

CRITERIA = (
    size.entry_criterion(tr.miit_2026("适用于中小企业（符合《中小企业划型标准规定》；条文未核实）", "UNCONFIRMED")),
    Criterion(
        "title",
        "持有有效期内的科技和创新型中小企业称号",
        ART("专精特新中小企业 条件一"),
        controllable=False,
        fields="sme.title_innovative_sme, sme.title_tsme",
        blocker_note="尚未取得科技和创新型中小企业称号，须先申请该称号",
    ),
    Criterion(
        "niche_years",
        "截至上年末从事特定细分市场3年以上",
        ART("专精特新中小企业 条件一"),
        threshold=float(NICHE_YEARS),
        controllable=False,
        fields="sme.niche_years",
        blocker_note="从事特定细分市场不足3年",
    ),
    Criterion(
        "size",
        "上年度营业收入不低于1500万元，或近两年合格机构投资者实缴股权投资不低于2000万元",
        ART("专精特新中小企业 条件二"),
        threshold=float(MIN_REVENUE),
        controllable=False,
        fields="financials[].revenue, financials[].equity_financing",
        blocker_note="营业收入不足1500万元且近两年股权融资不足2000万元",
    ),
    Criterion(
        "main_business",
        "主营业务收入占营业收入比重不低于80%",
        ART("专精特新中小企业 条件二"),
        threshold=MAIN_PCT / 100,
        fields="financials[].main_revenue, financials[].revenue",
    ),
    Criterion(
        "debt_ratio",
        "资产负债率不高于80%",
        ART("专精特新中小企业 条件二"),
        threshold=DEBT_PCT / 100,
        controllable=False,
        fields="financials[].total_assets, financials[].net_assets",
        blocker_note="资产负债率高于80%",
    ),
    Criterion(
        "rd_expense",
        "近两年研发费用每年不低于100万元",
        ART("专精特新中小企业 条件三"),
        threshold=float(MIN_RD_EACH),
        fields="financials[].rd_expense",
    ),
    Criterion(
        "rd_intensity",
        "近两年每年研发费用占营业收入比重不低于3%",
        ART("专精特新中小企业 条件三"),
        threshold=RD_PCT / 100,
        fields="financials[].rd_expense, financials[].revenue",
    ),
    Criterion(
        "ip",
        "拥有1项以上与主导产品相关、已实际应用并产生经济效益的Ⅰ类知识产权（或省部级以上科技奖励前三、省部级以上研发机构）",
        ART("专精特新中小企业 条件四"),
        threshold=float(MIN_IP),
        fields="ip.class1, sme.ip_class1_in_use, sme.award_*, sme.rd_institution_level",
    ),
    Criterion(
        "market_position",
        "主导产品细分市场占有率较为靠前，具有一定知名度和影响力（官员判断）",
        ART("专精特新中小企业 条件五"),
        controllable=False,
        fields="sme.market_leading",
        blocker_note="主导产品细分市场地位未达到要求",
    ),
    Criterion(
        "quality_score",
        "当年度专精特新发展质量评价得分不低于50分",
        ART("专精特新中小企业 条件六；评价指标体系 工信厅企业〔2024〕75号"),
        threshold=float(QUALITY_MARK),
        controllable=False,
        fields="sme.quality_score",
        blocker_note="专精特新发展质量评价得分低于50分",
    ),
)


def build(t: ir.Table, s: Mapping[str, Any]) -> ir.Table:
    rev1 = t.y1_revenue
    ip_in_use = (t.ip_class1 >= MIN_IP) & t.sme_ip_class1_in_use
    exempt = any3(t.sme_award_provincial_top3, t.sme_award_national_top3, tr.provincial_rd_institution(t))
    t = t.mutate(
        sme_size__passed=size.entry_passed(t, s["size_limits"]),
        title__passed=any3(t.sme_title_innovative_sme, t.sme_title_tsme),
        niche_years__passed=t.sme_niche_years >= NICHE_YEARS,
        niche_years__value=t.sme_niche_years.cast("float64"),
        size__passed=any3(rev1 >= MIN_REVENUE, tr.sum2(t, "equity_financing") >= MIN_EQUITY_2Y),
        size__value=rev1.cast("float64"),
        main_business__passed=tr.share_ge(t.y1_main_revenue, rev1, MAIN_PCT),
        main_business__value=tr.ratio_value(t.y1_main_revenue, rev1),
        debt_ratio__passed=tr.debt_le(t, DEBT_PCT),
        debt_ratio__value=tr.debt_ratio(t),
        rd_expense__passed=(t.y1_rd_expense >= MIN_RD_EACH) & (t.y2_rd_expense >= MIN_RD_EACH),
        rd_expense__value=t.y1_rd_expense.cast("float64"),
        rd_intensity__passed=tr.rd_intensity_each(t, RD_PCT),
        rd_intensity__value=tr.ratio_value(t.y1_rd_expense, rev1),
        ip__passed=any3(ip_in_use, exempt),
        ip__value=t.ip_class1.cast("float64"),
        market_position__passed=t.sme_market_leading,
        quality_score__passed=t.sme_quality_score >= QUALITY_MARK,
        quality_score__value=t.sme_quality_score,
    )
    t = t.mutate(eligible=all3(*(t[f"{c.id}__passed"] for c in CRITERIA)))
    return t.mutate(route=tr.route_when(t.eligible))


def options(cols: Mapping[str, np.ndarray], settings: Mapping[str, Any]) -> list[list[dict[str, np.ndarray]]]:
    """R&D spending (latest year: the amount and the 3 % intensity at once), Ⅰ类 IP items and revenue
    moved to the main business (80 %)."""
    zero = np.zeros_like(cols["y1_revenue"])
    rd1, rev1 = cols["y1_rd_expense"], cols["y1_revenue"]
    rd = np.maximum(tr.raise_to(MIN_RD_EACH, rd1), spend_to_ratio(rd1, rev1, RD_PCT))
    return [
        [{"rd_expense": zero}, {"rd_expense": rd}],
        [{"ip.class1": zero}, {"ip.class1": tr.raise_to(MIN_IP, cols["ip_class1"])}],
        tr.main_revenue_options(cols, [MAIN_PCT]),
    ]


EDITION = Edition(
    id="srdi-2026",
    family="srdi",
    title="专精特新中小企业（2026年办法）",
    version="2026.1",
    sources=(
        ART("专精特新中小企业认定条件（tiers.md §2.1）"),
        ART("科技型中小企业计入科技和创新型中小企业（tiers.md §2.1）"),
    ),
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
