"""Candidate lists and screening results as spreadsheets with Chinese headers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import polars as pl

from keqi.pipeline.services import current_ladder
from keqi.policy import editions as policy_editions
from keqi.registry.columns import Column
from keqi.registry.workbook import write_tables

from .models import EditionResult, Standing

VERDICT_LABELS = {"eligible": "符合", "ineligible": "不符合", "uncertain": "待定"}

CANDIDATE_COLUMNS = (
    Column("rank", "排名", "count", "report"),
    Column("uscc", "统一社会信用代码", "uscc", "enterprise"),
    Column("name", "企业名称", "text", "enterprise"),
    Column("district", "所属区县", "district", "enterprise"),
    Column("hitech_field", "高新技术领域", "text", "enterprise"),
    Column("current_tier", "当前梯次", "text", "report"),
    Column("next_tier", "目标梯次", "text", "report"),
    Column("edition", "评价标准", "text", "report"),
    Column("verdict", "结论", "text", "report"),
    Column("score", "得分（区间）", "text", "report"),
    Column("closeness", "差距（越小越接近）", "count", "report"),
    Column("gaps", "差距与改进路径", "text", "report"),
)


def gap_text(gaps: Sequence[Mapping] | None) -> str:
    return "；".join(g.get("note", "") for g in gaps or ())


def score_text(score_min: int | None, score_max: int | None, pass_mark: int | None) -> str:
    if score_min is None:
        return ""
    points = str(score_min) if score_min == score_max else f"{score_min}–{score_max}"
    return f"{points}（及格线 {pass_mark}）" if pass_mark is not None else points


def candidate_frame(standings: Sequence[Standing], results: Mapping[int, EditionResult]) -> pl.DataFrame:
    rows = []
    labels = current_ladder().labels()
    for rank, s in enumerate(standings, start=1):
        r = results.get(s.enterprise_id)
        edition = policy_editions.get(s.next_edition).title if s.next_edition else ""
        rows.append({
            "排名": rank,
            "统一社会信用代码": s.enterprise.uscc,
            "企业名称": s.enterprise.name,
            "所属区县": s.reporting_unit.name,
            "高新技术领域": s.enterprise.hitech_field or None,
            "当前梯次": labels.get(s.current_tier, s.current_tier),
            "目标梯次": labels.get(s.next_tier, s.next_tier) or None,
            "评价标准": edition or None,
            "结论": VERDICT_LABELS.get(s.next_verdict, s.next_verdict) or None,
            "得分（区间）": score_text(r.score_min, r.score_max, r.pass_mark) if r else None,
            "差距（越小越接近）": None if s.closeness is None else round(s.closeness),
            "差距与改进路径": gap_text(r.gaps) if r else None,
        })
    schema = {c.header: (pl.Int64 if c.kind == "count" else pl.String) for c in CANDIDATE_COLUMNS}
    return pl.DataFrame(rows, schema=schema, orient="row")


def write_candidates(path: Path | str, frame: pl.DataFrame) -> Path:
    return write_tables(path, {"候选企业": (frame, CANDIDATE_COLUMNS)})
