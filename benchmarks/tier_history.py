"""Benchmark: writing and reading every firm's tier history at city scale, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/tier_history.py [--firms 100000] [--pg postgres://postgres@127.0.0.1:5432]

For each database, in a fresh child process on a fresh database, it stores ``--firms`` firms, gives
half of them one or two titles (科技型企业入库, 高企, 瞪羚 … over 2019–2026) and a complete
screening run with one standing per firm, then times:

- ``qualifications``  ``record_qualifications`` for every titled firm (what an import of their
                      certificates triggers), first (all new) and again (nothing changed);
- ``screening``       ``screening.history.record_screening`` of the run (what a completed screening triggers), first
                      and again (the same year again: updated in place);
- ``funnel``          ``figures.counts`` for the whole city at one year-end (cold cache);
- ``conversions``     ``conversions`` for the whole city from one year to the next.

Figures are printed as a Markdown table for docs/benchmarks.md. Never used as a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time

KINDS = ("cq_tech", "tsme", "hnte", "hnte", "hnte", "gazelle", "srdi", "little_giant")


def inner(firms: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keqi.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from keqi.accounts.scope import SYSTEM
    from keqi.pipeline import figures, flows, services
    from keqi.pipeline.models import TierRecord
    from keqi.registry.models import Enterprise, Qualification, ReportingUnit
    from keqi.screening import history
    from keqi.screening.models import ScreeningRun, Standing

    rng = random.Random(7)
    units = list(ReportingUnit.objects.values_list("pk", flat=True))
    Enterprise.objects.bulk_create(
        [Enterprise(uscc=f"9150{i:014d}", name=f"企业{i}", reporting_unit_id=units[i % len(units)],
                    registered_on=dt.date(2010 + i % 12, 1, 1)) for i in range(firms)], batch_size=5000)
    ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
    titled = ids[::2]
    quals = []
    for n, pk in enumerate(titled):
        for k in range(1 + n % 2):
            start = dt.date(2019 + rng.randrange(7), 1 + rng.randrange(12), 1)
            quals.append(Qualification(enterprise_id=pk, kind=KINDS[(n + 3 * k) % len(KINDS)], valid_from=start,
                                       valid_to=start.replace(year=start.year + 3) - dt.timedelta(days=1)))
    Qualification.objects.bulk_create(quals, batch_size=5000, ignore_conflicts=True)
    run = ScreeningRun.objects.create(assess_on=dt.date(2026, 6, 30), status=ScreeningRun.Status.COMPLETE)
    tiers = ("reserve", "tech", "hnte", "growth", "leader")
    Standing.objects.bulk_create(
        [Standing(run=run, enterprise_id=pk, reporting_unit_id=units[n % len(units)], current_tier=tiers[n % 5],
                  next_tier=tiers[min(n % 5 + 1, 4)], next_edition="hnte-2016", next_verdict="ineligible")
         for n, pk in enumerate(ids)], batch_size=5000)
    from django.db import connection

    if connection.vendor == "postgresql":  # fresh tables: give the planner the statistics autovacuum would
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    today = dt.date(2026, 11, 27)
    out: dict = {"firms": firms, "titled": len(titled)}

    def timed(name, fn):
        start = time.perf_counter()
        fn()
        out[name] = time.perf_counter() - start

    timed("qualifications", lambda: flows.record_qualifications(enterprise_ids=titled, today=today))
    out["records"] = TierRecord.objects.count()
    timed("qualifications again", lambda: flows.record_qualifications(enterprise_ids=titled, today=today))
    timed("screening", lambda: history.record_screening(run=run))
    timed("screening again", lambda: history.record_screening(run=run))
    timed("funnel", lambda: figures.counts(scope=SYSTEM, on=dt.date(2025, 12, 31)))
    timed("conversions", lambda: services.conversions(scope=SYSTEM, from_year=2024, to_year=2025))
    out["all records"] = TierRecord.objects.count()
    return out


def run_child(firms: int, url: str) -> dict:
    env = {**os.environ, "KEQI_DATABASE_URL": url}
    with tempfile.TemporaryDirectory() as home:
        env["KEQI_HOME"] = home
        done = subprocess.run([sys.executable, __file__, "--inner", str(firms)], env=env, check=True,
                              capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--inner", type=int)
    args = parser.parse_args()
    if args.inner:
        print(json.dumps(inner(args.inner)))
        return
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["SQLite"] = run_child(args.firms, f"sqlite:///{tmp}/bench.sqlite3")
    if not args.no_pg:
        import psycopg

        with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS keqi_bench_tiers")
            conn.execute("CREATE DATABASE keqi_bench_tiers")
        try:
            results["PostgreSQL"] = run_child(args.firms, f"{args.pg}/keqi_bench_tiers")
        finally:
            with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
                conn.execute("DROP DATABASE IF EXISTS keqi_bench_tiers")
    r0 = next(iter(results.values()))
    print(f"\n{r0['firms']:,} firms, {r0['titled']:,} with titles ({r0['records']:,} qualification records, "
          f"{r0['all records']:,} with the screening's), {os.cpu_count()} cores\n")
    print("| database | qualifications: first | again | screening: first | again | funnel (one year) "
          "| conversions (two years) |")
    print("|---|---|---|---|---|---|---|")
    for db, r in results.items():
        print(f"| {db} | {r['qualifications']:.1f} s | {r['qualifications again']:.1f} s | {r['screening']:.1f} s "
              f"| {r['screening again']:.1f} s | {r['funnel']:.2f} s | {r['conversions']:.2f} s |")


if __name__ == "__main__":
    main()
