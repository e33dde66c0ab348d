"""Whole evaluations: the engine's verdicts with gap plans, every edition, batch by batch, on DuckDB or
Spark, and verdict dicts (the evaluation contract of ``shared/reference/firm-profile.md``).

This module only dispatches: the rules are compiled and run by ``keqi.policy.engine``, the plans are
found by ``keqi.policy.gapsearch`` (a whole batch at once) or ``keqi.policy.gaps`` (the reference
search, quicker for a few firms), Spark runs the rules in ``keqi.policy.spark``.

- ``evaluate_table(table, edition_id, settings, gaps=False)``: the engine's full view of every row of
  the flat Arrow ``table`` (``engine.run_rules``); with ``gaps=True`` also ``gap__<lever>`` (the planned
  change of each lever, NULL when none), ``gap__reaches`` and ``gaps_json`` (the gap entries, as JSON).
- ``evaluate_all``, ``evaluate_batches``, ``evaluate_parquet``: every edition at once, in batches.
- ``gap_columns(flat, result, edition_id, settings)``: the plan columns for an engine result.
- ``verdicts(result, edition_id, settings)``: verdict dicts from an ``evaluate_table`` result.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from keqi.policy import editions
from keqi.policy.editions._base import Edition
from keqi.policy.engine import VIEWS, analyse, compile_all, conform, edition_settings, run_rules, settings_key
from keqi.policy.flat import FLAT_SCHEMA
from keqi.policy.gaps import gap_columns_reference
from keqi.policy.gapsearch import batch_gap_columns, probe_views

__all__ = [
    "evaluate_all",
    "evaluate_batches",
    "evaluate_parquet",
    "evaluate_table",
    "gap_columns",
    "prepare_search",
    "verdicts",
]

# rows: up to this, the reference search is quicker than the batch search (one query instead of several
# rounds: hnte-2016 for one firm ≈10 ms against ≈20 ms of CPU, srdi-2022 8 against 23; about even at 8–32
# firms), so a firm's page takes it; both give the same plans (tested)
REFERENCE_ROWS = 32


def gap_columns(
    flat: pa.Table, result: pa.Table, edition_id: str, settings: Mapping[str, Any] | None = None
) -> pa.Table:
    """``result`` (the engine's full, criteria or search view of the rows of ``flat``) with
    ``gap__<lever>`` (planned change, NULL if none), ``gap__reaches`` and ``gaps_json``."""
    if result.num_rows <= REFERENCE_ROWS:
        return gap_columns_reference(flat, result, edition_id, settings)
    return batch_gap_columns(flat, result, edition_id, settings)


def prepare_search(
    edition_ids: Sequence[str], settings: Mapping[str, Mapping[str, Any] | None] | None = None
) -> None:
    """Compile (and analyse) now what the gap search of these editions runs, so that worker threads or
    processes handed the SQL (``engine.compiled_sql``, ``engine.analyses``) compile and parse nothing."""
    for e in edition_ids:
        overrides = edition_settings(settings, e)
        compile_all([e], {e: overrides}, views=(*VIEWS, "search", *probe_views(e, overrides)))
        analyse(e, settings_key(overrides))


def evaluate_table(
    table: pa.Table, edition_id: str, settings: Mapping[str, Any] | None = None, *, gaps: bool = False
) -> pa.Table:
    """Evaluate every row of the flat Arrow ``table`` against ``edition_id``; same row order."""
    result = run_rules(table, edition_id, settings)
    if gaps:
        result = gap_columns(conform(table), result, edition_id, settings)
    return result


def evaluate_all(
    table: pa.Table,
    edition_ids: Sequence[str] | None = None,
    settings: Mapping[str, Mapping[str, Any] | None] | None = None,
    *,
    gaps: bool = True,
    backend: str = "duckdb",
    spark_master: str | None = None,
) -> dict[str, pa.Table]:
    """Every row of the flat ``table`` against every edition of ``edition_ids`` (default: all).

    ``settings`` maps an edition id to its overrides. Returns ``{edition_id: evaluate_table result}``,
    each in the input row order; the flat table is conformed once and shared by every edition.
    ``backend="spark"`` runs the same rule expressions on PySpark (``keqi.policy.spark``; master URL from
    ``spark_master``, else ``KEQI_SPARK_MASTER``, else ``local[*]``); gap plans are then computed here
    from the Spark verdicts, for the firms that are not eligible only.
    """
    ids = tuple(edition_ids or editions.EDITION_IDS)
    for e in ids:
        editions.get(e).resolve_settings(edition_settings(settings, e))  # fail before any work
    flat = conform(table)
    if backend == "spark":
        from keqi.policy import spark

        judged = spark.verdict_tables(flat, ids, settings, master=spark_master)
        if gaps:
            judged = {e: _gaps_for_open(flat, judged[e], e, edition_settings(settings, e)) for e in ids}
        return judged
    if backend != "duckdb":
        raise ValueError(f"unknown backend {backend!r}; known: duckdb, spark")
    return {e: evaluate_table(flat, e, edition_settings(settings, e), gaps=gaps) for e in ids}


def _gaps_for_open(flat: pa.Table, result: pa.Table, edition_id: str, settings) -> pa.Table:
    """Gap columns computed for the rows that are not eligible only, then spread back over all rows."""
    verdict = pc.not_equal(result.column("verdict"), "eligible").to_numpy(zero_copy_only=False)
    open_rows = np.nonzero(verdict)[0]
    sub = gap_columns(flat.take(pa.array(open_rows)), result.take(pa.array(open_rows)), edition_id, settings)
    added = sub.column_names[result.num_columns :]
    # an eligible firm has no gap entries, no planned change and reaches nothing
    empty = gap_columns(flat.slice(0, 0), result.slice(0, 0), edition_id, settings)
    position = np.full(result.num_rows, -1, dtype=np.int64)
    position[open_rows] = np.arange(len(open_rows))
    take = pa.array(position, mask=position < 0)
    for name in added:
        col = sub.column(name).take(take)
        if name == "gaps_json":
            col = pc.fill_null(col, "[]")
        result = result.append_column(empty.schema.field(name), col)
    return result


def evaluate_batches(
    batches: Iterable[pa.Table | pa.RecordBatch],
    edition_ids: Sequence[str] | None = None,
    settings: Mapping[str, Mapping[str, Any] | None] | None = None,
    *,
    gaps: bool = True,
    backend: str = "duckdb",
    spark_master: str | None = None,
) -> Iterator[tuple[pa.Table, dict[str, pa.Table]]]:
    """``evaluate_all`` batch by batch: yields ``(flat batch, {edition_id: result})``.

    Memory stays at one batch's flat table and results, whatever the number of firms; a firm's row
    does not depend on the rest of its batch, so the concatenated results equal one big call.
    """
    for batch in batches:
        table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
        if table.num_rows == 0:
            continue
        yield (
            table,
            evaluate_all(table, edition_ids, settings, gaps=gaps, backend=backend, spark_master=spark_master),
        )


def evaluate_parquet(
    path: str | os.PathLike[str],
    edition_ids: Sequence[str] | None = None,
    settings: Mapping[str, Mapping[str, Any] | None] | None = None,
    *,
    gaps: bool = True,
    batch_rows: int = 65_536,
) -> Iterator[tuple[pa.Table, dict[str, pa.Table]]]:
    """``evaluate_batches`` over a Parquet file of flat rows, read ``batch_rows`` rows at a time.

    Only the flat columns are read (others in the file are ignored; missing ones are NULL). The file is
    streamed by DuckDB, so memory stays at a batch even when the file is one huge row group.
    """
    import pyarrow.parquet as pq

    names = pq.read_schema(path).names
    present = ", ".join(f'"{name}"' for name in FLAT_SCHEMA.names if name in names)
    reader = duckdb.connect(":memory:")
    try:
        quoted = str(os.fspath(path)).replace("'", "''")
        stream = reader.sql(f"SELECT {present} FROM read_parquet('{quoted}')").to_arrow_reader(batch_rows)
        yield from evaluate_batches(stream, edition_ids, settings, gaps=gaps)
    finally:
        reader.close()


def _round(value: Any) -> Any:
    return round(value, 6) if isinstance(value, float) else value


def _criterion_dict(edition: Edition, row: Mapping[str, Any], cid: str) -> dict[str, Any]:
    c = edition.criterion(cid)
    lo, hi = row[f"{cid}__min"], row[f"{cid}__max"]
    return {
        "id": cid,
        "label": c.label,
        "passed": row[f"{cid}__passed"],
        "value": _round(row[f"{cid}__value"]),
        "threshold": _round(row[f"{cid}__threshold"]),
        "points": {"min": lo, "max": hi} if lo is not None else None,
        "source": c.source.cite(),
        "status": c.source.status,
        **({"part_of": c.part_of} if c.part_of else {}),
    }


def verdicts(
    result: pa.Table, edition_id: str, settings: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Verdict dicts (the evaluation contract) from an ``evaluate_table`` result, same order."""
    edition = editions.get(edition_id)
    resolved = edition.resolve_settings(settings)
    non_default = {k: v for k, v in resolved.items() if v != edition.resolve_settings()[k]}
    out = []
    for row in result.to_pylist():
        score = None
        if row["score_min"] is not None:
            score = {"min": row["score_min"], "max": row["score_max"], "pass_mark": row["pass_mark"]}
        verdict: dict[str, Any] = {
            "uscc": row["uscc"],
            "edition": edition.id,
            "edition_version": edition.version,
            "verdict": row["verdict"],
            "route": row["route"],
            "score": score,
            "criteria": [_criterion_dict(edition, row, c.id) for c in edition.criteria],
            "gaps": json.loads(row["gaps_json"]) if row.get("gaps_json") else [],
        }
        for extra in edition.extras:
            verdict[extra] = _round(row.get(extra))
        if non_default:
            verdict["settings"] = non_default
        out.append(verdict)
    return out
