"""innovative-sme-2022 — 创新型中小企业 (工信部企业〔2022〕63号 附件1), also 科技和创新型中小企业.

The 2026 办法 (工信部企业〔2026〕2号) renames tier 1 科技和创新型中小企业; until the merged standard is
issued, the 63号 附件1 standard keeps applying (第三十条 as reported, tiers.md §2.0, SECONDARY [SEC-2]),
so this edition has no in-force end. Criteria (tiers.md §2.2, SECONDARY [SEC-2]):

- Entry: 符合《中小企业划型标准规定》 (``sme_size``: the ``sme-size-2011`` edition's reading, its
  limits the setting ``size_limits``); not on the 经营异常名录 or 严重失信 lists, products not
  禁止/限制/淘汰类, no major safety, quality or environmental violation (the profile's ``flags``).
  税务 violations are not recorded.
- Direct routes (any one): 近三年国家级、省级科技奖励 (``sme.award_any``, or a top-3 award); 高新技术企业,
  国家级技术创新示范企业, 知识产权优势/示范企业 (``direct.hnte_certificate_valid``,
  ``sme.innovation_honour``); 经认定的省部级以上研发机构; 近三年新增股权融资 ≥ 500万元.
- Otherwise a score ≥ 60 of 100 with 创新能力 ≥ 20, 成长性 ≥ 15 and 专业化 ≥ 15:
  知识产权 (20: 高价值Ⅰ类 20, 自主研发Ⅰ类 15, Ⅰ类 10, Ⅱ类 5; ``ip.self_developed`` with Ⅱ类 items present
  cannot say the self-developed item is the Ⅰ类 one: 10–15, see ``_tiers.self_developed_class1``); 研发费用占比 (20: ≥5 % 20, ≥3 % 15,
  ≥2 % 10, ≥1 % 5); 主营业务收入增长率 (20: ≥15 % 20, ≥10 % 15, ≥5 % 10, ≥0 5); 资产负债率
  (10: ≤55 % 10, ≤75 % 5); 主导产品所属领域 (10: 战略性新兴产业 10, other 5); 主营业务收入占比
  (20: ≥70 % 20, ≥60 % 15, ≥55 % 10, ≥50 % 5).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from keqi.policy.editions import _tiers as tr
from keqi.policy.editions import sme_size_2011 as size
from keqi.policy.editions._base import (
    GAP_COST_SETTING,
    Criterion,
    Edition,
    all3,
    any3,
    not_flag,
    score_pass,
)
from keqi.policy.editions._levers import spend_to_ratio
from keqi.policy.lazy import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir

A1 = "附件1 创新型中小企业评价标准"


def ART(part: str) -> Any:
    return tr.miit_2022(f"{A1} {part}")


MIN_EQUITY_3Y = 5_000_000  # 500万元
PASS_MARK = 60
DIMENSIONS = {"innovation": 20, "growth": 15, "specialisation": 15}
IP_POINTS = (20, 15, 10, 5)
RD_BANDS = ((5, 20), (3, 15), (2, 10), (1, 5))
GROWTH_BANDS = ((15, 20), (10, 15), (5, 10), (0, 5))
DEBT_BANDS = ((55, 10), (75, 5))
MAIN_BANDS = ((70, 20), (60, 15), (55, 10), (50, 5))

# the most points of each scored item (the first band of its table)
TOPS = {"ip": IP_POINTS[0], "rd_ratio": RD_BANDS[0][1], "main_growth": GROWTH_BANDS[0][1], "debt": DEBT_BANDS[0][1],
        "product_field": 10, "main_share": MAIN_BANDS[0][1]}

SCORED = (
    ("ip", "与主导产品相关的有效知识产权", "innovation", "ip.*, sme.ip_class1_high_value"),
    (
        "rd_ratio",
        "上年度研发费用占营业收入比重",
        "innovation",
        "financials[].rd_expense, financials[].revenue",
    ),
    ("main_growth", "上年度主营业务收入增长率", "growth", "financials[].main_revenue"),
    ("debt", "上年度资产负债率", "growth", "financials[].total_assets, financials[].net_assets"),
    ("product_field", "主导产品所属领域", "specialisation", "sme.strategic_emerging"),
    ("main_share", "上年度主营业务收入占营业收入比重", "specialisation", "financials[].main_revenue"),
)
DIM_LABELS = {"innovation": "创新能力", "growth": "成长性", "specialisation": "专业化"}

CRITERIA = (
    size.entry_criterion(ART("基本条件 符合《中小企业划型标准规定》")),
    Criterion(
        "integrity",
        "未列入经营异常名录或严重失信名单，产品不属禁止、限制或淘汰类，近三年无重大安全、质量、环境违法",
        ART("基本条件"),
        controllable=False,
        fields="flags.*",
        blocker_note="存在失信、经营异常、禁止类产品或重大违法情形",
    ),
    Criterion(
        "direct",
        "直通条件（科技奖励、高企等荣誉、省部级以上研发机构、近三年股权融资500万元以上）",
        ART("直通条件"),
        gate=False,
        fields="sme.award_*, direct.*, sme.innovation_honour, sme.rd_institution_level, financials[].equity_financing",
    ),
    *(
        Criterion(
            cid, label, ART(f"评价指标 {label}"), gate=False, scored=True, points=TOPS[cid], part_of=dim, fields=fields
        )
        for cid, label, dim, fields in SCORED
    ),
    *(
        Criterion(
            dim,
            f"{DIM_LABELS[dim]}得分不低于{mark}分",
            ART(f"评价指标 {DIM_LABELS[dim]}"),
            threshold=float(mark),
            gate=False,
            scored=True,
        )
        for dim, mark in DIMENSIONS.items()
    ),
)


def _scored(t: ir.Table) -> dict[str, tuple[ir.Value, ir.Value]]:
    rev1, main1 = t.y1_revenue, t.y1_main_revenue
    c1, c2 = t.ip_class1, t.ip_class2
    ip_tests = [t.sme_ip_class1_high_value >= 1, tr.self_developed_class1(t), c1 >= 1, c2 >= 1]
    emerging = t.sme_strategic_emerging
    return {
        "ip": tr.bands(list(zip(ip_tests, IP_POINTS, strict=True))),
        "rd_ratio": tr.bands([(tr.share_ge(t.y1_rd_expense, rev1, p), pts) for p, pts in RD_BANDS]),
        "main_growth": tr.bands(
            [(tr.growth_ge(main1, t.y2_main_revenue, p), pts) for p, pts in GROWTH_BANDS]
        ),
        "debt": tr.bands([(tr.debt_le(t, p), pts) for p, pts in DEBT_BANDS]),
        "product_field": (emerging.fill_null(False).ifelse(10, 5), emerging.fill_null(True).ifelse(10, 5)),
        "main_share": tr.bands([(tr.share_ge(main1, rev1, p), pts) for p, pts in MAIN_BANDS]),
    }


def build(t: ir.Table, s: Mapping[str, Any]) -> ir.Table:
    cols: dict[str, ir.Value] = {
        "sme_size__passed": size.entry_passed(t, s["size_limits"]),
        "integrity__passed": all3(
            not_flag(t.flag_abnormal_operation),
            not_flag(t.flag_credit_blacklisted),
            not_flag(t.flag_prohibited_industry),
            not_flag(t.flag_major_incident),
        ),
        "direct__passed": any3(
            t.sme_award_any,
            t.sme_award_national_top3,
            t.sme_award_provincial_top3,
            t.direct_hnte_certificate_valid,
            t.sme_innovation_honour,
            tr.provincial_rd_institution(t),
            tr.sum3(t, "equity_financing") >= MIN_EQUITY_3Y,
        ),
    }
    dim_lo: dict[str, ir.Value] = {d: ibis.literal(0) for d in DIMENSIONS}
    dim_hi: dict[str, ir.Value] = {d: ibis.literal(0) for d in DIMENSIONS}
    scored = _scored(t)
    for cid, _label, dim, _fields in SCORED:
        lo, hi = scored[cid]
        cols[f"{cid}__min"], cols[f"{cid}__max"] = lo, hi
        dim_lo[dim], dim_hi[dim] = dim_lo[dim] + lo, dim_hi[dim] + hi
    for dim in DIMENSIONS:
        cols[f"{dim}__min"], cols[f"{dim}__max"] = dim_lo[dim], dim_hi[dim]
    cols["score_min"] = sum(dim_lo.values(), ibis.literal(0))
    cols["score_max"] = sum(dim_hi.values(), ibis.literal(0))
    cols["rd_ratio__value"] = tr.ratio_value(t.y1_rd_expense, t.y1_revenue)
    cols["main_growth__value"] = (t.y2_main_revenue > 0).ifelse(
        t.y1_main_revenue.cast("float64") / t.y2_main_revenue.cast("float64") - 1, ibis.null().cast("float64")
    )
    cols["debt__value"] = tr.debt_ratio(t)
    cols["main_share__value"] = tr.ratio_value(t.y1_main_revenue, t.y1_revenue)
    t = t.mutate(**cols)
    passed = {f"{cid}__passed": tr.points_passed(t[f"{cid}__min"], t[f"{cid}__max"]) for cid, *_ in SCORED}
    passed |= {
        f"{dim}__passed": score_pass(t[f"{dim}__min"], t[f"{dim}__max"], mark)
        for dim, mark in DIMENSIONS.items()
    }
    passed |= {f"{dim}__value": t[f"{dim}__min"].cast("float64") for dim in DIMENSIONS}
    t = t.mutate(**passed)
    by_score = all3(
        t.sme_size__passed,
        t.integrity__passed,
        score_pass(t.score_min, t.score_max, PASS_MARK),
        *(t[f"{dim}__passed"] for dim in DIMENSIONS),
    )
    by_direct = all3(t.sme_size__passed, t.integrity__passed, t.direct__passed)
    t = t.mutate(by_score__ok=by_score, by_direct__ok=by_direct)
    return t.mutate(
        eligible=any3(t.by_direct__ok, t.by_score__ok),
        route=ibis.cases(
            (t.by_direct__ok, "direct"), (t.by_score__ok, "score"), else_=ibis.null().cast("string")
        ),
    )


def options(cols: Mapping[str, np.ndarray], settings: Mapping[str, Any]) -> list[list[dict[str, np.ndarray]]]:
    """R&D spending to each 研发费用占比 band (latest year), Ⅰ类/Ⅱ类 IP items and revenue moved to the
    main business, to each 主营业务收入占比 band."""
    zero = np.zeros_like(cols["y1_revenue"])
    rd1, rev1 = cols["y1_rd_expense"], cols["y1_revenue"]
    rd = [{"rd_expense": zero}] + [{"rd_expense": spend_to_ratio(rd1, rev1, p)} for p, _ in RD_BANDS]
    return [rd, tr.ip_class_options(cols), tr.main_revenue_options(cols, [p for p, _ in MAIN_BANDS])]


EDITION = Edition(
    id="innovative-sme-2022",
    family="innovative-sme",
    title="创新型中小企业（科技和创新型中小企业）",
    version="2022.1",
    sources=(
        ART("（tiers.md §2.2）"),
        tr.miit_2026("第三十条 合并标准出台前沿用63号附件1（tiers.md §2.0）"),
    ),
    criteria=CRITERIA,
    settings=(size.SIZE_LIMITS, GAP_COST_SETTING),
    pass_mark=PASS_MARK,
    build=build,
    levers={
        "rd_expense": ("rd_ratio", "innovation"),
        "ip.class1": ("ip", "innovation"),
        "ip.class2": ("ip", "innovation"),
        "main_revenue": ("main_share", "specialisation"),
    },
    options=options,
    doc=__doc__ or "",
)
