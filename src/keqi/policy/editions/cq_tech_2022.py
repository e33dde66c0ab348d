"""cq-tech-2022 — 重庆市科技型企业入库 (Chongqing's own registry of technology enterprises).

Sources (see shared/reference/chongqing.md §2):

- 《重庆市科技型企业入库培育实施细则》 (2022; policy 解读 dated 2022-06-22, reposted); the official
  渝科局 document number is UNCONFIRMED.
  - Definition: registered in Chongqing (在本市辖区范围内注册成立), resident enterprise — SECONDARY.
  - General conditions: 独立法人资格; products and services not 禁止、限制和淘汰类; no 重大安全、重大质量
    事故、严重环境违法、科研严重失信 in the year before applying and the current year; not on 经营异常
    名录 or 严重违法失信企业名单 — SECONDARY (repost of the 解读).
  - Specific conditions, "下列条件之一": only the first alternative survives in every copy:
    科技人员占从业人员总数的比例≥5%, 或拥有副高级及以上职称的科技人员1名以上 — SECONDARY.
  - The remaining alternatives were cut off in every copy: UNCONFIRMED. The 2016-era size-tiered
    standard (渝科委发〔2016〕30号 era; R&D staff and R&D/revenue ratios by firm size, ≥1 IP) is offered
    as the setting ``unconfirmed_rd_alternative`` (OFF by default), applied with the strictest tier
    (微型: 10 % / 3 %) because the size classification is not in the reference.

Reading choices:

- "In Chongqing": the 统一社会信用代码's registration region (positions 3–4 = ``50``) or a Chongqing
  ``district_code`` (``50xxxx`` or one of the functional zones).
- "Independent legal person": the profile's ``legal_person``; when it is unknown, the setting
  ``legal_person_from_uscc`` (default on, not official) reads a code starting ``91`` (市场监管 · 企业)
  as a legal person. Branches (分公司) also carry ``91`` codes: registries that know better set
  ``legal_person``.
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
    not_flag,
    ratio_ge,
    to_float_ratio,
)
from keqi.policy.editions._levers import hires_to_share, spend_to_ratio
from keqi.policy.lazy import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir

DOC = "《重庆市科技型企业入库培育实施细则》"
NUM = "《重庆市科技型企业入库培育实施细则》（2022，文号未确认）"
FUNCTIONAL_ZONES = ("两江新区", "重庆高新区", "西部科学城重庆高新区", "万盛经开区")

TECH_SHARE_PCT = 5

SETTINGS = (
    Setting(
        key="legal_person_from_uscc",
        default=True,
        official=False,
        status="SETTING",
        description=(
            "not official: when legal_person is unknown, read a 统一社会信用代码 starting with 91 "
            "(市场监管登记的企业) as an independent legal person"
        ),
    ),
    Setting(
        key="unconfirmed_rd_alternative",
        default=False,
        official=False,
        status="UNCONFIRMED",
        description=(
            "UNCONFIRMED, off by default: accept the 2016-era alternative (科技人员 ≥ alt_tech_staff_pct % "
            "and 研发费用/销售收入 ≥ alt_rd_revenue_pct % and ≥ alt_min_ip 项知识产权)"
        ),
    ),
    Setting(
        "alt_tech_staff_pct", 10, False, "UNCONFIRMED", "UNCONFIRMED: 2016-era 微型 tier, R&D staff share (%)"
    ),
    Setting(
        "alt_rd_revenue_pct", 3, False, "UNCONFIRMED", "UNCONFIRMED: 2016-era 微型 tier, R&D ÷ revenue (%)"
    ),
    Setting("alt_min_ip", 1, False, "UNCONFIRMED", "UNCONFIRMED: 2016-era standard, minimum IP items"),
    GAP_COST_SETTING,
)

CRITERIA = (
    Criterion(
        "legal_person",
        "在重庆市注册成立、具有独立法人资格",
        Source(DOC, NUM, "定义; 基本条件", "SECONDARY"),
        controllable=False,
        fields="uscc, district_code, legal_person",
        blocker_note="企业不在重庆市注册或不具有独立法人资格，不符合入库条件",
    ),
    Criterion(
        "industry",
        "产品和服务不属于禁止、限制和淘汰类",
        Source(DOC, NUM, "基本条件", "SECONDARY"),
        controllable=False,
        fields="flags.prohibited_industry",
        blocker_note="产品或服务属于禁止、限制和淘汰类，不符合入库条件",
    ),
    Criterion(
        "integrity",
        "无重大事故、科研严重失信，未列入经营异常名录和严重违法失信名单",
        Source(DOC, NUM, "基本条件", "SECONDARY"),
        controllable=False,
        fields="flags.*",
        blocker_note="存在重大事故、科研严重失信或被列入经营异常名录/严重违法失信名单，不符合入库条件",
    ),
    Criterion(
        "tech_staff",
        "科技人员占从业人员比例≥5%，或拥有副高级及以上职称科技人员1名以上",
        Source(DOC, NUM, "具体条件 1", "SECONDARY"),
        threshold=0.05,
        fields="tech_staff, staff_total, senior_tech_staff",
    ),
    Criterion(
        "rd_alternative",
        "（未确认，默认不启用）2016年版分档条件：科技人员、研发投入比例及知识产权",
        Source(
            "《重庆市科技型企业标准和管理实施细则》",
            "渝科委发〔2016〕30号（分档标准出处未确认）",
            "分档标准",
            "UNCONFIRMED",
        ),
        gate=False,
        fields="tech_staff, staff_total, financials[].rd_expense, financials[].revenue, ip.*",
    ),
)


def build(t: ir.Table, s: Mapping[str, Any]) -> ir.Table:
    in_cq = any3(
        t.uscc.substr(2, 2) == "50",
        t.district_code.startswith("50"),
        t.district_code.isin(list(FUNCTIONAL_ZONES)),
    )
    legal = t.legal_person
    if s["legal_person_from_uscc"]:
        legal = legal.isnull().ifelse(t.uscc.startswith("91"), legal)
    staff, tech, senior = t.staff_total, t.tech_staff, t.senior_tech_staff
    tech_ok = any3((staff > 0) & ratio_ge(tech, staff, TECH_SHARE_PCT), senior >= 1)
    if s["unconfirmed_rd_alternative"]:
        alt = all3(
            (staff > 0) & ratio_ge(tech, staff, int(s["alt_tech_staff_pct"])),
            (t.y1_revenue > 0) & ratio_ge(t.y1_rd_expense, t.y1_revenue, int(s["alt_rd_revenue_pct"])),
            (t.ip_class1 + t.ip_class2) >= int(s["alt_min_ip"]),
        )
    else:
        alt = ibis.literal(False)
    t = t.mutate(
        legal_person__passed=all3(in_cq, legal),
        industry__passed=not_flag(t.flag_prohibited_industry),
        integrity__passed=all3(
            not_flag(t.flag_major_incident),
            not_flag(t.flag_research_misconduct),
            not_flag(t.flag_abnormal_operation),
            not_flag(t.flag_credit_blacklisted),
        ),
        tech_staff__passed=tech_ok,
        tech_staff__value=to_float_ratio(tech, staff),
        rd_alternative__passed=alt,
        rd_alternative__value=to_float_ratio(t.y1_rd_expense, t.y1_revenue),
    )
    eligible = all3(
        t.legal_person__passed,
        t.industry__passed,
        t.integrity__passed,
        any3(t.tech_staff__passed, t.rd_alternative__passed),
    )
    t = t.mutate(eligible=eligible)
    return t.mutate(route=ibis.cases((t.eligible, "score"), else_=ibis.null().cast("string")))


def options(cols: Mapping[str, np.ndarray], settings: Mapping[str, Any]) -> list[list[dict[str, np.ndarray]]]:
    zero = np.zeros_like(cols["staff_total"])
    staff = [
        {"tech_staff": zero},
        {"tech_staff": hires_to_share(cols["tech_staff"], cols["staff_total"], TECH_SHARE_PCT)},
    ]
    groups = [staff]
    if settings["unconfirmed_rd_alternative"]:
        staff.append(
            {
                "tech_staff": hires_to_share(
                    cols["tech_staff"], cols["staff_total"], int(settings["alt_tech_staff_pct"])
                )
            }
        )
        need = spend_to_ratio(cols["y1_rd_expense"], cols["y1_revenue"], int(settings["alt_rd_revenue_pct"]))
        groups.append([{"rd_expense": zero}, {"rd_expense": need}])
    return groups


EDITION = Edition(
    id="cq-tech-2022",
    family="cq-tech",  # no dated in-force interval in the sources: in force on any day
    title="重庆市科技型企业入库",
    version="2022.1",
    sources=(Source(DOC, NUM, "定义、基本条件、具体条件1", "SECONDARY"),),
    criteria=CRITERIA,
    settings=SETTINGS,
    pass_mark=None,
    build=build,
    levers={"tech_staff": "tech_staff", "rd_expense": "rd_alternative"},
    options=options,
    doc=__doc__ or "",
)
