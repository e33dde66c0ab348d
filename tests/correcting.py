"""Helpers of the correction tests: change one cell of an exported file to another valid value, import it,
and check that the change is stored and that its history says who, when and why (#13.1)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import polars as pl
from django.utils import timezone
from polars.testing import assert_frame_equal

from keqi.contracts.categories import CATEGORIES
from keqi.policy.uscc import make_uscc
from keqi.registry.columns import Column

# a column's field → the model's attribute that stores it (the same name unless listed)
ATTNAME = {"district": "reporting_unit_id", "unit": "reporting_unit_id"}
OTHER_UNIT = {"渝北区": "南岸区"}


def candidates(col: Column, old, others: Sequence, rng: random.Random) -> Iterator[dict]:
    """Other values for one cell, most likely valid first; ``others`` are the column's values on other rows."""
    kind = col.kind
    if kind == "uscc":
        yield from ({col.field: o} for o in dict.fromkeys(others) if o != old)
        yield {col.field: make_uscc(rng, region="500112")}
    elif kind == "text":
        yield {col.field: f"{old or ''}更正"}
    elif kind == "district":
        yield {col.field: OTHER_UNIT.get(old, "渝北区")}
    elif kind == "date":
        for days in (-1, 1, -400):
            yield {col.field: old + dt.timedelta(days=days)}
    elif kind == "choice":
        for choice in col.choices:
            if choice != old:
                if col.field == "category":  # a contract's sub-kind belongs to its category
                    yield {"category": choice, "sub_kind": CATEGORIES[choice][0]}
                else:
                    yield {col.field: choice}
    elif kind == "industry":
        yield {col.field: "C3911" if old != "C3911" else "I6513"}
    elif kind == "year":
        yield {col.field: old - 3}
    elif kind == "count":
        yield {col.field: 1 if old is None else old + 1}
        if old:
            yield {col.field: old - 1}
    elif kind in ("money", "usd"):
        yield {col.field: 10_000 if old is None else old + 1}
        if old:
            yield {col.field: old - 1}
    elif kind == "bool":
        yield {col.field: True if old is None else not old}
    else:  # a new kind of column needs a way to change it here
        raise AssertionError(f"no other value known for a {kind} column ({col.header})")


def changed(frame: pl.DataFrame, where: pl.Expr, values: dict) -> pl.DataFrame:
    return frame.with_columns(
        pl.when(where).then(pl.lit(v, dtype=frame.schema[f])).otherwise(pl.col(f)).alias(f) for f, v in values.items()
    )


def import_first_valid(tmp_path: Path, *, scope, user, frames: dict[str, pl.DataFrame], sheet: str, col: Column,
                       where: pl.Expr, run_import: Callable, write: Callable) -> tuple[dict, str, dict]:
    """Change the cells ``where`` of ``col`` to the first candidate the file's checks accept and import it.

    Returns (the changed frames, the file's name, the values written).
    """
    frame = frames[sheet]
    old = frame.filter(where)[col.field][0]
    others = frame.filter(~where)[col.field].drop_nulls().to_list()
    tried = []
    for values in candidates(col, old, others, random.Random(col.header)):
        new = {**frames, sheet: changed(frame, where, values)}
        path = write(tmp_path / f"更正-{col.field}-{len(tried)}.xlsx", new)
        check = run_import(path=path, scope=scope, user=user, dry_run=True)
        if check.errors:
            tried.append((values, [str(e) for e in check.errors]))
            continue
        result = run_import(path=path, scope=scope, user=user)
        assert result.applied and not result.errors
        return new, path.name, values
    raise AssertionError(f"“{col.header}”: no other value was accepted: {tried}")


def same_rows(expected: pl.DataFrame, stored: pl.DataFrame, key: Sequence[str]) -> None:
    """The stored rows with the keys of ``expected`` are exactly ``expected``."""
    got = stored.join(expected.select(key).unique(), on=list(key), how="semi")
    assert_frame_equal(expected.sort(list(key)), got.select(expected.columns).sort(list(key)), check_dtypes=False)


def history_says_who_when_why(obj, attnames: Sequence[str], *, user, started: dt.datetime, file_name: str,
                              created: bool) -> None:
    rows = list(obj.history.order_by("-history_date", "-history_id")[:2])
    newest = rows[0]
    assert newest.history_type == ("+" if created else "~")
    assert newest.history_user_id == user.pk, "who"
    assert started <= newest.history_date <= timezone.now(), "when"
    assert file_name in (newest.history_change_reason or ""), "why"
    for a in attnames:
        assert getattr(newest, a) == getattr(obj, a), f"the history row holds the new {a}"
        if not created:
            assert getattr(rows[1], a) != getattr(obj, a), f"the previous history row holds the old {a}"
