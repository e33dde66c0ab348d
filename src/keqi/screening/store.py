"""Bulk reads and writes of a screening: the firms of a chunk in, the results of a chunk out.

Reading: a chunk is a range of enterprise keys of the run's (already scoped) queryset. Its firms,
their reports and their qualifications are read with three plain SQL queries (the chunk as a
sub-query, no list of keys sent), straight into polars, and turned into the flat table by
``registry.profiles.flat_from_frames``, the function that also builds a firm's page, so the batch and
the single firm see the same table (tested against ``flat_table``).

Writing: the results of a chunk are built column-wise and written as one CSV ``COPY`` per table on
PostgreSQL, or ``executemany`` on SQLite.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa
from django.db import connection, models
from django.db.models import Q, QuerySet

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
    """The firms of one chunk, in key order: keys, units, qualifications held and the flat table."""

    ids: np.ndarray
    units: np.ndarray
    held: list[frozenset[str]]
    flat: pa.Table


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


def read_chunk(*, firms: QuerySet, first: int, last: int, assess_on: dt.date) -> Chunk:
    """The firms of ``firms`` with keys from ``first`` to ``last`` (inclusive), on ``assess_on``."""
    sub = firms.filter(pk__gte=first, pk__lte=last)
    ents = _frame(_rows(sub.order_by("pk").values_list(*ENT_FIELDS)), ENT_FIELDS, ENT_TYPES)
    keys = sub.order_by().values("pk")
    # the same report fields and kinds as ``registry.profiles.flat_table`` (tested equal)
    rep_names = ("enterprise_id", "fiscal_year", *FINANCIAL_FIELDS, *MORE_FINANCIAL_FIELDS, *LATEST_FIELDS,
                 *UPPER_LATEST_FIELDS)
    reports = _frame(
        _rows(AnnualReport.objects.filter(enterprise__in=keys, fiscal_year__lt=assess_on.year)
              .order_by().values_list(*rep_names)),
        rep_names, {f: pl.Boolean for f in BOOL_FIELDS} | {f: pl.String for f in CHOICE_CODES},
    )
    valid = Q(valid_from__lte=assess_on) & (Q(valid_to__isnull=True) | Q(valid_to__gte=assess_on))
    quals = _rows(Qualification.objects.filter(valid, enterprise__in=keys).order_by()
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
        ids=ids, units=ents["reporting_unit_id"].to_numpy(),
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


def result_frame(*, run_id: int, ids: np.ndarray, edition_id: str, result: pa.Table) -> pl.DataFrame:
    """The ``Result`` rows of one edition for a chunk (``result`` from ``judging.judge_chunk``)."""
    frame = pl.from_arrow(result)
    assert isinstance(frame, pl.DataFrame)
    return frame.select(
        pl.lit(run_id, dtype=pl.Int64).alias("run_id"),
        pl.Series("enterprise_id", ids, dtype=pl.Int64),
        pl.lit(edition_id).alias("edition"),
        pl.col("verdict").cast(pl.String),
        pl.col("route").cast(pl.String).fill_null(""),
        *(pl.col(c).cast(pl.Int64) for c in ("score_min", "score_max", "pass_mark")),
        pl.col("closeness").cast(pl.Float64),
        pl.col("gaps").cast(pl.String),
        pl.col("extras").cast(pl.String),
    )
