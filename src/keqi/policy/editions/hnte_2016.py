"""hnte-2016 — 高新技术企业认定.

Sources (see shared/reference/criteria.md §2):

- 《高新技术企业认定管理办法》, 国科发火〔2016〕32号 (科技部 财政部 国家税务总局), 第十一条 (一)–(八):
  SECONDARY (consistent across ≥5 reproductions; the 2008 figures 6%/30%/70 are NOT used).
- 《高新技术企业认定管理工作指引》, 国科发火〔2016〕195号, 企业创新能力评价 (知识产权 30, 科技成果转化
  能力 30, 研究开发组织管理水平 20, 企业成长性 20; pass at 71): SECONDARY.
- Growth formulas and their special cases (first-year zero, second-year zero, negative growth, fewer than
  three years): SECONDARY. How a negative opening 净资产 is handled: UNCONFIRMED → setting
  ``negative_net_assets``.

Reading choices (documented in docs/policy.md):

- Years of operation ``n`` (fiscal years) = latest fiscal year − registration year + 1, capped at 3.
  第十一条(五) sums the last ``n`` fiscal years; a required year missing from the profile is missing
  data (undecided), never zero.
- The revenue bracket of (五) uses the latest year's revenue: ≤5000万 (inclusive) → 5 %,
  ≤2亿 (inclusive) → 4 %, above → 3 %. Domestic R&D must be ≥ 60 % of all R&D in the same years.
- Conversions: 年均 = conversions_3y ÷ n; an average below 1 is band F (0 points).
- Expert-judged items give the whole band range unless ``expert.<item>`` is given, which is then
  clamped into the band the data allow.
- 研究开发组织管理水平: a sub-item answered false scores 0; true scores ``floor``..max (``floor`` is the
  setting ``rd_management_true_floor``, default 0); unknown scores 0..max.
- Growth with two fiscal years of operation: rate = y1 ÷ y2 − 1; with one: 0 points.
- (八) integrity reads ``flags.major_incident`` only (the article names no other list).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from keqi.policy.editions._base import (
    GAP_COST_SETTING,
    Criterion,
    Edition,
    Setting,
    Source,
    all3,
    any3,
    dec,
    full_years,
    not_flag,
    null_bool,
    ratio_ge,
    score_pass,
    to_float_ratio,
)
from keqi.policy.editions._levers import hires_to_share, spend_to_ratio, spend_to_ratio_moving
from keqi.policy.lazy import ibis
from keqi.policy.profile import HITECH_FIELDS

if TYPE_CHECKING:
    import ibis.expr.types as ir

DOC = "《高新技术企业认定管理办法》"
NUM = "国科发火〔2016〕32号"
GUIDE = "《高新技术企业认定管理工作指引》"
GNUM = "国科发火〔2016〕195号"


def _art(item: str) -> Source:
    return Source(DOC, NUM, f"第十一条{item}", "SECONDARY")


def _guide(item: str, status: str = "SECONDARY") -> Source:
    return Source(GUIDE, GNUM, f"企业创新能力评价 {item}", status)  # type: ignore[arg-type]


PASS_MARK = 71
SMALL_REVENUE = 50_000_000  # 5000万元, inclusive
MID_REVENUE = 200_000_000  # 2亿元, inclusive
GROWTH_BANDS = ((35, (9, 10)), (25, (7, 8)), (15, (5, 6)), (5, (3, 4)))  # then >0 → (1, 2), else 0
CONVERSION_BANDS = ((5, (25, 30)), (4, (19, 24)), (3, (13, 18)), (2, (7, 12)), (1, (1, 6)))
RD_MANAGEMENT_ITEMS = (
    ("rd_accounting", 6),
    ("rd_institution", 6),
    ("conversion_incentives", 4),
    ("talent_development", 4),
)

INNOVATION_PARTS = (
    "ip_advancement",
    "ip_core_support",
    "ip_quantity",
    "ip_acquisition",
    "ip_standards",
    "conversion",
    "rd_management",
    "net_asset_growth",
    "revenue_growth",
)

CRITERIA = (
    Criterion(
        "age",
        "注册成立一年以上",
        _art("(一)"),
        controllable=False,
        fields="registered_on, assess_on",
        blocker_note="企业注册成立不满一年，暂不符合高新技术企业认定条件，需待成立满一年后申请",
    ),
    Criterion(
        "ip_ownership", "拥有核心支持作用的知识产权所有权", _art("(二)"), fields="ip.class1, ip.class2"
    ),
    Criterion(
        "hitech_field",
        "核心技术属于国家重点支持的高新技术领域",
        _art("(三)"),
        controllable=False,
        fields="hitech_field",
        blocker_note="核心技术不属于《国家重点支持的高新技术领域》，不符合认定条件",
    ),
    Criterion(
        "tech_staff",
        "科技人员占职工总数比例不低于10%",
        _art("(四)"),
        threshold=0.10,
        fields="tech_staff, staff_total",
    ),
    Criterion(
        "rd_ratio",
        "近三个会计年度研发费用占销售收入比例（境内研发费用占比不低于60%）",
        _art("(五)"),
        fields="financials[].rd_expense, financials[].rd_expense_domestic, financials[].revenue",
    ),
    Criterion(
        "hitech_revenue",
        "近一年高新技术产品（服务）收入占总收入比例不低于60%",
        _art("(六)"),
        threshold=0.60,
        fields="financials[].hitech_revenue, financials[].revenue",
    ),
    Criterion(
        "integrity",
        "申请前一年内未发生重大安全、重大质量事故或严重环境违法行为",
        _art("(八)"),
        controllable=False,
        fields="flags.major_incident",
        blocker_note="申请认定前一年内发生重大安全、重大质量事故或严重环境违法行为，不符合认定条件",
    ),
    Criterion(
        "innovation", "企业创新能力评价（不低于71分）", _art("(七)"), scored=True, points=100, fields="见各分项"
    ),
    Criterion(
        "ip_advancement",
        "知识产权：技术的先进程度",
        _guide("知识产权 1"),
        gate=False,
        scored=True,
        points=8,
        part_of="innovation",
        fields="expert.tech_advancement",
    ),
    Criterion(
        "ip_core_support",
        "知识产权：对主要产品（服务）的核心支持作用",
        _guide("知识产权 2"),
        gate=False,
        scored=True,
        points=8,
        part_of="innovation",
        fields="expert.core_support",
    ),
    Criterion(
        "ip_quantity",
        "知识产权：数量",
        _guide("知识产权 3"),
        gate=False,
        scored=True,
        points=8,
        part_of="innovation",
        fields="ip.class1, ip.class2",
    ),
    Criterion(
        "ip_acquisition",
        "知识产权：获得方式",
        _guide("知识产权 4"),
        gate=False,
        scored=True,
        points=6,
        part_of="innovation",
        fields="ip.self_developed",
    ),
    Criterion(
        "ip_standards",
        "知识产权：参与编制标准（加分项）",
        _guide("知识产权 5"),
        gate=False,
        scored=True,
        points=2,
        part_of="innovation",
        fields="standards_participation",
    ),
    Criterion(
        "conversion",
        "科技成果转化能力",
        _guide("科技成果转化能力"),
        gate=False,
        scored=True,
        points=30,
        part_of="innovation",
        fields="conversions_3y",
    ),
    Criterion(
        "rd_management",
        "研究开发组织管理水平",
        _guide("研究开发组织管理水平"),
        gate=False,
        scored=True,
        points=20,
        part_of="innovation",
        fields="rd_management.*",
    ),
    Criterion(
        "net_asset_growth",
        "企业成长性：净资产增长率",
        _guide("企业成长性"),
        gate=False,
        scored=True,
        points=10,
        part_of="innovation",
        fields="financials[].net_assets",
    ),
    Criterion(
        "revenue_growth",
        "企业成长性：销售收入增长率",
        _guide("企业成长性"),
        gate=False,
        scored=True,
        points=10,
        part_of="innovation",
        fields="financials[].revenue",
    ),
)

SETTINGS = (
    Setting(
        key="negative_net_assets",
        default="range",
        official=False,
        status="UNCONFIRMED",
        description=(
            "not official: how 净资产增长率 is scored when a denominator (opening or second-year 净资产) is "
            "negative — 'range' = undecided, 0..10 points (default); 'zero' = 0 points"
        ),
        choices=("range", "zero"),
    ),
    Setting(
        key="rd_management_true_floor",
        default=0,
        official=False,
        status="SETTING",
        description=(
            "not official: minimum points of a 研究开发组织管理水平 sub-item answered true (capped at the "
            "sub-item's maximum); default 0, i.e. true gives 0..max"
        ),
    ),
    GAP_COST_SETTING,
)


def _pin(lo: ir.Value, hi: ir.Value, expert: ir.Value) -> tuple[ir.Value, ir.Value]:
    """An expert score, when given, clamped into [lo, hi] pins the points."""
    pinned = ibis.least(ibis.greatest(expert, lo), hi)
    return expert.isnull().ifelse(lo, pinned), expert.isnull().ifelse(hi, pinned)


def _ranges(
    cases: list[tuple[ir.BooleanValue, tuple[int, int]]], else_: tuple[int, int]
) -> tuple[ir.Value, ir.Value]:
    lo = ibis.cases(*[(c, r[0]) for c, r in cases], else_=else_[0])
    hi = ibis.cases(*[(c, r[1]) for c, r in cases], else_=else_[1])
    return lo, hi


def _growth_flags(a: ir.Value, b: ir.Value, c: ir.Value, n: ir.Value, key: str) -> dict[str, ir.Value]:
    """Stage 1 of a 工作指引 growth rate over (a, b, c) = (y3, y2, y1): which formula applies."""
    three = n >= 3
    return {
        f"{key}__two": (n == 2) | (three & (a == 0)),  # fewer years, or first-year zero: last two years only
        f"{key}__missing": n.isnull() | c.isnull() | ((n >= 2) & b.isnull()) | (three & a.isnull()),
        f"{key}__zero": (n <= 1) | (b == 0),
        f"{key}__negden": (b < 0) | (three & (a < 0)),
    }


def _growth_ratio(a: ir.Value, b: ir.Value, c: ir.Value, two: ir.Value, key: str) -> dict[str, ir.Value]:
    """Stage 2: growth + 1 as an exact fraction num/den (DECIMAL(38, 0): products may exceed 64 bits).

    Three years: (b/a + c/b) / 2 = (b² + a·c) / (2·a·b); two years: c / b.
    """
    da, db, dc = dec(a), dec(b), dec(c)
    fa, fb, fc = a.cast("float64"), b.cast("float64"), c.cast("float64")
    return {
        f"{key}__num": two.ifelse(dc, db * db + da * dc),
        f"{key}__den": two.ifelse(db, da * db * 2),
        f"{key}__value": two.ifelse(fc / fb - 1, (fb / fa + fc / fb) / 2 - 1),
    }


def _growth_tests(num: ir.Value, den: ir.Value, key: str) -> dict[str, ir.Value]:
    """Stage 3: growth >= p %  <=>  num · 100 >= den · (100 + p)   (den > 0); growth > 0 <=> num > den."""
    out = {f"{key}__ge{p}": num * 100 >= den * (100 + p) for p, _ in GROWTH_BANDS}
    out[f"{key}__gt0"] = num > den
    return out


def _growth_range(t: ir.Table, key: str, negative: str) -> tuple[ir.Value, ir.Value, ir.Value]:
    """Stage 4: points range and display value."""
    bands = [(t[f"{key}__ge{p}"], r) for p, r in GROWTH_BANDS] + [(t[f"{key}__gt0"], (1, 2))]
    neg_range = (0, 10) if negative == "range" else (0, 0)
    missing, zero, negden = t[f"{key}__missing"], t[f"{key}__zero"], t[f"{key}__negden"]
    lo, hi = _ranges([(missing, (0, 10)), (zero, (0, 0)), (negden, neg_range), *bands], (0, 0))
    value = (missing | zero | negden).ifelse(ibis.null().cast("float64"), t[f"{key}__value"])
    return lo, hi, value


def build(t: ir.Table, s: Mapping[str, Any]) -> ir.Table:
    staff, tech = t.staff_total, t.tech_staff
    c1, c2 = t.ip_class1, t.ip_class2
    n = ibis.least(3, ibis.greatest(1, t.y1_year - t.registered_on.year() + 1))
    t = t.mutate(op_years=n, has_ip=any3(c1 >= 1, c2 >= 1))
    n = t.op_years

    def summed(col: str) -> ir.Value:
        return (
            t[f"y1_{col}"]
            + ibis.cases((n >= 2, t[f"y2_{col}"]), else_=0)
            + ibis.cases((n >= 3, t[f"y3_{col}"]), else_=0)
        )

    rev1 = t.y1_revenue
    pct = ibis.cases(
        (rev1.isnull(), ibis.null().cast("int64")),
        (rev1 <= SMALL_REVENUE, 5),
        (rev1 <= MID_REVENUE, 4),
        else_=3,
    )
    t = t.mutate(
        rd_ratio__rd_sum=summed("rd_expense"),
        rd_ratio__rev_sum=summed("revenue"),
        rd_ratio__dom_sum=summed("rd_expense_domestic"),
        rd_ratio__pct=pct,
    )
    out: dict[str, ir.Value] = {}
    out["age__passed"] = full_years(t.registered_on, t.assess_on) >= 1
    out["age__value"] = full_years(t.registered_on, t.assess_on).cast("float64")
    out["age__threshold"] = ibis.literal(1.0)
    out["ip_ownership__passed"] = t.has_ip
    out["ip_ownership__value"] = (c1.fill_null(0) + c2.fill_null(0)).cast("float64")
    out["hitech_field__passed"] = t.hitech_field.isin(list(HITECH_FIELDS))
    out["tech_staff__passed"] = (staff > 0) & ratio_ge(tech, staff, 10)
    out["tech_staff__value"] = to_float_ratio(tech, staff)
    rd_sum, rev_sum, dom_sum = t.rd_ratio__rd_sum, t.rd_ratio__rev_sum, t.rd_ratio__dom_sum
    out["rd_ratio__passed"] = all3(
        rev_sum > 0, ratio_ge(rd_sum, rev_sum, t.rd_ratio__pct), ratio_ge(dom_sum, rd_sum, 60)
    )
    out["rd_ratio__value"] = to_float_ratio(rd_sum, rev_sum)
    out["rd_ratio__threshold"] = t.rd_ratio__pct.cast("float64") / 100
    out["rd_ratio__domestic_share"] = to_float_ratio(dom_sum, rd_sum)
    out["hitech_revenue__passed"] = (rev1 > 0) & ratio_ge(t.y1_hitech_revenue, rev1, 60)
    out["hitech_revenue__value"] = to_float_ratio(t.y1_hitech_revenue, rev1)
    out["integrity__passed"] = not_flag(t.flag_major_incident)

    # 创新能力评价 — 知识产权
    has_ip = t.has_ip
    expert_range = [(has_ip.isnull(), (0, 8)), (~has_ip, (0, 0))]
    lo, hi = _ranges(expert_range, (0, 8))
    out["ip_advancement__lo"], out["ip_advancement__hi"] = lo, hi
    out["ip_core_support__lo"], out["ip_core_support__hi"] = lo, hi

    c2_lo = ibis.cases((c2 >= 5, 5), (c2 >= 3, 3), (c2 >= 1, 1), else_=0)
    c2_hi = ibis.cases((c2 >= 5, 6), (c2 >= 3, 4), (c2 >= 1, 2), else_=0)
    q_lo = ibis.cases((c1 >= 1, 7), else_=c2_lo)  # an unknown count cannot lift the minimum
    q_hi = ibis.cases((c1.isnull() | (c1 >= 1), 8), (c2.isnull(), 6), else_=c2_hi)
    out["ip_quantity__lo"], out["ip_quantity__hi"] = q_lo, q_hi
    out["ip_quantity__value"] = out["ip_ownership__value"]

    sd = t.ip_self_developed
    lo, hi = _ranges([(has_ip.isnull(), (0, 6)), (~has_ip, (0, 0)), (sd.isnull() | sd, (1, 6))], (1, 3))
    out["ip_acquisition__lo"], out["ip_acquisition__hi"] = lo, hi

    sp = t.standards_participation
    lo, hi = _ranges([(sp.isnull(), (0, 2)), (sp, (1, 2))], (0, 0))
    out["ip_standards__lo"], out["ip_standards__hi"] = lo, hi

    # 科技成果转化能力: yearly average over n years, exact: conversions >= k * n
    conv = t.conversions_3y
    lo, hi = _ranges(
        [(conv.isnull() | n.isnull(), (0, 30))] + [(conv >= k * n, r) for k, r in CONVERSION_BANDS], (0, 0)
    )
    out["conversion__lo"], out["conversion__hi"] = lo, hi
    out["conversion__value"] = conv.cast("float64") / n.cast("float64")

    # 研究开发组织管理水平
    floor = int(s["rd_management_true_floor"])
    rdm_lo: ir.Value = ibis.literal(0)
    rdm_hi: ir.Value = ibis.literal(0)
    for name, top in RD_MANAGEMENT_ITEMS:
        flag = t[name]
        lo, hi = _ranges([(flag.isnull(), (0, top)), (flag, (min(floor, top), top))], (0, 0))
        rdm_lo, rdm_hi = rdm_lo + lo, rdm_hi + hi
    out["rd_management__lo"], out["rd_management__hi"] = rdm_lo, rdm_hi

    t = t.mutate(**out)

    # 企业成长性, in three stages
    growth = (
        ("net_asset_growth", "net_assets", s["negative_net_assets"]),
        ("revenue_growth", "revenue", "zero"),
    )
    stage: dict[str, ir.Value] = {}
    for key, col, _ in growth:
        stage |= _growth_flags(t[f"y3_{col}"], t[f"y2_{col}"], t[f"y1_{col}"], n, key)
    t = t.mutate(**stage)
    stage = {}
    for key, col, _ in growth:
        stage |= _growth_ratio(t[f"y3_{col}"], t[f"y2_{col}"], t[f"y1_{col}"], t[f"{key}__two"], key)
    t = t.mutate(**stage)
    stage = {}
    for key, _, _ in growth:
        stage |= _growth_tests(t[f"{key}__num"], t[f"{key}__den"], key)
    t = t.mutate(**stage)
    stage = {}
    for key, _, negative in growth:
        stage[f"{key}__lo"], stage[f"{key}__hi"], stage[f"{key}__value"] = _growth_range(t, key, negative)
    t = t.mutate(**stage)

    # expert scores pin the points inside the band the data allow
    experts = {
        "ip_advancement": "tech_advancement",
        "ip_core_support": "core_support",
        "ip_quantity": "ip_quantity",
        "ip_acquisition": "ip_acquisition",
        "ip_standards": "ip_standards",
        "conversion": "conversion",
        "rd_management": "rd_management",
        "net_asset_growth": "net_asset_growth",
        "revenue_growth": "revenue_growth",
    }
    stage = {}
    for part, key in experts.items():
        stage[f"{part}__min"], stage[f"{part}__max"] = _pin(
            t[f"{part}__lo"], t[f"{part}__hi"], t[f"expert_{key}"]
        )
    t = t.mutate(**stage)

    stage: dict[str, ir.Value] = {}
    for part in INNOVATION_PARTS:
        stage[f"{part}__passed"] = ibis.cases(
            (t[f"{part}__min"] > 0, True), (t[f"{part}__max"] == 0, False), else_=null_bool()
        )
    ip_parts = INNOVATION_PARTS[:5]
    other = INNOVATION_PARTS[5:]
    ip_lo = ibis.least(30, sum((t[f"{p}__min"] for p in ip_parts[1:]), t[f"{ip_parts[0]}__min"]))
    ip_hi = ibis.least(30, sum((t[f"{p}__max"] for p in ip_parts[1:]), t[f"{ip_parts[0]}__max"]))
    stage["innovation__min"] = sum((t[f"{p}__min"] for p in other), ip_lo)
    stage["innovation__max"] = sum((t[f"{p}__max"] for p in other), ip_hi)
    stage["innovation__ip_min"], stage["innovation__ip_max"] = ip_lo, ip_hi
    t = t.mutate(**stage)
    t = t.mutate(
        innovation__passed=score_pass(t.innovation__min, t.innovation__max, PASS_MARK),
        score_min=t.innovation__min,
        score_max=t.innovation__max,
    )
    eligible = all3(*(t[f"{c.id}__passed"] for c in CRITERIA if c.gate))
    t = t.mutate(eligible=eligible)
    return t.mutate(route=ibis.cases((t.eligible, "score"), else_=ibis.null().cast("string")))


def options(cols: Mapping[str, np.ndarray], settings: Mapping[str, Any]) -> list[list[dict[str, np.ndarray]]]:
    """Gap breakpoints (see keqi.policy.gaps): hires, R&D spending, high-tech revenue, IP items."""
    zero = np.zeros_like(cols["staff_total"])
    staff = [
        {"tech_staff": zero},
        {"tech_staff": hires_to_share(cols["tech_staff"], cols["staff_total"], 10)},
    ]
    rd_sum, rev_sum, dom_sum = cols["rd_ratio__rd_sum"], cols["rd_ratio__rev_sum"], cols["rd_ratio__dom_sum"]
    by_ratio = spend_to_ratio(rd_sum, rev_sum, cols["rd_ratio__pct"])
    by_domestic = spend_to_ratio_moving(dom_sum, rd_sum, 60)  # added R&D is assumed domestic
    rd = [
        {"rd_expense": zero},
        {"rd_expense": by_ratio},
        {"rd_expense": by_domestic},
        {"rd_expense": np.maximum(by_ratio, by_domestic)},
    ]
    rev1, hr1 = cols["y1_revenue"], cols["y1_hitech_revenue"]
    hitech = [
        {"hitech_revenue": zero},
        {"hitech_revenue": np.minimum(spend_to_ratio(hr1, rev1, 60), rev1 - hr1)},
    ]
    c1, c2 = cols["ip_class1"], cols["ip_class2"]
    ip = [{"ip.class1": zero, "ip.class2": zero}, {"ip.class1": np.maximum(0, 1 - c1), "ip.class2": zero}]
    ip += [{"ip.class1": zero, "ip.class2": np.maximum(0, k - c2)} for k in (1, 3, 5)]
    return [staff, rd, hitech, ip]


EDITION = Edition(
    id="hnte-2016",
    family="hnte",  # no dated in-force interval in the sources: in force on any day
    title="高新技术企业认定",
    version="2016.1",
    sources=(
        Source(DOC, NUM, "第十一条", "SECONDARY"),
        Source(GUIDE, GNUM, "企业创新能力评价", "SECONDARY"),
    ),
    criteria=CRITERIA,
    settings=SETTINGS,
    pass_mark=PASS_MARK,
    build=build,
    levers={
        "tech_staff": "tech_staff",
        "rd_expense": "rd_ratio",
        "hitech_revenue": "hitech_revenue",
        "ip.class1": ("ip_ownership", "innovation"),
        "ip.class2": ("ip_ownership", "innovation"),
    },
    options=options,
    helpers=(
        "rd_ratio__rd_sum",
        "rd_ratio__rev_sum",
        "rd_ratio__dom_sum",
        "rd_ratio__pct",
        "rd_ratio__domestic_share",
    ),
    doc=__doc__ or "",
)
