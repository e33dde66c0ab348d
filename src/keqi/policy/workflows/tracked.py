"""Programmes decided elsewhere, tracked in KeQi: each step and the outcome are recorded.

The national 科技型中小企业 evaluation, 高新技术企业 recognition, and the 优质中小企业 tiers 专精特新 and
专精特新"小巨人" are decided by other authorities on their own platforms. KeQi records where a firm's
application stands (who recorded each step, when and why) and, at the end, the certificate or
number granted, which enters the registry as a qualification like an imported one.

Sources (shared/reference/criteria.md, tiers.md):

- 科技型中小企业: 国科发政〔2017〕115号 (企业自主评价 → 审核 → 公示 → 入库登记编号), TEXT for the 办法;
  the 实地核查 triggers of the 2026 notice 工企业函〔2026〕160号 are SECONDARY; the number is believed
  valid for the year (SECONDARY, one repo), so the recorded end of validity is entered, not computed.
- 高新技术企业: 国科发火〔2016〕32号 and 国科发火〔2016〕195号 — 企业申请 → 区县/市审核推荐 → 专家评审 →
  公示10个工作日 → 证书, valid three years from issue (SECONDARY).
- 专精特新中小企业 and 小巨人: 工信部企业〔2022〕63号, in Chongqing 渝经信规范〔2023〕5号 — 企业申报 → 区县
  推荐 → 市级审核（小巨人再报工信部）→ 公示 → 认定, each title valid three years (SECONDARY). The
  2026 rulebook (工信部企业〔2026〕2号) keeps these steps as far as the sources tell.
"""

from __future__ import annotations

import datetime as dt

from keqi.policy.editions._base import Source

from ._base import Deadline, SiteCheckRule, State, Transition, Workflow
from ._common import NO_IP, RD_BELOW_10W, REVOKED_3Y, SMALL_STAFF, TSME_2017, VIOLATION_3Y, service_time
from .cq_tech_2022 import FIRST_TIME

ANYONE = ("firm", "district", "city")
OFFICERS = ("district", "city")
RECORD_INPUTS = ("number", "valid_from", "valid_to")


def _tracked_tail(review_states: tuple[str, ...]) -> tuple[Transition, ...]:
    """Recording the outcome from any review state, and the firm's withdrawal."""
    return (
        Transition("record_granted", "登记认定结果（通过）", review_states, "granted", OFFICERS,
                   inputs=RECORD_INPUTS, effects=("record_qualification",)),
        Transition("record_refused", "登记认定结果（未通过）", review_states, "refused", OFFICERS,
                   reason_required=True, style="danger"),
        Transition("withdraw", "撤回申请", ("draft", "submitted", "returned"), "withdrawn", ("firm",),
                   style="secondary"),
    )


CLOSED = (
    State("granted", "已认定", "closed", "granted", open=False),
    State("refused", "未通过", "closed", "refused", open=False),
    State("withdrawn", "已撤回", "closed", "withdrawn", open=False),
)

TSME = Workflow(
    id="tsme-2017",
    programme="tsme",
    title="科技型中小企业评价",
    version="2017",
    kind="application",
    decided_in_keqi=False,
    qualification_kind="tsme",
    edition_family="tsme",
    starters=ANYONE,
    initial="draft",
    states=(
        State("draft", "企业自主评价中", "draft"),
        State("submitted", "已提交评价信息", "external"),
        State("returned", "退回修改", "firm"),
        State("review", "审核中", "external"),
        State("site_check", "实地核查中", "site_check"),
        State("publicity", "公示中", "publicity"),
        *CLOSED,
    ),
    transitions=(
        Transition("submit", "登记已提交", ("draft", "returned"), "submitted", ANYONE,
                   effects=("flag_site_check", "snapshot_evaluation")),
        Transition("record_return", "登记退回修改", ("submitted", "review"), "returned", OFFICERS,
                   reason_required=True, style="secondary"),
        Transition("record_review", "登记进入审核", ("submitted",), "review", OFFICERS, bulk=True),
        Transition("record_site_check", "登记实地核查", ("review",), "site_check", OFFICERS, style="secondary"),
        Transition("record_publicity", "登记进入公示", ("review", "site_check"), "publicity", OFFICERS, bulk=True),
        *_tracked_tail(("submitted", "review", "site_check", "publicity")),
    ),
    site_check_rules=(
        SiteCheckRule("first_time", "first_time", "首次申请入库", FIRST_TIME.source, kinds=("tsme",)),
        SMALL_STAFF, NO_IP, RD_BELOW_10W, VIOLATION_3Y, REVOKED_3Y,
    ),
    sources=(TSME_2017, Source("科技型中小企业评价服务工作指引", "国科火字〔2022〕67号", "", "SECONDARY")),
    notes="评价与入库由国家科技型中小企业服务平台完成；KeQi记录每一步和入库登记编号（编号由平台发放，有效期按当年）。",
)

HNTE_RULES = Source("高新技术企业认定管理办法", "国科发火〔2016〕32号", "认定程序", "SECONDARY")
HNTE = Workflow(
    id="hnte-2016",
    programme="hnte",
    title="高新技术企业认定",
    version="2016",
    kind="application",
    decided_in_keqi=False,
    valid_from=dt.date(2016, 1, 1),
    qualification_kind="hnte",
    edition_family="hnte",
    valid_years=3,
    valid_years_source=Source("高新技术企业认定管理办法", "国科发火〔2016〕32号", "资格有效期三年（条款号未确认）",
                              "SECONDARY"),
    starters=ANYONE,
    initial="draft",
    states=(
        State("draft", "自我评价中", "draft"),
        State("submitted", "待区县审核推荐", "district"),
        State("returned", "退回修改", "firm"),
        State("district_recommended", "待市级审核推荐", "city"),
        State("expert_review", "专家评审中", "external"),
        State("publicity", "公示中", "publicity"),
        *CLOSED,
    ),
    transitions=(
        Transition("submit", "登记已提交申请", ("draft", "returned"), "submitted", ANYONE,
                   effects=("snapshot_evaluation",)),
        Transition("district_recommend", "区县审核推荐", ("submitted",), "district_recommended", ("district",),
                   bulk=True),
        Transition("district_return", "退回修改", ("submitted",), "returned", ("district",), reason_required=True,
                   style="secondary"),
        Transition("city_recommend", "市级审核推荐", ("district_recommended",), "expert_review", ("city",), bulk=True),
        Transition("city_return", "退回修改", ("district_recommended",), "returned", ("city",),
                   reason_required=True, style="secondary"),
        Transition("record_publicity", "登记进入公示", ("expert_review",), "publicity", ("city",), bulk=True),
        *_tracked_tail(("submitted", "district_recommended", "expert_review", "publicity")),
    ),
    deadlines={"submitted": service_time(10, "区县审核推荐"), "returned": service_time(10, "企业修改"),
               "district_recommended": service_time(10, "市级审核推荐")},
    publicity=Deadline(working_days=10, official=True, source=HNTE_RULES,
                       note="认定机构在“高新技术企业认定管理工作网”公示10个工作日"),
    sources=(HNTE_RULES, Source("高新技术企业认定管理工作指引", "国科发火〔2016〕195号", "", "SECONDARY")),
    notes="认定由认定机构完成；KeQi记录区县、市级推荐和认定结果（证书编号、有效期三年），认定后企业须于每年5月底前报送年报。",
)

SME_RULES = Source("优质中小企业梯度培育管理暂行办法", "工信部企业〔2022〕63号", "", "SECONDARY")
SME_CQ = Source("重庆市优质中小企业梯度培育管理实施细则", "渝经信规范〔2023〕5号", "", "SECONDARY")
SME_VALIDITY = Source("优质中小企业梯度培育管理暂行办法", "工信部企业〔2022〕63号", "有效期三年（条款号未确认）", "SECONDARY")

SRDI = Workflow(
    id="srdi-2022",
    programme="srdi",
    title="专精特新中小企业认定",
    version="2022",
    kind="application",
    decided_in_keqi=False,
    qualification_kind="srdi",
    edition_family="srdi",
    valid_years=3,
    valid_years_source=SME_VALIDITY,
    starters=ANYONE,
    initial="draft",
    states=(
        State("draft", "自评中", "draft"),
        State("submitted", "待区县推荐", "district"),
        State("returned", "退回修改", "firm"),
        State("city_review", "市级评审中", "external"),
        State("publicity", "公示中", "publicity"),
        *CLOSED,
    ),
    transitions=(
        Transition("submit", "登记已提交申报", ("draft", "returned"), "submitted", ANYONE,
                   effects=("snapshot_evaluation",)),
        Transition("district_recommend", "区县推荐", ("submitted",), "city_review", ("district",), bulk=True),
        Transition("district_return", "退回修改", ("submitted",), "returned", ("district",), reason_required=True,
                   style="secondary"),
        Transition("record_publicity", "登记进入公示", ("city_review",), "publicity", OFFICERS, bulk=True),
        *_tracked_tail(("submitted", "city_review", "publicity")),
    ),
    deadlines={"submitted": service_time(10, "区县推荐"), "returned": service_time(10, "企业修改")},
    sources=(SME_RULES, SME_CQ),
    notes="认定由市经济信息委完成；KeQi记录区县推荐、公示与认定结果（有效期三年）。",
)

LITTLE_GIANT = Workflow(
    id="little-giant-2022",
    programme="little-giant",
    title="专精特新“小巨人”企业认定",
    version="2022",
    kind="application",
    decided_in_keqi=False,
    qualification_kind="little_giant",
    edition_family="little-giant",
    valid_years=3,
    valid_years_source=SME_VALIDITY,
    starters=ANYONE,
    initial="draft",
    states=(
        State("draft", "自评中", "draft"),
        State("submitted", "待区县推荐", "district"),
        State("returned", "退回修改", "firm"),
        State("city_review", "市级审核推荐中", "external"),
        State("national_review", "工业和信息化部审核中", "external"),
        State("publicity", "公示中", "publicity"),
        *CLOSED,
    ),
    transitions=(
        Transition("submit", "登记已提交申报", ("draft", "returned"), "submitted", ANYONE,
                   effects=("snapshot_evaluation",)),
        Transition("district_recommend", "区县推荐", ("submitted",), "city_review", ("district",), bulk=True),
        Transition("district_return", "退回修改", ("submitted",), "returned", ("district",), reason_required=True,
                   style="secondary"),
        Transition("record_national", "登记已报工业和信息化部", ("city_review",), "national_review", OFFICERS,
                   bulk=True),
        Transition("record_publicity", "登记进入公示", ("national_review",), "publicity", OFFICERS, bulk=True),
        *_tracked_tail(("submitted", "city_review", "national_review", "publicity")),
    ),
    deadlines={"submitted": service_time(10, "区县推荐"), "returned": service_time(10, "企业修改")},
    sources=(SME_RULES, SME_CQ),
    notes="认定由工业和信息化部完成；KeQi记录区县、市级推荐、公示与认定结果（有效期三年）。",
)
