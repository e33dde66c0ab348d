"""Bulk reads and writes of a screening: the firms of a chunk in, the results of a chunk out.

Reading: a chunk is a range of enterprise keys of the run's (already scoped) queryset. Its firms,
their reports and their qualifications are read with three plain SQL queries (the chunk as a
sub-query, no list of keys sent), straight into polars, and turned into the flat table by
``registry.profiles.flat_from_frames``, the function that also builds a firm's page, so the batch and
the single firm see the same table (tested against ``flat_table``).

Writing: one ``Standing`` row per firm, with every edition's result packed into its ``results``
JSON (``packed_results``, built column-wise as text), written as one CSV ``COPY`` per chunk on
PostgreSQL, or ``executemany`` on SQLite. One row per firm rather than one per firm and edition:
on PostgreSQL each row costs its index entries and foreign-key checks, whatever its width.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa
from django.db import connection, models
from django.db.models import QuerySet

from keqi.policy.flat import FINANCIAL_FIELDS, MORE_FINANCIAL_FIELDS
from keqi.registry.models import AnnualReport, Qualification
from keqi.registry.profiles import (
    BOOL_FIELDS,
    CHOICE_CODES,
    LATEST_FIELDS,
    TITLE_KINDS,
    UPPER_LATEST_FIELDS,
    flat_from_frames,
)

ENT_FIELDS = ("pk", "uscc", "name", "reporting_unit__code", "reporting_unit__name", "registered_on",
              "hitech_field", "industry_code", "reporting_unit_id")
ENT_TYPES = {"pk": pl.Int64, "uscc": pl.String, "name": pl.String, "reporting_unit__code": pl.String,
             "reporting_unit__name": pl.String, "registered_on": pl.Date, "hitech_field": pl.String,
             "industry_code": pl.String, "reporting_unit_id": pl.Int64}


@dataclass
class Chunk:
    """The firms of one chunk, in key order: keys, units, names, qualifications held and the flat table."""

    ids: np.ndarray
    units: np.ndarray
    names: list[str]
    held: list[frozenset[str]]
    flat: pa.Table | None  # dropped once handed to the judge


def _rows(qs: QuerySet) -> list[tuple]:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _frame(rows: list[tuple], names: Sequence[str], types: dict) -> pl.DataFrame:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    series = []
    for name, values in zip(names, columns, strict=True):
        kind = types.get(name, pl.Int64)
        if kind == pl.Boolean:  # SQLite hands booleans back as 0/1 from a plain cursor
            values = [None if v is None else bool(v) for v in values]
        series.append(pl.Series(name, values, dtype=kind, strict=False))
    return pl.DataFrame(series)


def _read_frame(qs: QuerySet, names: Sequence[str], types: dict, batch: int = 5000) -> pl.DataFrame:
    """The rows of ``qs`` as a polars frame, converted ``batch`` rows at a time (a chunk's report rows
    as Python tuples all at once were the main process's peak memory)."""
    sql, params = qs.query.sql_with_params()
    frames = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(batch):
            frames.append(_frame(rows, names, types))
    return pl.concat(frames) if frames else _frame([], names, types)


def read_chunk(*, firms: QuerySet, first: int, last: int, assess_on: dt.date) -> Chunk:
    """The firms of ``firms`` with keys from ``first`` to ``last`` (inclusive), on ``assess_on``."""
    sub = firms.filter(pk__gte=first, pk__lte=last)
    ents = _read_frame(sub.order_by("pk").values_list(*ENT_FIELDS), ENT_FIELDS, ENT_TYPES)
    keys = sub.order_by().values("pk")
    # the same report fields and kinds as ``registry.profiles.flat_table`` (tested equal)
    rep_names = ("enterprise_id", "fiscal_year", *FINANCIAL_FIELDS, *MORE_FINANCIAL_FIELDS, *LATEST_FIELDS,
                 *UPPER_LATEST_FIELDS)
    reports = _read_frame(
        AnnualReport.objects.filter(enterprise__in=keys, fiscal_year__lt=assess_on.year).order_by().values_list(*rep_names),
        rep_names, {f: pl.Boolean for f in BOOL_FIELDS} | {f: pl.String for f in CHOICE_CODES},
    )
    quals = _rows(Qualification.objects.held_on(assess_on).filter(enterprise__in=keys).order_by()
                  .values_list("enterprise_id", "kind"))
    kinds: dict[int, set[str]] = {}
    for ent, kind in quals:
        kinds.setdefault(ent, set()).add(kind)
    hnte = {ent for ent, held in kinds.items() if "hnte" in held}
    titles = {kind: {ent for ent, held in kinds.items() if kind in held} for kind in TITLE_KINDS}
    ids = ents["pk"].to_numpy()
    flat = flat_from_frames(ents.drop("reporting_unit_id").rename({"pk": "enterprise_id"}), reports, hnte, assess_on,
                            titles=titles)
    return Chunk(
        ids=ids, units=ents["reporting_unit_id"].to_numpy(), names=ents["name"].to_list(),
        held=[frozenset(kinds.get(int(i), ())) for i in ids], flat=flat,
    )


# ------------------------------------------------------------------------------------------ writing


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def write(model: type[models.Model], frame: pl.DataFrame) -> None:
    """Insert the rows of ``frame`` (one column per concrete field, by attname) into ``model``'s table."""
    if frame.height == 0:
        return
    fields = _columns(model)
    frame = frame.select([f.attname for f in fields])
    qn = connection.ops.quote_name
    cols = ", ".join(qn(f.column) for f in fields)
    table = qn(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.BytesIO()
            # strings quoted, NULL as an unquoted empty field: COPY's CSV format tells them apart
            frame.write_csv(buffer, include_header=False, quote_style="non_numeric", null_value="")
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy:
                copy.write(buffer.getvalue())
            return
        sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(fields))})"
        for start in range(0, frame.height, 20_000):
            cursor.executemany(sql, frame.slice(start, 20_000).iter_rows())


RESULT_COLUMNS = ("verdict", "route", "score_min", "score_max", "pass_mark", "closeness", "gaps", "extras")


def _fragment(edition_id: str) -> pl.Expr:
    """``"<edition>":{…}`` of every row: the packed result of ``models.Standing.results`` (keys with a value only)."""
    verdict, route, lo, hi, mark, close, gaps, extras = (pl.col(f"{edition_id}\x1f{c}") for c in RESULT_COLUMNS)

    def num(col: pl.Expr) -> pl.Expr:
        return col.cast(pl.String).fill_null("null")

    scored = lo.is_not_null() | hi.is_not_null() | mark.is_not_null()
    parts = [
        pl.lit(f'{json.dumps(edition_id)}:{{"v":"'), verdict.cast(pl.String), pl.lit('"'),
        pl.when(route.fill_null("") != "").then(pl.lit(',"r":"') + route.cast(pl.String) + pl.lit('"'))
        .otherwise(pl.lit("")),
        pl.when(scored).then(pl.lit(',"s":[') + num(lo) + pl.lit(",") + num(hi) + pl.lit(",") + num(mark) + pl.lit("]"))
        .otherwise(pl.lit("")),
        pl.when(close.is_not_null()).then(pl.lit(',"c":') + close.cast(pl.String)).otherwise(pl.lit("")),
        pl.when(gaps.is_not_null()).then(pl.lit(',"g":') + gaps).otherwise(pl.lit("")),
        pl.when(extras.is_not_null() & (extras != "{}")).then(pl.lit(',"x":') + extras).otherwise(pl.lit("")),
        pl.lit("}"),
    ]
    return pl.concat_str(parts)


def packed_results(judged: dict[str, pa.Table]) -> pl.Series:
    """Per firm, the JSON text of its results under every edition of ``judged`` (edition → the Arrow
    table of ``judging.judge_chunk``, one row per firm), as ``models.Standing.results`` keeps them."""
    frames = []
    for edition_id, result in judged.items():
        frame = pl.from_arrow(result.select(list(RESULT_COLUMNS)))
        assert isinstance(frame, pl.DataFrame)
        frames.append(frame.select(
            pl.col("verdict").cast(pl.String), pl.col("route").cast(pl.String),
            *(pl.col(c).cast(pl.Int64) for c in ("score_min", "score_max", "pass_mark")),
            pl.col("closeness").cast(pl.Float64).fill_nan(None), pl.col("gaps").cast(pl.String), pl.col("extras").cast(pl.String),
        ).rename(lambda c, e=edition_id: f"{e}\x1f{c}"))
    if not frames:
        return pl.Series("results", [], dtype=pl.String)
    wide = pl.concat(frames, how="horizontal")
    fragments = [_fragment(e) for e in judged]
    return wide.select(
        (pl.lit("{") + pl.concat_str(fragments, separator=",") + pl.lit("}")).alias("results")
    ).to_series()
