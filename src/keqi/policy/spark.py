"""The same rules on PySpark: ``evaluation.evaluate_all(..., backend="spark")``.

The editions' Ibis expressions (``engine.expression``) are run by Ibis' PySpark backend, so the verdict
columns come from Spark (``verdict_tables``). A row number travels with every firm and the result is put
back in input order. Gap plans are computed on the driver (``keqi.policy.evaluation``), for the firms
that are not eligible only (their flat rows and verdict columns are all the search reads).

The master is ``master`` if given, else ``KEQI_SPARK_MASTER``, else ``local[*]``. PySpark is an
optional dependency (the ``dev`` extra pins it); nothing here is imported unless asked for.

For a national screen (tens of millions of firms) use ``verdict_frame``: the verdict columns as a lazy
Spark DataFrame over a flat Parquet dataset, written back by the cluster; or ``scores_frame``: every
edition's verdict and points range added to the flat rows in one chain of projections (no join, no
shuffle), which ``keqi.screening.sparkfile`` (``keqi screen FIRMS.parquet --engine spark``) builds
on; see docs/spark.md.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from keqi.policy.flat import FLAT_SCHEMA

__all__ = ["flat_frame", "scores_frame", "session", "verdict_frame", "verdict_table", "verdict_tables"]

ROW = "_row"
_VIEW = "keqi_flat"
_lock = threading.Lock()


def session(master: str | None = None):
    """The Spark session (created once per process; later calls return it)."""
    from pyspark.sql import SparkSession

    url = master or os.environ.get("KEQI_SPARK_MASTER") or "local[*]"
    if url.startswith("local"):
        # Python on the executors (mapInArrow): this interpreter, which has keqi; a cluster's workers
        # name theirs in spark.pyspark.python (docs/spark.md)
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(url)
        .appName("keqi-screen")
        # dates and the assessment day are calendar dates: no time-zone shift
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")  # keqi prints its own progress and counts
        # the rules guard every division with a CASE; Spark may still evaluate a hoisted common
        # sub-expression, which under ANSI mode raises DIVIDE_BY_ZERO where DuckDB gives NULL
        .config("spark.sql.ansi.enabled", "false")
    )
    return builder.getOrCreate()


def _backend(spark):
    import ibis

    return ibis.pyspark.connect(spark)


def verdict_frame(
    flat, edition_id: str, settings: Mapping[str, Any] | None = None, *, spark=None, master: str | None = None
):
    """The verdict columns of ``edition_id`` as a lazy Spark DataFrame.

    ``flat`` is a Spark DataFrame with the flat columns (a ``_row`` column, if present, is carried
    through) or the path of a Parquet dataset of flat rows (``hdfs://…``, ``s3a://…``, a local folder).
    """
    from keqi.policy.engine import expression

    spark = spark or session(master)
    spark.conf.set("spark.sql.ansi.enabled", "false")  # see session(): NULL, not an error, for x / 0
    frame = spark.read.parquet(flat) if isinstance(flat, str) else flat
    missing = [f for f in FLAT_SCHEMA if f.name not in frame.columns]
    if missing:
        from pyspark.sql import functions as F

        frame = frame.withColumns({f.name: F.lit(None).cast(_spark_type(f.type)) for f in missing})
    con = _backend(spark)
    with _lock:
        name = f"{_VIEW}_{id(frame)}"
        frame.createOrReplaceTempView(name)
        expr = expression(con.table(name), edition_id, settings)
    return con._session.sql(str(con.compile(expr)))


def flat_frame(frame, *, keep: Sequence[str] = ()):
    """``frame`` (a Spark DataFrame) as the flat table: every flat column in ``FLAT_SCHEMA``'s order and
    type (a missing one is NULL), then the columns of ``keep`` that ``frame`` has, as they are.

    The Spark side of ``engine.conform``: a file written by another tool (``int32`` counts, ``float``
    amounts) is judged like the same rows in the flat types."""
    from pyspark.sql import functions as F

    present = set(frame.columns)
    columns = [
        (F.col(f"`{f.name}`") if f.name in present else F.lit(None)).cast(_spark_type(f.type)).alias(f.name)
        for f in FLAT_SCHEMA
    ]
    columns += [F.col(f"`{name}`") for name in keep if name in present and name not in FLAT_SCHEMA.names]
    return frame.select(*columns)


def scores_frame(frame, edition_ids: Sequence[str], *, spark, sep: str = "·"):
    """``frame`` (flat columns, see ``flat_frame``, and any others) with, per edition ``e``, the columns
    ``e{sep}verdict``, ``e{sep}score_min`` and ``e{sep}score_max``, computed by Spark from the editions'
    Ibis expressions (the formulas of ``engine.expression``; default settings).

    One projection per edition over the previous one (each keeps the columns before it and drops the
    edition's intermediate columns), so Spark judges every row where it is read: no join, no shuffle,
    and the input partitions are the output's. Compiling 13 editions into one statement takes seconds
    (a fixed cost per screen, not per row).
    """
    from keqi.policy import editions, engine

    spark.conf.set("spark.sql.ansi.enabled", "false")  # see session(): NULL, not an error, for x / 0
    con = _backend(spark)
    with _lock:
        name = f"{_VIEW}_{id(frame)}"
        frame.createOrReplaceTempView(name)
        table = con.table(name)
        current = table
        for e in edition_ids:
            edition = editions.get(e)
            built = edition.build(current, edition.resolve_settings(None))
            out = {c: built[c] for c in current.columns}
            out.update({f"{e}{sep}{column}": value for column, value in engine.scores(built).items()})
            current = built.select(**out)
        sql = str(con.compile(current))
    return con._session.sql(sql)


def _spark_type(t: pa.DataType) -> str:
    if pa.types.is_string(t):
        return "string"
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_date32(t):
        return "date"
    if pa.types.is_floating(t):
        return "double"
    return "bigint"


def verdict_table(
    flat: pa.Table, edition_id: str, settings: Mapping[str, Any] | None = None, *, spark=None, master=None
) -> pa.Table:
    """The verdict columns of ``edition_id`` for the flat Arrow ``flat``, computed by Spark, input order."""
    spark = spark or session(master)
    frame = _frame(spark, flat)
    return _collect(verdict_frame(frame, edition_id, settings, spark=spark), flat.num_rows)


def _frame(spark, flat: pa.Table):
    with_row = flat.append_column(ROW, pa.array(np.arange(flat.num_rows, dtype=np.int64)))
    return spark.createDataFrame(with_row)


def _collect(frame, n: int) -> pa.Table:
    table = frame.toArrow()
    order = pc.sort_indices(table.column(ROW))
    table = table.take(order).drop_columns([ROW])
    if table.num_rows != n:
        raise RuntimeError(f"Spark returned {table.num_rows} rows for {n} firms")
    return table


def _like(table: pa.Table, reference: pa.Schema) -> pa.Table:
    """Spark's result with the DuckDB engine's column types (Spark types some literals differently)."""
    return pa.Table.from_arrays(
        [table.column(f.name).cast(f.type) for f in reference], schema=pa.schema(list(reference))
    )


def verdict_tables(
    flat: pa.Table,
    edition_ids: Sequence[str],
    settings: Mapping[str, Mapping[str, Any] | None] | None = None,
    *,
    master: str | None = None,
    spark=None,
) -> dict[str, pa.Table]:
    """The verdict columns of every edition for the flat Arrow ``flat`` (conformed), computed by Spark, in
    input order and the DuckDB engine's column types: one DataFrame of the flat table, every edition's
    rules on it. (``evaluation.evaluate_all(..., backend="spark")`` adds the gap plans.)"""
    from keqi.policy.engine import run_rules

    spark = spark or session(master)
    frame = _frame(spark, flat).cache()
    out: dict[str, pa.Table] = {}
    try:
        for e in edition_ids:
            s = (settings or {}).get(e)
            result = _collect(verdict_frame(frame, e, s, spark=spark), flat.num_rows)
            # the engine's output types (e.g. DuckDB's float64 where Spark keeps a decimal literal)
            out[e] = _like(result, run_rules(flat.slice(0, 0), e, s).schema)
    finally:
        frame.unpersist()
    return out
