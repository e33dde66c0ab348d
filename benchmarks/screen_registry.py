"""Benchmark: an end-to-end registry screen (read from the database, evaluate, write results).

    .venv/bin/python benchmarks/screen_registry.py [--firms 100000 1000000] [--db sqlite postgres] [--keep]

For each size and database, a child process creates a fresh database, loads a synthetic
population (``keqi synth``; loaded with the bulk writer, not timed), then times ``run_screening``
over the whole city and reports its wall time, the time of the tier history the pipeline app
writes after the run, and the peak memory (max RSS) of the child and of its worker processes. The
baseline in the same run is the time to read the same firms' rows back from the database
(the floor of any screen that reads the registry). ``KEQI_BENCH_CHUNK=N`` screens in chunks of N firms
(default ``flows.CHUNK``). Figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PG = "postgres://postgres@127.0.0.1:5432"
TICK = os.sysconf("SC_CLK_TCK")


class ServerCPU:
    """CPU time of the PostgreSQL backends serving a database (and their parallel workers), sampled
    from /proc every 0.2 s while the screen runs (a backend's last 0.2 s before it exits is lost).
    Nothing on SQLite or when the server is not on this machine."""

    def __init__(self, database: str):
        import threading

        self.database, self.seen, self.stop = database, {}, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        ours = set()
        procs = {}
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if cmd.startswith("postgres:"):
                procs[pid] = (cmd, (int(fields[11]) + int(fields[12])) / TICK)
                if f" {self.database} " in cmd:
                    ours.add(pid)
        for pid, (cmd, cpu) in procs.items():
            if pid in ours or any(f"parallel worker for PID {o}" in cmd for o in ours):
                self.seen[pid] = max(cpu, self.seen.get(pid, 0.0))

    def _run(self) -> None:
        while not self.stop.wait(0.2):
            self._sample()

    def __enter__(self):
        self._sample()
        self.start = dict(self.seen)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()

    @property
    def seconds(self) -> float:
        return sum(cpu - self.start.get(pid, 0.0) for pid, cpu in self.seen.items())


def load(firms: int, seed: int) -> None:
    """Fill the empty database with a synthetic population, fast (setup, not measured)."""
    import polars as pl

    from keqi.registry import bulk
    from keqi.registry.columns import REPORT_COLUMNS
    from keqi.registry.models import AnnualReport, Enterprise, Qualification, ReportingUnit
    from keqi.synth import population as synth

    pop = synth.generate(firms=firms, seed=seed)
    units = dict(ReportingUnit.objects.values_list("name", "pk"))
    now = bulk.now()
    firms_df = pop.reports.sort("fiscal_year").group_by("uscc", maintain_order=True).last()
    ent_fields = [c.field for c in REPORT_COLUMNS if c.level == "enterprise"]
    rows = [
        {"uscc": r["uscc"], "name": r["name"], "reporting_unit_id": units[r["district"]],
         "registered_on": r["registered_on"], "hitech_field": r["hitech_field"] or "",
         "industry_code": r["industry_code"] or "", "status": r["status"] or "存续"}
        for r in firms_df.select(ent_fields).iter_rows(named=True)
    ]
    for i in range(0, len(rows), 50_000):
        bulk.insert(Enterprise, rows[i : i + 50_000], now=now)
    ids = dict(Enterprise.objects.values_list("uscc", "pk"))
    report_fields = [c.field for c in REPORT_COLUMNS if c.level == "report"]
    reports = pop.reports.select("uscc", *report_fields).with_columns(
        pl.col("uscc").replace_strict(ids, return_dtype=pl.Int64).alias("enterprise_id")).drop("uscc")
    batch = reports.to_dicts()
    for i in range(0, len(batch), 100_000):
        bulk.insert(AnnualReport, batch[i : i + 100_000], now=now)
    kinds = {v: k for k, v in __import__("keqi.registry.columns", fromlist=["x"]).QUALIFICATION_KINDS.items()}
    quals = [{"enterprise_id": ids[q["uscc"]], "kind": kinds[q["kind"]], "number": q["number"] or "",
              "valid_from": q["valid_from"], "valid_to": q["valid_to"], "source": q["source"] or ""}
             for q in pop.qualifications.iter_rows(named=True)]
    bulk.insert(Qualification, quals, now=now)


def inner(firms: int, seed: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keqi.settings")
    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command

    from keqi.accounts.scope import SYSTEM
    from keqi.registry.models import AnnualReport, Enterprise
    from keqi.screening import flows

    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    if not Enterprise.objects.exists():  # a kept database (--keep) is loaded once
        load(firms, seed)
    loaded = time.perf_counter() - t
    t = time.perf_counter()
    n = sum(1 for _ in AnnualReport.objects.values_list("pk", "revenue", "rd_expense").iterator(chunk_size=20_000))
    read = time.perf_counter() - t
    # the tier history written after the run (screening.history) is timed apart
    record = flows.history.record_screening
    spent = {"history": 0.0}

    def timed(**kwargs):
        start = time.perf_counter()
        try:
            return record(**kwargs)
        finally:
            spent["history"] += time.perf_counter() - start

    flows.history.record_screening = timed
    marks = []
    from django.db import connection

    database = connection.settings_dict["NAME"] if connection.vendor == "postgresql" else "-"
    t = time.perf_counter()
    with ServerCPU(database) as server:
        run = flows.run_screening(scope=SYSTEM, assess_on=dt.date(2026, 6, 30),
                                  chunk=int(os.environ.get("KEQI_BENCH_CHUNK", flows.CHUNK)),
                                  progress=lambda done, total: marks.append((round(time.perf_counter() - t, 1), done)))
    screen = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    cpu = sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
              for f in ("ru_utime", "ru_stime"))
    main_cpu = sum(getattr(resource.getrusage(resource.RUSAGE_SELF), f) for f in ("ru_utime", "ru_stime"))
    return {"firms": Enterprise.objects.count(), "reports": n, "load": loaded, "read": read, "screen": screen,
            "history": spent["history"], "cpu": cpu, "main_cpu": main_cpu,
            "server_cpu": server.seconds, "editions": len(run.editions), "screened": run.firms, "peak_mb": peak_mb,
            "workers_mb": workers_mb,
            "workers": flows._workers(run.firms, flows.CHUNK, "duckdb"), "marks": marks,
            "load_avg": os.getloadavg()}


def child(firms: int, seed: int, url: str, home: Path | None = None) -> dict:
    env = {**os.environ, "KEQI_DATABASE_URL": url}
    if home is not None:  # a kept home keeps the compiled policy SQL (screening.sqlcache) between runs
        env["KEQI_HOME"] = str(home)
        out = subprocess.run([sys.executable, __file__, "--inner", str(firms), "--seed", str(seed)], env=env,
                             check=True, capture_output=True, text=True)
        return json.loads(out.stdout.strip().splitlines()[-1])
    with tempfile.TemporaryDirectory() as home:
        env["KEQI_HOME"] = home
        out = subprocess.run([sys.executable, __file__, "--inner", str(firms), "--seed", str(seed)], env=env,
                             check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _row(db: str, r: dict) -> str:
    return (f"| {db} | {r['firms']:,} | {r['reports']:,} | {r['read']:.1f} s | {r['screen']:.1f} s "
            f"| {r['history']:.1f} s | {r['peak_mb']:,.0f} MB + {r['workers']} × {r['workers_mb']:,.0f} MB "
            f"| {r['load_avg'][0]:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--firms", type=int, nargs="+", default=[100_000])
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--keep", action="store_true",
                        help="keep the loaded databases (benchmarks/out/*.sqlite3, keqi_screen_bench_N) and reuse them")
    parser.add_argument("--inner", type=int)
    args = parser.parse_args()
    if args.inner:
        print(json.dumps(inner(args.inner, args.seed)))
        return
    import psycopg

    print("| database | firms | report rows | read rows back (floor) | screen (all editions; gap plans for the next "
          "tier; write) | of which tier history | peak memory (main + workers) | load average |")
    print("|---|---|---|---|---|---|---|---|")
    out = Path(__file__).parent / "out"
    out.mkdir(exist_ok=True)
    for firms in args.firms:
        for db in args.db:
            if db == "sqlite":
                if args.keep:
                    r = child(firms, args.seed, f"sqlite:///{out / f'registry-{firms}-{args.seed}.sqlite3'}",
                              out / "home")
                else:
                    with tempfile.TemporaryDirectory() as tmp:
                        r = child(firms, args.seed, f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
            else:
                name = f"keqi_screen_bench_{firms}_{args.seed}" if args.keep else "keqi_screen_bench"
                with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
                    if not args.keep:
                        conn.execute(f"DROP DATABASE IF EXISTS {name}")
                    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                        conn.execute(f"CREATE DATABASE {name}")
                try:
                    r = child(firms, args.seed, f"{PG}/{name}", out / "home" if args.keep else None)
                finally:
                    if not args.keep:
                        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
                            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            print(_row(db, r), flush=True)
            print(f"  CPU time of the child and its workers (load and screen): {r['cpu']:.0f} s (main process "
                  f"{r['main_cpu']:.0f} s); of the database server's backends during the screen: "
                  f"{r['server_cpu']:.0f} s; editions: {r['editions']}", flush=True)
            print(f"  progress (s, firms done): {r['marks']}", flush=True)


if __name__ == "__main__":
    main()
