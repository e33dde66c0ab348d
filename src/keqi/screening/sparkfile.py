"""The flat Parquet screen on Spark: ``keqi screen FIRMS.parquet --engine spark``.

The same screen as ``flatfile.screen_flat_parquet`` (the same columns and values, tested row by
row), for a population that does not fit one machine:

1. Spark reads the flat rows (``spark.read.parquet``: a file, a folder of files, ``hdfs://…``,
   ``s3a://…``), casts them to the flat types (``policy.spark.flat_frame``) and judges every row on
   the assessment day against every edition in force, from the editions' Ibis expressions
   (``policy.spark.scores_frame``: verdict and points range, one projection per edition, no shuffle).
2. The rest runs on the executors, batch by batch (``mapInArrow``): each firm's tier from the
   qualifications it holds, the gap plans of its next tier's editions (all with ``all_gaps``) and the
   closeness, by the same code as the DuckDB screen (``flatfile.Tiers``, ``flatfile.judge_batch`` with
   Spark's verdicts, ``flatfile._output``). The gap search is plain Python and DuckDB per batch, so it
   spreads over the cluster's cores like the verdicts; the driver only plans the job.
3. Spark writes the result: a Parquet folder (one file per partition) on the cluster's storage; with a
   local master and an output named ``….parquet``, one Parquet file (the folder's parts joined in
   partition order, then renamed into place: an interrupted screen leaves no half file).

Row order is Spark's (its read splits; a file read as fewer splits than the cluster has cores is
first spread over them), not necessarily the input's; ``uscc`` identifies each row.
The executors need the keqi wheel in the Python they run (``spark.pyspark.python``); they do not start
Django (the ladder, ``keqi.policy.ladder``, and the editions come from the driver; no database access).
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import shutil
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from keqi.policy import engine as policy_engine
from keqi.policy import evaluation as policy_evaluation
from keqi.policy.flat import FLAT_SCHEMA

from . import flatfile
from .flatfile import QUALIFICATIONS, SEP, TIER_FROM

BATCH_ROWS = 32_768  # rows per Arrow batch handed to the executors' gap search
_EDITION_COLUMNS = (("verdict", pa.string()), ("score_min", pa.int64()), ("score_max", pa.int64()),
                    ("closeness", pa.float64()), ("gaps", pa.string()))


def is_url(source: str | os.PathLike[str]) -> bool:
    """``hdfs://…``, ``s3a://…``, ``file:///…``: a location Spark reads, not a local path."""
    return "://" in str(source)


def output_schema(edition_ids: Sequence[str]) -> pa.Schema:
    """The columns of ``flatfile._output`` (tier and edition ids as plain text)."""
    fields = [pa.field(name, pa.string()) for name in
              ("uscc", "tier_from", "current_tier", "next_tier", "next_edition", "next_verdict")]
    fields.append(pa.field("closeness", pa.float64()))
    for e in edition_ids:
        fields += [pa.field(f"{e}{SEP}{name}", kind) for name, kind in _EDITION_COLUMNS]
    return pa.schema(fields)


def _judge_partitions(state_blob: bytes, compiled: dict, analysed: dict, edition_ids: tuple[str, ...],
                      all_gaps: bool, has_qualifications: bool, schema: pa.Schema):
    """The function ``mapInArrow`` runs on the executors over the flat rows with Spark's verdicts."""

    def judge(batches):
        policy_engine.seed_compiled(compiled)  # the driver's compiled SQL: no compiling per executor
        policy_engine.seed_analyses(analysed)  # nor parsing it for the gap search
        state = pickle.loads(state_blob)
        names = {e: [f"{e}{SEP}{c}" for c in ("verdict", "score_min", "score_max")] for e in edition_ids}
        for batch in batches:
            if not batch.num_rows:
                continue
            table = pa.Table.from_batches([batch])
            flat = policy_engine.conform(table.select(FLAT_SCHEMA.names))
            quals = table.column(QUALIFICATIONS) if has_qualifications else None
            tiers, basis = state.of(flat, quals)
            wanted = state.wanted(tiers, edition_ids, all_gaps)
            scored = {e: table.select(names[e]).rename_columns(["verdict", "score_min", "score_max"])
                      for e in edition_ids}
            judged = flatfile.judge_batch(flat, wanted, edition_ids, scored=scored)
            out = flatfile._output(flat, judged, edition_ids, tiers, basis, state)
            yield from out.cast(schema).to_batches()

    return judge


def result_frame(source: str, *, assess_on: dt.date, ladder, edition_ids: Sequence[str], all_gaps: bool,
                 spark, batch_rows: int = BATCH_ROWS):
    """The screen's result as a lazy Spark DataFrame (``output_schema``'s columns)."""
    from pyspark.sql import functions as F

    from keqi.policy import spark as policy_spark

    from . import sqlcache

    edition_ids = tuple(edition_ids)
    state = flatfile.Tiers(ladder, assess_on, edition_ids)
    raw = spark.read.parquet(str(source))
    has_qualifications = QUALIFICATIONS in raw.columns
    if has_qualifications and dict(raw.dtypes)[QUALIFICATIONS] not in ("string", "array<string>"):
        raise flatfile.FileError(f"column {QUALIFICATIONS!r} must hold text or a list of texts, "
                                 f"not {dict(raw.dtypes)[QUALIFICATIONS]}")
    flat = policy_spark.flat_frame(raw, keep=[QUALIFICATIONS])
    cores = spark.sparkContext.defaultParallelism
    if raw.rdd.getNumPartitions() < cores:  # a small file (or one row group) is read as one split
        flat = flat.repartition(cores)
    flat = flat.withColumn("assess_on", F.lit(assess_on).cast("date"))  # every row judged on the day
    scored = policy_spark.scores_frame(flat, edition_ids, spark=spark, sep=SEP)
    # the executors' gap search runs the engine's SQL: compiled once here (and cached on disk)
    sqlcache.load()
    searched = set(edition_ids) if all_gaps else {e for options in state.nexts.values() for e in options}
    policy_evaluation.prepare_search(sorted(searched))
    sqlcache.save()
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(batch_rows))
    schema = output_schema(edition_ids)
    judge = _judge_partitions(pickle.dumps(state), policy_engine.compiled_sql(), policy_engine.analyses(),
                              edition_ids, all_gaps, has_qualifications, schema)
    return scored.mapInArrow(judge, schema=_struct(schema))


def _struct(schema: pa.Schema):
    from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType

    kinds = {pa.string(): StringType(), pa.int64(): LongType(), pa.float64(): DoubleType()}
    return StructType([StructField(f.name, kinds[f.type], True) for f in schema])


def _summary(frame, *, assess_on: dt.date, ladder, edition_ids: Sequence[str]) -> flatfile.Summary:
    """The counts ``screen_flat_parquet`` reports, in one aggregation by Spark."""
    from pyspark.sql import functions as F

    def count(column: str, value: str):
        return F.sum(F.when(F.col(f"`{column}`") == value, 1).otherwise(0))

    verdicts = ("eligible", "uncertain", "ineligible")
    keys = [t.key for t in ladder.tiers]
    aggregates = [F.count(F.lit(1))]
    aggregates += [count(f"{e}{SEP}verdict", v) for e in edition_ids for v in verdicts]
    aggregates += [count("current_tier", k) for k in keys]
    aggregates += [count("tier_from", k) for k in TIER_FROM]
    row = [int(x or 0) for x in frame.agg(*aggregates).first()]
    firms, values = row[0], iter(row[1:])
    summary = flatfile.Summary(firms=firms, assess_on=assess_on, edition_ids=tuple(edition_ids))
    for e in edition_ids:
        summary.counts[e] = {v: n for v in verdicts if (n := next(values))}
    summary.tiers = {k: n for k in keys if (n := next(values))}
    summary.tier_from = {k: n for k in TIER_FROM if (n := next(values))}
    return summary


def _join_parts(folder: Path, target: Path, edition_ids: Sequence[str]) -> None:
    """Spark's part files of ``folder``, in partition order, as one Parquet file ``target``."""
    parts = sorted(folder.glob("part-*.parquet"))
    writer: pq.ParquetWriter | None = None
    try:
        for part in parts:
            file = pq.ParquetFile(part)
            for i in range(file.num_row_groups):
                table = file.read_row_group(i)
                table = table.replace_schema_metadata(None)
                if writer is None:
                    writer = pq.ParquetWriter(target, table.schema)
                writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    if writer is None:  # no rows: an empty result with the same columns
        pq.write_table(output_schema(edition_ids).empty_table(), target)


def screen_flat_spark(
    source: str | os.PathLike[str],
    output: str | os.PathLike[str] | None,
    *,
    assess_on: dt.date,
    ladder=None,
    edition_ids: Sequence[str] | None = None,
    all_gaps: bool = False,
    spark=None,
    master: str | None = None,
    batch_rows: int = BATCH_ROWS,
) -> flatfile.Summary:
    """``flatfile.screen_flat_parquet`` on Spark (see the module's docstring).

    ``source``: what ``spark.read.parquet`` reads; ``output``: ``None`` (counts only), a Parquet
    folder or URL, or with a local master a ``….parquet`` file. ``master``: the Spark master URL
    (default ``KEQI_SPARK_MASTER``, else ``local[*]``).
    """
    from keqi.policy import spark as policy_spark

    if ladder is None:
        from keqi.pipeline.services import current_ladder

        ladder = current_ladder()
    if edition_ids is None:
        from .services import editions_on

        edition_ids = editions_on(assess_on)
    edition_ids = tuple(edition_ids)
    spark = spark or policy_spark.session(master)
    frame = result_frame(str(source), assess_on=assess_on, ladder=ladder, edition_ids=edition_ids,
                         all_gaps=all_gaps, spark=spark, batch_rows=batch_rows)
    counted = dict(assess_on=assess_on, ladder=ladder, edition_ids=edition_ids)
    if output is None:
        return _summary(frame, **counted)
    local = spark.sparkContext.master.startswith("local")
    if not (local and not is_url(output) and str(output).lower().endswith(".parquet")):
        frame.write.mode("overwrite").parquet(str(output))  # Spark's committer: complete or nothing
        return _summary(spark.read.parquet(str(output)), **counted)
    target = Path(output)
    folder, partial = Path(f"{target}.spark"), Path(f"{target}.part")
    try:
        frame.write.mode("overwrite").parquet(str(folder))
        summary = _summary(spark.read.parquet(str(folder)), **counted)
        _join_parts(folder, partial, edition_ids)
        os.replace(partial, target)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        partial.unlink(missing_ok=True)
    return summary
