"""Benchmark `keqi evaluate` of one firm from a cold start (issue 17 goal 3), against its floor.

Each run is a fresh process, as a user starts it; the figures are each child's wall time and CPU time
(its own ``rusage``: on a shared machine the CPU time is the one to compare), median over ``--repeat``
runs, the children interleaved so that a change of load hits all alike:

- ``python -c pass``: the interpreter's start;
- the floor: a process that only imports what judging one firm cannot do without (DuckDB, Arrow, NumPy,
  pydantic and the profile model);
- ``keqi --help`` (the command's own start: typer and the verbs' registration);
- ``keqi evaluate ONE.json -e EDITION`` with the compiled-SQL cache filled (``KEQI_HOME`` of this
  script; the first run fills it), with and without ``--no-gaps``;
- once, the same with an empty cache (the first command after an install or a code change compiles the
  SQL with Ibis and stores it).

``--before SRC`` adds the same ``keqi evaluate`` run from another checkout's ``src`` (``PYTHONPATH``
before this installation's: e.g. ``git archive COMMIT src | tar -x -C /tmp/before``), for a before and
after in one run. The firm is ``keqi.synth``'s first firm of ``--seed``. Prints one table, the load
average before and after, and ``uptime``.

    nice .venv/bin/python benchmarks/cold_start.py --repeat 9 [--before /tmp/before/src]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).parent / "out" / "cold"
BIN = Path(sys.executable).parent
FLOOR = "import duckdb, pyarrow, numpy, pydantic, keqi.policy.profile"


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one child (its own rusage, ``os.wait4``)."""
    t = time.perf_counter()
    child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{' '.join(args)} failed: {child.stderr.read().decode()[-2000:]}")
    child.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime


def _load() -> str:
    return Path("/proc/loadavg").read_text().split(" ")[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--edition", default="hnte-2016")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--before", help="another checkout's src: its keqi evaluate too")
    args = parser.parse_args()
    keqi = str(BIN / "keqi")
    OUT.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "KEQI_HOME": str(OUT / "home")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's installation keeps its bytecode

    from keqi.synth import population as synth

    one = OUT / "one.json"
    one.write_text(json.dumps(synth.to_profiles(synth.generate(1, seed=args.seed))[0], default=str))
    evaluate = [keqi, "evaluate", str(one), "-e", args.edition]
    load = [_load()]
    with tempfile.TemporaryDirectory() as empty:  # the first command after an install: nothing cached
        cold_cache = _run(evaluate, {**env, "KEQI_HOME": empty})
    _run(evaluate, env)  # fills this script's cache (and the bytecode) if need be
    _run([*evaluate, "--no-gaps"], env)
    before = {**env, "PYTHONPATH": str(Path(args.before).resolve())} if args.before else None
    if before:
        _run(evaluate, before)
    steps = {
        "python -c pass (interpreter start)": [sys.executable, "-c", "pass"],
        f"floor: python -c '{FLOOR}'": [sys.executable, "-c", FLOOR],
        "keqi --help": [keqi, "--help"],
        f"keqi evaluate ONE.json -e {args.edition}": evaluate,
        f"keqi evaluate ONE.json -e {args.edition} --no-gaps": [*evaluate, "--no-gaps"],
    }
    envs = dict.fromkeys(steps, env)
    if before:
        name = f"before ({args.before}): keqi evaluate ONE.json -e {args.edition}"
        steps[name], envs[name] = evaluate, before
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in steps}
    for _ in range(args.repeat):
        for name, command in steps.items():
            runs[name].append(_run(command, envs[name]))
    load.append(_load())
    print(f"one firm, {args.repeat} runs each, load average {load[0]} before, {load[1]} after")
    print("| step | wall s (median) | CPU s (median) | CPU s (min–max) |\n|---|---:|---:|---:|")
    for name, times in runs.items():
        wall = statistics.median(w for w, _ in times)
        cpu = [c for _, c in times]
        print(f"| {name} | {wall:.2f} | {statistics.median(cpu):.2f} | {min(cpu):.2f}–{max(cpu):.2f} |")
    print(f"| keqi evaluate, empty cache (compiles and stores the SQL), once | {cold_cache[0]:.2f} | "
          f"{cold_cache[1]:.2f} | |")
    if shutil.which("uptime"):
        subprocess.run(["uptime"], check=False)


if __name__ == "__main__":
    main()
