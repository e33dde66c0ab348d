"""cq-tech-2022 — 重庆市科技型企业入库 (decided in KeQi).

Sources and how sure we are (shared/reference/chongqing.md §2):

- 《重庆市科技型企业入库培育实施细则》 (2022; document number UNCONFIRMED): firms enter the registry
  "经自愿申请和审核通过后" and must "填报或更新年度数据信息" every year — SECONDARY.
- The steps (district 初审, city 审核, 实地核查 where the rules call for it, 公示 in batches with an
  objection window, then the 入库登记编号) follow the issue that asked for this workflow and the
  national 科技型中小企业 practice; the Chongqing-specific procedure text was not found (UNCONFIRMED).
- The 公示 window: no Chongqing text gives its length. 5 working days is KeQi's labelled default;
  the city administrator sets each batch's window when opening it.
- 实地核查 triggers: those of the 2026 national notice for 科技型中小企业 and the issue (SECONDARY there,
  applied here by analogy: UNCONFIRMED for Chongqing's registry). "First-time" is read as: the firm has
  never held a reviewed technology qualification (科技型企业入库, 科技型中小企业, 高新技术企业, 专精特新 …),
  since every entry to this registry is a first entry.
- The 入库登记编号 format is a setting (``KEQI_REGISTRATION_NUMBER_FORMAT``), not a rule.
- Validity: whether an entry expires is UNCONFIRMED (chongqing.md §2): the qualification is issued
  without an end date; the annual filing keeps the benefits.
"""

from __future__ import annotations

from keqi.policy.editions._base import Source

from ._base import Deadline, SiteCheckRule, State, Transition, Workflow
from ._common import (
               ISSUE,
               KEQI_DEFAULT,
               LARGE_TECH_HEAVY,
               REVOKED_3Y,
               SMALL_STAFF,
               VIOLATION_3Y,
               service_time,
)

RULES = Source("重庆市科技型企业入库培育实施细则", "《重庆市科技型企业入库培育实施细则》（2022，文号未确认）",
               "经自愿申请和审核通过后入库", "SECONDARY")
FIRST_TIME = SiteCheckRule(
    "first_time", "first_time", "首次申报（此前未取得过经审核的科技类资质）",
    Source("2026年科技型中小企业评价工作通知（工业和信息化部）", "工企业函〔2026〕160号", "首次申请入库的企业", "SECONDARY"),
    kinds=("cq_tech", "tsme", "innovative_sme", "hnte", "srdi", "little_giant", "gazelle"),
)

WORKFLOW = Workflow(
    id="cq-tech-2022",
    programme="cq-tech",
    title="重庆市科技型企业入库",
    version="2022",
    kind="application",
    decided_in_keqi=True,
    qualification_kind="cq_tech",
    edition_family="cq-tech",
    starters=("firm",),
    initial="draft",
    states=(
        State("draft", "填写中", "draft"),
        State("submitted", "待区县初审", "district"),
        State("returned", "退回修改", "firm"),
        State("district_approved", "待市级审核", "city"),
        State("site_check", "实地核查中", "site_check"),
        State("city_approved", "待公示", "city"),
        State("publicity", "公示中", "publicity"),
        State("objection", "异议处理中", "objection"),
        State("registered", "已入库", "closed", "granted", open=False),
        State("rejected", "未通过", "closed", "refused", open=False),
        State("withdrawn", "已撤回", "closed", "withdrawn", open=False),
        State("revoked", "已撤销入库", "closed", "revoked", open=False),
    ),
    transitions=(
        Transition("submit", "提交申请", ("draft", "returned"), "submitted", ("firm",),
                   guards=("filing_submitted",), effects=("flag_site_check", "snapshot_evaluation")),
        Transition("withdraw", "撤回申请", ("draft", "submitted", "returned"), "withdrawn", ("firm",),
                   style="secondary"),
        Transition("district_approve", "初审通过", ("submitted",), "district_approved", ("district",), bulk=True),
        Transition("district_return", "退回修改", ("submitted",), "returned", ("district",), reason_required=True,
                   style="secondary"),
        Transition("district_reject", "初审不通过", ("submitted",), "rejected", ("district",), reason_required=True,
                   style="danger"),
        Transition("order_site_check", "安排实地核查", ("district_approved",), "site_check", ("city", "district"),
                   style="secondary"),
        Transition("site_check_pass", "核查通过", ("site_check",), "district_approved", ("district", "city"),
                   effects=("record_site_check",)),
        Transition("site_check_fail", "核查不通过", ("site_check",), "rejected", ("district", "city"),
                   reason_required=True, effects=("record_site_check",), style="danger"),
        Transition("city_approve", "审核通过", ("district_approved",), "city_approved", ("city",),
                   guards=("site_check_cleared",), bulk=True),
        Transition("city_return", "退回修改", ("district_approved",), "returned", ("city",), reason_required=True,
                   style="secondary"),
        Transition("city_reject", "审核不通过", ("district_approved",), "rejected", ("city",), reason_required=True,
                   style="danger"),
        Transition("publish", "列入公示", ("city_approved",), "publicity", ("city",), inputs=("batch",),
                   effects=("add_to_batch",), bulk=True),
        Transition("object", "登记异议", ("publicity",), "objection", ("city",), reason_required=True,
                   style="secondary"),
        Transition("dismiss_objection", "异议不成立", ("objection",), "publicity", ("city",), reason_required=True),
        Transition("uphold_objection", "异议成立，不予入库", ("objection",), "rejected", ("city",),
                   reason_required=True, style="danger"),
        Transition("register", "公示期满，准予入库", ("publicity",), "registered", ("city", "system"),
                   guards=("in_open_batch", "window_ended"), effects=("issue_qualification",), bulk=True),
        Transition("revoke", "撤销入库", ("registered",), "revoked", ("city",), reason_required=True,
                   effects=("revoke_qualification",), style="danger"),
    ),
    deadlines={
        "submitted": service_time(10, "区县初审"),
        "returned": service_time(15, "企业修改"),
        "district_approved": service_time(10, "市级审核"),
        "site_check": service_time(10, "实地核查"),
    },
    publicity=Deadline(working_days=5, official=False, source=KEQI_DEFAULT,
                       note="重庆市科技型企业入库的公示期天数未见官方文本；5个工作日为平台默认值，市科技局在开启每个公示批次时可修改"),
    site_check_rules=(FIRST_TIME, SMALL_STAFF, LARGE_TECH_HEAVY, VIOLATION_3Y, REVOKED_3Y),
    sources=(RULES, ISSUE),
    notes="由KeQi完成审核与入库：区县初审、市级审核、必要时实地核查、分批公示；公示期满无异议即发放入库登记编号。",
)
