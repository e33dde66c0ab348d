"""Gaps: the smallest changes a firm controls that make it eligible — the reference search.

The levers, the columns each moves and the phrases of the entries are in ``keqi.policy.plans``.

How the plan is found (exact, vectorised):

1. Each edition lists, per lever, its *breakpoints*: the smallest change that reaches each threshold
   or band edge the lever touches (``Edition.options``), computed with exact integer arithmetic
   (``(t + Δ) * 100 >= p * (s + Δ)`` etc.). Between two breakpoints no rule changes its outcome.
2. Every combination of breakpoints is applied to the firm's flat row and the whole candidate batch is
   run through the same engine (one vectorised query), so a plan is only proposed if the rules say it
   works.
3. "Smallest" = the eligible combination with the lowest cost, where cost = Σ change × unit cost and
   the unit costs are the bureau setting ``gap_costs`` (defaults, not official: 1 per yuan, 200,000 per
   tech hire, 50,000 per Ⅰ类 and 10,000 per Ⅱ类 item). Ties go to the first combination in lever order.
   Because every unit cost is positive and outcomes only change at breakpoints, lowering any single
   component of the chosen plan by one unit makes the firm ineligible again.

If no combination makes the firm eligible but one makes an ineligible firm "uncertain" (e.g. expert
items still unknown), that plan is returned with ``reaches: "uncertain"``. Criteria that nothing the
firm controls can fix (too young, too big, a blacklist flag, a prohibited industry) are reported as gap
entries with ``change: null``; so are undecided criteria (missing data) that no plan can settle.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from keqi.policy import editions
from keqi.policy.editions._base import Edition
from keqi.policy.engine import columns_read, run_rules
from keqi.policy.plans import (
    LEVERS,
    MOVES,
    PARTIAL_SUFFIX,
    apply_changes,
    blockers,
    effect,
    lever_phrase,
    served,
    undecided,
    unreachable,
)
from keqi.policy.profile import Profile

__all__ = ["apply_plan", "compute_gaps", "gap_columns_reference"]

SMALL_BATCH = 32  # rows: up to this, plain Python lists are quicker than Arrow calls per column
CANDIDATE_ROWS = 250_000  # candidate plans evaluated per query (firms per chunk = this ÷ plans per firm)


def apply_plan(profile: Profile, gaps: Sequence[Mapping[str, Any]]) -> Profile:
    """The profile after carrying out the gap plan (entries with a non-null ``change``)."""
    data = profile.model_dump()
    latest = max(data["financials"], key=lambda f: f["year"]) if data["financials"] else None

    def bump(obj: dict[str, Any], key: str, delta: int) -> None:
        if obj.get(key) is not None:
            obj[key] += delta

    for gap in gaps:
        delta = gap.get("change")
        if delta is None:
            continue
        field = gap["field"]
        if field == "tech_staff":
            bump(data, "tech_staff", delta)
            bump(data, "staff_total", delta)
        elif field == "rd_expense" and latest is not None:
            for key in ("rd_expense", "rd_expense_domestic", "cost_total"):
                bump(latest, key, delta)
        elif field == "hitech_revenue" and latest is not None:
            bump(latest, "hitech_revenue", delta)
        elif field == "main_revenue" and latest is not None:
            bump(latest, "main_revenue", delta)
        elif field in ("ip.class1", "ip.class2"):
            bump(data["ip"], field.split(".")[1], delta)
    return Profile.model_validate(data)


def _partial(
    edition: Edition,
    row: Mapping[str, Any],
    evaluated: pa.Table,
    plans: Mapping[str, np.ndarray],
    cost: np.ndarray,
    j: int,
    width: int,
    passed_matrix: Any,
) -> list[dict[str, Any]]:
    """No plan makes the firm eligible: per failing criterion, the cheapest plan that fixes it alone
    (``reaches: null``), or an entry saying that nothing the firm controls can fix it."""
    out: list[dict[str, Any]] = []
    big = np.iinfo(np.int64).max
    for c in edition.criteria:
        if not (c.gate or c.scored) or c.part_of is not None or row[f"{c.id}__passed"] is not False:
            continue
        ok = passed_matrix(c.id)[:, j]
        if not ok.any():
            out += unreachable(
                edition,
                {f"{c.id}__passed": False}
                | {f"{x.id}__passed": None for x in edition.criteria if x.id != c.id},
            )
            continue
        k = int(np.argmin(np.where(ok, cost, big)))
        pos = k * width + j
        after = {f"{c.id}__{x}": evaluated.column(f"{c.id}__{x}")[pos].as_py() for x in ("min", "max")}
        for lever in edition.levers:
            delta = int(plans[lever][k, j])
            if delta > 0:
                out.append(
                    {
                        "criterion": c.id,
                        "field": lever,
                        "change": delta,
                        "unit": LEVERS[lever],
                        "note": f"{lever_phrase(lever, delta)}，{effect(edition, c.id, after)}{PARTIAL_SUFFIX}",
                        "reaches": None,
                    }
                )
    return out + undecided(edition, row)


def _int_columns(table: pa.Table, names: Sequence[str]) -> dict[str, np.ndarray]:
    """The integer columns among ``names`` as int64 arrays, NULL as 0."""
    ints = [n for n in names if pa.types.is_integer(table.schema.field(n).type)]
    if table.num_rows > SMALL_BATCH:
        return {n: pc.fill_null(table.column(n), 0).to_numpy().astype(np.int64) for n in ints}
    values = table.select(ints).to_pydict()  # a few rows: quicker than three Arrow calls per column
    return {n: np.array([0 if v is None else v for v in values[n]], dtype=np.int64) for n in ints}


def _plan_moves(
    groups: Sequence[Sequence[Mapping[str, Any]]], levers: Sequence[str], n: int
) -> dict[str, np.ndarray]:
    """Every combination of one option per group (``itertools.product`` order): per lever, the move of
    combination k for firm j at ``[k, j]`` (a later group's option overrides an earlier one's; no
    option, no move; never negative)."""
    combos = np.array(list(itertools.product(*[range(len(g)) for g in groups])), dtype=np.intp)
    combos = combos.reshape(-1, len(groups))
    out = {}
    for lever in levers:
        moves = np.zeros((len(combos), n), dtype=np.int64)
        for g, group in enumerate(groups):
            has = np.array([lever in option for option in group], dtype=bool)
            if not has.any():
                continue
            values = np.zeros((len(group), n), dtype=np.int64)
            for k, option in enumerate(group):
                if lever in option:
                    values[k] = np.maximum(option[lever], 0)
            chosen = has[combos[:, g]]
            moves[chosen] = values[combos[chosen, g]]
        out[lever] = moves
    return out


def compute_gaps(
    flat: pa.Table, result: pa.Table, edition_id: str, settings: Mapping[str, Any] | None = None
) -> tuple[list[list[dict[str, Any]]], dict[str, np.ndarray], list[str | None]]:
    """Gap entries per row, the planned change per lever (-1 = none) and what each plan reaches."""
    edition = editions.get(edition_id)
    resolved = edition.resolve_settings(settings)
    # the candidates are judged on the criteria view (verdict and each criterion's passed, min and max:
    # all this search reads), so only the columns it reads and those the levers move are repeated
    moved = [c for lever in edition.levers for c in MOVES[lever]]
    needed = list(dict.fromkeys([*columns_read(edition_id, settings, "criteria"), *moved]))
    costs = resolved.get("gap_costs", {})
    rows = result.to_pylist()
    n = len(rows)
    entries: list[list[dict[str, Any]]] = [[] for _ in range(n)]
    reaches: list[str | None] = [None] * n
    plan = {lever: np.full(n, -1, dtype=np.int64) for lever in edition.levers}
    search: list[int] = []
    for i, row in enumerate(rows):
        if row["verdict"] == "eligible":
            continue
        fixed = blockers(edition, row)
        if fixed:
            entries[i] = fixed
        elif edition.options is None:
            entries[i] = unreachable(edition, row) + undecided(edition, row)
        else:
            search.append(i)

    def inputs(idx: list[int]) -> tuple[pa.Table, dict[str, np.ndarray]]:
        """The flat rows of ``idx`` and the integer columns the edition's options read."""
        whole = idx == list(range(n))  # a firm's page: the one row of the batch
        base = flat if whole else flat.take(pa.array(idx))
        helpers = result if whole else result.take(pa.array(idx))
        return base, _int_columns(base, base.column_names) | _int_columns(helpers, list(edition.helpers))

    probe_idx: list[int] = search[:1]
    if search and edition.options is not None:
        probe, probe_cols = inputs(probe_idx)
        n_combos = int(np.prod([len(g) for g in edition.options(probe_cols, resolved)]))
        chunk = max(1, CANDIDATE_ROWS // max(n_combos, 1))
    else:
        chunk = 1
    for start in range(0, len(search), chunk):
        idx = search[start : start + chunk]
        base, cols = (probe, probe_cols) if idx == probe_idx else inputs(idx)
        groups = edition.options(cols, resolved)
        n_plans = int(np.prod([len(g) for g in groups]))
        plans = _plan_moves(groups, list(edition.levers), len(idx))
        # candidate k of firm j is row k * len(idx) + j: the chunk repeated once per plan, moved at once
        repeated = base.select(needed).take(pa.array(np.tile(np.arange(len(idx)), n_plans)))
        candidates = apply_changes(repeated, {lever: moves.reshape(-1) for lever, moves in plans.items()})
        evaluated = run_rules(candidates, edition_id, settings, view="criteria")
        verdict = np.asarray(evaluated.column("verdict").to_pylist(), dtype=object).reshape(n_plans, len(idx))
        cost = sum(plans[lever] * int(costs.get(lever, 1)) for lever in edition.levers)
        big = np.iinfo(np.int64).max
        matrices: dict[str, np.ndarray] = {}

        def passed_matrix(
            cid: str, _ev: pa.Table = evaluated, _m: dict = matrices, _k: int = n_plans
        ) -> np.ndarray:
            """Candidates × firms: does criterion ``cid`` pass (True only; False/NULL → False)."""
            if cid not in _m:
                col = pc.fill_null(_ev.column(f"{cid}__passed"), False)
                _m[cid] = col.to_numpy(zero_copy_only=False).astype(bool).reshape(_k, -1)
            return _m[cid]

        for j, i in enumerate(idx):
            choice, target = None, None
            for wanted in ("eligible", "uncertain") if rows[i]["verdict"] == "ineligible" else ("eligible",):
                ok = verdict[:, j] == wanted
                if ok.any():
                    choice = int(np.argmin(np.where(ok, cost[:, j], big)))
                    target = wanted
                    break
            if choice is None:
                entries[i] = _partial(
                    edition, rows[i], evaluated, plans, cost[:, j], j, len(idx), passed_matrix
                )
                continue
            after = evaluated.slice(choice * len(idx) + j, 1).to_pylist()[0]
            found = []
            for lever, criteria in edition.levers.items():
                crit = served(criteria, rows[i])
                delta = int(plans[lever][choice, j])
                plan[lever][i] = delta
                if delta > 0:
                    found.append(
                        {
                            "criterion": crit,
                            "field": lever,
                            "change": delta,
                            "unit": LEVERS[lever],
                            "note": f"{lever_phrase(lever, delta)}，{effect(edition, crit, after)}",
                            "reaches": target,
                        }
                    )
            if target == "uncertain":
                found += undecided(edition, after)
            entries[i] = found
            reaches[i] = target
    return entries, plan, reaches


def gap_columns_reference(
    flat: pa.Table, result: pa.Table, edition_id: str, settings: Mapping[str, Any] | None = None
) -> pa.Table:
    """``result`` with ``gap__<lever>`` (planned change, NULL if none), ``gap__reaches`` and ``gaps_json``:
    every candidate plan of every firm evaluated, then one Python pass per firm. The batch search
    (``keqi.policy.gapsearch``) gives the same plans and is checked against this one (tests); this one is
    quicker for a few firms (``keqi.policy.evaluation.gap_columns`` picks)."""
    entries, plan, reaches = compute_gaps(flat, result, edition_id, settings)
    for lever, delta in plan.items():
        result = result.append_column(
            f"gap__{lever}", pa.array(np.where(delta >= 0, delta, 0), mask=delta < 0)
        )
    result = result.append_column("gap__reaches", pa.array(reaches, type=pa.string()))
    return result.append_column(
        "gaps_json", pa.array([json.dumps(e, ensure_ascii=False) for e in entries], type=pa.string())
    )
