"""Fast inserts of many new rows together with their audit-history rows.

Django's ``bulk_create`` prepares every value of every row through the field machinery, which is
most of the time of a 100,000-row import (twice over with history). Here the importer's values are
already typed and checked, so rows go to the database as plain tuples: ``COPY`` on PostgreSQL,
``executemany`` on SQLite. The history rows are written the same way, in the layout that
django-simple-history defines for the model (``tracked_fields`` plus ``history_*`` columns), so
the audit trail is identical to what ``bulk_create_with_history`` would have written.

Only for inserting new rows of models whose concrete fields are simple values; updates keep
going through ``bulk_update_with_history``. When the rows were just inserted, :func:`copy_history`
writes their history rows inside the database (``INSERT … SELECT`` by id): the stored values, never
passed through Python again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import connection, models
from django.utils import timezone

CHUNK = 5000
#: django-simple-history's ``history_change_reason`` column (every tracked model's): 100 characters
REASON_LENGTH = 100


def history_reason(text: str | None) -> str | None:
    """A change reason as it fits the history's column: cut with "…" where it is too long; None if empty.

    The one cut for every history row's reason (imports, targets, contracts, revocations …)."""
    text = text or ""
    return (text if len(text) <= REASON_LENGTH else text[:REASON_LENGTH - 1] + "…") or None



def _is_auto(field: models.Field) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def _kind(field: models.Field) -> str:
    if isinstance(field, models.DateTimeField):
        return "datetime"
    if isinstance(field, models.DateField):
        return "date"
    return "value"


def _write(table: str, columns: Sequence[str], kinds: Sequence[str], rows: Iterable[tuple]) -> None:
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY takes Python dates and datetimes as they are.
            with cursor.cursor.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        # SQLite stores dates and datetimes as text: convert only those columns, each distinct value once
        # (an import's timestamps are one value, its dates a few thousand).
        ops = connection.ops
        converters = []
        for i, k in enumerate(kinds):
            if k != "value":
                adapt = ops.adapt_datetimefield_value if k == "datetime" else ops.adapt_datefield_value
                converters.append((i, _memo(adapt)))
        sql = f"INSERT INTO {qn(table)} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})"
        batch: list[list] = []
        for row in rows:
            row = list(row)
            for i, convert in converters:
                if row[i] is not None:
                    row[i] = convert(row[i])
            batch.append(row)
            if len(batch) >= CHUNK:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def _memo(convert):
    seen: dict = {}

    def converted(value):
        try:
            return seen[value]
        except KeyError:
            seen[value] = out = convert(value)
            return out

    return converted


def _getters(fields: Sequence[models.Field], sample: dict, now: dt.datetime) -> list:
    """One (attname, default) pair per column; auto_now columns and absent keys use the default."""
    getters = []
    for f in fields:
        if _is_auto(f):
            getters.append((None, now))
        elif f.attname in sample or f.primary_key:
            getters.append((f.attname, None))
        elif not f.null and not f.has_default() and not f.empty_strings_allowed:
            raise ValueError(f"{f.model.__name__}.{f.attname} has no value")
        else:
            getters.append((None, f.get_default()))
    return getters


def insert(model: type[models.Model], rows: Sequence[dict], *, now: dt.datetime) -> None:
    """Insert ``rows`` (attname → value) into ``model``'s table; auto_now fields get ``now``.

    Every row must carry the same keys (the importer's rows do).
    """
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    getters = _getters(fields, rows[0], now)
    _write(model._meta.db_table, [f.column for f in fields], [_kind(f) for f in fields],
           (tuple(r.get(a) if a else d for a, d in getters) for r in rows))


def insert_frame(model: type[models.Model], frame, *, now: dt.datetime) -> None:
    """Insert the rows of a polars ``frame`` (columns named by attname) into ``model``'s table, written from
    the frame without a Python object per row: on PostgreSQL ``COPY`` of the frame as csv (every text
    quoted, NULL the unquoted empty field), on SQLite ``executemany`` of its rows, dates as SQLite's
    text. Columns the frame lacks take their default; auto_now fields get ``now``. The same stored rows
    as :func:`insert` of the same values.
    """
    import polars as pl

    if frame.is_empty():
        return
    postgres = connection.vendor == "postgresql"
    ops = connection.ops
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    stamp = now.isoformat() if postgres else ops.adapt_datetimefield_value(now)
    exprs = []
    for f in fields:
        if _is_auto(f):
            expr = pl.lit(stamp, dtype=pl.String)
        elif f.attname in frame.columns:
            expr = pl.col(f.attname)
            if not postgres and _kind(f) == "date":
                expr = expr.dt.strftime("%Y-%m-%d")  # ops.adapt_datefield_value: str(date)
            elif not postgres and _kind(f) == "datetime":
                expr = expr.map_elements(_memo(ops.adapt_datetimefield_value), return_dtype=pl.String)
        elif not f.null and not f.has_default() and not f.empty_strings_allowed:
            raise ValueError(f"{model.__name__}.{f.attname} has no value")
        else:
            expr = pl.lit(f.get_default())
        exprs.append(expr.alias(f.column))
    rows = frame.select(exprs)
    qn = ops.quote_name
    cols = ", ".join(qn(f.column) for f in fields)
    with connection.cursor() as cursor:
        if postgres:
            with cursor.cursor.copy(f"COPY {qn(model._meta.db_table)} ({cols}) FROM STDIN (FORMAT csv)") as copy:
                for part in rows.iter_slices(CHUNK * 4):
                    copy.write(part.write_csv(include_header=False, quote_style="non_numeric"))
            return
        sql = f"INSERT INTO {qn(model._meta.db_table)} ({cols}) VALUES ({', '.join(['%s'] * len(fields))})"
        for part in rows.iter_slices(CHUNK):
            cursor.executemany(sql, part.rows())


def inserted_after(model: type[models.Model], last_id: int, columns: Sequence[str]):
    """The rows of ``model`` with an id above ``last_id`` (:func:`last_id` before an insert), as a polars
    frame of ``id`` and ``columns``: one query, no ``IN`` list. Ids only grow (SQLite AUTOINCREMENT,
    PostgreSQL sequences), so the rows an insert just wrote are among them."""
    import polars as pl

    qn = connection.ops.quote_name
    names = ["id", *columns]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(qn(c) for c in names)} FROM {qn(model._meta.db_table)} WHERE id > %s",
                       [last_id])
        rows = cursor.fetchall()
    return pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)


def last_id(model: type[models.Model]) -> int:
    """The highest id of ``model``'s table now (0 when empty)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(model._meta.db_table)}")
        return cursor.fetchone()[0] or 0


def copy_history(
    model: type[models.Model], ids: Sequence[int], *, now: dt.datetime, user_id: int | None, reason: str | None,
    history_type: str = "+",
) -> None:
    """Write one history row per row of ``model`` whose id is in ``ids``, copied inside the database from
    the row as stored (``INSERT … SELECT``): the tracked fields, then the date, reason, type and user."""
    if not ids:
        return
    hist = model.history.model
    model_fields = {f.attname: f for f in model._meta.concrete_fields}
    qn = connection.ops.quote_name
    tracked = ", ".join(qn(model_fields[f.attname].column) for f in hist.tracked_fields)
    head = (f"INSERT INTO {qn(hist._meta.db_table)} ({tracked}, history_date, history_change_reason, history_type, "
            f"history_user_id) SELECT {tracked}, %s, %s, %s, %s FROM {qn(model._meta.db_table)} WHERE id IN ")
    tail = [connection.ops.adapt_datetimefield_value(now), reason, history_type, user_id]
    ordered = sorted(ids)  # history rows in the order the rows were inserted
    with connection.cursor() as cursor:
        if ordered[-1] - ordered[0] + 1 == len(ordered):  # one run of ids (a bulk insert's): no IN list
            cursor.execute(f"{head[:-len(' IN ')]} BETWEEN %s AND %s ORDER BY id", [*tail, ordered[0], ordered[-1]])
            return
        for start in range(0, len(ordered), CHUNK):
            chunk = ordered[start:start + CHUNK]
            cursor.execute(f"{head}({', '.join(['%s'] * len(chunk))}) ORDER BY id", [*tail, *chunk])


def now() -> dt.datetime:
    return timezone.now()
