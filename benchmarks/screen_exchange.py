"""Benchmark the exchange-format screen (`keqi screen FILE`) and a one-firm `keqi evaluate` cold start.

A file in the exchange format (the import template, one row per firm and year) is made by `keqi synth
--firms N` (cached in benchmarks/out), then each step runs as a user runs it, a fresh process each, in
this order, on the same firms:

1. the yardstick: DuckDB reading the exchange file once into Arrow;
2. `keqi flatten FILE --on DAY -o FLAT.parquet` (reading, the import's checks, the flat rows);
3. `keqi screen FLAT.parquet --on DAY -o OUT.parquet`: the flat path on the same firms;
4. `keqi screen FILE --on DAY -o OUT.parquet`: the exchange-format screen, whole command;
5. `keqi evaluate ONE.json -e hnte-2016` of one firm (cold start, the compiled-SQL cache filled), against
   the bare interpreter start (`python -c pass`) and `keqi --help`.

The compiled-SQL cache of `benchmarks/out/home` is filled first by a run on 1,000 firms (a user's second
run). Peak memory is each child's maximum RSS. The reading limits (KEQI_MAX_ROWS …) are raised for files
above the default 1,000,000 rows. Prints one table and the load average before and after.

    nice .venv/bin/python benchmarks/screen_exchange.py --firms 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).parent / "out"
BIN = Path(sys.executable).parent


def _env() -> dict[str, str]:
    return {**os.environ, "KEQI_HOME": str(OUT / "home"), "KEQI_MAX_ROWS": "100000000",
            "KEQI_MAX_CELLS": "10000000000", "KEQI_MAX_UNPACKED_BYTES": str(1 << 40),
            "KEQI_MAX_UPLOAD_BYTES": str(1 << 40)}


def _run(args: list[str], *, env: dict | None = None) -> dict:
    """Run one child; its wall time, CPU time and peak memory (its own rusage, ``os.wait4``)."""
    import tempfile

    with tempfile.TemporaryFile("w+") as log:
        t = time.perf_counter()
        child = subprocess.Popen(args, env=env or _env(), stdout=log, stderr=log)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - t
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            log.seek(0)
            raise SystemExit(f"{' '.join(args)} failed ({child.returncode}):\n{log.read()[-3000:]}")
    return {"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024}


def make_file(firms: int, seed: int, suffix: str = "parquet") -> Path:
    path = OUT / f"exchange-{firms}-{seed}.{suffix}"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        _run([str(BIN / "keqi"), "synth", "--firms", str(firms), "--seed", str(seed), "-o", str(path)])
    return path


def _uptime() -> str:
    return Path("/proc/loadavg").read_text().split(" ")[0]


READ = "import duckdb, sys; duckdb.sql(f\"SELECT * FROM read_parquet('{sys.argv[1]}')\").to_arrow_table()"
def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--on", default="2026-06-30")
    parser.add_argument("--format", default="parquet", choices=("parquet", "csv", "xlsx"))
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--only-evaluate", action="store_true")
    args = parser.parse_args()
    keqi = str(BIN / "keqi")
    env = _env()
    home = OUT / "home"
    home.mkdir(parents=True, exist_ok=True)
    subprocess.run([keqi, "migrate"], env=env, check=True, capture_output=True)  # the ladder
    rows: list[tuple[str, dict]] = []
    load = [_uptime()]
    small = make_file(1000, args.seed)  # the compiled-SQL cache, as after a user's first run
    _run([keqi, "screen", str(small), "--on", args.on, "-o", str(OUT / "warm.parquet")])
    if not args.only_evaluate:
        path = make_file(args.firms, args.seed, args.format)
        flat = OUT / f"flat-{args.firms}-{args.seed}.parquet"
        for _ in range(args.repeat):
            if args.format == "parquet":
                rows.append(("DuckDB reads the exchange file (yardstick)", _run([sys.executable, "-c", READ, str(path)])))
            rows.append((f"keqi flatten FILE.{args.format} -o FLAT.parquet",
                         _run([keqi, "flatten", str(path), "--on", args.on, "-o", str(flat)])))
            rows.append(("keqi screen FLAT.parquet -o OUT.parquet (flat path)",
                         _run([keqi, "screen", str(flat), "--on", args.on, "-o", str(OUT / "out-flat.parquet")])))
            rows.append((f"keqi screen FILE.{args.format} -o OUT.parquet (exchange format)",
                         _run([keqi, "screen", str(path), "--on", args.on, "-o", str(OUT / "out-file.parquet")])))
    from keqi.synth import population as synth

    one = OUT / "one.json"  # one synthetic firm's profile, as keqi evaluate reads it
    one.write_text(json.dumps(synth.to_profiles(synth.generate(1, seed=args.seed))[0], default=str))
    for _ in range(5):
        rows.append(("python -c pass (interpreter start)", _run([sys.executable, "-c", "pass"])))
        rows.append(("keqi --help", _run([keqi, "--help"])))
        rows.append(("keqi evaluate ONE.json -e hnte-2016 (cold start)", _run([keqi, "evaluate", str(one), "-e", "hnte-2016"])))
    load.append(_uptime())
    print(f"{args.firms:,} firms ({args.format}), load average {load[0]} before, {load[1]} after")
    print("| step | wall s | CPU s | peak MB |\n|---|---:|---:|---:|")
    for name, r in rows:
        print(f"| {name} | {r['seconds']:.2f} | {r['cpu']:.2f} | {r['peak_mb']:.0f} |")
    if shutil.which("uptime"):
        subprocess.run(["uptime"])


if __name__ == "__main__":
    main()
