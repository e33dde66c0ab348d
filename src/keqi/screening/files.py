"""Screening a file in the import format (``keqi screen FILE -o OUT``), without the database.

The file is read and checked by the importer's own reader and parser (a bad cell stops the
screen with the same row-and-column errors), turned into the same flat table as the registry's,
and judged by the same engine; qualifications on the 资质 sheet give each firm its tier.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from keqi.pipeline.services import current_ladder
from keqi.policy import editions as policy_editions
from keqi.policy import evaluation as policy_evaluation
from keqi.policy.flat import FINANCIAL_FIELDS
from keqi.registry.columns import (
    QUALIFICATION_COLUMNS,
    QUALIFICATION_SHEET,
    REPORT_COLUMNS,
    REPORT_SHEET,
    Column,
)
from keqi.registry.parsing import CellError, check_qualifications, check_reports, parse_sheet
from keqi.registry.profiles import LATEST_FIELDS, TITLE_KINDS, flat_from_frames
from keqi.registry.reading import UnreadableFile, read_tables
from keqi.registry.units import load_units
from keqi.registry.workbook import write_tables

from .closeness import closeness
from .exporting import VERDICT_LABELS, gap_text, score_text
from .services import editions_on


def screen_file(
    path: Path | str, *, assess_on: dt.date, edition_ids: Sequence[str] | None = None, engine: str = "duckdb"
) -> tuple[pl.DataFrame | None, list[CellError]]:
    """(one row per firm with every edition's result, errors); the frame is None when there are errors.

    The editions are those in force on ``assess_on`` unless named; tiers follow the city's ladder.
    """
    path = Path(path)
    edition_ids = edition_ids or editions_on(assess_on)
    try:
        raw = read_tables(path)
    except UnreadableFile as exc:
        return None, [CellError(REPORT_SHEET, 0, "", path.name, str(exc))]
    units = load_units()
    lookup: dict[str, int] = {}
    for i, u in enumerate(units):
        lookup[u.name] = i
        if u.code:
            lookup[u.code] = i
    reports = parse_sheet(raw.reports, REPORT_COLUMNS, REPORT_SHEET, lookup)
    check_reports(reports, assess_on)
    errors = list(reports.errors) + raw.formula_errors
    held: dict[str, set[str]] = {}
    if raw.qualifications is not None and raw.qualifications.height:
        quals = parse_sheet(raw.qualifications, QUALIFICATION_COLUMNS, QUALIFICATION_SHEET, lookup)
        check_qualifications(quals)
        errors += quals.errors
        if not quals.errors:
            valid = quals.data.filter(
                (pl.col("valid_from") <= assess_on)
                & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= assess_on))
            )
            for code, kind in valid.select("uscc", "kind").iter_rows():
                held.setdefault(code, set()).add(kind)
    if errors:
        return None, errors

    data = reports.data
    firms = data.sort("_row").group_by("uscc", maintain_order=True).first().with_row_index("enterprise_id")
    firms = firms.with_columns(pl.col("enterprise_id").cast(pl.Int64))
    codes = [u.code for u in units]
    names = [u.name for u in units]
    ents = firms.select(
        "enterprise_id", "uscc", "name",
        pl.col("district").map_elements(lambda i: codes[i], return_dtype=pl.String).alias("reporting_unit__code"),
        pl.col("district").map_elements(lambda i: names[i], return_dtype=pl.String).alias("reporting_unit__name"),
        "registered_on",
        *(pl.col(f) if f in firms.columns else pl.lit(None, dtype=pl.String).alias(f)
          for f in ("hitech_field", "industry_code")),
    )
    report_frame = data.join(firms.select("uscc", "enterprise_id"), on="uscc").drop("_row")
    bools = {c.field for c in REPORT_COLUMNS if c.kind == "bool"}
    report_frame = report_frame.with_columns(  # a column left out of the file is unknown for every firm
        pl.lit(None, dtype=pl.Boolean if f in bools else pl.Int64).alias(f)
        for f in (*FINANCIAL_FIELDS, *LATEST_FIELDS) if f not in report_frame.columns
    )
    def holders(kind: str) -> set[int]:
        return set(firms.filter(pl.col("uscc").is_in([c for c, k in held.items() if kind in k]))["enterprise_id"])

    # the certificate and the titles the rules read, from the qualifications valid on the day (as the registry)
    table = flat_from_frames(ents, report_frame, holders("hnte"), assess_on,
                             titles={kind: holders(kind) for kind in TITLE_KINDS})

    out: dict[str, list] = {
        "统一社会信用代码": ents["uscc"].to_list(), "企业名称": ents["name"].to_list(),
        "所属区县": ents["reporting_unit__name"].to_list(),
    }
    ladder = current_ladder()
    tiers = [ladder.tier_of(held.get(code, set())) for code in out["统一社会信用代码"]]
    nexts = {t.key: tuple(e for e in ladder.next_editions(t, assess_on) if e in edition_ids) for t in ladder.tiers}
    out["当前梯次"] = [t.label for t in tiers]
    out["目标梯次"] = [nxt.label if (nxt := ladder.next_of(t)) else None for t in tiers]
    next_close: list[float | None] = [None] * len(tiers)
    next_verdict: list[str | None] = [None] * len(tiers)
    judged = policy_evaluation.evaluate_all(table, edition_ids, gaps=True, backend=engine)
    for edition_id in edition_ids:
        edition = policy_editions.get(edition_id)
        result = judged[edition_id]
        costs = edition.resolve_settings().get("gap_costs", {})
        verdicts = result.column("verdict").to_pylist()
        lo, hi, mark = (result.column(c).to_pylist() for c in ("score_min", "score_max", "pass_mark"))
        gaps = [json.loads(g) if g else [] for g in result.column("gaps_json").to_pylist()]
        out[f"{edition.title}·结论"] = [VERDICT_LABELS[v] for v in verdicts]
        out[f"{edition.title}·得分"] = [score_text(a, b, m) or None for a, b, m in zip(lo, hi, mark, strict=True)]
        out[f"{edition.title}·差距"] = [gap_text(g) or None for g in gaps]
        for i, t in enumerate(tiers):
            if edition_id in nexts[t.key]:  # the closest of the next tier's editions is kept
                c = closeness(verdicts[i], gaps[i], costs)
                if next_verdict[i] is None or (c is not None and (next_close[i] is None or c < next_close[i])):
                    next_close[i] = c
                    next_verdict[i] = VERDICT_LABELS[verdicts[i]]
    out["目标梯次·结论"] = next_verdict
    out["差距（越小越接近）"] = [None if c is None else round(c) for c in next_close]
    return pl.DataFrame(out), []


def write_result(path: Path | str, frame: pl.DataFrame) -> Path:
    """Write the screen's result; written beside ``path`` and renamed, so a failed or interrupted write
    leaves no half file (and an earlier result at ``path`` stays whole)."""
    path = Path(path)
    columns = [Column(h, h, "count" if frame.schema[h] == pl.Int64 else "text", "report") for h in frame.columns]
    partial = path.with_name(f".{path.stem}.part{path.suffix}")  # the suffix picks the format
    try:
        write_tables(partial, {"筛选结果": (frame, columns)})
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path
