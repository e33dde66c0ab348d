"""Benchmark: applications at scale — list pages with 10,000 applications, bulk approval of 5,000, and the
conclusion of a 公示 batch of 2,000 (numbers, qualifications and tier history written at once).

    .venv/bin/python benchmarks/applications_scale.py [--database-url postgres://postgres@127.0.0.1:5432/keqi_bench]
        [--firms 10000] [--requests 40]

Builds a fresh database (SQLite in a temporary folder unless ``--database-url`` or ``KEQI_DATABASE_URL``
names a PostgreSQL database, which is dropped and created again), fills it with firms and applications in
every state through bulk inserts (then, on PostgreSQL, ``ANALYZE``: what autovacuum does within a minute of
a bulk load in production; on fresh statistics the planner expects one row and sorts all 5,500 of a phase
before keeping 50), then measures in-process requests (Django's test client: the whole view,
templates included, no network) and the bulk steps through the services. The enterprise list page,
measured in the same run, is the baseline the list pages are compared with. Never used as a test;
the figures go to docs/benchmarks.md with the machine's load.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _setup(url: str | None) -> None:
    home = Path(tempfile.mkdtemp(prefix="keqi-bench-apps-"))
    os.environ["KEQI_HOME"] = str(home)
    os.environ["DJANGO_SETTINGS_MODULE"] = "keqi.settings"
    os.environ.setdefault("KEQI_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    if url and url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["KEQI_DATABASE_URL"] = url
    else:
        os.environ.pop("KEQI_DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _fill(firms: int, seed: int = 7) -> dict:
    import datetime as dt

    from django.utils import timezone

    from keqi.accounts.services import ensure_user
    from keqi.applications.models import Application, ApplicationEvent, PublicityBatch
    from keqi.policy.uscc import make_uscc
    from keqi.registry.models import AnnualReport, Enterprise, ReportingUnit
    from keqi.registry.services import unit_id_of

    rng = random.Random(seed)
    units = list(ReportingUnit.objects.exclude(code__isnull=True).order_by("code"))
    yubei = next(u for u in units if u.name == "渝北区")
    ents = []
    for i in range(firms):
        unit = yubei if i % 10 == 0 else units[i % len(units)]
        ents.append(Enterprise(uscc=make_uscc(rng, region=unit.code), name=f"重庆基准{i:05d}科技有限公司",
                               reporting_unit=unit, registered_on=dt.date(2015, 1, 1)))
    Enterprise.objects.bulk_create(ents, batch_size=2000)
    ents = list(Enterprise.objects.order_by("pk"))
    AnnualReport.objects.bulk_create([AnnualReport(enterprise=e, fiscal_year=2025, staff_total=40, tech_staff=10,
                                                   revenue=10_000_000, rd_expense=600_000) for e in ents],
                                     batch_size=2000)
    city = ensure_user(username="bench-city", password="x-bench-password-1", role="city_admin")
    officer = ensure_user(username="bench-yubei", password="x-bench-password-1", role="district_officer",
                          unit_id=unit_id_of("渝北区"))
    firm_user = ensure_user(username="bench-firm", password="x-bench-password-1", role="enterprise_user",
                            enterprise_id=ents[0].pk)
    now = timezone.now()
    today = timezone.localdate()
    batch = PublicityBatch.objects.create(programme="cq-tech", title="基准批次", opens_on=today - dt.timedelta(days=30),
                                          working_days=5, closes_on=today - dt.timedelta(days=20), created_by=city)
    states = (["district_approved"] * 5000 + ["publicity"] * 2000 + ["submitted"] * 1500 + ["city_approved"] * 500
              + ["returned"] * 400 + ["rejected"] * 300 + ["withdrawn"] * 300)
    apps = []
    for i, e in enumerate(ents[: len(states)]):
        state = states[i % len(states)]
        apps.append(Application(enterprise=e, reporting_unit_id=e.reporting_unit_id, workflow="cq-tech-2022",
                                state=state, state_since=now, updated_at=now, created_by=city, programme="cq-tech",
                                year=today.year, batch=batch if state == "publicity" else None,
                                due_on=today + dt.timedelta(days=rng.randint(-5, 10))))
    Application.objects.bulk_create(apps, batch_size=2000)
    ApplicationEvent.objects.bulk_create(
        [ApplicationEvent(application=a, at=now, user=city, actor="firm", action="submit", from_state="draft",
                          to_state=a.state) for a in Application.objects.all()], batch_size=2000)
    return {"city": city, "officer": officer, "firm": firm_user, "batch": batch}


def _pages(users: dict, requests: int) -> list[tuple[str, float, float, float, float]]:
    from django.test import Client

    pages = [
        ("baseline: enterprise list (city)", "city", "/registry/enterprises/"),
        ("applications, city", "city", "/applications/"),
        ("applications, city, phase 市级审核", "city", "/applications/?phase=city&programme=cq-tech"),
        ("applications, city, overdue", "city", "/applications/?overdue=on"),
        ("applications, district (渝北区)", "officer", "/applications/"),
        ("applications, firm", "firm", "/applications/"),
        ("公示 batch (2,000 firms, first page)", "city", f"/applications/batches/{users['batch'].pk}/"),
        ("API list, city", "city", "/api/applications"),
    ]
    out = []
    clients = {}
    for role in ("city", "officer", "firm"):
        c = Client()
        c.force_login(users[role])
        clients[role] = c
    for label, role, url in pages:
        c = clients[role]
        assert c.get(url).status_code == 200, url
        times, cpu = [], []
        for _ in range(requests):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = c.get(url)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            assert response.status_code == 200
        times.sort()
        p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
        out.append((label, statistics.median(times), p95, max(times), statistics.median(cpu)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("KEQI_DATABASE_URL") or None)
    parser.add_argument("--firms", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    _setup(args.database_url)
    from django.db import connection
    from django.utils import timezone

    from keqi.accounts.scope import scope_for
    from keqi.applications import flows
    from keqi.applications.models import Application
    from keqi.registry.models import Qualification

    started = time.perf_counter()
    users = _fill(args.firms)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"{connection.vendor}: {Application.objects.count():,} applications over {args.firms:,} firms "
          f"(filled in {time.perf_counter() - started:.1f} s); load {os.getloadavg()[0]:.2f}", file=sys.stderr)
    # CPU ms: this process's CPU time (the view, ORM and template; not the PostgreSQL server's), p50 — on
    # a shared machine it moves much less with the load than the wall-clock times.
    print("| page | p50 ms | p95 ms | max ms | CPU p50 ms |\n|---|---:|---:|---:|---:|")
    rows = _pages(users, args.requests)
    for label, p50, p95, mx, cpu in rows:
        print(f"| {label} | {p50:.1f} | {p95:.1f} | {mx:.1f} | {cpu:.1f} |")
    base = rows[0][2]
    worst = max(r[2] for r in rows[1:])
    print(f"\nslowest list page p95 = {worst:.1f} ms = {worst / base:.2f}× the enterprise list's p95")

    city = users["city"]
    scope = scope_for(city)
    ids = list(Application.objects.filter(state="district_approved").order_by("pk").values_list("pk", flat=True))
    start = time.perf_counter()
    result = flows.bulk_act(scope=scope, user=city, programme="cq-tech", action="city_approve", ids=ids,
                               today=timezone.localdate())
    approve = time.perf_counter() - start
    print(f"\nbulk approval (市级审核通过) of {len(result.done):,} applications: {approve:.2f} s")
    batch = users["batch"]
    start = time.perf_counter()
    result = flows.conclude_batch(scope=scope, user=city, batch=batch, today=timezone.localdate())
    conclude = time.perf_counter() - start
    print(f"公示 batch concluded: {len(result.done):,} firms registered (numbers, qualifications, tier history) in "
          f"{conclude:.2f} s; {Qualification.objects.filter(kind='cq_tech').count():,} cq_tech qualifications")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
