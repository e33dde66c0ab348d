"""Benchmark the live evaluation of one firm: every edition, with gap plans (the firm evaluation page).

A firm's page (``/screening/enterprises/{uscc}/``) judges one firm against every edition in force,
each with its gap plan, through the same engine as a screen of a million firms (a batch of one row).
This script times that engine call on synthetic firms (``keqi.synth.population``, flattened as the
registry does), after one warm-up call that compiles the SQL (and runs each statement once: the
engine prepares a statement the second time it runs, i.e. for the first firm timed):

1. per edition, one firm, verdict alone and with the gap plan (median over ``--firms`` firms);
2. one firm against every edition with gap plans (``evaluation.evaluate_all``): median and 95th percentile
   of wall time and of the process's CPU time (the figure that decides how many pages two cores serve).

``--registered`` runs the engine's other path for small batches (the rows registered as an Arrow
table and the statement bound and planned on every call, as before prepared statements), for a
before/after in the same process.

Usage::

    .venv/bin/python benchmarks/evaluate_one_firm.py --firms 50
    .venv/bin/python benchmarks/evaluate_one_firm.py --firms 50 --registered
"""

from __future__ import annotations

import argparse
import statistics
import time

from keqi.policy import editions, engine, evaluation
from keqi.policy.flat import profiles_to_table
from keqi.policy.profile import Profile
from keqi.synth import population as synth


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed(fn, *args, **kwargs) -> tuple[float, float]:
    """(wall, CPU) seconds of one call."""
    w0, c0 = time.perf_counter(), time.process_time()
    fn(*args, **kwargs)
    return time.perf_counter() - w0, time.process_time() - c0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--firms", type=int, default=50, help="firms timed (each a batch of one)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--registered", action="store_true", help="the registered-table path (no prepared statements)"
    )
    args = parser.parse_args()
    if args.registered:
        engine.PREPARED_ROWS = 0

    population = synth.generate(args.firms + 1, seed=args.seed)
    table = profiles_to_table(Profile.model_validate(p) for p in synth.to_profiles(population))
    ids = list(editions.EDITION_IDS)
    warm, _ = timed(evaluation.evaluate_all, table.slice(0, 1), ids, gaps=True)
    print(f"first call (compiles the SQL, runs each statement once): {warm * 1000:.0f} ms")
    firms = [table.slice(i, 1) for i in range(1, args.firms + 1)]

    print(f"\none firm, per edition, median over {len(firms)} firms (wall ms):")
    print(f"{'edition':<22}{'verdict':>10}{'with gaps':>12}")
    for e in ids:
        alone = [timed(evaluation.evaluate_all, f, [e], gaps=False)[0] for f in firms]
        gaps = [timed(evaluation.evaluate_all, f, [e], gaps=True)[0] for f in firms]
        print(f"{e:<22}{statistics.median(alone) * 1000:>10.1f}{statistics.median(gaps) * 1000:>12.1f}")

    runs = [timed(evaluation.evaluate_all, f, ids, gaps=True) for f in firms]
    wall = [w * 1000 for w, _ in runs]
    cpu = [c * 1000 for _, c in runs]
    print(f"\none firm, all {len(ids)} editions with gap plans ({len(firms)} firms):")
    print(f"  wall ms: median {statistics.median(wall):.1f}, p95 {percentile(wall, 0.95):.1f}")
    print(f"  CPU ms:  median {statistics.median(cpu):.1f}, p95 {percentile(cpu, 0.95):.1f}")


if __name__ == "__main__":
    main()
