"""Screening a Parquet file of flat rows (``keqi screen FIRMS.parquet -o OUT.parquet``), streamed.

A file whose columns are the flat table's (``keqi.policy.flat``; e.g. a national population exported
by another system, or ``benchmarks/screen_engine.py``'s) needs no import checks: it is streamed
through the engine batch by batch (Arrow reads only the columns the editions read), every batch judged
(in worker threads when there are several batches) and the results written batch by batch to a Parquet
file: memory stays at a few batches whatever the number of firms. It gives what the registry screen gives
(``flows.run_screening``), with the same code:

- the editions in force on the assessment day (``services.editions_on``); every row is judged on
  that day (the file's ``assess_on`` column is replaced by it);
- each firm's current stage on the city's ladder (``pipeline.services.current_ladder``,
  ``Ladder.tier_of``) from the qualifications it holds: the optional column ``qualifications``
  (the kinds held on the day, a list or a text such as ``"hnte, srdi"``; kind codes or their Chinese
  names, ``registry.columns.QUALIFICATION_KINDS``), together with the kinds the flat row's
  certificate fields say it holds (``direct_hnte_certificate_valid`` → hnte, ``sme_title_*``, as the
  registry sets them, ``registry.profiles.TITLE_KINDS``); a firm with neither stands on the first
  stage (储备, market entity). The column ``tier_from`` says which it was for each firm;
- the next stage, its editions in force that day and the closest of them (``closeness.next_choice``),
  its verdict and the closeness (``closeness``: 0 eligible, 1 uncertain, else the plan's cost);
- gap plans for the editions of each firm's next stage, or for every edition with ``all_gaps``
  (the same batch search as everywhere, ``policy.evaluation.gap_columns``).

Output columns: ``uscc``, ``tier_from`` (``qualifications``, ``certificate_fields`` or ``none``),
``current_tier``, ``next_tier``, ``next_edition``, ``next_verdict``, ``closeness``, then per
edition ``e``: ``e·verdict``, ``e·score_min``, ``e·score_max``, ``e·closeness`` (NULL: ineligible and
no plan searched, or no plan) and ``e·gaps`` (the gap entries as JSON; NULL where not searched).
Stage keys and edition ids are those of the ladder and of ``keqi.policy``; the stage, edition and
verdict columns are dictionary-encoded text (any Parquet reader sees text).

Per firm only the verdict (as a small integer) and the points range are computed for every edition (the
engine's ``score`` view); the criterion columns a gap search reads are computed for the firms searched
only (the ``search`` view).
"""

from __future__ import annotations

import datetime as dt
import os
from collections import deque
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from keqi.policy import editions as policy_editions
from keqi.policy import engine as policy_engine
from keqi.policy import evaluation as policy_evaluation
from keqi.policy.flat import FLAT_SCHEMA

from .closeness import next_choice
from .judging import WHOLE_SEARCH, closeness_column, spread

# Rows per batch (only the searched firms get criterion columns and plans). Each edition's statement is
# bound and planned again for every batch, 3–36 ms each (0.12 s for the editions of 2026): with 1,000,000
# firms, 65,536-row batches spent 1.9 s of CPU on that, 131,072-row ones half; larger ones saved no more
# and held more memory.
BATCH_ROWS = 131_072
ALL_GAPS_BATCH_ROWS = 32_768  # with plans for every edition (13 editions' plans of 65,536 rows peaked at 3.7 GB)
SEP = "·"
QUALIFICATIONS = "qualifications"  # optional column: the qualification kinds held on the day
TIER_FROM = ("qualifications", "certificate_fields", "none")
VERDICTS = pa.array(policy_engine.VERDICT_CODES)  # the verdict columns' dictionary (indexed by the engine's code)


class FileError(ValueError):
    """The file cannot be screened (e.g. an unknown qualification kind); nothing was written."""


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
    assess_on: dt.date | None = None
    edition_ids: tuple[str, ...] = ()
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # edition → verdict → firms
    tiers: dict[str, int] = field(default_factory=dict)  # current stage → firms
    tier_from: dict[str, int] = field(default_factory=dict)  # basis of the stage → firms


# ------------------------------------------------------------------------------------------ tiers


def _kind_lookup() -> dict[str, str]:
    """Code or Chinese name of a qualification kind → its code."""
    from keqi.registry.columns import QUALIFICATION_KINDS

    out = {code: code for code in QUALIFICATION_KINDS}
    out.update({label: code for code, label in QUALIFICATION_KINDS.items()})
    return out


def _certificate_kinds() -> dict[str, str]:
    """Flat column → the qualification kind its TRUE means (as the registry fills them)."""
    from keqi.registry.profiles import TITLE_KINDS

    return {"direct_hnte_certificate_valid": "hnte", **{column: kind for kind, column in TITLE_KINDS.items()}}


class Tiers:
    """Each firm's stage on the ladder from the kinds it holds, and the editions of its next stage.

    The kinds held by a row are a bit mask; ``Ladder.tier_of`` is asked once per distinct mask."""

    def __init__(self, ladder, assess_on: dt.date, edition_ids: Sequence[str]):
        from keqi.registry.columns import QUALIFICATION_KINDS

        self.ladder = ladder
        self.kinds = list(QUALIFICATION_KINDS)
        self.bit = {kind: np.int64(1) << i for i, kind in enumerate(self.kinds)}
        self.lookup = _kind_lookup()
        self.certificates = _certificate_kinds()
        self.nexts = {t.key: tuple(e for e in ladder.next_editions(t, assess_on) if e in edition_ids)
                      for t in ladder.tiers}
        self.above = {t.key: ladder.next_of(t) for t in ladder.tiers}
        self._by_mask: dict[int, Any] = {}

    def _held_column(self, column: pa.ChunkedArray | pa.Array, n: int) -> np.ndarray:
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        if pa.types.is_null(column.type):
            return np.zeros(n, dtype=np.int64)
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            column = pc.split_pattern_regex(column.cast(pa.string()), r"[,，、;；\s]+")
        if not (pa.types.is_list(column.type) or pa.types.is_large_list(column.type)):
            raise FileError(f"column {QUALIFICATIONS!r} must hold text or a list of texts, not {column.type}")
        values = pc.utf8_trim_whitespace(pc.list_flatten(column).cast(pa.string()))
        parents = pc.list_parent_indices(column).to_numpy(zero_copy_only=False)
        keep = pc.fill_null(pc.not_equal(values, ""), False).to_numpy(zero_copy_only=False)
        names = values.to_pylist()
        unknown = sorted({name for name, k in zip(names, keep, strict=True) if k and name not in self.lookup})
        if unknown:
            raise FileError(f"unknown qualification kinds in column {QUALIFICATIONS!r}: {', '.join(unknown)} "
                            f"(known: {', '.join(self.kinds)})")
        bits = np.array([self.bit[self.lookup[name]] if k else 0 for name, k in zip(names, keep, strict=True)],
                        dtype=np.int64)
        mask = np.zeros(n, dtype=np.int64)
        np.bitwise_or.at(mask, parents, bits)
        return mask

    def of(self, flat: pa.Table, qualifications: pa.ChunkedArray | None) -> tuple[np.ndarray, np.ndarray]:
        """(the stage of each row as an index into ``ladder.tiers``, the basis of each: an index into
        ``TIER_FROM``)."""
        n = flat.num_rows
        certified = np.zeros(n, dtype=np.int64)
        for column, kind in self.certificates.items():
            held = pc.fill_null(flat.column(column), False).to_numpy(zero_copy_only=False)
            certified |= np.where(held, self.bit[kind], 0)
        basis = np.where(certified != 0, 1, 2)
        mask = certified
        if qualifications is not None:
            mask = mask | self._held_column(qualifications, n)
            basis = np.where(pc.is_valid(qualifications).to_numpy(zero_copy_only=False), 0, basis)
        patterns = np.unique(mask)  # a few distinct masks (no inverse: its stable argsort cost 16 ms a batch)
        index = {t.key: i for i, t in enumerate(self.ladder.tiers)}
        stage = np.empty(patterns.size, dtype=np.int64)
        for j, p in enumerate(patterns):
            p = int(p)
            if p not in self._by_mask:
                self._by_mask[p] = self.ladder.tier_of([k for k in self.kinds if p & int(self.bit[k])])
            stage[j] = index[self._by_mask[p].key]
        return stage[np.searchsorted(patterns, mask)], basis

    def wanted(self, stages: np.ndarray, edition_ids: Sequence[str], all_gaps: bool) -> dict[str, np.ndarray]:
        """Per edition, the rows whose plans are searched: those of the firms whose next stage it decides."""
        if all_gaps:
            return {e: np.arange(stages.size, dtype=np.int64) for e in edition_ids}
        out = {}
        for e in edition_ids:
            deciding = [i for i, t in enumerate(self.ladder.tiers) if e in self.nexts[t.key]]
            out[e] = np.nonzero(np.isin(stages, deciding))[0].astype(np.int64)
        return out


# ------------------------------------------------------------------------------------------ judging


def judge_batch(flat: pa.Table, wanted: Mapping[str, np.ndarray], edition_ids: Sequence[str],
                scored: Mapping[str, pa.Table] | None = None) -> dict[str, pa.Table]:
    """Every row of ``flat`` against every edition: ``verdict`` (dictionary-encoded, ``VERDICTS``),
    ``score_min``, ``score_max``, ``closeness``, ``gaps`` and ``pass_mark`` (not written to the flat
    output: the exchange-format screen's score text shows it); plans (and the criterion columns they
    need) for ``wanted[e]`` only.

    ``scored``: the verdict and points range (``verdict``, ``score_min``, ``score_max``, optionally
    ``pass_mark``) of each edition computed elsewhere (Spark, ``sparkfile``); by default the engine's score view here.
    No database and no Django (the Spark screen runs it on its executors)."""
    from keqi.policy.evaluation import gap_columns

    n = flat.num_rows
    out = {}
    for e in edition_ids:
        edition = policy_editions.get(e)
        rows = np.asarray(wanted.get(e, ()), dtype=np.int64)
        whole = rows.size > 0 and rows.size >= WHOLE_SEARCH * n
        # most of the batch searched: one query gives the verdict, the points and what the search reads
        searched = policy_engine.run_rules(flat, e, view="search") if whole else None
        if scored is not None:
            scored_e = scored[e]
        else:
            scored_e = searched if searched is not None else policy_engine.run_rules(flat, e, view="score")
        codes = policy_engine.verdict_codes(scored_e)
        close = np.where(codes == 2, 0.0, np.where(codes == 1, 1.0, np.nan))
        gaps = pa.nulls(n, pa.string())
        if rows.size:
            costs = edition.resolve_settings().get("gap_costs", {})
            if searched is not None:
                # most of the batch: search it whole (no copy of 150 columns), keep the plans of ``rows``
                planned = gap_columns(flat, searched, e)
                keep = np.zeros(n, dtype=bool)
                keep[rows] = True
                whole = closeness_column(planned, costs, list(edition.levers)).to_numpy(zero_copy_only=False)
                close = np.where(keep, whole, close)
                gaps = pc.if_else(pa.array(keep), planned.column("gaps_json").combine_chunks(), gaps)
            else:
                sub = flat.take(pa.array(rows))
                planned = gap_columns(sub, policy_engine.run_rules(sub, e, view="search"), e)
                close[rows] = closeness_column(planned, costs, list(edition.levers)).to_numpy(zero_copy_only=False)
                gaps = spread(planned.column("gaps_json").combine_chunks(), rows, n)
        out[e] = pa.table({
            "verdict": pa.DictionaryArray.from_arrays(pa.array(codes, pa.int8()), VERDICTS),
            "score_min": scored_e.column("score_min"),
            "score_max": scored_e.column("score_max"),
            "closeness": pa.array(close, mask=np.isnan(close)),
            "gaps": gaps,
            "pass_mark": (scored_e.column("pass_mark") if "pass_mark" in scored_e.column_names
                          else pa.nulls(n, pa.int64())),
        })
    return out


class _Pool:
    """``judge_batch`` in ``workers`` threads, or here when ``workers`` is 0.

    Threads, not processes: DuckDB, Arrow and numpy release the GIL, so the judging of one batch
    overlaps the Python steps of another, and nothing is copied between processes (worker processes
    measured 17.8 s of CPU for 1,000,000 firms against 12.1 s with threads: each batch's flat table
    and results, ~90 MB, pickled both ways, and the processes' start-up)."""

    def __init__(self, workers: int):
        self.pool = ThreadPoolExecutor(max_workers=workers) if workers > 0 else None
        # each query runs in the thread that asks it: DuckDB's own threads would only compete with ours
        self.threads = policy_engine.set_threads(1) if self.pool is not None else None

    def submit(self, *args) -> Future:
        if self.pool is not None:
            return self.pool.submit(judge_batch, *args)
        done: Future = Future()
        done.set_result(judge_batch(*args))
        return done

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
            policy_engine.set_threads(self.threads)


# ------------------------------------------------------------------------------------------ the file


def columns_needed(edition_ids: Sequence[str], searched: Collection[str]) -> frozenset[str]:
    """The flat columns a screen reads: what the score view of every edition reads, and every view of the
    editions whose plans may be searched; the certificate fields that give a firm's stage; ``uscc``."""
    needed = {"uscc", *_certificate_kinds()}
    for e in edition_ids:
        for view in ("score", *((*policy_engine.VIEWS, "search") if e in searched else ())):
            needed.update(policy_engine.columns_read(e, view=view))
    return frozenset(needed)


def _batches(path: Path, batch_rows: int, assess_on: dt.date, needed: frozenset[str]):
    """(flat batch conformed to the flat schema and judged on ``assess_on``, its qualifications column).

    Only the ``needed`` flat columns are read (the others are NULL: a national file's names and unused
    figures are never decoded). Arrow's Parquet reader streams the file in this thread (measured on
    1,000,000 firms in one row group: 0.54 s of CPU and the first batch after 0.16 s, against DuckDB's
    0.78 s and 0.24 s). The column chunks of a row group are read ahead in a few large reads (``pre_buffer``:
    without it the first batch took 0.12 s in some runs and 0.7–0.8 s of CPU in others)."""
    file = pq.ParquetFile(path, pre_buffer=True)
    names = file.schema_arrow.names
    present = [name for name in FLAT_SCHEMA.names if name in names and name in needed and name != "assess_on"]
    if QUALIFICATIONS in names:
        present.append(QUALIFICATIONS)
    day = pa.scalar(assess_on, pa.date32())
    try:
        for batch in file.iter_batches(batch_size=batch_rows, columns=present, use_threads=False):
            if batch.num_rows:
                table = pa.Table.from_batches([batch])
                quals = table.column(QUALIFICATIONS) if QUALIFICATIONS in names else None
                table = table.append_column("assess_on", pa.repeat(day, table.num_rows))
                yield policy_engine.conform(table), quals
    finally:
        file.close()


def _output(flat: pa.Table, judged: Mapping[str, pa.Table], edition_ids: Sequence[str], stages: np.ndarray,
            basis: np.ndarray, state: Tiers) -> pa.Table:
    closeness = {e: judged[e].column("closeness").to_numpy(zero_copy_only=False) for e in edition_ids}
    ladder = state.ladder.tiers
    n = flat.num_rows
    index = {e: i for i, e in enumerate(edition_ids)}
    # the next stage's edition: the only one when there is one, else the closest (``next_choice``, asked
    # for the firms of stages with several only)
    which = np.full(n, -1, dtype=np.int64)
    for s, tier in enumerate(ladder):
        options = state.nexts[tier.key]
        rows = np.nonzero(stages == s)[0]
        if not rows.size or not options:
            continue
        if len(options) == 1:
            which[rows] = index[options[0]]
        else:
            picked = next_choice([tier] * rows.size, {tier.key: options}, {e: closeness[e][rows] for e in options})
            which[rows] = [index[e] for e in picked]
    next_close = np.full(n, np.nan)
    next_code = np.zeros(n, dtype=np.int8)
    for e, i in index.items():
        rows = which == i
        if rows.any():
            next_close = np.where(rows, closeness[e], next_close)
            next_code = np.where(rows, policy_engine.verdict_codes(judged[e]), next_code)
    keys = pa.array([t.key for t in ladder])
    above = [state.above[t.key] for t in ladder]
    columns: dict[str, Any] = {
        "uscc": flat.column("uscc"),
        "tier_from": pa.DictionaryArray.from_arrays(pa.array(basis, pa.int8()), pa.array(TIER_FROM)),
        "current_tier": pa.DictionaryArray.from_arrays(pa.array(stages, pa.int32()), keys),
        "next_tier": pa.DictionaryArray.from_arrays(
            pa.array(stages, pa.int32(), mask=np.array([a is None for a in above])[stages]),
            pa.array([a.key if a else "" for a in above], pa.string())),
        "next_edition": pa.DictionaryArray.from_arrays(pa.array(which, pa.int32(), mask=which < 0),
                                                       pa.array(edition_ids, pa.string())),
        "next_verdict": pa.DictionaryArray.from_arrays(pa.array(next_code, mask=which < 0), VERDICTS),
        "closeness": pa.array(next_close, mask=np.isnan(next_close)),
    }
    for e in edition_ids:
        r = judged[e]
        for name in ("verdict", "score_min", "score_max", "closeness", "gaps"):
            columns[f"{e}{SEP}{name}"] = r.column(name)
    return pa.table(columns)


def screen_flat_parquet(
    path: Path | str,
    output: Path | str | None,
    *,
    assess_on: dt.date,
    ladder=None,
    edition_ids: Sequence[str] | None = None,
    all_gaps: bool = False,
    workers: int | None = None,
    batch_rows: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Judge every firm of the flat Parquet file ``path`` on ``assess_on`` (see the module's docstring).

    ``ladder``: the stage ladder (default: the city's, ``current_ladder``); ``edition_ids``: default
    the editions in force on ``assess_on``. Written to ``output.part`` and renamed at the end, so an
    interrupted screen leaves no half file.
    """
    from keqi.registry.limits import check_flat_parquet

    path = Path(path)
    check_flat_parquet(path)  # its columns and row groups within the limits, before any reading
    total = pq.ParquetFile(path).metadata.num_rows
    writer: pq.ParquetWriter | None = None
    partial = Path(f"{output}.part") if output is not None else None

    def write(_flat: pa.Table, _judged: Mapping[str, pa.Table], out: pa.Table) -> None:
        nonlocal writer
        if partial is not None:
            if writer is None:
                writer = pq.ParquetWriter(partial, out.schema)
            writer.write_table(out)

    try:
        summary = screen_batches(lambda rows, needed: _batches(path, rows, assess_on, needed), total,
                                 emit=write, assess_on=assess_on, ladder=ladder, edition_ids=edition_ids,
                                 all_gaps=all_gaps, workers=workers, batch_rows=batch_rows, progress=progress)
    except BaseException:
        if writer is not None:
            writer.close()
            writer = None
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise
    finally:
        if writer is not None:
            writer.close()
    if partial is not None:
        if partial.exists():
            os.replace(partial, output)
        else:  # an empty file: an empty result with the same columns
            pq.write_table(_empty(summary.edition_ids), output)
    return summary


def table_batches(flat: pa.Table, qualifications: pa.ChunkedArray | None, assess_on: dt.date):
    """``batches_of`` for ``screen_batches`` over flat rows already in memory (the exchange-format screen):
    slices of ``flat`` conformed to the flat schema and judged on ``assess_on``, with their qualifications."""
    day = pa.scalar(assess_on, pa.date32())

    def batches(rows: int, _needed: frozenset[str]):
        for start in range(0, flat.num_rows, rows):
            part = flat.slice(start, rows)
            part = part.set_column(part.schema.get_field_index("assess_on"), "assess_on",
                                   pa.repeat(day, part.num_rows))
            quals = qualifications.slice(start, rows) if qualifications is not None else None
            yield policy_engine.conform(part), quals

    return batches


def screen_batches(
    batches_of: Callable[[int, frozenset[str]], Any],
    total: int,
    *,
    emit: Callable[[pa.Table, Mapping[str, pa.Table], pa.Table], None],
    assess_on: dt.date,
    ladder=None,
    edition_ids: Sequence[str] | None = None,
    all_gaps: bool = False,
    workers: int | None = None,
    batch_rows: int | None = None,
    progress: Callable[[int], None] | None = None,
    scores: Callable[[pa.Table], Mapping[str, pa.Table]] | None = None,
) -> Summary:
    """The screen of ``total`` flat rows, whatever holds them: ``batches_of(rows, needed)`` yields (flat
    batch of about ``rows`` rows, its qualifications column or None), reading at least the ``needed``
    flat columns; each batch is judged (in worker threads when there are several) and handed in order
    to ``emit(flat, judged, out)`` (``out``: the rows of the flat screen's output, ``_output``).
    ``scores``: the verdicts and points of a batch computed elsewhere (``judge_batch``'s ``scored``)."""
    from . import sqlcache

    if ladder is None:
        from keqi.pipeline.services import current_ladder

        ladder = current_ladder()
    if edition_ids is None:
        from .services import editions_on

        edition_ids = editions_on(assess_on)
    edition_ids = tuple(edition_ids)
    batch_rows = batch_rows or (ALL_GAPS_BATCH_ROWS if all_gaps else BATCH_ROWS)
    state = Tiers(ladder, assess_on, edition_ids)
    if workers is None:  # two batches or more: one per core (at most 4), or KEQI_SCREEN_WORKERS
        configured = os.environ.get("KEQI_SCREEN_WORKERS")
        workers = int(configured) if configured else min(os.cpu_count() or 1, 4) if total > batch_rows else 0
    if workers and total:  # batches of one size, as many for each worker: no worker waits alone at the end
        count = -(-total // batch_rows)
        count = -(-count // workers) * workers
        batch_rows = -(-total // count)
    sqlcache.load()
    searched = set(edition_ids) if all_gaps else {e for options in state.nexts.values() for e in options}
    needed = columns_needed(edition_ids, searched)
    if workers:  # compile here once, before the threads would each compile it
        policy_engine.compile_all(edition_ids, views=("score",))
        policy_evaluation.prepare_search(sorted(searched))
        sqlcache.save()
    pool = _Pool(workers)
    summary = Summary(assess_on=assess_on, edition_ids=edition_ids, counts={e: {} for e in edition_ids})
    pending: deque = deque()

    def add(counts: dict[str, int], key: str, n: int) -> None:
        counts[key] = counts.get(key, 0) + n

    def write_next() -> None:
        flat, stages, basis, future = pending.popleft()
        judged = future.result()
        out = _output(flat, judged, edition_ids, stages, basis, state)
        emit(flat, judged, out)
        for e in edition_ids:
            for code, firms in enumerate(np.bincount(policy_engine.verdict_codes(judged[e]), minlength=len(VERDICTS))):
                if firms:
                    add(summary.counts[e], VERDICTS[code].as_py(), int(firms))
        for item in pc.value_counts(out.column("current_tier")).to_pylist():
            add(summary.tiers, item["values"], item["counts"])
        for i, n in zip(*np.unique(basis, return_counts=True), strict=True):
            add(summary.tier_from, TIER_FROM[int(i)], int(n))
        summary.firms += flat.num_rows
        if progress is not None:
            progress(summary.firms)

    try:
        for flat, quals in batches_of(batch_rows, needed):
            stages, basis = state.of(flat, quals)
            wanted = state.wanted(stages, edition_ids, all_gaps)
            scored = scores(flat) if scores is not None else None
            pending.append((flat, stages, basis, pool.submit(flat, wanted, edition_ids, scored)))
            while pending and (len(pending) > workers or pending[0][3].done()):
                write_next()
        while pending:
            write_next()
    finally:
        pool.close()
    if not workers:
        sqlcache.save()
    return summary


def _empty(edition_ids: Sequence[str]) -> pa.Table:
    columns: dict[str, pa.Array] = {name: pa.array([], pa.string()) for name in
                                    ("uscc", "tier_from", "current_tier", "next_tier", "next_edition")}
    columns["next_verdict"] = pa.DictionaryArray.from_arrays(pa.array([], pa.int8()), VERDICTS)
    columns["closeness"] = pa.array([], pa.float64())
    for e in edition_ids:
        columns[f"{e}{SEP}verdict"] = pa.DictionaryArray.from_arrays(pa.array([], pa.int8()), VERDICTS)
        columns[f"{e}{SEP}score_min"] = pa.array([], pa.int64())
        columns[f"{e}{SEP}score_max"] = pa.array([], pa.int64())
        columns[f"{e}{SEP}closeness"] = pa.array([], pa.float64())
        columns[f"{e}{SEP}gaps"] = pa.array([], pa.string())
    return pa.table(columns)
