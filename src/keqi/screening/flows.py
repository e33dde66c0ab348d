"""Screening: judge many firms against every edition on one day, and store the results.

``run_screening`` is the one path (CLI, web task). Firms go through in chunks: each chunk's flat
table is built from the registry, judged by each edition, and its rows are written in bulk. Gap
plans, the costly part, are searched for the edition that decides each firm's next tier (what
the candidate lists show); ``all_gaps=True`` searches them for every edition. The run is marked ``complete`` only at the end; if anything stops it (an error,
Ctrl+C, a killed worker) it is marked ``failed`` and its partial rows are removed, so the last
complete run is still what everyone sees.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter, deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import connections
from django.utils import timezone

from keqi.accounts.scope import Scope
from keqi.pipeline.services import current_ladder
from keqi.policy import editions as policy_editions
from keqi.policy import engine as policy_engine
from keqi.policy import evaluation as policy_evaluation
from keqi.registry import services as registry
from keqi.registry.background import runner_id
from keqi.registry.models import Enterprise

from . import history, judging, sqlcache, store
from .closeness import next_choice
from .models import ScreeningRun, Standing
from .services import editions_on

# 10,000 firms a chunk: with 20,000 the main process and its two workers peaked at 2.2 GB together on
# a 1,000,000-firm screen (1.6 GB with 10,000), for the same CPU time (docs/benchmarks.md)
CHUNK = 10_000
SMALL_SCREEN = 40_000  # up to this many firms, no worker processes (starting them costs ~2 s)
WRITER_THREAD_FIRMS = SMALL_SCREEN  # from this many firms on (with workers), chunks are written in a thread
Progress = Callable[[int, int], None]


def _no_progress(done: int, total: int) -> None:
    return None


def request_screening(*, scope: Scope, user, assess_on: dt.date, unit_id: int | None,
                      edition_ids: Sequence[str] | None = None) -> ScreeningRun:
    """Record a screening to be run by the worker, after checking the scope may screen that unit."""
    unit_id = _unit_for(scope, unit_id)
    edition_ids = edition_ids or editions_on(assess_on)
    return ScreeningRun.objects.create(
        requested_by=user, assess_on=assess_on, reporting_unit_id=unit_id,
        editions={e: policy_editions.get(e).version for e in edition_ids},
    )


def _unit_for(scope: Scope, unit_id: int | None) -> int | None:
    scope.require_read()
    if unit_id is None and not scope.is_city:
        unit_id = scope.unit_id
    if unit_id is None and not scope.is_city:
        raise PermissionDenied("您的角色无权筛选")
    if unit_id is not None and not registry.units_visible(scope=scope).filter(pk=unit_id).exists():
        raise PermissionDenied("您无权筛选该区县")
    return unit_id


def run_screening(
    *,
    scope: Scope,
    assess_on: dt.date,
    unit_id: int | None = None,
    user=None,
    edition_ids: Sequence[str] | None = None,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    chunk: int = CHUNK,
    progress: Progress = _no_progress,
    run: ScreeningRun | None = None,
    engine: str = "duckdb",
    all_gaps: bool = False,
    workers: int | None = None,
) -> ScreeningRun:
    """Screen the active firms of ``unit_id`` (or of the whole scope) and return the finished run.

    ``workers``: processes that judge the chunks (default: none up to SMALL_SCREEN firms, else one per
    core, at most 4, or ``KEQI_SCREEN_WORKERS``).
    """
    unit_id = _unit_for(scope, unit_id)
    # the editions in force on the assessment day (those the queued run recorded, if it is one)
    edition_ids = edition_ids or (list(run.editions) if run is not None and run.editions else editions_on(assess_on))
    settings = dict(settings or {})
    firms = registry.enterprises(
        scope=scope, filters=registry.EnterpriseFilter(unit_id=unit_id, status=Enterprise.Status.ACTIVE)
    )
    ids = list(firms.order_by("pk").values_list("pk", flat=True))
    if run is None:
        run = ScreeningRun.objects.create(
            requested_by=user if user is not None and user.pk else None, assess_on=assess_on,
            reporting_unit_id=unit_id, settings=settings, engine=engine,
            editions={e: policy_editions.get(e).version for e in edition_ids},
        )
    run.firms = len(ids)
    run.status = ScreeningRun.Status.RUNNING
    run.runner = runner_id()  # a run left running by a killed process is marked interrupted later (background)
    run.save(update_fields=["firms", "status", "runner"])
    if workers is None:
        workers = _workers(len(ids), chunk, run.engine)
    try:
        _screen(run, firms, ids, assess_on, edition_ids, settings, run.engine, all_gaps, chunk, workers, progress)
    except BaseException as exc:  # also Ctrl+C: never leave a half-written run looking complete
        Standing.objects.filter(run=run).delete()
        ScreeningRun.objects.filter(pk=run.pk).update(
            status=ScreeningRun.Status.FAILED, finished_at=timezone.now(), message=str(exc)[:500] or type(exc).__name__
        )
        raise
    run.status = ScreeningRun.Status.COMPLETE
    run.progress = 100
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "progress", "finished_at", "counts"])
    history.record_screening(run=run)  # each firm's tier history for the run's year
    return run


def _workers(firms: int, chunk: int, engine: str) -> int:
    """Worker processes for the evaluation: none for small screens (starting them costs ~2 s) or Spark."""
    if engine != "duckdb" or firms <= max(2 * chunk, SMALL_SCREEN):
        return 0
    configured = os.environ.get("KEQI_SCREEN_WORKERS")
    return int(configured) if configured else min(os.cpu_count() or 1, 4)


def _screen(run: ScreeningRun, firms, ids: Sequence[int], assess_on: dt.date, edition_ids: Sequence[str],
            settings: Mapping[str, Mapping[str, Any]], engine: str, all_gaps: bool, chunk: int, workers: int,
            progress: Progress) -> None:
    """Read, judge and write chunk by chunk; with workers, the judging of a chunk overlaps the reading
    of the next and the writing of the previous one."""
    ladder = current_ladder()
    nexts = {t.key: tuple(e for e in ladder.next_editions(t, assess_on) if e in edition_ids) for t in ladder.tiers}
    sqlcache.load()
    if workers:  # compile once here and hand the SQL to the workers: the gap search's views only where searched
        searched = set(edition_ids) if all_gaps else {e for options in nexts.values() for e in options}
        policy_engine.compile_all(edition_ids, settings, views=("full",) if all_gaps else ("stored",))
        policy_engine.compile_all(sorted(searched), settings, views=("stored+search",))
        policy_evaluation.prepare_search(sorted(searched), settings)
        sqlcache.save()
    judges = judging.Judges(workers, edition_ids, settings, all_gaps=all_gaps, backend=engine)
    # A large screen also writes in a thread of its own (its own database connection), so that the
    # database writes one chunk while it reads the next: most of a large screen is the database's work.
    writer = ThreadPoolExecutor(max_workers=1) if workers and len(ids) > WRITER_THREAD_FIRMS else None
    writes: deque = deque()
    pending: deque = deque()
    done = 0
    counts: dict[str, dict[str, int]] = {}

    def write(part: store.Chunk, tiers: Sequence, judged: Mapping[str, Any]) -> None:
        nonlocal done
        _write_chunk(run, part, tiers, judged, ladder, nexts, edition_ids, counts)
        done += len(part.ids)
        ScreeningRun.objects.filter(pk=run.pk).update(progress=100 * done // max(len(ids), 1))
        progress(done, len(ids))

    def write_next() -> None:
        part, tiers, future = pending.popleft()
        if writer is None:
            write(part, tiers, future.result())
            return
        writes.append(writer.submit(write, part, tiers, future.result()))
        while len(writes) > 1:  # one chunk being written, at most one waiting
            writes.popleft().result()

    try:
        for start in range(0, len(ids), chunk):
            part = store.read_chunk(firms=firms, first=ids[start], last=ids[min(start + chunk, len(ids)) - 1],
                                    assess_on=assess_on)
            tiers = [ladder.tier_of(held) for held in part.held]
            wanted = {e: np.array([i for i, t in enumerate(tiers) if e in nexts[t.key]], dtype=np.int64)
                      for e in edition_ids}
            pending.append((part, tiers, judges.submit(part.flat, wanted)))
            part.flat = None  # handed to the judge: not kept while the chunk waits to be written
            while pending and (len(pending) > workers or pending[0][2].done()):
                write_next()
        while pending:
            write_next()
        while writes:
            writes.popleft().result()
    finally:
        judges.close(cancel=True)
        if writer is not None:  # every write has ended (so a failed run's rows can all be removed)
            writer.submit(connections.close_all).result()
            writer.shutdown(wait=True)
    if not workers:
        sqlcache.save()
    run.counts = {e: counts[e] for e in edition_ids if e in counts}


def _write_chunk(run: ScreeningRun, part: store.Chunk, tiers: Sequence, judged: Mapping[str, Any], ladder,
                 nexts: Mapping[str, Sequence[str]], edition_ids: Sequence[str],
                 counts: dict[str, dict[str, int]]) -> None:
    """One ``Standing`` per firm of the chunk (every edition's result packed in it); adds the chunk's
    verdicts to ``counts`` (edition → verdict → firms)."""
    closeness = {e: judged[e].column("closeness").to_numpy(zero_copy_only=False) for e in edition_ids}
    verdict = {e: judged[e].column("verdict").to_pylist() for e in edition_ids}
    chosen = next_choice(tiers, nexts, closeness)
    above = {t.key: ladder.next_of(t) for t in ladder.tiers}
    standings = pl.DataFrame({
        "run_id": pl.Series([run.pk] * len(part.ids), dtype=pl.Int64),
        "enterprise_id": pl.Series(part.ids, dtype=pl.Int64),
        "reporting_unit_id": pl.Series(part.units, dtype=pl.Int64),
        "name": pl.Series(part.names, dtype=pl.String).fill_null(""),
        "current_tier": [t.key for t in tiers],
        "next_tier": [above[t.key].key if above[t.key] else "" for t in tiers],
        "next_edition": chosen,
        "next_verdict": [verdict[e][i] if e else "" for i, e in enumerate(chosen)],
        "closeness": pl.Series([None if not e or np.isnan(closeness[e][i]) else float(closeness[e][i])
                                for i, e in enumerate(chosen)], dtype=pl.Float64),
        "results": store.packed_results({e: judged[e] for e in edition_ids}),
    })
    store.write(Standing, standings)
    for e in edition_ids:
        tally = counts.setdefault(e, {})
        for v, n in Counter(verdict[e]).items():
            tally[v] = tally.get(v, 0) + n
