"""tsme-2017 — 科技型中小企业评价 (科技型中小企业评价办法).

Sources (see shared/reference/criteria.md §1):

- 《科技型中小企业评价办法》, 国科发政〔2017〕115号 (科技部 财政部 税务总局, 2017-05-03):
  - 第六条 (一)–(五) basic conditions — TEXT;
  - 第七条 scoring model (科技人员 20, 研发投入 50, 科技成果 30) — TEXT;
  - 第八条 direct qualification, still subject to 第六条(一)–(四) — TEXT;
  - 评价指标的说明 (definitions of 科技人员, 职工总数, 研发费用; Ⅰ/Ⅱ类知识产权 SECONDARY).

Reading choices (documented in docs/policy.md):

- 第六条(一) (resident enterprise registered in China) is taken as met by every profile: a valid
  统一社会信用代码 is required.
- Scoring uses the latest fiscal year (y1): staff counts, revenue, R&D, cost and total assets.
- 研发投入 takes the better of table (1) R&D ÷ revenue and table (2) R&D ÷ cost. Revenue 0 gives 0
  points in table (1); cost 0 gives 0 points in table (2).
- A scored criterion's ``passed`` says whether it earns points (``min > 0`` → true, ``max == 0`` → false,
  otherwise undecided). Only 科技人员 must earn points (第六条(五)).
- When both the direct route and the score route hold, ``route`` is ``direct``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from keqi.policy.editions._base import (
    GAP_COST_SETTING,
    Criterion,
    Edition,
    Source,
    all3,
    any3,
    band_points,
    not_flag,
    null_bool,
    ratio_ge,
    score_pass,
    to_float_ratio,
)
from keqi.policy.editions._levers import hires_to_share, spend_to_ratio, spend_to_ratio_moving
from keqi.policy.lazy import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir

DOC = "《科技型中小企业评价办法》"
NUM = "国科发政〔2017〕115号"

ART6 = Source(DOC, NUM, "第六条", "TEXT")
ART6_2 = Source(DOC, NUM, "第六条(二)", "TEXT")
ART6_3 = Source(DOC, NUM, "第六条(三)", "TEXT")
ART6_4 = Source(DOC, NUM, "第六条(四)", "TEXT")
ART7_1 = Source(DOC, NUM, "第七条 科技人员指标; 第六条(五)", "TEXT")
ART7_2 = Source(DOC, NUM, "第七条 研发投入指标", "TEXT")
ART7_3 = Source(DOC, NUM, "第七条 科技成果指标 (Ⅰ/Ⅱ类定义 SECONDARY)", "TEXT")
ART8 = Source(DOC, NUM, "第八条", "TEXT")

MAX_STAFF = 500
MAX_REVENUE = 200_000_000  # 2亿元
MAX_ASSETS = 200_000_000  # 2亿元
PASS_MARK = 60

# 第七条 bands: (lower bound in percent, points); each lower bound inclusive.
STAFF_BANDS = ((30, 20), (25, 16), (20, 12), (15, 8), (10, 4))
RD_REVENUE_BANDS = ((6, 50), (5, 40), (4, 30), (3, 20), (2, 10))
RD_COST_BANDS = ((30, 50), (25, 40), (20, 30), (15, 20), (10, 10))
IP_CLASS2_BANDS = ((4, 24), (3, 18), (2, 12), (1, 6))
IP_CLASS1_POINTS = 30

CRITERIA = (
    Criterion(
        "size",
        "企业规模（职工≤500人、销售收入≤2亿元、资产≤2亿元）",
        ART6_2,
        controllable=False,
        fields="staff_total, financials[].revenue, financials[].total_assets",
        blocker_note="企业规模超过科技型中小企业上限（职工总数500人、年销售收入2亿元、资产总额2亿元），无法通过可控指标弥补",
    ),
    Criterion(
        "industry",
        "产品和服务不属于禁止、限制和淘汰类",
        ART6_3,
        controllable=False,
        fields="flags.prohibited_industry",
        blocker_note="产品或服务属于国家规定的禁止、限制和淘汰类，不符合评价条件",
    ),
    Criterion(
        "integrity",
        "无重大事故、科研严重失信，未列入经营异常名录和严重违法失信名单",
        ART6_4,
        controllable=False,
        fields="flags.major_incident, flags.research_misconduct, flags.abnormal_operation, flags.credit_blacklisted",
        blocker_note="存在重大事故、科研严重失信或被列入经营异常名录/严重违法失信名单，不符合评价条件",
    ),
    Criterion(
        "tech_staff", "科技人员指标", ART7_1, threshold=0.10, scored=True, points=20, fields="tech_staff, staff_total"
    ),
    Criterion(
        "rd_investment",
        "研发投入指标",
        ART7_2,
        gate=False,
        scored=True,
        points=50,
        fields="financials[].rd_expense, financials[].revenue, financials[].cost_total",
    ),
    Criterion("ip", "科技成果指标", ART7_3, gate=False, scored=True, points=30, fields="ip.class1, ip.class2"),
    Criterion("direct", "直接认定条件（第八条）", ART8, gate=False, fields="direct.*"),
)


def build(t: ir.Table, s: Mapping[str, Any]) -> ir.Table:
    staff, tech = t.staff_total, t.tech_staff
    rev, rd, cost, assets = t.y1_revenue, t.y1_rd_expense, t.y1_cost_total, t.y1_total_assets
    out: dict[str, ir.Value] = {}

    # 第六条(二)
    out["size__passed"] = all3(staff <= MAX_STAFF, rev <= MAX_REVENUE, assets <= MAX_ASSETS)
    # 第六条(三)
    out["industry__passed"] = not_flag(t.flag_prohibited_industry)
    # 第六条(四)
    out["integrity__passed"] = all3(
        not_flag(t.flag_major_incident),
        not_flag(t.flag_research_misconduct),
        not_flag(t.flag_abnormal_operation),
        not_flag(t.flag_credit_blacklisted),
    )

    # 第七条 ① 科技人员指标 (staff_total 0 → 0 points)
    staff_known = staff.notnull() & tech.notnull()
    lo, hi = band_points(
        [((staff > 0) & ratio_ge(tech, staff, p), pts) for p, pts in STAFF_BANDS], staff_known, 20
    )
    out["tech_staff__min"], out["tech_staff__max"] = lo, hi
    out["tech_staff__value"] = to_float_ratio(tech, staff)

    # 第七条 ② 研发投入指标: the better of the two tables
    lo1, hi1 = band_points(
        [((rev > 0) & ratio_ge(rd, rev, p), pts) for p, pts in RD_REVENUE_BANDS],
        rev.notnull() & rd.notnull(),
        50,
    )
    lo2, hi2 = band_points(
        [((cost > 0) & ratio_ge(rd, cost, p), pts) for p, pts in RD_COST_BANDS],
        cost.notnull() & rd.notnull(),
        50,
    )
    out["rd_investment__min"] = ibis.greatest(lo1, lo2)
    out["rd_investment__max"] = ibis.greatest(hi1, hi2)
    out["rd_investment__value"] = to_float_ratio(rd, rev)
    out["rd_investment__cost_ratio"] = to_float_ratio(rd, cost)

    # 第七条 ③ 科技成果指标: an unknown count is read as 0 for the minimum and as "enough" for the maximum
    c1, c2 = t.ip_class1, t.ip_class2
    c2_band = ibis.cases(*[(c2 >= n, pts) for n, pts in IP_CLASS2_BANDS], else_=0)
    out["ip__min"] = ibis.cases((c1 >= 1, IP_CLASS1_POINTS), else_=c2_band)
    out["ip__max"] = ibis.cases(
        (c1.isnull() | (c1 >= 1), IP_CLASS1_POINTS), (c2.isnull(), IP_CLASS2_BANDS[0][1]), else_=c2_band
    )
    out["ip__value"] = (c1.fill_null(0) + c2.fill_null(0)).cast("float64")

    # 第八条 direct routes
    out["direct__passed"] = any3(
        t.direct_hnte_certificate_valid,
        t.direct_national_award_top3,
        t.direct_provincial_rd_institution,
        t.direct_led_standard,
    )
    t = t.mutate(**out)

    stage: dict[str, ir.Value] = {}
    for cid in ("tech_staff", "rd_investment", "ip"):
        stage[f"{cid}__passed"] = ibis.cases(
            (t[f"{cid}__min"] > 0, True), (t[f"{cid}__max"] == 0, False), else_=null_bool()
        )
    stage["score_min"] = t.tech_staff__min + t.rd_investment__min + t.ip__min
    stage["score_max"] = t.tech_staff__max + t.rd_investment__max + t.ip__max
    stage["basic__ok"] = all3(t.size__passed, t.industry__passed, t.integrity__passed)
    t = t.mutate(**stage)

    by_score = all3(t.basic__ok, score_pass(t.score_min, t.score_max, PASS_MARK), t.tech_staff__passed)
    by_direct = all3(t.basic__ok, t.direct__passed)
    t = t.mutate(by_score__ok=by_score, by_direct__ok=by_direct)
    return t.mutate(
        eligible=any3(t.by_direct__ok, t.by_score__ok),
        route=ibis.cases(
            (t.by_direct__ok, "direct"), (t.by_score__ok, "score"), else_=ibis.null().cast("string")
        ),
    )


def options(cols: Mapping[str, np.ndarray], settings: Mapping[str, Any]) -> list[list[dict[str, np.ndarray]]]:
    """Gap breakpoints: each group lists alternative changes of one lever (or one lever pair)."""
    zero = np.zeros_like(cols["staff_total"])
    staff = [{"tech_staff": zero}]
    staff += [
        {"tech_staff": hires_to_share(cols["tech_staff"], cols["staff_total"], p)} for p, _ in STAFF_BANDS
    ]

    rd = [{"rd_expense": zero}]
    for (p_rev, _), (p_cost, _) in zip(RD_REVENUE_BANDS, RD_COST_BANDS, strict=True):
        by_rev = np.where(
            cols["y1_revenue"] > 0, spend_to_ratio(cols["y1_rd_expense"], cols["y1_revenue"], p_rev), -1
        )
        by_cost = spend_to_ratio_moving(cols["y1_rd_expense"], cols["y1_cost_total"], p_cost)
        both = np.where(
            (by_rev >= 0) & (by_cost >= 0), np.minimum(by_rev, by_cost), np.maximum(by_rev, by_cost)
        )
        rd.append({"rd_expense": np.maximum(both, 0)})

    c1, c2 = cols["ip_class1"], cols["ip_class2"]
    ip = [{"ip.class1": zero, "ip.class2": zero}, {"ip.class1": np.maximum(0, 1 - c1), "ip.class2": zero}]
    ip += [{"ip.class1": zero, "ip.class2": np.maximum(0, n - c2)} for n, _ in IP_CLASS2_BANDS]
    return [staff, rd, ip]


EDITION = Edition(
    id="tsme-2017",
    family="tsme",  # no dated in-force interval in the sources: in force on any day
    title="科技型中小企业评价",
    version="2017.1",
    sources=(
        Source(DOC, NUM, "第六条、第七条、第八条", "TEXT"),
        Source(
            "《科技型中小企业评价工作指引（试行）》", "国科火字〔2017〕144号", "知识产权认定", "SECONDARY"
        ),
    ),
    criteria=CRITERIA,
    settings=(GAP_COST_SETTING,),
    pass_mark=PASS_MARK,
    build=build,
    levers={"tech_staff": "tech_staff", "rd_expense": "rd_investment", "ip.class1": "ip", "ip.class2": "ip"},
    options=options,
    doc=__doc__ or "",
)
