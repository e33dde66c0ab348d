"""Benchmark: importing annual-report rows through ``keqi import``'s flow, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/import_reports.py [--rows 100000] [--pg postgres://postgres@127.0.0.1:5432]

For each database it creates a fresh database, migrates it, and times, in the same process tree
and on the same generated xlsx file:

- ``read``      reading the file with fastexcel alone (the floor: no checks, no database);
- ``first``     the first import (every enterprise, report and qualification is new);
- ``again``     importing the same file again (everything unchanged: nothing is written);
- ``dry-run``   the check and plan of that file, which is what the web preview runs;
- ``orm-row``   the naive way, one ``update_or_create`` per row, on a 2,000-row sample, scaled
                to the full file (the baseline the bulk path is compared with).

Figures are printed as a Markdown table for docs/benchmarks.md. Never used as a test.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


def make_file(rows: int, seed: int) -> Path:
    import polars as pl

    from keqi.synth import population as synth

    path = OUT / f"reports-{rows}-{seed}.xlsx"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        started = time.perf_counter()
        # Young firms have fewer than three years, so draw more firms and keep the first ``rows`` rows.
        pop = synth.generate(firms=rows * 2 // 5 + 1000, seed=seed, years=3)
        reports = pop.reports.head(rows)
        kept = reports["uscc"].unique()
        quals = pop.qualifications.filter(pl.col("uscc").is_in(kept.implode()))
        synth.write(synth.Population(reports=reports, qualifications=quals, as_of=pop.as_of), path)
        print(f"generated {path.name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


def inner(path: Path) -> dict:
    """Runs inside a child process whose KEQI_DATABASE_URL points at an empty database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keqi.settings")
    import django

    django.setup()
    import polars as pl
    from django.core.management import call_command
    from django.db import transaction

    from keqi.accounts.scope import SYSTEM
    from keqi.registry import flows
    from keqi.registry.columns import REPORT_COLUMNS
    from keqi.registry.models import AnnualReport, Enterprise
    from keqi.registry.reading import read_tables

    call_command("migrate", verbosity=0)
    timings = {}
    t = time.perf_counter()
    raw = read_tables(path)
    timings["read"] = time.perf_counter() - t
    rows = raw.reports.height

    t = time.perf_counter()
    first = flows.run_import(path=path, scope=SYSTEM)
    timings["first"] = time.perf_counter() - t
    assert first.applied and not first.errors, first.errors[:3]
    t = time.perf_counter()
    again = flows.run_import(path=path, scope=SYSTEM)
    timings["again"] = time.perf_counter() - t
    assert again.summary()["reports"]["unchanged"] == rows
    t = time.perf_counter()
    flows.run_import(path=path, scope=SYSTEM, dry_run=True)
    timings["dry-run"] = time.perf_counter() - t

    # Baseline: the row-by-row ORM way, on a sample, inside a transaction that is rolled back.
    sample = 2000
    fields = [c.field for c in REPORT_COLUMNS if c.level == "report" and c.field != "fiscal_year"]
    ents = dict(Enterprise.objects.values_list("uscc", "pk"))
    first_rows = raw.reports.head(sample)
    header_to_field = {c.header: c.field for c in REPORT_COLUMNS}
    first_rows = first_rows.rename(header_to_field)
    t = time.perf_counter()
    with transaction.atomic():
        for rec in first_rows.iter_rows(named=True):
            values = {f: _naive(rec.get(f)) for f in fields}
            AnnualReport.objects.update_or_create(
                enterprise_id=ents[rec["uscc"]], fiscal_year=int(rec["fiscal_year"]), defaults=values
            )
        transaction.set_rollback(True)
    timings["orm-row"] = (time.perf_counter() - t) * rows / sample
    del pl
    return {"rows": rows, **timings}


def _naive(value):
    if value in (None, ""):
        return None
    if value in ("是", "否"):
        return value == "是"
    try:
        return round(float(value) * 10_000) if "." in value else int(value)
    except ValueError:
        return None


def run_child(path: Path, url: str) -> dict:
    env = {**os.environ, "KEQI_DATABASE_URL": url}
    with tempfile.TemporaryDirectory() as home:
        env["KEQI_HOME"] = home
        out = subprocess.run([sys.executable, __file__, "--inner", str(path)], env=env, check=True,
                             capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--inner")
    args = parser.parse_args()
    if args.inner:
        print(json.dumps(inner(Path(args.inner))))
        return
    path = make_file(args.rows, args.seed)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["SQLite"] = run_child(path, f"sqlite:///{tmp}/bench.sqlite3")
    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS keqi_bench")
        conn.execute("CREATE DATABASE keqi_bench")
    try:
        results["PostgreSQL"] = run_child(path, f"{args.pg}/keqi_bench")
    finally:
        with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS keqi_bench")
    rows = next(iter(results.values()))["rows"]
    print(f"\n{rows:,} report rows ({path.name}), {os.cpu_count()} cores\n")
    print("| database | read file (floor) | first import | same file again | dry run | row-by-row ORM (baseline, extrapolated) | first import vs baseline |")
    print("|---|---|---|---|---|---|---|")
    for db, r in results.items():
        print(f"| {db} | {r['read']:.1f} s | {r['first']:.1f} s | {r['again']:.1f} s | {r['dry-run']:.1f} s "
              f"| {r['orm-row']:.0f} s | {r['orm-row'] / r['first']:.1f}× faster |")


if __name__ == "__main__":
    main()
