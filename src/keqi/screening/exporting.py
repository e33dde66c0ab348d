"""Candidate lists and screening results as spreadsheets with Chinese headers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import polars as pl

from keqi.pipeline.services import current_ladder
from keqi.policy import editions as policy_editions
from keqi.registry.columns import Column
from keqi.registry.workbook import write_tables

from .services import Candidate

VERDICT_LABELS = {"eligible": "符合", "ineligible": "不符合", "uncertain": "待定"}

CANDIDATE_COLUMNS = (
    Column("rank", "排名", "count", "report"),
    Column("uscc", "统一社会信用代码", "uscc", "enterprise"),
    Column("name", "企业名称", "text", "enterprise"),
    Column("district", "所属区县", "district", "enterprise"),
    Column("hitech_field", "高新技术领域", "text", "enterprise"),
    Column("industry_code", "行业代码", "text", "enterprise"),
    Column("current_tier", "当前梯次", "text", "report"),
    Column("next_tier", "目标梯次", "text", "report"),
    Column("edition", "评价标准", "text", "report"),
    Column("verdict", "结论", "text", "report"),
    Column("score", "得分（区间）", "text", "report"),
    Column("closeness", "差距（越小越接近）", "count", "report"),
    Column("figures_year", "数据年度", "year", "report"),
    Column("revenue", "营业收入（万元）", "money", "report"),
    Column("rd_ratio", "研发费用占比（%）", "count", "report"),
    Column("tech_share", "科技人员占比（%）", "count", "report"),
    Column("ip", "知识产权（项）", "count", "report"),
    Column("missing", "未满足的条件", "text", "report"),
    Column("gaps", "改进路径", "text", "report"),
    Column("planned", "已安排的培育工作", "text", "report"),
)
FLOAT_COLUMNS = {"营业收入（万元）", "研发费用占比（%）", "科技人员占比（%）"}


def gap_text(gaps: Sequence[Mapping] | None) -> str:
    return "；".join(g.get("note", "") for g in gaps or ())


def score_text(score_min: int | None, score_max: int | None, pass_mark: int | None) -> str:
    if score_min is None:
        return ""
    points = str(score_min) if score_min == score_max else f"{score_min}–{score_max}"
    return f"{points}（及格线 {pass_mark}）" if pass_mark is not None else points


def _pct(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def planned_text(tasks) -> str:
    return "；".join(f"{t.get_kind_display()}（{t.due_on:%Y-%m-%d} 前）" for t in tasks)


def candidate_frame(rows: Sequence[Candidate]) -> pl.DataFrame:
    """The candidate list as a sheet: the page's columns in the list's order (``services.CandidateList.rows``)."""
    out = []
    labels = current_ladder().labels()
    for rank, c in enumerate(rows, start=1):
        s, r = c.standing, c.result
        edition = policy_editions.get(s.next_edition).title if s.next_edition in policy_editions.EDITION_IDS else ""
        revenue = getattr(s, "revenue", None)
        out.append({
            "排名": rank,
            "统一社会信用代码": s.enterprise.uscc,
            "企业名称": s.enterprise.name,
            "所属区县": s.reporting_unit.name,
            "高新技术领域": s.enterprise.hitech_field or None,
            "行业代码": s.enterprise.industry_code or None,
            "当前梯次": labels.get(s.current_tier, s.current_tier),
            "目标梯次": labels.get(s.next_tier, s.next_tier) or None,
            "评价标准": edition or None,
            "结论": c.state_label,
            "得分（区间）": score_text(r.score_min, r.score_max, r.pass_mark) if r else None,
            "差距（越小越接近）": None if s.closeness is None else round(s.closeness),
            "数据年度": getattr(s, "figures_year", None),
            "营业收入（万元）": None if revenue is None else round(revenue / 10_000, 2),
            "研发费用占比（%）": _pct(getattr(s, "rd_ratio", None)),
            "科技人员占比（%）": _pct(getattr(s, "tech_share", None)),
            "知识产权（项）": getattr(s, "ip_total", None),
            "未满足的条件": "；".join(c.missing) or None,
            "改进路径": "；".join(c.steps) or None,
            "已安排的培育工作": planned_text(c.tasks) or None,
        })
    schema = {c.header: (pl.Float64 if c.header in FLOAT_COLUMNS else pl.Int64 if c.kind in ("count", "year")
                         else pl.String) for c in CANDIDATE_COLUMNS}
    return pl.DataFrame(out, schema=schema, orient="row")


def write_candidates(path: Path | str, frame: pl.DataFrame) -> Path:
    return write_tables(path, {"候选企业": (frame, CANDIDATE_COLUMNS)})
