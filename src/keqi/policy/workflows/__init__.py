"""Workflows as data: each programme's states, transitions, actors and deadlines, per version.

Like the editions, a definition is declared once per programme and version, with its sources:

- ``annual-filing-2022``: 科技型企业年度数据填报 (the firm's yearly figures)
- ``cq-tech-2022``: 重庆市科技型企业入库 (decided in KeQi: 初审, 审核, 实地核查, 公示, 入库登记编号)
- ``tsme-2017``: 科技型中小企业评价 (tracked: decided on the national platform)
- ``hnte-2016``: 高新技术企业认定 (tracked)
- ``srdi-2022``: 专精特新中小企业认定 (tracked)
- ``little-giant-2022``: 专精特新"小巨人"企业认定 (tracked)

A case (an application or a filing) keeps the id of the definition it was opened under, so a new
rule year (a new definition, picked by :func:`resolve` from its start day) changes new cases only.
"""

from __future__ import annotations

import datetime as dt

from ._base import (
    ACTOR_LABELS,
    ACTORS,
    EFFECTS,
    GUARDS,
    INPUTS,
    OUTCOMES,
    PHASES,
    PIPELINE_PHASES,
    Deadline,
    SiteCheckFacts,
    SiteCheckRule,
    State,
    Transition,
    Workflow,
    problems,
    site_check_reasons,
)
from .annual_filing_2022 import WORKFLOW as _FILING_2022
from .cq_tech_2022 import WORKFLOW as _CQ_TECH_2022
from .tracked import HNTE, LITTLE_GIANT, SRDI, TSME

__all__ = [
    "ACTORS", "ACTOR_LABELS", "EFFECTS", "GUARDS", "INPUTS", "OUTCOMES", "PHASES", "PIPELINE_PHASES",
    "Deadline", "SiteCheckFacts", "SiteCheckRule", "State", "Transition", "Workflow",
    "WORKFLOWS", "all_workflows", "application_programmes", "get", "problems", "programmes", "resolve",
    "site_check_reasons",
]

WORKFLOWS: dict[str, Workflow] = {w.id: w for w in (_FILING_2022, _CQ_TECH_2022, TSME, HNTE, SRDI, LITTLE_GIANT)}
FILING = "annual-filing"


def get(workflow_id: str) -> Workflow:
    """The definition with this id; ``KeyError`` names the known ids."""
    try:
        return WORKFLOWS[workflow_id]
    except KeyError:
        raise KeyError(f"unknown workflow {workflow_id!r}; known: {', '.join(WORKFLOWS)}") from None


def all_workflows() -> list[Workflow]:
    return list(WORKFLOWS.values())


def programmes() -> dict[str, list[str]]:
    """Each programme's definition ids, oldest start first."""
    out: dict[str, list[Workflow]] = {}
    for w in WORKFLOWS.values():
        out.setdefault(w.programme, []).append(w)
    return {p: [w.id for w in sorted(ws, key=lambda w: w.valid_from or dt.date.min)] for p, ws in out.items()}


def application_programmes() -> dict[str, str]:
    """Programme → its Chinese title, for the programmes a firm applies to (in declaration order)."""
    out: dict[str, str] = {}
    for w in WORKFLOWS.values():
        if w.kind == "application":
            out.setdefault(w.programme, w.title)
    return out


def resolve(programme: str, on: dt.date) -> Workflow:
    """The definition of ``programme`` in force on ``on`` (the latest start wins); ``KeyError`` says why not."""
    members = [get(i) for i in programmes().get(programme, ())]
    if not members:
        raise KeyError(f"unknown programme {programme!r}; known: {', '.join(programmes())}")
    in_force = [w for w in members if w.in_force(on)]
    if not in_force:
        raise KeyError(f"no {programme!r} workflow is in force on {on.isoformat()}")
    return max(in_force, key=lambda w: w.valid_from or dt.date.min)
