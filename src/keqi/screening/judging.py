"""Judging one chunk of a screening, column-wise: no database, no Python step per firm.

``judge_chunk`` takes the flat table of a chunk of firms and, per edition, which of them need a gap
plan (the firms whose next tier that edition decides, or all with ``all_gaps``), and returns per
edition an Arrow table with one row per firm: ``verdict``, ``route``, ``score_min``, ``score_max``,
``pass_mark``, ``closeness``, ``gaps`` (JSON text, NULL where no plan was searched) and ``extras``
(JSON text). The closeness is computed from the plan columns of the engine (``gap__<lever>``,
``gap__reaches``), the same number as ``closeness.closeness`` gives for the plan's entries (tested).

The module imports nothing of Django, so ``Judges`` can run chunks in worker processes: the SQL
the engine compiled in this process is handed to them, so they do not compile it again.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from keqi.policy import editions as policy_editions
from keqi.policy import engine as policy_engine
from keqi.policy import evaluation as policy_evaluation
from keqi.policy.evaluation import gap_columns

from .closeness import UNCERTAIN

# plans wanted for this share of a chunk or batch or more: its criterion columns come with the rest of its
# results (one query), and a file screen searches it whole
WHOLE_SEARCH = 0.8
EXTRA_COLUMNS = ("tier", "grade", "grade_low", "grade_high", "credit_line")
RESULT_COLUMNS = ("verdict", "route", "score_min", "score_max", "pass_mark", "closeness", "gaps", "extras")
Settings = Mapping[str, Mapping[str, Any] | None]


def closeness_column(result: pa.Table, costs: Mapping[str, float], levers: Sequence[str]) -> pa.Array:
    """``closeness.closeness`` for every row of an engine result with plan columns (float64, NULL = none).

    0 eligible, 1 uncertain; for the others the plan's cost (plus 1 when it only reaches
    "uncertain"), and NULL when there is no plan or the plan lists an entry nothing can change
    (``"change": null``: an undecided criterion a plan cannot settle).
    """
    n = result.num_rows
    verdict = result.column("verdict")
    eligible = pc.fill_null(pc.equal(verdict, "eligible"), False).to_numpy(zero_copy_only=False)
    uncertain = pc.fill_null(pc.equal(verdict, "uncertain"), False).to_numpy(zero_copy_only=False)
    if "gap__reaches" in result.column_names:
        reaches = result.column("gap__reaches")
        planned = pc.is_valid(reaches).to_numpy(zero_copy_only=False)
        unsure = pc.fill_null(pc.equal(reaches, "uncertain"), False).to_numpy(zero_copy_only=False)
        # A plan that reaches "eligible" lists lever changes only (``keqi.policy.gaps``; tested), so only the
        # plans that reach "uncertain" are read for an entry nothing can change (no scan of every plan's text)
        blocked = np.zeros(n, dtype=bool)
        open_rows = np.nonzero(planned & unsure)[0]
        if open_rows.size:
            texts = result.column("gaps_json").take(pa.array(open_rows))
            blocked[open_rows] = pc.fill_null(
                pc.match_substring(texts, '"change": null'), True
            ).to_numpy(zero_copy_only=False)
        cost = np.zeros(n, dtype=np.float64)
        for lever in levers:
            delta = pc.fill_null(result.column(f"gap__{lever}"), 0).to_numpy(zero_copy_only=False)
            cost += delta.astype(np.int64) * costs.get(lever, 1)
        ranked = planned & ~blocked
        cost = cost + np.where(unsure, UNCERTAIN, 0.0)
    else:
        ranked = np.zeros(n, dtype=bool)
        cost = np.zeros(n, dtype=np.float64)
    value = np.where(eligible, 0.0, np.where(uncertain, UNCERTAIN, cost))
    return pa.array(value, type=pa.float64(), mask=~(eligible | uncertain | ranked))


def spread(values: pa.Array, rows: np.ndarray, n: int) -> pa.Array:
    """``values`` of the rows ``rows`` (in that order) placed at those rows of an ``n``-row column,
    NULL at the others (the plans of the firms searched, back among all the firms of a batch)."""
    position = np.full(n, rows.size, dtype=np.int64)  # the NULL appended after the values
    position[rows] = np.arange(rows.size)
    return pa.concat_arrays([values, pa.nulls(1, values.type)]).take(pa.array(position))


def _extras(result: pa.Table) -> pa.Array:
    names = [c for c in EXTRA_COLUMNS if c in result.column_names]
    if not names:
        return pa.array(["{}"] * result.num_rows, type=pa.string())
    import polars as pl

    frame = pl.from_arrow(result.select(names))
    assert isinstance(frame, pl.DataFrame)
    return frame.select(pl.struct(names).struct.json_encode()).to_series().to_arrow().cast(pa.string())


def judge_chunk(
    flat: pa.Table,
    wanted: Mapping[str, np.ndarray],
    edition_ids: Sequence[str],
    settings: Settings | None = None,
    *,
    all_gaps: bool = False,
    backend: str = "duckdb",
) -> dict[str, pa.Table]:
    """Every firm of ``flat`` against every edition; plans for ``wanted[edition]`` (row numbers).

    Only what is stored is computed for every firm (the engine's ``stored`` view: no criterion values
    or thresholds, which the firm's page computes live); the criterion columns a gap search reads come
    with it where most of the chunk is searched (``stored+search``), else for the searched firms alone."""
    settings = settings or {}
    if all_gaps or backend != "duckdb":
        judged = policy_evaluation.evaluate_all(flat, edition_ids, settings, gaps=all_gaps, backend=backend)
    else:
        for e in edition_ids:
            policy_editions.get(e).resolve_settings(settings.get(e))  # fail before any work
    conformed = policy_engine.conform(flat)
    out = {}
    for edition_id in edition_ids:
        edition = policy_editions.get(edition_id)
        edition_settings = settings.get(edition_id)
        costs = edition.resolve_settings(edition_settings).get("gap_costs", {})
        rows = np.asarray(wanted.get(edition_id, ()), dtype=np.int64)
        if all_gaps or backend != "duckdb":
            result = judged[edition_id]
        else:
            whole = rows.size >= WHOLE_SEARCH * conformed.num_rows
            view = "stored+search" if rows.size and whole else "stored"
            result = policy_engine.run_rules(conformed, edition_id, edition_settings, view=view)
        n = result.num_rows
        if all_gaps:
            closeness = closeness_column(result, costs, list(edition.levers))
            gaps = result.column("gaps_json")
        else:
            # no plan searched: no gaps and no closeness (the firm's page computes them live)
            closeness = pa.nulls(n, pa.float64())
            gaps = pa.nulls(n, pa.string())
            if rows.size:
                at = pa.array(rows)
                if all(f"{c.id}__passed" in result.column_names for c in edition.criteria):
                    searched = result.take(at)
                else:  # the stored view: the criterion columns of the searched firms alone
                    searched = policy_engine.run_rules(conformed.take(at), edition_id, edition_settings, view="search")
                sub = gap_columns(conformed.take(at), searched, edition_id, edition_settings)
                # the rows that were not searched keep NULL gaps and closeness
                closeness = spread(closeness_column(sub, costs, list(edition.levers)), rows, n)
                gaps = spread(sub.column("gaps_json").combine_chunks(), rows, n)
        out[edition_id] = pa.table({
            "verdict": result.column("verdict"),
            "route": result.column("route"),
            "score_min": result.column("score_min"),
            "score_max": result.column("score_max"),
            "pass_mark": result.column("pass_mark"),
            "closeness": closeness,
            "gaps": gaps,
            "extras": _extras(result),
        })
    return out


# ------------------------------------------------------------------------------------------ processes


def _start(compiled: dict, analysed: dict) -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    policy_engine.seed_compiled(compiled)
    policy_engine.seed_analyses(analysed)  # what the gap search reads off the SQL: not parsed again


class Judges:
    """``judge_chunk`` in ``workers`` processes (spawned: safe beside DuckDB's and Django's threads),
    or in this process when ``workers`` is 0. ``submit`` returns a future of the same result."""

    def __init__(self, workers: int, edition_ids: Sequence[str], settings: Settings | None, *,
                 all_gaps: bool, backend: str = "duckdb"):
        self.edition_ids, self.settings, self.all_gaps = tuple(edition_ids), dict(settings or {}), all_gaps
        self.backend = backend
        if backend != "duckdb":
            workers = 0  # Spark parallelises on its own
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None
        if workers > 0:
            self.pool = ProcessPoolExecutor(
                max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start, initargs=(policy_engine.compiled_sql(), policy_engine.analyses()),
            )

    def submit(self, flat: pa.Table, wanted: Mapping[str, np.ndarray]) -> Future:
        args = (flat, dict(wanted), self.edition_ids, self.settings)
        if self.pool is not None:
            return self.pool.submit(judge_chunk, *args, all_gaps=self.all_gaps)
        done: Future = Future()
        done.set_result(judge_chunk(*args, all_gaps=self.all_gaps, backend=self.backend))
        return done

    def close(self, *, cancel: bool = False) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=cancel)
            self.pool = None
