"""Gap plans for a whole batch at once: the same plans as the reference search, ``keqi.policy.gaps``.

The reference evaluates every candidate plan of every firm and then walks the firms one by one in
Python (too slow for a batch: docs/benchmarks.md). Here nothing runs per firm:

1. Eligible firms get no entries. Firms with a blocker (a failed criterion they cannot control), and
   every firm of an edition without levers, get fixed entries chosen by their pattern of failed and
   undecided criteria.
2. For the other firms every combination of breakpoints (``Edition.options``) is costed in numpy
   (candidates × firms) and sorted by cost, ties in combination order as in the reference. Candidates
   are evaluated cheapest first, in rounds (the cheapest few of every firm, then more for the firms
   still without a plan, then all the rest), by the engine's verdict-only query over the moved flat rows:
   the first eligible candidate in that order is the reference's choice (lowest cost, then first
   combination). Most firms are settled in the first round. A candidate that moves nothing is the firm
   itself and is not evaluated again.
   Before that, combinations that cannot work are ruled out unevaluated: a *strict* condition (one
   whose failure alone makes the verdict ineligible, read from the compiled SQL by
   ``engine.strict_conditions``) that reads the moves of one group of levers only (``engine.
   criterion_reads``) has in every combination the outcome it has under that group's option alone, so
   a few probe rows per firm (Σ options instead of Π options) decide it for all combinations.
3. A firm with no eligible candidate takes the cheapest one that leaves it uncertain (if it is
   ineligible); failing that, each failing criterion gets its cheapest fix alone: from the probe rows
   when every such criterion reads the moves of one group at most, else by evaluating every candidate
   criterion by criterion.
4. The chosen candidates are evaluated once more for their points, and the JSON entries are assembled
   column-wise with Arrow string kernels, from the same phrases as the reference.
"""

from __future__ import annotations

import itertools
import json
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from keqi.policy import editions
from keqi.policy.editions._base import Criterion, Edition
from keqi.policy.engine import (
    COLUMNS,
    columns_read,
    composition,
    conform,
    criterion_reads,
    run_rules,
    run_sql,
    settings_key,
    strict_conditions,
    verdict_codes,
)
from keqi.policy.plans import (
    LEVERS,
    MOVES,
    PARTIAL_SUFFIX,
    PHRASES,
    apply_changes,
    blockers,
    undecided,
    unreachable,
)

__all__ = ["batch_gap_columns"]

ELIGIBLE, UNCERTAIN, INELIGIBLE = 2, 1, 0
ROUNDS = (4, 12, 36, 108)  # candidates per firm evaluated by the end of each round (cheapest first); then all
CANDIDATE_ROWS = 250_000  # candidate plans per chunk of firms (bounds memory)
QUERY_ROWS = 250_000  # candidate rows per engine query
_BIG = np.iinfo(np.int64).max
_NULL = pa.scalar(None, pa.string())


# ------------------------------------------------------------------------------------------ arrays


def _tri(col: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A nullable boolean column as int8: 1 true, 0 false, -1 NULL."""
    nulls = pc.is_null(col).to_numpy(zero_copy_only=False)
    values = pc.fill_null(col, False).to_numpy(zero_copy_only=False).astype(np.int8)
    return np.where(nulls, np.int8(-1), values)


def _ints(col: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """An integer column as (values with NULL → 0, NULL mask)."""
    nulls = pc.is_null(col).to_numpy(zero_copy_only=False)
    return pc.fill_null(col, 0).to_numpy(zero_copy_only=False).astype(np.int64), nulls


class _OptionColumns(Mapping):
    """What ``Edition.options`` reads: integer flat columns and helpers of rows ``rows`` (all: None), NULL
    as 0 (as the reference). A column is taken and converted when an edition's options first read it, so
    the hundred-odd columns no option reads are never copied."""

    def __init__(self, flat: pa.Table, result: pa.Table, edition: Edition, rows: pa.Array | None = None):
        self._where: dict[str, pa.ChunkedArray] = {}
        for table, names in ((flat, flat.column_names), (result, edition.helpers)):
            for name in names:
                col = table.column(name)
                if pa.types.is_integer(col.type):
                    self._where[name] = col
        self._rows = rows
        self._done: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._done:
            col = self._where[name]
            self._done[name] = _ints(col.take(self._rows) if self._rows is not None else col)[0]
        return self._done[name]

    def __iter__(self):
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


def _option_columns(flat: pa.Table, result: pa.Table, edition: Edition) -> Mapping[str, np.ndarray]:
    return _OptionColumns(flat, result, edition)


def _moved(base: pa.Table, rows: np.ndarray, deltas: Mapping[str, np.ndarray]) -> pa.Table:
    """Rows ``rows`` of ``base`` with each lever moved by its per-row change (NULL cells stay NULL)."""
    return apply_changes(base.take(pa.array(rows)), deltas)


# ------------------------------------------------------------------------------------------ search


class _Plans:
    """The candidate plans of a chunk of firms: per lever a (candidates × firms) change matrix, the cost,
    and for each candidate the first candidate with the very same changes (``rep``): same changes, same
    outcome, so only that one is evaluated."""

    def __init__(self, edition: Edition, resolved: Mapping[str, Any], cols: Mapping[str, np.ndarray], m: int):
        groups = edition.options(cols, resolved)
        sizes = [len(g) for g in groups]
        self.k = int(np.prod(sizes)) if sizes else 1
        self.levers = list(edition.levers)
        zeros = np.zeros(m, dtype=np.int64)
        touched = [set().union(*(opt.keys() for opt in g)) for g in groups]
        self.disjoint = bool(touched) and sum(map(len, touched)) == len(set().union(*touched))
        self.delta = {}
        self.touched = touched
        self.option: list[np.ndarray] = []  # per group: the option of each combination
        self.group_delta: list[list[dict[str, np.ndarray]]] = []  # per group and option: lever → change
        if self.disjoint:
            # each lever belongs to one group: its change in combination k is that group's option
            stride = self.k
            for group, size, levers in zip(groups, sizes, touched, strict=True):
                stride //= size
                option = (np.arange(self.k) // stride) % size
                self.option.append(option)
                self.group_delta.append(
                    [{lever: np.maximum(np.asarray(opt.get(lever, zeros)), 0).astype(np.int64) for lever in levers}
                     for opt in group]
                )
                for lever in levers:
                    values = np.stack([np.maximum(np.asarray(opt.get(lever, zeros)), 0) for opt in group])
                    self.delta[lever] = values[option].astype(np.int64)
            for lever in self.levers:
                self.delta.setdefault(lever, np.zeros((self.k, m), dtype=np.int64))
        else:
            combos = list(itertools.product(*[range(n) for n in sizes]))
            self.delta = {lever: np.empty((self.k, m), dtype=np.int64) for lever in self.levers}
            for k, combo in enumerate(combos):
                merged: dict[str, np.ndarray] = {}
                for group, i in zip(groups, combo, strict=True):
                    merged.update(group[i])
                for lever in self.levers:
                    self.delta[lever][k] = np.maximum(merged.get(lever, zeros), 0)
        costs = resolved.get("gap_costs", {})
        self.cost = np.zeros((self.k, m), dtype=np.int64)
        for lever in self.levers:
            self.cost += self.delta[lever] * int(costs.get(lever, 1))
        self.still = np.ones((self.k, m), dtype=bool)
        for lever in self.levers:
            self.still &= self.delta[lever] == 0
        self.rep = self._representatives(groups, sizes, m)

    def _representatives(self, groups: list[list[dict[str, Any]]], sizes: list[int], m: int) -> np.ndarray:
        if not self.disjoint:  # groups share a lever: no shortcut, every candidate is its own
            return np.array(np.broadcast_to(np.arange(self.k)[:, None], (self.k, m)))
        touched = [set().union(*(opt.keys() for opt in g)) for g in groups]
        rep = np.zeros((self.k, m), dtype=np.int64)
        stride = self.k
        zeros = np.zeros(m, dtype=np.int64)
        for group, size, levers in zip(groups, sizes, touched, strict=True):
            stride //= size
            values = [
                np.stack([np.maximum(np.asarray(opt.get(lever, zeros)), 0) for lever in sorted(levers)])
                for opt in group
            ]
            first = np.tile(np.arange(size)[:, None], (1, m))  # per option: first option with equal changes
            for i in range(size):
                for j in range(i):
                    same = (values[i] == values[j]).all(axis=0) & (first[i] == i)
                    first[i] = np.where(same, j, first[i])
            option = (np.arange(self.k) // stride) % size
            rep += first[option] * stride
        return rep

    def at(self, k: np.ndarray, j: np.ndarray) -> dict[str, np.ndarray]:
        return {lever: self.delta[lever][k, j] for lever in self.levers}

    def unique(self, k: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The distinct representatives of candidates ``(k, j)``: (rep, firm, where each pair maps)."""
        rep = self.rep[k, j]
        mark = np.zeros(self.rep.shape, dtype=bool)
        mark[rep, j] = True
        rk, rf = np.nonzero(mark)
        index = np.empty(self.rep.shape, dtype=np.int64)
        index[rk, rf] = np.arange(rk.size)
        return rk, rf, index[rep, j]


def _run(
    base: pa.Table, rows: np.ndarray, deltas: Mapping[str, np.ndarray], edition_id: str, settings, view: str
) -> pa.Table:
    """The engine's ``view`` over the moved candidate rows, in pieces of at most ``QUERY_ROWS``."""
    parts = []
    for start in range(0, len(rows), QUERY_ROWS):
        sl = slice(start, start + QUERY_ROWS)
        cand = _moved(base, rows[sl], {lever: d[sl] for lever, d in deltas.items()})
        parts.append(run_rules(cand, edition_id, settings, view=view))
    return pa.concat_tables(parts) if len(parts) > 1 else parts[0]


class _Found:
    """Per firm of the batch (length n): what the search found."""

    def __init__(self, edition: Edition, n: int):
        self.found = np.zeros(n, dtype=bool)
        self.target = np.zeros(n, dtype=np.int8)  # ELIGIBLE or UNCERTAIN where found
        self.delta = {lever: np.full(n, -1, dtype=np.int64) for lever in edition.levers}
        # points and status of the chosen candidate, per criterion
        self.lo = {c.id: np.zeros(n, dtype=np.int64) for c in edition.criteria}
        self.lo_null = {c.id: np.ones(n, dtype=bool) for c in edition.criteria}
        self.hi = {c.id: np.zeros(n, dtype=np.int64) for c in edition.criteria}
        self.passed = {c.id: np.full(n, -1, dtype=np.int8) for c in edition.criteria}
        # no plan: per failing criterion, its cheapest fix alone
        self.partial = np.zeros(n, dtype=bool)
        self.fixable = {c.id: np.zeros(n, dtype=bool) for c in edition.criteria}
        self.fix_delta = {
            c.id: {lever: np.zeros(n, dtype=np.int64) for lever in edition.levers} for c in edition.criteria
        }
        self.fix_lo = {c.id: np.zeros(n, dtype=np.int64) for c in edition.criteria}
        self.fix_lo_null = {c.id: np.ones(n, dtype=bool) for c in edition.criteria}
        self.fix_hi = {c.id: np.zeros(n, dtype=np.int64) for c in edition.criteria}


def _keep_points(found: _Found, evaluated: pa.Table, where: np.ndarray, edition: Edition) -> None:
    for c in edition.criteria:
        lo, lo_null = _ints(evaluated.column(f"{c.id}__min"))
        found.lo[c.id][where] = lo
        found.lo_null[c.id][where] = lo_null
        found.hi[c.id][where] = _ints(evaluated.column(f"{c.id}__max"))[0]
        found.passed[c.id][where] = _tri(evaluated.column(f"{c.id}__passed"))


def _dependence(edition: Edition, settings: Mapping[str, Any] | None, plans: _Plans) -> dict[str, int | None]:
    """Per criterion, the one group of levers whose moved columns its passed, min and max read (None: no
    group). Criteria that read the moves of several groups are left out: nothing is derived for them."""
    if not plans.disjoint:
        return {}
    reads = criterion_reads(edition.id, settings_key(settings), ("passed", "min", "max"))
    moved = [{col for lever in levers for col in MOVES[lever]} for levers in plans.touched]
    out: dict[str, int | None] = {}
    for c in edition.criteria:
        groups = [g for g, cols in enumerate(moved) if cols & reads[c.id]]
        if len(groups) <= 1:
            out[c.id] = groups[0] if groups else None
    return out


class _Probe:
    """Each option of some lever groups applied alone to some firms, evaluated criterion by criterion.

    A criterion that reads the moves of one group only has, in any combination, the outcome and points
    it has with that group's option alone, so these few rows (Σ options instead of Π options per firm)
    stand for every combination."""

    def __init__(self, plans: _Plans, base: pa.Table, firms: np.ndarray, groups: list[int], edition: Edition,
                 settings: Mapping[str, Any] | None):
        self.blocks: dict[tuple[int, int], int] = {}
        rows, deltas = [], {lever: [] for lever in plans.levers}
        for g in groups:
            for o, opt in enumerate(plans.group_delta[g]):
                self.blocks[(g, o)] = len(self.blocks)
                rows.append(firms)
                for lever in plans.levers:
                    deltas[lever].append(opt[lever][firms] if lever in opt else np.zeros(firms.size, np.int64))
        self.n = firms.size
        evaluated = _run(base, np.concatenate(rows), {lv: np.concatenate(d) for lv, d in deltas.items()},
                         edition.id, settings, "criteria")
        self.table = evaluated

    def _matrix(self, plans: _Plans, g: int, values: np.ndarray) -> np.ndarray:
        """values by (option of group g, firm) → by (combination, firm)."""
        first = self.blocks[(g, 0)]
        size = len(plans.group_delta[g])
        return values.reshape(-1, self.n)[first : first + size][plans.option[g]]

    def passed(self, plans: _Plans, g: int, cid: str) -> np.ndarray:
        return self._matrix(plans, g, _tri(self.table.column(f"{cid}__passed")))

    def points(self, plans: _Plans, g: int, cid: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        lo, lo_null = _ints(self.table.column(f"{cid}__min"))
        hi = _ints(self.table.column(f"{cid}__max"))[0]
        return self._matrix(plans, g, lo), self._matrix(plans, g, lo_null), self._matrix(plans, g, hi)


# ------------------------------------------------------------------------------------------ composed


CHOICE_CELLS = 4_000_000  # combinations × firms weighed at once (the cost and verdict matrices' size)
_NULL_INT = np.iinfo(np.int64).min  # a NULL leaf value, in a signature


class _Groups:
    """The lever groups' options for ``m`` firms (``Edition.options``), when no lever is in two groups:
    per group and option, each lever's change (never negative) and the option's cost; combination ``k``
    takes option ``option[g][k]`` of group ``g`` (``itertools.product`` order, as the reference), and
    ``first[g][o, j]`` is the first option of the group that changes firm ``j`` exactly as option ``o``."""

    def __init__(self, edition: Edition, resolved: Mapping[str, Any], cols: Mapping[str, np.ndarray], m: int):
        groups = edition.options(cols, resolved)
        self.sizes = [len(g) for g in groups]
        self.k = int(np.prod(self.sizes)) if self.sizes else 1
        self.touched = [sorted(set().union(*(opt.keys() for opt in g))) for g in groups]
        self.disjoint = bool(groups) and sum(map(len, self.touched)) == len(set().union(*map(set, self.touched)))
        self.levers = list(edition.levers)
        costs = resolved.get("gap_costs", {})
        zeros = np.zeros(m, dtype=np.int64)
        self.delta: list[dict[str, np.ndarray]] = []  # per group: lever → (options × firms) change
        self.cost: list[np.ndarray] = []  # per group: (options × firms) cost
        self.first: list[np.ndarray] = []
        self.option: list[np.ndarray] = []
        stride = self.k
        for group, size, levers in zip(groups, self.sizes, self.touched, strict=True):
            stride //= size
            self.option.append((np.arange(self.k) // stride) % size)
            delta = {lever: np.stack([np.maximum(np.asarray(opt.get(lever, zeros), dtype=np.int64), 0)
                                      for opt in group]) for lever in levers}
            self.delta.append(delta)
            self.cost.append(sum((d * int(costs.get(lever, 1)) for lever, d in delta.items()),
                                 np.zeros((size, m), dtype=np.int64)))
            first = np.broadcast_to(np.arange(size)[:, None], (size, m)).copy()
            for o in range(1, size):
                for earlier in range(o):
                    same = (first[o] == o) & np.logical_and.reduce([d[o] == d[earlier] for d in delta.values()])
                    first[o] = np.where(same, earlier, first[o])
            self.first.append(first)

    def moves(self, g: int) -> np.ndarray:
        """(options × firms): does the option change anything for the firm."""
        return np.logical_or.reduce([d != 0 for d in self.delta[g].values()])

    def changes(self, k: np.ndarray, j: np.ndarray) -> dict[str, np.ndarray]:
        """Each lever's change in combination ``k[i]`` for firm ``j[i]`` (0 for a lever no group moves)."""
        out = {lever: np.zeros(k.size, dtype=np.int64) for lever in self.levers}
        for g, delta in enumerate(self.delta):
            o = self.option[g][k]
            for lever, d in delta.items():
                out[lever] = d[o, j]
        return out

    def costs(self, firms: np.ndarray) -> np.ndarray:
        """(combinations × ``firms``): each combination's cost for each firm."""
        total = np.zeros((self.k, firms.size), dtype=np.int64)
        for g, cost in enumerate(self.cost):
            total += cost[:, firms][self.option[g]]
        return total


def _code(values: pa.Array) -> np.ndarray:
    """A leaf column as int64 for a signature (booleans 1/0, NULL as a value of its own)."""
    if pa.types.is_boolean(values.type):
        values = values.cast(pa.int64())
    return pc.fill_null(values, _NULL_INT).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)


class _Leaves:
    """The leaves of an edition's composition (``engine.composition``) for every option of every group and
    every firm of a batch, from a few evaluations: a leaf that reads no moved column has the firm's own
    value; one that reads the moves of group ``g`` is evaluated under each option of ``g`` that changes
    something (once per distinct change), with the engine's narrow view of that group's leaves."""

    def __init__(self, composition, groups: _Groups, flat: pa.Table, own: pa.Table, idx: np.ndarray,
                 edition: Edition, settings: Mapping[str, Any] | None):
        moved = [{col for lever in levers for col in MOVES[lever]} for levers in groups.touched]
        self.group: dict[str, int | None] = {}
        for leaf, reads in composition.leaves.items():
            found = [g for g, cols in enumerate(moved) if cols & reads]
            if len(found) > 1:
                raise _NotDecomposable(leaf)
            self.group[leaf] = found[0] if found else None
        self.m = m = idx.size
        self.groups = groups
        self.own = {leaf: own.column(leaf).combine_chunks() for leaf in composition.leaves}
        self.values: dict[str, pa.Array] = {}  # a group's leaf: (options × firms) values, option-major
        for g in range(len(groups.sizes)):
            leaves = sorted(leaf for leaf, lg in self.group.items() if lg == g)
            if not leaves:
                continue
            moves, first = groups.moves(g), groups.first[g]
            o_at, j_at = np.nonzero(moves & (first == np.arange(groups.sizes[g])[:, None]))
            position = np.broadcast_to(np.arange(m), moves.shape).copy()
            position[o_at, j_at] = m + np.arange(o_at.size)
            for o in range(1, groups.sizes[g]):  # an option that changes what an earlier one does: its values
                again = moves[o] & (first[o] != o)
                position[o, again] = position[first[o, again], np.nonzero(again)[0]]
            view = COLUMNS + ",".join(leaves)
            reads = list(columns_read(edition.id, settings, view))
            source = flat.select([name for name in flat.column_names if name in reads])
            changes = {lever: d[o_at, j_at] for lever, d in groups.delta[g].items()}
            parts = []
            for start in range(0, o_at.size, QUERY_ROWS):
                sl = slice(start, start + QUERY_ROWS)
                rows = _moved(source, idx[j_at[sl]], {lever: d[sl] for lever, d in changes.items()})
                parts.append(run_rules(rows, edition.id, settings, view=view))
            evaluated = pa.concat_tables(parts) if parts else None
            at = pa.array(position.ravel())
            for leaf in leaves:
                pieces = [self.own[leaf]] + ([evaluated.column(leaf).combine_chunks()] if evaluated else [])
                self.values[leaf] = pa.concat_arrays(pieces).take(at)

    def signatures(self) -> tuple[np.ndarray, np.ndarray]:
        """Firms whose leaves are the same under every option judge every combination alike: (one firm of
        each such set, each firm's set)."""
        keys = []
        for leaf, g in sorted(self.group.items()):
            if g is None:
                keys.append(_code(self.own[leaf]))
            else:
                keys += list(_code(self.values[leaf]).reshape(-1, self.m))
        return _distinct(keys) if keys else (np.zeros(1, dtype=np.int64), np.zeros(self.m, dtype=np.int64))

    def table(self, firms: np.ndarray, combos: np.ndarray) -> pa.Table:
        """The leaves of combination ``combos[i]`` for firm ``firms[i]``."""
        columns = {}
        for leaf, g in self.group.items():
            if g is None:
                columns[leaf] = self.own[leaf].take(pa.array(firms))
            else:
                columns[leaf] = self.values[leaf].take(pa.array(self.groups.option[g][combos] * self.m + firms))
        return pa.table(columns)

    def own_table(self, firms: np.ndarray) -> pa.Table:
        return pa.table({leaf: values.take(pa.array(firms)) for leaf, values in self.own.items()})

    def patterns(self) -> None:
        """Number the distinct leaf values: ``self.own_pattern[j]`` for the leaves no option moves (firm
        ``j``), ``self.pattern[g][o, j]`` for group ``g``'s leaves under its option ``o``. Two (firm,
        combination) rows with the same numbers have the very same leaves, hence the same outcome."""
        fixed = [_code(self.own[leaf]) for leaf, g in sorted(self.group.items()) if g is None]
        self.own_pattern = _distinct(fixed)[1] if fixed else np.zeros(self.m, dtype=np.int64)
        self.pattern: dict[int, np.ndarray] = {}
        for g, size in enumerate(self.groups.sizes):
            moved = [_code(self.values[leaf]) for leaf, lg in sorted(self.group.items()) if lg == g]
            if moved:
                self.pattern[g] = _distinct(moved)[1].reshape(size, self.m)

    def judge(self, firms: np.ndarray, combos: np.ndarray, sql: str) -> tuple[pa.Table, np.ndarray]:
        """``run_sql(self.table(firms, combos), sql)`` evaluated once per distinct leaf pattern: (the
        result of each distinct pattern, each row's index into it)."""
        keys = [self.own_pattern[firms]]
        keys += [pattern[self.groups.option[g][combos], firms] for g, pattern in self.pattern.items()]
        first, inverse = _distinct(keys)
        return run_sql(self.table(firms[first], combos[first]), sql), inverse


def probe_views(edition_id: str, settings: Mapping[str, Any] | None = None) -> list[str]:
    """The engine views the decomposed search evaluates its probes with (one per lever group whose moves
    some leaf reads), to compile ahead of worker threads or processes."""
    edition = editions.get(edition_id)
    comp = composition(edition_id, settings_key(settings))
    if comp is None or edition.options is None:
        return []
    one = conform(pa.table({"uscc": pa.array([""])}))
    helpers = pa.table({name: pa.array([0], pa.int64()) for name in edition.helpers})
    groups = _Groups(edition, edition.resolve_settings(settings), _OptionColumns(one, helpers, edition), 1)
    moved = [{col for lever in levers for col in MOVES[lever]} for levers in groups.touched]
    views = []
    for cols in moved:
        leaves = sorted(leaf for leaf, reads in comp.leaves.items() if reads & cols)
        if leaves:
            views.append(COLUMNS + ",".join(leaves))
    return views


class _NotDecomposable(Exception):
    pass


def _search_composed(found: _Found, idx: np.ndarray, flat: pa.Table, result: pa.Table, codes: np.ndarray,
                     edition: Edition, resolved: Mapping[str, Any], settings: Mapping[str, Any] | None) -> bool:
    """The search of the firms ``idx`` with every combination judged from the edition's composition
    (``engine.composition``): exact, and far fewer rows through the engine than ``_search_chunk`` (Σ
    options per firm at most, in narrow views, instead of up to Π options in the verdict view). False,
    having done nothing, when the edition or its options do not allow it.

    1. ``_Leaves``: every leaf under every option of its group, for every firm.
    2. Firms with the same leaves under every option (a signature) judge every combination alike: the
       composition's verdict is computed once per signature and combination (a few thousand rows).
    3. Per firm, the reference's choice: the cheapest eligible combination (ties: the first), else, for an
       ineligible firm, the cheapest that leaves it uncertain; the chosen combination's criterion columns
       from the composition. A firm with neither gets each failing criterion's cheapest fix alone.
    """
    comp = composition(edition.id, settings_key(settings))
    if comp is None:
        return False
    m = idx.size
    at = pa.array(idx)
    groups = _Groups(edition, resolved, _OptionColumns(flat, result, edition, at), m)
    if not groups.disjoint:
        return False
    try:
        leaves = _Leaves(comp, groups, flat, result.select(list(comp.leaves)).take(at), idx, edition, settings)
    except _NotDecomposable:
        return False
    firsts, signature = leaves.signatures()
    own = codes[idx]
    # the composition must give each firm's own verdict from its own leaves (a check of the analysis)
    checked = run_sql(leaves.own_table(firsts), comp.sql()).column("code").to_numpy()
    if not (checked == own[firsts]).all():
        warnings.warn(f"{edition.id}: the composed verdict differs from the engine's; searched row by row",
                      RuntimeWarning, stacklevel=2)
        return False
    k = groups.k
    sig_rows = np.repeat(np.arange(firsts.size), k)
    sig_combo = np.tile(np.arange(k), firsts.size)
    leaves.patterns()
    table, back = leaves.judge(firsts[sig_rows], sig_combo, comp.sql())
    verdict = table.column("code").to_numpy()[back]
    verdict = verdict.astype(np.int8).reshape(firsts.size, k)

    chosen_k = np.zeros(m, dtype=np.int64)
    target = np.zeros(m, dtype=np.int8)
    per = max(1, CHOICE_CELLS // k)
    for start in range(0, m, per):
        firms = np.arange(start, min(m, start + per))
        cost = groups.costs(firms)
        seen = verdict[signature[firms]].T  # combinations × firms
        columns = np.arange(firms.size)
        eligible = seen == ELIGIBLE
        pick = np.argmin(np.where(eligible, cost, _BIG), axis=0)
        hit = eligible[pick, columns]
        chosen_k[firms] = pick
        target[firms] = np.where(hit, ELIGIBLE, 0)
        rest = np.nonzero(~hit & (own[firms] == INELIGIBLE))[0]  # the cheapest that leaves it uncertain
        if rest.size:
            unsure = seen[:, rest] == UNCERTAIN
            pick = np.argmin(np.where(unsure, cost[:, rest], _BIG), axis=0)
            hit = unsure[pick, np.arange(rest.size)]
            chosen_k[firms[rest[hit]]] = pick[hit]
            target[firms[rest[hit]]] = UNCERTAIN
    chosen = np.nonzero(target != 0)[0]
    if chosen.size:
        where = idx[chosen]
        found.found[where] = True
        found.target[where] = target[chosen]
        for lever, d in groups.changes(chosen_k[chosen], chosen).items():
            found.delta[lever][where] = d
        names = [f"{c.id}__{x}" for c in edition.criteria for x in ("passed", "min", "max")]
        pairs, back = np.unique(signature[chosen] * k + chosen_k[chosen], return_inverse=True)
        table, again = leaves.judge(firsts[pairs // k], pairs % k, comp.sql(names, verdict=False))
        _keep_points(found, table.take(pa.array(again[back.ravel()])), where, edition)
    stuck = np.nonzero(target == 0)[0]
    if stuck.size:
        _partial_composed(found, idx, stuck, groups, leaves, comp, signature, firsts, edition)
    return True


def _partial_composed(found: _Found, idx: np.ndarray, stuck: np.ndarray, groups: _Groups, leaves: _Leaves,
                      comp, signature: np.ndarray, firsts: np.ndarray, edition: Edition) -> None:
    """``_partial`` from the composition: no combination helps these firms; per failing criterion, the
    cheapest combination that makes it pass (the first of the cheapest: as the reference's argmin).

    A criterion that reads the leaves of one group at most passes or not with that group's option alone,
    and a combination's cost is the sum of its options' costs: its cheapest passing combination takes that
    group's cheapest passing option and every other group's cheapest option (the first of equal ones), so
    only the combinations that move one group are judged (Σ options, not Π). Any other criterion is judged
    in every combination."""
    k = groups.k
    headline = _headline(edition)
    sigs, local = np.unique(signature[stuck], return_inverse=True)
    local = local.ravel()
    strides = [k // int(np.prod(groups.sizes[: g + 1])) for g in range(len(groups.sizes))]
    spread: dict[str, int | None] = {}  # per headline criterion: the one group its columns read (None: none)
    for c in headline:
        used = {leaves.group[leaf] for x in ("passed", "min", "max") for leaf in comp.uses[f"{c.id}__{x}"]}
        used.discard(None)
        spread[c.id] = used.pop() if len(used) == 1 else (None if not used else -1)
    # the combinations judged: each group's options with the others at option 0, and all for the others
    combos = sorted({o * strides[g] for g in range(len(groups.sizes)) for o in range(groups.sizes[g])} | {0})
    if any(g == -1 for g in spread.values()):
        combos = list(range(k))
    position = np.full(k, -1, dtype=np.int64)
    position[combos] = np.arange(len(combos))
    names = [f"{c.id}__{x}" for c in headline for x in ("passed", "min", "max")]
    table = run_sql(leaves.table(firsts[np.repeat(sigs, len(combos))], np.tile(combos, sigs.size)),
                    comp.sql(names, verdict=False))
    passes = {c.id: (_tri(table.column(f"{c.id}__passed")) == 1).reshape(sigs.size, len(combos)) for c in headline}
    where = idx[stuck]
    found.partial[where] = True
    per = max(1, CHOICE_CELLS // k)
    for start in range(0, stuck.size, per):
        part = np.arange(start, min(stuck.size, start + per))
        firms, rows = stuck[part], local[part]
        cheapest = [np.argmin(cost[:, firms], axis=0) for cost in groups.cost]  # per group, the first cheapest
        full_cost = None
        for c in headline:
            g = spread[c.id]
            if g == -1:  # the columns of several groups: every combination
                if full_cost is None:
                    full_cost = groups.costs(firms)
                ok = passes[c.id][rows].T
                pick = np.argmin(np.where(ok, full_cost, _BIG), axis=0)
                fixable = ok[pick, np.arange(firms.size)]
            else:
                if g is None:  # nothing moves it: it passes in every combination or in none
                    fixable = passes[c.id][rows, 0]
                    choice = [np.where(fixable, best, 0) for best in cheapest]
                else:
                    ok = passes[c.id][rows][:, position[np.arange(groups.sizes[g]) * strides[g]]].T  # options × firms
                    best = np.argmin(np.where(ok, groups.cost[g][:, firms], _BIG), axis=0)
                    fixable = ok[best, np.arange(firms.size)]
                    choice = [np.where(fixable, best if h == g else cheapest[h], 0) for h in range(len(strides))]
                pick = sum(o * stride for o, stride in zip(choice, strides, strict=True))
            found.fixable[c.id][where[part]] = fixable
            for lever, d in groups.changes(pick, firms).items():
                found.fix_delta[c.id][lever][where[part]] = d
            # the criterion's points in the chosen combination: those of the combination that moves its group
            # alone to the same option (all of them when it reads several groups)
            if g == -1:
                seen = position[pick]
            elif g is None:
                seen = np.zeros(firms.size, dtype=np.int64)
            else:
                seen = position[(pick // strides[g]) % groups.sizes[g] * strides[g]]
            at = pa.array(rows * len(combos) + seen)
            lo, lo_null = _ints(table.column(f"{c.id}__min").take(at))
            found.fix_lo[c.id][where[part]] = lo
            found.fix_lo_null[c.id][where[part]] = lo_null
            found.fix_hi[c.id][where[part]] = _ints(table.column(f"{c.id}__max").take(at))[0]


def _search_chunk(
    found: _Found,
    idx: np.ndarray,
    flat: pa.Table,
    result: pa.Table,
    codes: np.ndarray,
    edition: Edition,
    resolved: Mapping[str, Any],
    settings: Mapping[str, Any] | None,
    state: dict[str, bool],
) -> None:
    m = len(idx)
    at = pa.array(idx)
    # only the columns the search reads are copied (a batch's flat table has ~150, its result dozens)
    wanted = {"verdict", *edition.helpers} | {f"{c.id}__{x}" for c in edition.criteria for x in ("passed", "min", "max")}
    sub_result = result.select([name for name in result.column_names if name in wanted]).take(at)
    plans = _Plans(edition, resolved, _OptionColumns(flat, result, edition, at), m)
    reads = set(columns_read(edition.id, settings, "criteria")) | set(
        columns_read(edition.id, settings, "verdict")
    )
    base = flat.select([name for name in flat.column_names if name in reads]).take(at)
    own = codes[idx]
    order = np.argsort(plans.cost, axis=0, kind="stable")  # sorted position × firm → candidate
    firms = np.broadcast_to(np.arange(m), (plans.k, m))
    known = np.where(plans.still, own[None, :], np.int8(-1)).astype(np.int8)  # by candidate

    # A combination in which a strict condition fails is ineligible (``engine.strict_conditions``, read
    # from the SQL): where the condition reads the moves of one group only, its outcome under each option
    # of that group (a few probe rows per firm) rules such combinations out without evaluating them.
    dep = _dependence(edition, settings, plans)
    strict = strict_conditions(edition.id, settings_key(settings))
    gates = [c for c in edition.criteria if c.id in strict and c.id in dep]
    probed = sorted({dep[c.id] for c in gates if dep[c.id] is not None})
    probe = None
    if probed and state.get("probe", True):
        probe = _Probe(plans, base, np.arange(m), probed, edition, settings)
        failing = np.zeros((plans.k, m), dtype=bool)
        for c in gates:
            g = dep[c.id]
            if g is None:
                failing |= (_tri(sub_result.column(f"{c.id}__passed")) == 0)[None, :]
            else:
                failing |= probe.passed(plans, g, c.id) == 0
        open_before = int((known == -1).sum())
        known = np.where((known == -1) & failing, np.int8(INELIGIBLE), known).astype(np.int8)
        # the probe costs Σ options rows per firm: where it rules out little (tsme-2017: a hire seldom
        # breaks the size limit), the later chunks of the batch go without it
        state["probe"] = open_before - int((known == -1).sum()) >= 0.1 * max(open_before, 1)

    # A firm with an undecided condition it cannot control and no lever moves (e.g. 高新技术领域 unknown)
    # stays at best uncertain: look for the first uncertain candidate (or none, if it is uncertain already)
    hopeless = _hopeless(edition, settings, sub_result)
    wanted = np.where(hopeless, UNCERTAIN, ELIGIBLE).astype(np.int8)
    settled = hopeless & (own != INELIGIBLE)
    start = 0
    for end in (*[r for r in ROUNDS if r < plans.k], plans.k):
        todo = np.nonzero(~settled)[0]
        if todo.size == 0:
            break
        pos, firm = (a.ravel() for a in np.meshgrid(np.arange(start, end), todo, indexing="ij"))
        k = order[pos, firm]
        rep = plans.rep[k, firm]
        ask = known[rep, firm] == -1
        if ask.any():
            rk, rf, _ = plans.unique(k[ask], firm[ask])
            out = _run(base, rf, plans.at(rk, rf), edition.id, settings, "verdict")
            known[rk, rf] = out.column("code").to_numpy()
        head = order[:end, todo]
        seen = known[plans.rep[head, todo[None, :]], todo[None, :]]
        settled[todo[(seen == wanted[todo][None, :]).any(axis=0)]] = True
        start = end

    # by sorted position: the first eligible; else (ineligible firms) the first uncertain; else no plan
    verdict = known[plans.rep[order, firms], firms]
    is_elig = verdict == ELIGIBLE
    is_unc = (verdict == UNCERTAIN) & (own == INELIGIBLE)[None, :]
    has_elig, has_unc = is_elig.any(axis=0), is_unc.any(axis=0)
    first = np.where(has_elig, is_elig.argmax(axis=0), is_unc.argmax(axis=0))
    chosen = np.nonzero(has_elig | has_unc)[0]
    if chosen.size:
        k = order[first[chosen], chosen]
        after = _run(base, chosen, plans.at(k, chosen), edition.id, settings, "criteria")
        where = idx[chosen]
        found.found[where] = True
        found.target[where] = np.where(has_elig[chosen], ELIGIBLE, UNCERTAIN)
        for lever, d in plans.at(k, chosen).items():
            found.delta[lever][where] = d
        _keep_points(found, after, where, edition)

    stuck = np.nonzero(~(has_elig | has_unc))[0]
    if stuck.size:
        if all(c.id in dep for c in _headline(edition)):
            _partial_probed(found, idx, stuck, plans, base, edition, settings, dep, sub_result, probe)
        else:
            _partial(found, idx, stuck, plans, base, edition, settings)


def _hopeless(edition: Edition, settings: Mapping[str, Any] | None, result: pa.Table) -> np.ndarray:
    """Firms that no plan can make eligible: a condition they cannot control (``gate`` and not
    ``controllable``, which the reference already takes as a strict condition) is undecided and reads
    no column a lever moves."""
    moved = {col for lever in edition.levers for col in MOVES[lever]}
    reads = criterion_reads(edition.id, settings_key(settings))
    out = np.zeros(result.num_rows, dtype=bool)
    for c in edition.criteria:
        if c.gate and not c.controllable and not (reads[c.id] & moved):
            out |= pc.is_null(result.column(f"{c.id}__passed")).to_numpy(zero_copy_only=False)
    return out


def _partial(
    found: _Found,
    idx: np.ndarray,
    stuck: np.ndarray,
    plans: _Plans,
    base: pa.Table,
    edition: Edition,
    settings: Mapping[str, Any] | None,
) -> None:
    """No candidate helps: evaluate them all for these firms and fix each failing criterion alone."""
    s = len(stuck)
    k_all = np.repeat(np.arange(plans.k), s)
    firm = np.tile(stuck, plans.k)
    rk, rf, back = plans.unique(k_all, firm)
    evaluated = _run(base, rf, plans.at(rk, rf), edition.id, settings, "criteria")
    rows = back.reshape(plans.k, s)  # candidate × stuck firm → row of ``evaluated``
    where = idx[stuck]
    found.partial[where] = True
    cost = plans.cost[:, stuck]
    for c in _headline(edition):
        ok = _tri(evaluated.column(f"{c.id}__passed"))[rows] == 1
        k = np.argmin(np.where(ok, cost, _BIG), axis=0)
        found.fixable[c.id][where] = ok.any(axis=0)
        for lever in plans.levers:
            found.fix_delta[c.id][lever][where] = plans.delta[lever][k, stuck]
        at = pa.array(rows[k, np.arange(s)])
        lo, lo_null = _ints(evaluated.column(f"{c.id}__min").take(at))
        found.fix_lo[c.id][where] = lo
        found.fix_lo_null[c.id][where] = lo_null
        found.fix_hi[c.id][where] = _ints(evaluated.column(f"{c.id}__max").take(at))[0]


def _partial_probed(
    found: _Found,
    idx: np.ndarray,
    stuck: np.ndarray,
    plans: _Plans,
    base: pa.Table,
    edition: Edition,
    settings: Mapping[str, Any] | None,
    dep: Mapping[str, int | None],
    sub_result: pa.Table,
    done: _Probe | None,
) -> None:
    """``_partial`` when every criterion that decides on its own reads the moves of one group at most:
    the probe rows give each criterion's outcome and points in every combination (``done``: the probe
    of every firm of the chunk already run for some groups; the other groups are probed here)."""
    headline = _headline(edition)
    have = {g for (g, _o) in done.blocks} if done is not None else set()
    groups = sorted({dep[c.id] for c in headline if dep[c.id] is not None} - have)
    more = _Probe(plans, base, stuck, groups, edition, settings) if groups else None
    s = len(stuck)
    where = idx[stuck]
    found.partial[where] = True
    cost = plans.cost[:, stuck]
    mine = sub_result.take(pa.array(stuck))
    for c in headline:
        g = dep[c.id]
        if g is None:  # nothing moves it: as the firm is
            ok = np.broadcast_to((_tri(mine.column(f"{c.id}__passed")) == 1)[None, :], (plans.k, s))
            lo, lo_null = _ints(mine.column(f"{c.id}__min"))
            hi = _ints(mine.column(f"{c.id}__max"))[0]
            los, nulls, his = (np.broadcast_to(a[None, :], (plans.k, s)) for a in (lo, lo_null, hi))
        elif g in have:
            assert done is not None
            ok = done.passed(plans, g, c.id)[:, stuck] == 1
            los, nulls, his = (a[:, stuck] for a in done.points(plans, g, c.id))
        else:
            assert more is not None
            ok = more.passed(plans, g, c.id) == 1
            los, nulls, his = more.points(plans, g, c.id)
        k = np.argmin(np.where(ok, cost, _BIG), axis=0)
        cols = np.arange(s)
        found.fixable[c.id][where] = ok.any(axis=0)
        for lever in plans.levers:
            found.fix_delta[c.id][lever][where] = plans.delta[lever][k, stuck]
        found.fix_lo[c.id][where] = los[k, cols]
        found.fix_lo_null[c.id][where] = nulls[k, cols]
        found.fix_hi[c.id][where] = his[k, cols]


def _headline(edition: Edition) -> list[Criterion]:
    """Criteria that decide on their own (gates and scored items that are not part of another)."""
    return [c for c in edition.criteria if (c.gate or c.scored) and c.part_of is None]


# ------------------------------------------------------------------------------------------ entries


def _esc(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)[1:-1]


def _one(entries: list[dict[str, Any]]) -> str:
    (entry,) = entries
    return json.dumps(entry, ensure_ascii=False)


def _pattern_row(edition: Edition, cid: str, value: bool | None) -> dict[str, Any]:
    """A result row where only ``cid`` has a status (to draw a single fixed entry from the reference)."""
    other = None if value is False else True
    return {f"{c.id}__passed": (value if c.id == cid else other) for c in edition.criteria}


def _masked(mask: np.ndarray, text: str) -> tuple[np.ndarray, pa.Array]:
    rows = np.nonzero(mask)[0]
    return rows, pa.array([text], pa.string()).take(pa.array(np.zeros(rows.size, dtype=np.int64)))


def _str(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(values, type=pa.int64()), pa.string())


def money_text(yuan: int) -> str:
    """``keqi.policy.plans.money`` in integer arithmetic (no ``Decimal``: ~20× quicker, and a batch of
    plans writes about one distinct amount per firm); the same text for every integer (tested)."""
    if -10_000 < yuan < 10_000:
        return f"{yuan:,} 元"
    hundreds = -(-yuan // 100)  # rounded up to the hundred yuan
    whole, cents = divmod(abs(hundreds), 100)
    sign = "-" if hundreds < 0 else ""
    if cents == 0:
        return f"{sign}{whole:,} 万元"
    return f"{sign}{whole:,}.{cents:02d}".rstrip("0") + " 万元"


def _money(yuan: np.ndarray) -> pa.Array:
    """``keqi.policy.plans.money`` for an array of yuan: each distinct amount written once."""
    distinct, where = np.unique(yuan, return_inverse=True)
    return pa.array([money_text(int(v)) for v in distinct], pa.string()).take(pa.array(where.ravel()))


def _effect(c: Criterion, lo: np.ndarray, lo_null: np.ndarray, hi: np.ndarray) -> pa.Array:
    """``keqi.policy.plans.effect`` column-wise."""
    plain = pa.scalar(f"可满足“{c.label}”")
    if not c.scored:
        return pc.if_else(pa.array(np.zeros(len(lo), dtype=bool)), _NULL, plain)
    lo_s = _str(lo)
    pts = pc.if_else(
        pa.array(lo == hi),
        pc.binary_join_element_wise(lo_s, "分", ""),
        pc.binary_join_element_wise(lo_s, "–", _str(hi), "分", ""),
    )
    return pc.if_else(pa.array(lo_null), plain, pc.binary_join_element_wise(f"{c.label}可得", pts, ""))


def _lever_entry(
    mask: np.ndarray,
    c: Criterion,
    lever: str,
    delta: np.ndarray,
    points: tuple[np.ndarray, np.ndarray, np.ndarray],
    suffix: str,
    reaches: pa.Array | pa.Scalar,
) -> tuple[np.ndarray, pa.Array]:
    """One lever's entry (JSON) for the rows where ``mask`` holds, as (those rows, their texts): the text
    of the reference, built for those rows only. ``points``: the criterion's (min, min is NULL, max)."""
    rows = np.nonzero(mask)[0]
    before, after, is_money = PHRASES[lever]
    change = delta[rows]
    amount = _money(change) if is_money else _str(change)
    effect = _effect(c, *(p[rows] for p in points))
    if isinstance(reaches, pa.Array):
        reaches = reaches.take(pa.array(rows))
    head = f'{{"criterion": {json.dumps(c.id)}, "field": {json.dumps(lever)}, "change": '
    text = pc.binary_join_element_wise(
        head,
        _str(change),
        f', "unit": {json.dumps(LEVERS[lever])}, "note": "{_esc(before)}',
        amount,
        f"{_esc(after)}，",
        effect,
        f'{_esc(suffix)}", "reaches": ',
        reaches,
        "}",
        "",
    )
    return rows, text


def _served_index(served: str | tuple[str, ...], passed: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    """``keqi.policy.plans.served`` column-wise: index into ``served`` of the criterion a lever serves."""
    if isinstance(served, str):
        return np.zeros(n, dtype=np.int64)
    out = np.full(n, len(served) - 1, dtype=np.int64)
    for i in range(len(served) - 1, -1, -1):
        out = np.where(passed[served[i]] != 1, i, out)
    return out


def _failing(edition: Edition, headline, passed, rows) -> list[tuple[np.ndarray, str]]:
    return [
        (passed[c.id][rows] == 0, _one(unreachable(edition, _pattern_row(edition, c.id, False))))
        for c in headline
    ]


def _open(edition: Edition, headline, passed, rows) -> list[tuple[np.ndarray, str]]:
    return [
        (passed[c.id][rows] == -1, _one(undecided(edition, _pattern_row(edition, c.id, None))))
        for c in headline
    ]


def _static(entries: list[tuple[np.ndarray, str]]) -> pa.Array:
    """Fixed entries, each present where its mask holds, joined per row (NULL where none): the text of
    each distinct pattern of masks is built once."""
    if not entries:
        return pa.nulls(0, pa.string())
    n = len(entries[0][0])
    code = np.zeros(n, dtype=object if len(entries) > 62 else np.int64)
    for i, (mask, _) in enumerate(entries):
        code = code + mask.astype(np.int64) * (1 << i)
    patterns, inverse = _groups(code)
    texts = [", ".join(t for i, (_, t) in enumerate(entries) if int(p) >> i & 1) or None for p in patterns]
    return pa.array(texts, type=pa.string()).take(pa.array(inverse.ravel()))


def _groups(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the distinct values, sorted; each value's index among them): ``np.unique(values,
    return_inverse=True)`` without its stable argsort of every row (a sort and a binary search instead;
    the values here take few distinct values)."""
    distinct = np.unique(values)
    return distinct, np.searchsorted(distinct, values)


def _distinct(keys: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of the integer columns ``keys``: (one row of each, each row's index into those).
    Rows are hashed to one integer to sort; every row is then checked equal to its group's row, and a
    collision (never seen) falls back to sorting the whole rows."""
    table = np.stack([np.asarray(k, dtype=np.int64) for k in keys], axis=1)
    hashed = np.zeros(table.shape[0], dtype=np.uint64)
    with np.errstate(over="ignore"):
        for column in table.T:
            hashed = (hashed * np.uint64(0x100000001B3)) ^ column.astype(np.uint64)
    _, inverse = _groups(hashed)
    first = np.zeros(int(inverse.max()) + 1, dtype=np.int64)
    first[inverse] = np.arange(inverse.size)  # some row of each group (which one does not matter)
    if not (table == table[first[inverse]]).all():
        whole = np.ascontiguousarray(table).view(np.dtype((np.void, 8 * table.shape[1]))).ravel()
        _, first, inverse = np.unique(whole, return_index=True, return_inverse=True)
        inverse = inverse.ravel()
    return first, inverse


def _join(slots: list[tuple[np.ndarray, pa.Array] | pa.Array], n: int) -> pa.Array:
    """Per row, its entries joined by ", " in the order of ``slots`` ("" where none). A slot is (rows,
    texts) or a whole column with NULL where the row has no entry; only the entries present are copied."""
    rows, texts = [], []
    for slot in slots:
        if isinstance(slot, tuple):
            where, text = slot
        else:
            where = np.nonzero(pc.is_valid(slot).to_numpy(zero_copy_only=False))[0]
            text = slot.take(pa.array(where)) if where.size < len(slot) else slot
        if where.size:
            rows.append(where)
            texts.append(text.cast(pa.string()) if text.type != pa.string() else text)
    if not rows:
        return pa.array([""] * n, pa.string())
    row = np.concatenate(rows)
    order = np.argsort(row, kind="stable")  # by row, then in slot order
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(row, minlength=n), out=offsets[1:])
    flat = pa.concat_arrays([t.combine_chunks() if isinstance(t, pa.ChunkedArray) else t for t in texts])
    lists = pa.ListArray.from_arrays(pa.array(offsets), flat.take(pa.array(order)))
    return pc.binary_join(lists, ", ")


def _plan_keys(edition: Edition, headline, found: _Found, passed, rows: np.ndarray) -> list[np.ndarray]:
    """Everything the entries of a found plan are written from (``_plan_entries``), per row of ``rows``."""
    keys = [found.target[rows]]
    served_ids = set()
    for lever, served in edition.levers.items():
        ids = (served,) if isinstance(served, str) else served
        served_ids.update(ids)
        keys += [found.delta[lever][rows], _served_index(served, {c: passed[c][rows] for c in ids}, rows.size)]
    for cid in sorted(served_ids):
        keys += [found.lo[cid][rows], found.lo_null[cid][rows], found.hi[cid][rows]]
    keys += [found.passed[c.id][rows] for c in headline]
    return keys


def _plan_entries(edition: Edition, headline, found: _Found, passed, rows: np.ndarray) -> pa.Array:
    """The entries of the found plans of ``rows``: one per lever that moves, then (plans that reach
    "uncertain") what stays undecided; comma-joined, without the brackets."""
    reaches = pc.if_else(
        pa.array(found.target[rows] == ELIGIBLE), pa.scalar('"eligible"'), pa.scalar('"uncertain"')
    )
    slots = []
    for lever, served in edition.levers.items():
        ids = (served,) if isinstance(served, str) else served
        which = _served_index(served, {c: passed[c][rows] for c in ids}, rows.size)
        delta = found.delta[lever][rows]
        for i, cid in enumerate(ids):
            mask = (delta > 0) & (which == i)
            if mask.any():
                points = (found.lo[cid][rows], found.lo_null[cid][rows], found.hi[cid][rows])
                slots.append(_lever_entry(mask, edition.criterion(cid), lever, delta, points, "", reaches))
    unsure = found.target[rows] == UNCERTAIN
    after = {c.id: np.where(unsure, found.passed[c.id][rows], 1) for c in headline}
    slots.append(_static(_open(edition, headline, after, np.arange(rows.size))))
    return _join(slots, rows.size)


def _partial_keys(edition: Edition, headline, found: _Found, passed, rows: np.ndarray) -> list[np.ndarray]:
    """Everything the entries of a firm without a plan are written from (``_partial_entries``)."""
    keys = []
    for c in headline:
        keys += [passed[c.id][rows], found.fixable[c.id][rows], found.fix_lo[c.id][rows],
                 found.fix_lo_null[c.id][rows], found.fix_hi[c.id][rows]]
        keys += [found.fix_delta[c.id][lever][rows] for lever in edition.levers]
    return keys


def _partial_entries(edition: Edition, headline, found: _Found, passed, rows: np.ndarray) -> pa.Array:
    """The entries of firms without a plan: per failing criterion its cheapest fix alone (or that nothing
    helps), then what is undecided; comma-joined, without the brackets."""
    slots = []
    null_reaches = pa.scalar("null")
    for c in headline:
        failing = passed[c.id][rows] == 0
        fixable = found.fixable[c.id][rows]
        text = _one(unreachable(edition, _pattern_row(edition, c.id, False)))
        slots.append(_masked(failing & ~fixable, text))
        points = (found.fix_lo[c.id][rows], found.fix_lo_null[c.id][rows], found.fix_hi[c.id][rows])
        for lever in edition.levers:
            delta = found.fix_delta[c.id][lever][rows]
            mask = failing & fixable & (delta > 0)
            if mask.any():
                slots.append(_lever_entry(mask, c, lever, delta, points, PARTIAL_SUFFIX, null_reaches))
    slots.append(_static(_open(edition, headline, passed, rows)))
    return _join(slots, rows.size)


def batch_gap_columns(
    flat: pa.Table,
    result: pa.Table,
    edition_id: str,
    settings: Mapping[str, Any] | None = None,
    *,
    composed: bool = True,
) -> pa.Table:
    """``result`` with ``gap__<lever>``, ``gap__reaches`` and ``gaps_json`` (see ``keqi.policy.gaps``).

    The combinations are judged from the edition's composition (``_search_composed``) where it allows,
    else (or with ``composed=False``, which the tests compare against) row by row in rounds."""
    edition = editions.get(edition_id)
    resolved = edition.resolve_settings(settings)
    n = result.num_rows
    codes = verdict_codes(result)
    passed = {c.id: _tri(result.column(f"{c.id}__passed")) for c in edition.criteria}
    open_ = codes != ELIGIBLE
    blocked = np.zeros(n, dtype=bool)
    for c in edition.criteria:
        if c.gate and not c.controllable:
            blocked |= open_ & (passed[c.id] == 0)
    fixed = open_ & ~blocked & (edition.options is None)
    search = np.nonzero(open_ & ~blocked & (edition.options is not None))[0]

    found = _Found(edition, n)
    if search.size and not (
        composed and _search_composed(found, search, flat, result, codes, edition, resolved, settings)
    ):
        probe = _Plans(
            edition,
            resolved,
            _option_columns(flat.take(pa.array(search[:1])), result.take(pa.array(search[:1])), edition),
            1,
        )
        chunk = max(1, CANDIDATE_ROWS // max(probe.k, 1))
        state: dict[str, bool] = {}
        for start in range(0, search.size, chunk):
            _search_chunk(
                found, search[start : start + chunk], flat, result, codes, edition, resolved, settings, state
            )

    headline = _headline(edition)
    pieces: list[pa.Array] = [pa.array(["[]"], type=pa.string())]  # eligible firms: no entries
    position = np.zeros(n, dtype=np.int64)

    def put(rows: np.ndarray, lists: pa.Array, inverse: np.ndarray | None = None) -> None:
        """The entries of ``rows``: ``lists[i]`` for the i-th row, or ``lists[inverse[i]]``."""
        offset = sum(len(p) for p in pieces)
        position[rows] = offset + (np.arange(rows.size) if inverse is None else inverse)
        pieces.append(pc.binary_join_element_wise("[", pc.fill_null(lists, ""), "]", ""))

    # a blocker: the criteria the firm cannot fix, nothing else
    rows = np.nonzero(blocked)[0]
    if rows.size:
        put(
            rows,
            _static(
                [
                    (passed[c.id][rows] == 0, _one(blockers(edition, _pattern_row(edition, c.id, False))))
                    for c in edition.criteria
                    if c.gate and not c.controllable
                ]
            ),
        )
    # no levers: what fails, then what is undecided
    rows = np.nonzero(fixed)[0]
    if rows.size:
        put(rows, _static(_failing(edition, headline, passed, rows) + _open(edition, headline, passed, rows)))
    # a plan: one entry per lever that moves, then (plans that reach "uncertain") what stays undecided
    # (the text of each distinct plan is written once: most firms share theirs with many others)
    rows = np.nonzero(found.found)[0]
    if rows.size:
        first, inverse = _distinct(_plan_keys(edition, headline, found, passed, rows))
        put(rows, _plan_entries(edition, headline, found, passed, rows[first]), inverse)
    # no plan at all: per failing criterion its cheapest fix alone (or that nothing helps), then undecided
    rows = np.nonzero(found.partial)[0]
    if rows.size:
        first, inverse = _distinct(_partial_keys(edition, headline, found, passed, rows))
        put(rows, _partial_entries(edition, headline, found, passed, rows[first]), inverse)
    gaps_json = pa.concat_arrays(pieces).take(pa.array(position))

    for lever in edition.levers:
        delta = found.delta[lever]
        result = result.append_column(
            f"gap__{lever}", pa.array(np.where(delta >= 0, delta, 0), mask=delta < 0)
        )
    target = np.where(found.target == ELIGIBLE, "eligible", "uncertain")
    result = result.append_column("gap__reaches", pa.array(target, type=pa.string(), mask=~found.found))
    return result.append_column("gaps_json", gaps_json)
