"""Screening a Parquet file of flat rows (``keqi screen FIRMS.parquet -o OUT.parquet``), streamed.

A file whose columns are the flat table's (``keqi.policy.flat``; e.g. a national population exported
by another system, or ``benchmarks/screen_engine.py``'s) needs no import checks: it is streamed
through the engine batch by batch (``engine.evaluate_parquet``'s reader), every batch judged against
every edition with its gap plans (``judging.judge_chunk``, in worker processes when there are
several batches), and the results written batch by batch to a Parquet file: memory stays at a few
batches whatever the number of firms.

Output columns: ``uscc``, then per edition ``e``: ``e·verdict``, ``e·score_min``, ``e·score_max``,
``e·closeness`` (0 eligible, 1 uncertain, else the plan's cost; NULL: no plan) and ``e·gaps`` (the
gap entries as JSON).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from keqi.policy import editions as policy_editions
from keqi.policy import engine as policy_engine
from keqi.policy.flat import FLAT_SCHEMA

from . import judging

BATCH_ROWS = 32_768  # rows per batch: with gap plans of 13 editions a 65,536-row batch peaks at ≈3.5 GB
SEP = "·"


def is_flat(path: Path | str) -> bool:
    """A Parquet file in the flat layout: it has the flat table's key columns."""
    if Path(path).suffix.lower() != ".parquet":
        return False
    try:
        names = set(pq.read_schema(path).names)
    except (OSError, pa.ArrowInvalid):
        return False
    return {"uscc", "registered_on", "assess_on"} <= names


@dataclass
class Summary:
    firms: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # edition → verdict → firms


def _batches(path: Path, batch_rows: int):
    names = pq.read_schema(path).names
    present = ", ".join(f'"{name}"' for name in FLAT_SCHEMA.names if name in names)
    reader = duckdb.connect(":memory:")
    try:
        quoted = str(path).replace("'", "''")
        stream = reader.sql(f"SELECT {present} FROM read_parquet('{quoted}')").to_arrow_reader(batch_rows)
        for batch in stream:
            if batch.num_rows:
                yield policy_engine._conform(pa.Table.from_batches([batch]))
    finally:
        reader.close()


def _output(flat: pa.Table, judged: dict[str, pa.Table], edition_ids: Sequence[str]) -> pa.Table:
    columns: dict[str, pa.ChunkedArray | pa.Array] = {"uscc": flat.column("uscc")}
    for e in edition_ids:
        r = judged[e]
        for name in ("verdict", "score_min", "score_max", "closeness", "gaps"):
            columns[f"{e}{SEP}{name}"] = r.column(name)
    return pa.table(columns)


def screen_flat_parquet(
    path: Path | str,
    output: Path | str | None,
    *,
    edition_ids: Sequence[str] | None = None,
    workers: int | None = None,
    batch_rows: int = BATCH_ROWS,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Judge every firm of the flat Parquet file ``path`` against every edition, with gap plans."""
    from . import sqlcache

    path = Path(path)
    edition_ids = tuple(edition_ids or policy_editions.EDITION_IDS)
    total = pq.ParquetFile(path).metadata.num_rows
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if total > batch_rows else 0  # two batches or more
    sqlcache.load()
    if workers:
        policy_engine.compile_all(edition_ids)
        sqlcache.save()
    judges = judging.Judges(workers, edition_ids, None, all_gaps=True)
    summary = Summary(counts={e: {} for e in edition_ids})
    writer: pq.ParquetWriter | None = None
    pending: deque = deque()
    # written beside the target and renamed at the end: an interrupted screen leaves no half file
    partial = Path(f"{output}.part") if output is not None else None

    def write_next() -> None:
        nonlocal writer
        flat, future = pending.popleft()
        judged = future.result()
        out = _output(flat, judged, edition_ids)
        if partial is not None:
            if writer is None:
                writer = pq.ParquetWriter(partial, out.schema)
            writer.write_table(out)
        for e in edition_ids:
            for item in pc.value_counts(judged[e].column("verdict")).to_pylist():
                counts = summary.counts[e]
                counts[item["values"]] = counts.get(item["values"], 0) + item["counts"]
        summary.firms += flat.num_rows
        if progress is not None:
            progress(summary.firms)

    try:
        for flat in _batches(path, batch_rows):
            pending.append((flat, judges.submit(flat, {})))
            while pending and (len(pending) > workers or pending[0][1].done()):
                write_next()
        while pending:
            write_next()
    except BaseException:
        if writer is not None:
            writer.close()
            writer = None
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise
    finally:
        judges.close(cancel=True)
        if writer is not None:
            writer.close()
    if partial is not None and partial.exists():
        os.replace(partial, output)
    if not workers:
        sqlcache.save()
    return summary
