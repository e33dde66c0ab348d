"""A file in the exchange format (the import template as xlsx, csv or parquet, one row per firm and
year): flattened to the flat rows, then screened by the flat screen's code, without the database.

``flatten`` reads and checks the file with the importer's own reader and parser (a bad cell stops
with the same row-and-column errors), and turns it into the registry's flat table in one vectorised
pass (``registry.profiles.flat_from_frames``, as the registry screen) plus the qualification kinds
each firm holds on the assessment day (from the 资质 sheet). ``screen_file`` hands those rows to
``flatfile.screen_batches``: the same batches, engine views, compiled-SQL cache, tiers, next-tier gap
plans (every edition's with ``all_gaps``) and closeness as ``keqi screen FLAT.parquet`` and the
registry screen, and writes the result with Chinese headers. ``flatten_file`` writes the flat rows
as Parquet (``keqi flatten``), which ``keqi screen`` then reads on its fast path.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from keqi.policy import editions as policy_editions
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

from . import flatfile
from .exporting import VERDICT_LABELS, gap_text, score_text
from .flatfile import QUALIFICATIONS, SEP, FileError


@dataclass
class Flattened:
    """The flat rows of a file in the exchange format, one per firm in the order of first appearance."""

    table: pa.Table  # FLAT_SCHEMA
    qualifications: pa.ChunkedArray | None  # kinds held on the day (list of codes); None: no 资质 sheet
    unit_names: dict[str, str]  # the flat rows' district_code → the unit's name


def flatten(path: Path | str, *, assess_on: dt.date) -> tuple[Flattened | None, list[CellError]]:
    """(the flat rows of the file judged on ``assess_on``, errors); None when the file has errors."""
    path = Path(path)
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
    held = None  # uscc → kinds valid on the day
    if raw.qualifications is not None and raw.qualifications.height:
        quals = parse_sheet(raw.qualifications, QUALIFICATION_COLUMNS, QUALIFICATION_SHEET, lookup)
        check_qualifications(quals)
        errors += quals.errors
        if not quals.errors:
            held = quals.data.filter(
                (pl.col("valid_from") <= assess_on)
                & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= assess_on))
            ).group_by("uscc").agg(pl.col("kind").unique().sort().alias(QUALIFICATIONS))
    if errors:
        return None, errors

    data = reports.data
    del raw, reports  # the cells as read: not needed once checked (the largest frames: memory for the rest)
    own = [f for f in ("uscc", "name", "district", "registered_on", "hitech_field", "industry_code") if f in data.columns]
    firms = data.select("_row", *own).sort("_row").group_by("uscc", maintain_order=True).first().with_row_index(
        "enterprise_id")
    firms = firms.with_columns(pl.col("enterprise_id").cast(pl.Int64))
    if held is not None:
        firms = firms.join(held, on="uscc", how="left", maintain_order="left").with_columns(
            pl.col(QUALIFICATIONS).fill_null(pl.lit([], dtype=pl.List(pl.String))))
    codes = {i: u.code for i, u in enumerate(units)}
    names = {i: u.name for i, u in enumerate(units)}
    ents = firms.select(
        "enterprise_id", "uscc", "name",
        pl.col("district").replace_strict(codes, default=None, return_dtype=pl.String).alias("reporting_unit__code"),
        pl.col("district").replace_strict(names, default=None, return_dtype=pl.String).alias("reporting_unit__name"),
        "registered_on",
        *(pl.col(f) if f in firms.columns else pl.lit(None, dtype=pl.String).alias(f)
          for f in ("hitech_field", "industry_code")),
    )
    ids = data.select("uscc").join(firms.select("uscc", "enterprise_id"), on="uscc", how="left",
                                   maintain_order="left")  # the rows' firms, without copying the rows
    report_frame = data.drop("_row").with_columns(ids.get_column("enterprise_id"))
    bools = {c.field for c in REPORT_COLUMNS if c.kind == "bool"}
    report_frame = report_frame.with_columns(  # a column left out of the file is unknown for every firm
        pl.lit(None, dtype=pl.Boolean if f in bools else pl.Int64).alias(f)
        for f in (*FINANCIAL_FIELDS, *LATEST_FIELDS) if f not in report_frame.columns
    )

    def holders(kind: str) -> set[int]:
        if held is None:
            return set()
        return set(firms.filter(pl.col(QUALIFICATIONS).list.contains(kind))["enterprise_id"])

    # the certificate and the titles the rules read, from the qualifications valid on the day (as the registry)
    table = flat_from_frames(ents, report_frame, holders("hnte"), assess_on,
                             titles={kind: holders(kind) for kind in TITLE_KINDS})
    qualifications = firms.get_column(QUALIFICATIONS).to_arrow() if held is not None else None
    unit_names = {(u.code or u.name): u.name for u in units}
    return Flattened(table, pa.chunked_array([qualifications]) if qualifications is not None else None,
                     unit_names), []


def flatten_file(path: Path | str, output: Path | str, *, assess_on: dt.date) -> tuple[int | None, list[CellError]]:
    """Write the flat rows of ``path`` (with the ``qualifications`` column when the file has a 资质 sheet)
    to the Parquet file ``output``, which ``keqi screen`` reads on its fast path; (firms, errors).

    Raises ``FileError`` (nothing written) for an output that is not ``.parquet`` or a source that is
    not a file. Written beside ``output`` and renamed, so an interrupted write leaves no half file."""
    output = Path(output)
    if output.suffix.lower() != ".parquet":
        raise FileError(f"逐行宽表只能写入 .parquet 文件：{output.name}")
    if not Path(path).is_file():
        raise FileError(f"文件不存在：{path}")
    if Path(path).resolve() == output.resolve():
        raise FileError("输出文件不能与输入文件相同")
    flat, errors = flatten(path, assess_on=assess_on)
    if flat is None:
        return None, errors
    table = flat.table
    if flat.qualifications is not None:
        table = table.append_column(QUALIFICATIONS, flat.qualifications)
    partial = output.with_name(f".{output.stem}.part.parquet")
    try:
        pq.write_table(table, partial)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return table.num_rows, []


def screen_file(
    path: Path | str, *, assess_on: dt.date, edition_ids: Sequence[str] | None = None, engine: str = "duckdb",
    all_gaps: bool = False, ladder=None, progress: Callable[[int], None] | None = None,
) -> tuple[pl.DataFrame | None, list[CellError]]:
    """(one row per firm with every edition's result, errors); the frame is None when there are errors.

    The editions are those in force on ``assess_on`` unless named; tiers follow the city's ladder; gap
    plans for the editions of each firm's next tier (every edition's with ``all_gaps``), as the registry
    screen. ``engine="spark"``: verdicts and points by Spark, the rest as with DuckDB.
    """
    from .services import editions_on

    flat, errors = flatten(path, assess_on=assess_on)
    if flat is None:
        return None, errors
    if ladder is None:
        from keqi.pipeline.services import current_ladder

        ladder = current_ladder()
    edition_ids = tuple(edition_ids or editions_on(assess_on))
    labels = _Labels(ladder, edition_ids)
    parts: list[pa.Table] = []

    def keep(batch: pa.Table, judged, out: pa.Table) -> None:
        parts.append(labels.frame(batch, judged, out, flat.unit_names))

    scores = None
    workers = None
    if engine == "spark":
        from keqi.policy import evaluation as policy_evaluation

        def scores(batch: pa.Table):
            return policy_evaluation.evaluate_all(batch, edition_ids, gaps=False, backend="spark")

        workers = 0
    elif engine != "duckdb":
        raise FileError(f"未知的计算引擎：{engine}（可选 duckdb、spark）")
    flatfile.screen_batches(flatfile.table_batches(flat.table, flat.qualifications, assess_on), flat.table.num_rows,
                            emit=keep, assess_on=assess_on, ladder=ladder, edition_ids=edition_ids,
                            all_gaps=all_gaps, workers=workers, progress=progress, scores=scores)
    if not parts:
        parts.append(labels.frame(flat.table.slice(0, 0), None, None, flat.unit_names))
    return pl.from_arrow(pa.concat_tables(parts)), []


class _Labels:
    """The flat screen's output rows as the officers' table: Chinese headers and words, score and gap texts."""

    def __init__(self, ladder, edition_ids: Sequence[str]):
        self.edition_ids = tuple(edition_ids)
        self.tiers = pa.array([t.label for t in ladder.tiers])
        above = [ladder.next_of(t) for t in ladder.tiers]
        self.above = pa.array([a.label if a else "" for a in above])
        self.verdicts = pa.array([VERDICT_LABELS[v] for v in flatfile.VERDICTS.to_pylist()])
        self.titles = {e: policy_editions.get(e).title for e in self.edition_ids}
        self._scores: dict[tuple, str | None] = {}
        self._gaps: dict[str, str | None] = {}

    def _relabel(self, column: pa.ChunkedArray, words: pa.Array) -> pa.Array:
        codes = column.combine_chunks()
        return pa.DictionaryArray.from_arrays(codes.indices, words).cast(pa.string())

    def _score(self, result: pa.Table) -> pa.Array:
        """``score_text`` once per distinct (lowest, highest, pass mark)."""
        lo, hi, mark = (result.column(c).combine_chunks() for c in ("score_min", "score_max", "pass_mark"))
        keys = pc.binary_join_element_wise(*(pc.cast(a, pa.string()) for a in (lo, hi, mark)), "|",
                                           null_handling="replace", null_replacement="")
        encoded = pc.dictionary_encode(keys)
        texts: list[str | None] = []
        for text in encoded.dictionary.to_pylist():
            key = tuple(int(v) if v else None for v in text.split("|"))
            if key not in self._scores:
                self._scores[key] = score_text(*key) or None
            texts.append(self._scores[key])
        return pc.take(pa.array(texts, pa.string()), encoded.indices)

    def _gap(self, gaps: pa.ChunkedArray) -> pa.Array:
        """``gap_text`` once per distinct plan."""
        encoded = pc.dictionary_encode(gaps.combine_chunks())
        texts = []
        for plan in encoded.dictionary.to_pylist():
            if plan not in self._gaps:
                self._gaps[plan] = gap_text(json.loads(plan)) or None
            texts.append(self._gaps[plan])
        return pc.take(pa.array(texts, pa.string()), encoded.indices)

    def frame(self, flat: pa.Table, judged, out: pa.Table | None, unit_names: dict[str, str]) -> pa.Table:
        if out is None:  # no firm: the columns alone
            columns = {h: pa.nulls(0, pa.string()) for h in ("统一社会信用代码", "企业名称", "所属区县", "当前梯次",
                                                          "目标梯次")}
            for e in self.edition_ids:
                for suffix in ("结论", "得分", "差距"):
                    columns[f"{self.titles[e]}{SEP}{suffix}"] = pa.nulls(0, pa.string())
            columns["目标梯次·结论"] = pa.nulls(0, pa.string())
            columns["差距（越小越接近）"] = pa.nulls(0, pa.int64())
            return pa.table(columns)
        codes = list(unit_names)
        district = flat.column("district_code").combine_chunks()
        unit = pc.take(pa.array([unit_names[c] for c in codes], pa.string()), pc.index_in(district, pa.array(codes)))
        columns = {
            "统一社会信用代码": out.column("uscc"),
            "企业名称": flat.column("name"),
            "所属区县": unit,
            "当前梯次": self._relabel(out.column("current_tier"), self.tiers),
            "目标梯次": self._relabel(out.column("next_tier"), self.above),  # NULL on the top tier
        }
        for e in self.edition_ids:
            title = self.titles[e]
            columns[f"{title}{SEP}结论"] = self._relabel(judged[e].column("verdict"), self.verdicts)
            columns[f"{title}{SEP}得分"] = self._score(judged[e])
            columns[f"{title}{SEP}差距"] = self._gap(judged[e].column("gaps"))
        columns["目标梯次·结论"] = self._relabel(out.column("next_verdict"), self.verdicts)
        close = out.column("closeness").combine_chunks()
        columns["差距（越小越接近）"] = pc.cast(pc.round(close, round_mode="half_to_even"), pa.int64())
        return pa.table(columns)


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
