"""What a gap plan is made of, shared by the two searches (``gaps``: the reference, one firm at a
time; ``gapsearch``: a whole batch at once): the levers a firm controls, the flat columns each one
moves, how a change is phrased, and the fixed entries a plan holds when a lever cannot help.

Levers (field names of the gap entries):

==================  =======  =================================================================
``rd_expense``      yuan     more R&D in the latest fiscal year; it is assumed domestic and part of
                             the year's costs, so ``rd_expense``, ``rd_expense_domestic`` and
                             ``cost_total`` all grow by the same amount
``tech_staff``      person   tech staff to hire; ``staff_total`` grows by the same number
``ip.class1``       item     more valid Ⅰ类 IP (发明专利 …)
``ip.class2``       item     more valid Ⅱ类 IP (实用新型、外观设计、软件著作权)
``hitech_revenue``  yuan     latest-year revenue moved to high-tech products (total revenue unchanged)
``main_revenue``    yuan     latest-year revenue moved to the main business, 主营业务 (total unchanged)
==================  =======  =================================================================
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from keqi.policy import formats
from keqi.policy.editions._base import Edition
from keqi.policy.labels import fields_text

__all__ = [
    "LEVERS",
    "MOVES",
    "PARTIAL_SUFFIX",
    "PHRASES",
    "apply_changes",
    "blockers",
    "effect",
    "lever_phrase",
    "money",
    "served",
    "undecided",
    "unreachable",
]

LEVERS: dict[str, str] = {
    "rd_expense": "yuan",
    "tech_staff": "person",
    "ip.class1": "item",
    "ip.class2": "item",
    "hitech_revenue": "yuan",
    "main_revenue": "yuan",
}

# flat columns each lever moves
MOVES: dict[str, tuple[str, ...]] = {
    "rd_expense": ("y1_rd_expense", "y1_rd_expense_domestic", "y1_cost_total"),
    "tech_staff": ("tech_staff", "staff_total"),
    "ip.class1": ("ip_class1",),
    "ip.class2": ("ip_class2",),
    "hitech_revenue": ("y1_hitech_revenue",),
    "main_revenue": ("y1_main_revenue",),
}

# the phrase of each lever: text before the amount, text after it, and whether the amount is money
PHRASES: dict[str, tuple[str, str, bool]] = {
    "rd_expense": ("最近一年研发费用再增加", "", True),
    "tech_staff": ("再招聘科技人员", "名（职工总数相应增加）", False),
    "ip.class1": ("再取得Ⅰ类知识产权", "项（如发明专利）", False),
    "ip.class2": ("再取得Ⅱ类知识产权", "项（实用新型、外观设计或软件著作权）", False),
    "hitech_revenue": ("高新技术产品（服务）收入再增加", "（总收入不变）", True),
    "main_revenue": ("主营业务收入再增加", "（总收入不变）", True),
}
PARTIAL_SUFFIX = "（仅此一项，尚不足以达到认定条件）"


def money(yuan: int) -> str:
    """An amount a plan asks for, as every figure is written (``keqi.policy.formats``): in 万元 with
    thousands separators and at most two decimals, rounded up to the hundred yuan so that the amount
    still suffices (1200000 → '120 万元', 11576756 → '1,157.68 万元'); below 1万 in yuan ('4,409 元')."""
    if abs(yuan) < 10_000:
        return f"{formats.number(yuan)} 元"
    return formats.wan_unit(-(-int(yuan) // 100) * 100)


def lever_phrase(field: str, delta: int) -> str:
    """The change of one lever in words: '最近一年研发费用再增加120万元'."""
    before, after, is_money = PHRASES[field]
    return f"{before}{money(delta) if is_money else delta}{after}"


def apply_changes(flat: pa.Table, changes: Mapping[str, Sequence[int] | np.ndarray]) -> pa.Table:
    """The flat table with each lever moved by its per-row change (NULL cells stay NULL; a lever whose
    columns the table lacks moves nothing)."""
    for lever, delta in changes.items():
        arr = pa.array(np.asarray(delta, dtype=np.int64), type=pa.int64())
        for col in MOVES[lever]:
            i = flat.schema.get_field_index(col)
            if i >= 0:
                flat = flat.set_column(i, col, pc.add(flat.column(col), arr))
    return flat


def effect(edition: Edition, cid: str, row: Mapping[str, Any]) -> str:
    """What a change achieves for criterion ``cid``, from its points range in ``row`` after the change."""
    c = edition.criterion(cid)
    lo, hi = row.get(f"{cid}__min"), row.get(f"{cid}__max")
    if c.scored and lo is not None:
        pts = f"{lo}分" if lo == hi else f"{lo}–{hi}分"
        return f"{c.label}可得{pts}"
    return f"可满足“{c.label}”"


def served(criteria: str | tuple[str, ...], row: Mapping[str, Any]) -> str:
    """The criterion a lever serves: the first of its criteria that the firm does not yet pass."""
    if isinstance(criteria, str):
        return criteria
    return next((c for c in criteria if row[f"{c}__passed"] is not True), criteria[-1])


def _entry(c: Any, note: str) -> dict[str, Any]:
    return {"criterion": c.id, "field": c.fields or None, "change": None, "unit": None, "note": note}


def blockers(edition: Edition, row: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The entries of the failed conditions nothing the firm controls can fix (too young, a flag …)."""
    return [
        _entry(c, c.blocker_note)
        for c in edition.criteria
        if c.gate and not c.controllable and row[f"{c.id}__passed"] is False
    ]


def undecided(edition: Edition, row: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The entries of the criteria the data cannot decide, with the fields to fill in."""
    return [
        _entry(c, _undecided_note(c))
        for c in edition.criteria
        if (c.gate or c.scored) and c.part_of is None and row[f"{c.id}__passed"] is None
    ]


def _undecided_note(c: Any) -> str:
    """Why a criterion is undecided, in words: the fields to fill in by their Chinese names
    (keqi.policy.labels), or, for a criterion no data decides, who decides it."""
    wanted = fields_text(c.fields)
    if wanted:
        return f"“{c.label}”缺少数据或需专家评审，目前无法判定；请补充：{wanted}"
    return f"“{c.label}”无法由填报数据判定，需经评审或主管部门认定"


def unreachable(edition: Edition, row: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The entries of the failed criteria that no lever can fix."""
    return [
        _entry(c, f"“{c.label}”未达到要求，仅靠增加研发投入、科技人员、知识产权或高新技术收入无法弥补")
        for c in edition.criteria
        if (c.gate or c.scored) and c.part_of is None and row[f"{c.id}__passed"] is False
    ]
