"""Benchmark: the targets dashboards' services, cold (first request after the registry changed) and
warm (served from the per-unit aggregates cached until the next change).

    KEQI_HOME=/path/with/a/demo .venv/bin/python benchmarks/targets_services.py [--year 2027] [--on YYYY-MM-DD]

Run it against a populated database, e.g. after ``KEQI_HOME=/tmp/big keqi demo --scale 1/2 --no-serve``
(or with ``KEQI_DATABASE_URL`` pointing at PostgreSQL). Prints a Markdown table of milliseconds and
queries per call. Never used as a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2027)
    parser.add_argument("--on", type=dt.date.fromisoformat, default=dt.date.today())
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keqi.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from keqi.accounts.scope import SYSTEM
    from keqi.pipeline.services import current_ladder
    from keqi.registry.models import Enterprise, Qualification
    from keqi.targets import allocating, dashboard, forecasting, leadership, services

    current_ladder()  # imports the policy editions once, outside the timings
    cache.clear()
    year, on = args.year, args.on
    calls = [
        ("progress", lambda: services.progress(scope=SYSTEM, year=year, on=on)),
        ("progress + forecasts", lambda: forecasting.forecasts(rows=services.progress(scope=SYSTEM, year=year, on=on),
                                                            on=on)),
        ("funnel", lambda: dashboard.funnel(scope=SYSTEM, on=on)),
        ("trend", lambda: dashboard.trend(scope=SYSTEM, indicator="hnte_count", scope_key="city", on=on)),
        ("ranking", lambda: dashboard.ranking(scope=SYSTEM, indicator="hnte_count", year=year, on=on)),
        ("allocation", lambda: allocating.allocation(scope=SYSTEM, indicator="hnte_count", year=year, on=on)),
        ("report", lambda: leadership.report(scope=SYSTEM, year=year, on=on)),
    ]
    print(f"{Enterprise.objects.count():,} firms, {Qualification.objects.count():,} qualifications, "
          f"{connection.vendor}\n")
    print("| call | cold ms | warm ms | queries (warm) |\n|---|---:|---:|---:|")
    for name, fn in calls:
        cold_start = time.perf_counter()
        fn()
        cold = time.perf_counter() - cold_start
        with CaptureQueriesContext(connection) as ctx:
            warm_start = time.perf_counter()
            fn()
            warm = time.perf_counter() - warm_start
        print(f"| {name} | {cold * 1000:.0f} | {warm * 1000:.0f} | {len(ctx.captured_queries)} |")


if __name__ == "__main__":
    main()
