"""little-giant-2022 — 专精特新"小巨人" (工信部企业〔2022〕63号 附件3).

In force until 2026-03-31 for new applications (``little-giant-2026`` from 2026-04-01), but still the
yardstick of the 2026 re-reviews (复核) of earlier batches (工信厅企业函〔2026〕117号, tiers.md §2.0,
SECONDARY [SEC-2]): force it with ``--edition little-giant-2022``.

tiers.md §2.2 gives 附件3 from recollection ([MEM], so UNCONFIRMED) except the 70 % 主营业务收入占比
([SEC-1]). Every figure is therefore the bureau setting ``thresholds`` with these labelled defaults:

- 基本条件: 省级认定的专精特新中小企业 (``sme.title_srdi``); 主导产品属 六基、制造强国十大重点产业领域
  or 网络强国 (``sme.key_field``);
- 专业化: 细分市场 ≥ 3 年; 主营业务收入占比 ≥ 70 %; 近2年主营业务收入平均增长率 ≥ 5 %;
- 精细化: a core business on an information system (``sme.info_system``); 质量管理体系认证 or
  产品认证 (``sme.quality_certified``); 资产负债率 ≤ 70 %;
- 特色化: 主导产品全国细分市场占有率 ≥ 10 % and 自主品牌 (``sme.own_brand``);
- 创新能力 (一般性条件, all three, or a 直通条件): R&D by revenue band (上年度营业收入 ≥ 1亿元: 近2年
  研发强度均 ≥ 3 %; 5000万–1亿元: 均 ≥ 6 %; < 5000万元: 近2年股权融资 ≥ 8000万元, 近2年研发费用
  ≥ 3000万元 and 研发人员占比 ≥ 50 %); a 研发机构 of any level; ≥ 2 项 applied Ⅰ类知识产权 —
  直通: 近三年国家级科技奖励前三 or 创客中国全国50强;
- 产业链配套: key link of the chain, 补短板/锻长板/填空白 (``sme.chain_key_link``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from keqi.policy.editions import _tiers as tr
from keqi.policy.editions import sme_size_2011 as size
from keqi.policy.editions._base import GAP_COST_SETTING, Criterion, Edition, Setting, Source, all3, any3
from keqi.policy.editions._levers import spend_to_ratio

if TYPE_CHECKING:
    import ibis.expr.types as ir

A3 = '附件3 专精特新"小巨人"企业认定标准'
MEM = "UNCONFIRMED"


def ART(part: str, status: str = MEM) -> Any:
    return tr.miit_2022(f"{A3} {part}", status)


REREVIEW_2026 = Source(
    "工业和信息化部办公厅 2026年专精特新\"小巨人\"企业培育工作通知",
    "工信厅企业函〔2026〕117号",
    "2026年复核沿用2022年（63号）标准（tiers.md §2.0）",
    "SECONDARY",
)

THRESHOLDS = Setting(
    key="thresholds",
    default={
        "niche_years": 3,
        "main_pct": 70,
        "main_growth_pct": 5,
        "debt_pct": 70,
        "share_pct": 10,
        "revenue_large": 100_000_000,
        "revenue_mid": 50_000_000,
        "rd_pct_large": 3,
        "rd_pct_mid": 6,
        "equity_small": 80_000_000,
        "rd_total_small": 30_000_000,
        "rd_staff_pct_small": 50,
        "ip_class1": 2,
    },
    official=False,
    status="UNCONFIRMED",
    description=(
        "UNCONFIRMED ([MEM], tiers.md §2.2 附件3; main_pct [SEC-1]): 细分市场年限, 主营业务收入占比 %, "
        "近2年主营业务收入平均增长率 %, 资产负债率上限 %, 市场占有率 %, 营业收入分档 (元), 各档研发强度 %, "
        "小企业股权融资与研发费用 (元) 及研发人员占比 %, Ⅰ类知识产权项数"
    ),
)

CRITERIA = (
    size.entry_criterion(ART("基本条件 符合《中小企业划型标准规定》")),
    Criterion(
        "title",
        "属于省级认定（或重新核定）的专精特新中小企业",
        ART("基本条件"),
        controllable=False,
        fields="sme.title_srdi",
        blocker_note="尚未取得专精特新中小企业称号",
    ),
    Criterion(
        "key_field",
        "主导产品属工业'六基'、制造强国十大重点产业领域或网络强国领域",
        ART("基本条件"),
        controllable=False,
        fields="sme.key_field",
        blocker_note="主导产品不属重点领域",
    ),
    Criterion(
        "niche_years",
        "截至上年末从事特定细分市场3年以上",
        ART("专业化指标"),
        controllable=False,
        threshold_setting="thresholds.niche_years",
        fields="sme.niche_years",
        blocker_note="从事特定细分市场年限不足",
    ),
    Criterion(
        "main_business",
        "主营业务收入占营业收入比重不低于70%",
        ART("专业化指标", "SECONDARY"),
        threshold_setting="thresholds.main_pct",
        fields="financials[].main_revenue, financials[].revenue",
    ),
    Criterion(
        "main_growth",
        "近2年主营业务收入平均增长率不低于5%",
        ART("专业化指标"),
        controllable=False,
        threshold_setting="thresholds.main_growth_pct",
        fields="financials[].main_revenue",
        blocker_note="近2年主营业务收入平均增长率不足",
    ),
    Criterion(
        "info_system",
        "至少1项核心业务采用信息系统支撑",
        ART("精细化指标"),
        controllable=False,
        fields="sme.info_system",
        blocker_note="核心业务未采用信息系统支撑",
    ),
    Criterion(
        "quality_cert",
        "取得质量管理体系认证或发达国家和地区产品认证",
        ART("精细化指标"),
        controllable=False,
        fields="sme.quality_certified",
        blocker_note="未取得质量管理体系认证或产品认证",
    ),
    Criterion(
        "debt_ratio",
        "截至上年末资产负债率不高于70%",
        ART("精细化指标"),
        controllable=False,
        threshold_setting="thresholds.debt_pct",
        fields="financials[].total_assets, financials[].net_assets",
        blocker_note="资产负债率超过上限",
    ),
    Criterion(
        "market_share",
        "主导产品全国细分市场占有率不低于10%，拥有自主品牌",
        ART("特色化指标"),
        controllable=False,
        threshold_setting="thresholds.share_pct",
        fields="sme.market_share_pct, sme.own_brand",
        blocker_note="主导产品市场占有率不足或无自主品牌",
    ),
    Criterion(
        "rd",
        "研发投入（按上年度营业收入分档：近2年研发强度均不低于3%或6%；小企业股权融资、研发费用和研发人员）",
        ART("创新能力指标 一般性条件"),
        gate=False,
        fields="financials[].rd_expense, financials[].revenue, financials[].equity_financing, rd_staff",
    ),
    Criterion(
        "rd_institution",
        "自建或与高校、科研机构联合建立研发机构",
        ART("创新能力指标 一般性条件"),
        gate=False,
        fields="sme.rd_institution_level",
    ),
    Criterion(
        "ip",
        "拥有2项以上与主导产品相关、已实际应用并产生经济效益的Ⅰ类知识产权",
        ART("创新能力指标 一般性条件"),
        gate=False,
        threshold_setting="thresholds.ip_class1",
        fields="ip.class1, sme.ip_class1_in_use",
    ),
    Criterion(
        "innovation_direct",
        "创新能力直通条件：近三年国家级科技奖励前三，或创客中国全国50强",
        ART("创新能力指标 直通条件"),
        gate=False,
        fields="sme.award_national_top3, sme.chuangke",
    ),
    Criterion(
        "chain_role",
        "位于产业链关键环节，发挥补短板、锻长板、填空白作用（官员判断）",
        ART("产业链配套指标"),
        controllable=False,
        fields="sme.chain_key_link",
        blocker_note="主导产品不在产业链关键环节",
    ),
)
GATES = tuple(c.id for c in CRITERIA if c.gate)


def _rd(t: ir.Table, th: Mapping[str, int]) -> ir.BooleanValue:
    rev1 = t.y1_revenue
    large = rev1 >= th["revenue_large"]
    mid = (rev1 >= th["revenue_mid"]) & (rev1 < th["revenue_large"])
    small = rev1 < th["revenue_mid"]
    small_ok = all3(
        tr.sum2(t, "equity_financing") >= th["equity_small"],
        tr.sum2(t, "rd_expense") >= th["rd_total_small"],
        tr.share_ge(t.rd_staff, t.staff_total, th["rd_staff_pct_small"]),
    )
    return any3(
        large & tr.rd_intensity_each(t, th["rd_pct_large"]),
        mid & tr.rd_intensity_each(t, th["rd_pct_mid"]),
        small & small_ok,
    )


def build(t: ir.Table, s: Mapping[str, Any]) -> ir.Table:
    th = {k: int(v) for k, v in s["thresholds"].items()}
    rev1 = t.y1_revenue
    m1, m2, m3 = t.y1_main_revenue, t.y2_main_revenue, t.y3_main_revenue
    t = t.mutate(
        sme_size__passed=size.entry_passed(t, s["size_limits"]),
        title__passed=t.sme_title_srdi,
        key_field__passed=t.sme_key_field,
        niche_years__passed=t.sme_niche_years >= th["niche_years"],
        niche_years__value=t.sme_niche_years.cast("float64"),
        niche_years__threshold=float(th["niche_years"]),
        main_business__passed=tr.share_ge(m1, rev1, th["main_pct"]),
        main_business__value=tr.ratio_value(m1, rev1),
        main_business__threshold=th["main_pct"] / 100,
        main_growth__passed=tr.avg_growth_ge(m1, m2, m3, th["main_growth_pct"]),
        main_growth__value=tr.avg_growth_value(m1, m2, m3),
        main_growth__threshold=th["main_growth_pct"] / 100,
        info_system__passed=t.sme_info_system,
        quality_cert__passed=t.sme_quality_certified,
        debt_ratio__passed=tr.debt_le(t, th["debt_pct"]),
        debt_ratio__value=tr.debt_ratio(t),
        debt_ratio__threshold=th["debt_pct"] / 100,
        market_share__passed=(t.sme_market_share_pct >= th["share_pct"]) & t.sme_own_brand,
        market_share__value=t.sme_market_share_pct / 100,
        market_share__threshold=th["share_pct"] / 100,
        rd__passed=_rd(t, th),
        rd__value=tr.ratio_value(t.y1_rd_expense, rev1),
        rd_institution__passed=t.sme_rd_institution_level != "none",
        ip__passed=(t.ip_class1 >= th["ip_class1"]) & t.sme_ip_class1_in_use,
        ip__value=t.ip_class1.cast("float64"),
        ip__threshold=float(th["ip_class1"]),
        innovation_direct__passed=any3(t.sme_award_national_top3, t.sme_chuangke == "top50"),
        chain_role__passed=t.sme_chain_key_link,
    )
    general = all3(t.rd__passed, t.rd_institution__passed, t.ip__passed)
    t = t.mutate(innovation__ok=any3(general, t.innovation_direct__passed))
    t = t.mutate(eligible=all3(t.innovation__ok, *(t[f"{g}__passed"] for g in GATES)))
    return t.mutate(route=tr.route_when(t.eligible))


def options(cols: Mapping[str, np.ndarray], settings: Mapping[str, Any]) -> list[list[dict[str, np.ndarray]]]:
    """R&D spending (latest year, to the intensity of the firm's revenue band; the small firms' total),
    Ⅰ类 IP items and revenue moved to the main business."""
    th = {k: int(v) for k, v in settings["thresholds"].items()}
    zero = np.zeros_like(cols["y1_revenue"])
    rd1, rd2, rev1 = cols["y1_rd_expense"], cols["y2_rd_expense"], cols["y1_revenue"]
    pct = np.where(rev1 >= th["revenue_large"], th["rd_pct_large"], th["rd_pct_mid"])
    by_ratio = spend_to_ratio(rd1, rev1, pct)
    small = tr.raise_to(th["rd_total_small"], rd1 + rd2)
    rd = np.where(rev1 >= th["revenue_mid"], by_ratio, small)
    return [
        [{"rd_expense": zero}, {"rd_expense": rd}],
        [{"ip.class1": zero}, {"ip.class1": tr.raise_to(th["ip_class1"], cols["ip_class1"])}],
        tr.main_revenue_options(cols, [th["main_pct"]]),
    ]


EDITION = Edition(
    id="little-giant-2022",
    family="little-giant",
    title='专精特新"小巨人"企业（2022年暂行办法）',
    version="2022.1",
    sources=(
        ART("（tiers.md §2.2）"),
        REREVIEW_2026,
    ),
    criteria=CRITERIA,
    settings=(THRESHOLDS, size.SIZE_LIMITS, GAP_COST_SETTING),
    pass_mark=None,
    build=build,
    levers={"rd_expense": "rd", "ip.class1": "ip", "main_revenue": "main_business"},
    options=options,
    doc=__doc__ or "",
    in_force_until=date(2026, 3, 31),
    in_force_source=tr.IN_FORCE_2026,
    # the 2026 复核 (5th batch of 2023 and the re-reviewed 2nd batch) keep the 63号 standard; later
    # re-reviews under the 2026 办法 are UNCONFIRMED (tiers.md §2.0), so the interval ends with 2026
    rereview_until=date(2026, 12, 31),
    rereview_source=REREVIEW_2026,
)
