"""annual-filing-2022 — 重庆市科技型企业年度数据填报 (the firm's yearly figures).

Firms in the 重庆市科技型企业 registry must "填报或更新年度数据信息" to keep their benefits
(《重庆市科技型企业入库培育实施细则》, 2022, SECONDARY; shared/reference/chongqing.md §2; the 2016
regime ran the filing from 5 January to 15 February, and firms that had not filed lost that year's
innovation vouchers). The filing window of each year is set by the city administrator.

The firm fills the fields of the import template (same checks and units), sees its self-evaluation
as it types, and submits: the figures enter the registry at once. The district (or the city) may
return a filing with reasons, and the firm corrects and submits again; or confirm it.
"""

from __future__ import annotations

from keqi.policy.editions._base import Source

from ._base import State, Transition, Workflow
from ._common import service_time

RULES = Source("重庆市科技型企业入库培育实施细则", "《重庆市科技型企业入库培育实施细则》（2022，文号未确认）",
               "按照要求填报或更新年度数据信息", "SECONDARY")
EARLIER = Source("重庆市科技型企业标准和管理实施细则", "渝科委发〔2016〕30号", "年度信息填报", "SECONDARY")

WORKFLOW = Workflow(
    id="annual-filing-2022",
    programme="annual-filing",
    title="科技型企业年度数据填报",
    version="2022",
    kind="filing",
    decided_in_keqi=True,
    starters=("firm",),
    initial="draft",
    states=(
        State("draft", "填写中", "draft"),
        State("submitted", "已提交", "district"),
        State("returned", "退回修改", "firm"),
        State("accepted", "已确认", "closed", "granted", open=False),
    ),
    transitions=(
        Transition("submit", "提交填报", ("draft", "returned"), "submitted", ("firm",), effects=("write_filing",)),
        Transition("return", "退回修改", ("submitted",), "returned", ("district", "city"), reason_required=True,
                   style="secondary"),
        Transition("accept", "确认", ("submitted",), "accepted", ("district", "city"), bulk=True),
    ),
    deadlines={"returned": service_time(10, "企业修改")},
    sources=(RULES, EARLIER),
    notes="企业提交后数据即写入企业库；区县可退回并说明原因，企业修改后重新提交。",
)
