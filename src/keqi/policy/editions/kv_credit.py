"""kv-credit — 重庆市科技型企业知识价值信用评价 (grade A–E and credit line).

Sources (see shared/reference/chongqing.md §3):

- Grades and credit lines — official figures reported by 重庆日报, 2023-08-11 (same text in 中国网):
  "自动生成知识价值的A、B、C、D、E五个特定信用等级，分别对应500万元、400万元、300万元、160万元和80万元的
  特定授信额度" — SECONDARY (press report of the official scheme).
- Indicators — 新华社, 2017-05-17: "以知识产权、研发投入2类创新要素为基础指标，以科技人才、创新产品、
  创新企业为加分指标" — SECONDARY.
- 《重庆市科技型企业知识价值信用贷款改革试点实施办法》 (reported 2022-06-18) — the loan scheme.
- The indicator weights and the point cut-offs behind A–E are NOT public (UNCONFIRMED): every weight
  and cut-off below is a bureau setting whose default is explicitly **not official**.
- Only firms in the 重庆市科技型企业 registry (入库) are graded: the 2022 实施办法 (重庆日报/华龙网
  2022-06-18) says 科技型企业 there "特指进入重庆市科技型企业系统备案培育的企业"; the 体系建设方案 names
  the firms in the 科技型企业信息管理系统; the 2022 入库细则 lists "免费获得入库证明和知识价值信用评价结果"
  among the benefits of 入库 (chongqing.md §2–3, SECONDARY). The criterion ``registered`` reads the
  profile's ``cq_tech_registered`` (入库 valid on the assessment day; the registry sets it from a
  ``cq_tech`` qualification); whether a firm may be admitted is ``cq-tech-2022``'s question.

``eligible`` means the firm is registered and reaches grade E or better; the extra outputs are
``grade``, ``grade_low``, ``grade_high`` (the grade range when data are missing) and ``credit_line``
(yuan, for ``grade``). A firm not in the registry gets no grade at all; one whose 入库 is unknown gets
no grade and no credit line, only the range it would have if registered (``grade_low`` NULL: perhaps
none).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from keqi.policy.editions._base import (
    Criterion,
    Edition,
    Setting,
    Source,
    null_bool,
    ratio_ge,
    to_float_ratio,
)
from keqi.policy.editions._levers import hires_to_share, spend_to_ratio
from keqi.policy.lazy import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir

NEWS = Source("重庆日报《知识价值信用贷款》报道", "重庆日报 2023-08-11", "A–E 等级与授信额度", "SECONDARY")
XINHUA = Source("新华社 知识价值信用贷款报道", "新华社 2017-05-17", "基础指标与加分指标", "SECONDARY")
REGISTRY = Source(
    "《重庆市科技型企业知识价值信用贷款改革试点实施办法》",
    "华龙网/重庆日报 2022-06-18 报道",
    "科技型企业特指进入重庆市科技型企业系统备案培育的企业",
    "SECONDARY",
)
WEIGHTS = Source("知识价值信用评价指标权重", "未公开（局设置，非官方）", "默认值非官方", "UNCONFIRMED")

GRADES = ("A", "B", "C", "D", "E")
CREDIT_LINES = {"A": 5_000_000, "B": 4_000_000, "C": 3_000_000, "D": 1_600_000, "E": 800_000}  # official

SETTINGS = (
    Setting(
        "kv_ip_points",
        {"class1": 10, "class2": 3, "cap": 30},
        False,
        "UNCONFIRMED",
        "not official: 知识产权 (base) points per Ⅰ类 / Ⅱ类 item and the indicator's cap",
    ),
    Setting(
        "kv_rd_bands",
        {"6": 30, "4": 20, "2": 10, "1": 5},
        False,
        "UNCONFIRMED",
        "not official: 研发投入 (base) points by R&D ÷ revenue (key = lower bound in %, inclusive)",
        free_keys=True,
    ),
    Setting(
        "kv_talent_points",
        {"share_pct": 10, "share_points": 10, "senior_points": 5},
        False,
        "UNCONFIRMED",
        "not official: 科技人才 (bonus) points for a tech-staff share ≥ share_pct % and for ≥1 副高级 staff",
    ),
    Setting(
        "kv_product_points",
        {"share_pct": 60, "points": 10},
        False,
        "UNCONFIRMED",
        "not official: 创新产品 (bonus) points for high-tech revenue ≥ share_pct % of revenue",
    ),
    Setting(
        "kv_enterprise_points",
        {"hnte": 15},
        False,
        "UNCONFIRMED",
        "not official: 创新企业 (bonus) points for a valid 高新技术企业 certificate",
    ),
    Setting(
        "kv_grade_cutoffs",
        {"A": 70, "B": 55, "C": 40, "D": 25, "E": 10},
        False,
        "UNCONFIRMED",
        "not official: minimum total points of each grade",
    ),
)

CRITERIA = (
    Criterion(
        "registered",
        "已入库重庆市科技型企业（只评价入库企业）",
        REGISTRY,
        controllable=False,
        fields="cq_tech_registered",
        blocker_note="未入库重庆市科技型企业，须先申请入库（见重庆市科技型企业入库评价）",
    ),
    Criterion("ip", "知识产权（基础指标）", WEIGHTS, gate=False, scored=True, fields="ip.class1, ip.class2"),
    Criterion(
        "rd_investment",
        "研发投入（基础指标）",
        WEIGHTS,
        gate=False,
        scored=True,
        fields="financials[].rd_expense, financials[].revenue",
    ),
    Criterion(
        "tech_talent",
        "科技人才（加分指标）",
        WEIGHTS,
        gate=False,
        scored=True,
        fields="tech_staff, staff_total, senior_tech_staff",
    ),
    Criterion(
        "innovative_product",
        "创新产品（加分指标）",
        WEIGHTS,
        gate=False,
        scored=True,
        fields="financials[].hitech_revenue, financials[].revenue",
    ),
    Criterion(
        "innovative_enterprise",
        "创新企业（加分指标）",
        WEIGHTS,
        gate=False,
        scored=True,
        fields="direct.hnte_certificate_valid",
    ),
)


def _grade(score: ir.Value, cut: Mapping[str, int]) -> ir.Value:
    return ibis.cases(*[(score >= int(cut[g]), g) for g in GRADES], else_=ibis.null().cast("string"))


def build(t: ir.Table, s: Mapping[str, Any]) -> ir.Table:
    ipw, rdb = s["kv_ip_points"], s["kv_rd_bands"]
    tal, prod, ent, cut = (
        s["kv_talent_points"],
        s["kv_product_points"],
        s["kv_enterprise_points"],
        s["kv_grade_cutoffs"],
    )
    c1, c2 = t.ip_class1, t.ip_class2
    cap = int(ipw["cap"])
    ip_lo = ibis.least(cap, c1.fill_null(0) * int(ipw["class1"]) + c2.fill_null(0) * int(ipw["class2"]))
    ip_hi = (c1.isnull() | c2.isnull()).ifelse(cap, ip_lo)

    rev, rd = t.y1_revenue, t.y1_rd_expense
    bands = sorted(((int(k), int(v)) for k, v in rdb.items()), reverse=True)
    rd_exact = ibis.cases(*[((rev > 0) & ratio_ge(rd, rev, p), pts) for p, pts in bands], else_=0)
    rd_known = rev.notnull() & rd.notnull()
    rd_top = max((v for _, v in bands), default=0)

    staff, tech, senior = t.staff_total, t.tech_staff, t.senior_tech_staff
    share_pts, senior_pts = int(tal["share_points"]), int(tal["senior_points"])
    share_ok = (staff > 0) & ratio_ge(tech, staff, int(tal["share_pct"]))
    senior_ok = senior >= 1
    tal_lo = share_ok.fill_null(False).ifelse(share_pts, 0) + senior_ok.fill_null(False).ifelse(senior_pts, 0)
    tal_hi = (share_ok.isnull() | share_ok).ifelse(share_pts, 0) + (senior_ok.isnull() | senior_ok).ifelse(
        senior_pts, 0
    )

    prod_ok = (t.y1_revenue > 0) & ratio_ge(t.y1_hitech_revenue, t.y1_revenue, int(prod["share_pct"]))
    hnte = t.direct_hnte_certificate_valid
    t = t.mutate(
        # 入库 is set here, a projection before ``eligible``: Ibis folds a column defined in the step just
        # before into its use, and the gap search's reading of the SQL (engine.strict_conditions) would
        # then no longer see it as a condition of its own
        registered__passed=t.cq_tech_registered,
        ip__min=ip_lo,
        ip__max=ip_hi,
        ip__value=(c1.fill_null(0) + c2.fill_null(0)).cast("float64"),
        rd_investment__min=rd_known.ifelse(rd_exact, 0),
        rd_investment__max=rd_known.ifelse(rd_exact, rd_top),
        rd_investment__value=to_float_ratio(rd, rev),
        tech_talent__min=tal_lo,
        tech_talent__max=tal_hi,
        tech_talent__value=to_float_ratio(tech, staff),
        innovative_product__min=prod_ok.fill_null(False).ifelse(int(prod["points"]), 0),
        innovative_product__max=(prod_ok.isnull() | prod_ok).ifelse(int(prod["points"]), 0),
        innovative_product__value=to_float_ratio(t.y1_hitech_revenue, t.y1_revenue),
        innovative_enterprise__min=hnte.fill_null(False).ifelse(int(ent["hnte"]), 0),
        innovative_enterprise__max=(hnte.isnull() | hnte).ifelse(int(ent["hnte"]), 0),
    )
    parts = [c.id for c in CRITERIA if c.scored]
    stage: dict[str, ir.Value] = {
        f"{p}__passed": ibis.cases(
            (t[f"{p}__min"] > 0, True), (t[f"{p}__max"] == 0, False), else_=null_bool()
        )
        for p in parts
    }
    stage["score_min"] = sum((t[f"{p}__min"] for p in parts[1:]), t[f"{parts[0]}__min"])
    stage["score_max"] = sum((t[f"{p}__max"] for p in parts[1:]), t[f"{parts[0]}__max"])
    t = t.mutate(**stage)
    mark = int(cut["E"])
    no_grade = ibis.null().cast("string")
    registered = t.registered__passed
    t = t.mutate(
        grade_low=registered.fill_null(False).ifelse(_grade(t.score_min, cut), no_grade),
        grade_high=registered.fill_null(True).ifelse(_grade(t.score_max, cut), no_grade),
        pass_mark=ibis.literal(mark, type="int64"),
        eligible=registered
        & ibis.cases((t.score_min >= mark, True), (t.score_max < mark, False), else_=null_bool()),
    )
    grade = (t.grade_low.isnull() | t.grade_high.isnull()).ifelse(
        no_grade, (t.grade_low == t.grade_high).ifelse(t.grade_low, no_grade)
    )
    line = ibis.cases(*[(grade == g, CREDIT_LINES[g]) for g in GRADES], else_=ibis.null().cast("int64"))
    return t.mutate(
        grade=grade,
        credit_line=line,
        route=ibis.cases((t.eligible, "score"), else_=ibis.null().cast("string")),
    )


def options(cols: Mapping[str, np.ndarray], settings: Mapping[str, Any]) -> list[list[dict[str, np.ndarray]]]:
    """Gap breakpoints towards grade E: R&D bands, the tech-staff share, Ⅱ类 items (each adds points up to
    the cap) and the high-tech revenue share."""
    zero = np.zeros_like(cols["staff_total"])
    rev, rd = cols["y1_revenue"], cols["y1_rd_expense"]
    bands = sorted((int(k) for k in settings["kv_rd_bands"]), reverse=True)
    rd_opts = [{"rd_expense": zero}] + [
        {"rd_expense": np.where(rev > 0, spend_to_ratio(rd, rev, p), 0)} for p in bands
    ]
    tal = settings["kv_talent_points"]
    staff = [
        {"tech_staff": zero},
        {"tech_staff": hires_to_share(cols["tech_staff"], cols["staff_total"], int(tal["share_pct"]))},
    ]
    ipw = settings["kv_ip_points"]
    per_item = int(ipw["class2"])
    most = -(-int(ipw["cap"]) // per_item) if per_item > 0 else 0
    ip = [{"ip.class2": zero + k} for k in range(most + 1)]
    prod = settings["kv_product_points"]
    hr = cols["y1_hitech_revenue"]
    hitech = [
        {"hitech_revenue": zero},
        {"hitech_revenue": np.minimum(spend_to_ratio(hr, rev, int(prod["share_pct"])), rev - hr)},
    ]
    return [rd_opts, staff, ip, hitech]


EDITION = Edition(
    id="kv-credit",
    family="kv-credit",  # no dated in-force interval in the sources: in force on any day
    title="重庆市科技型企业知识价值信用评价",
    version="2023.1",
    sources=(NEWS, XINHUA, REGISTRY, WEIGHTS),
    criteria=CRITERIA,
    settings=SETTINGS,
    pass_mark=None,
    build=build,
    extras=("grade", "grade_low", "grade_high", "credit_line"),
    levers={
        "rd_expense": "rd_investment",
        "tech_staff": "tech_talent",
        "ip.class2": "ip",
        "hitech_revenue": "innovative_product",
    },
    options=options,
    doc=__doc__ or "",
)
