"""Benchmark: every main page under load — 100,000 firms on PostgreSQL, 20 concurrent users.

    .venv/bin/python benchmarks/load_pages.py [--firms 100000] [--users 20] [--seconds 60]
        [--pg postgres://postgres@127.0.0.1:5432] [--db keqi_load] [--fresh] [--only PAGE …]

1. Set-up (skipped when the database ``--db`` already holds the population; ``--fresh`` redoes it):
   create the database, ``keqi migrate``, ``keqi synth`` a population, ``keqi import`` it (the one
   import path), ``keqi screen`` the whole city (so that candidates exist), then the load users (a city
   administrator and the officers of the five largest districts), cultivation tasks and a year of
   technology contracts; then ``VACUUM ANALYZE`` (what autovacuum would soon do after a bulk load).
2. ``keqi serve --no-worker`` (waitress, the production server, 8 threads) on ``--port``.
3. ``--users`` virtual users, half city administrators and half district officers, each a thread
   with its own persistent HTTP connection and session cookie (signed in through the login form),
   request the pages of the list below one after another, pausing 0.5–1.5 × ``--think`` seconds
   between pages as a reader does (``--think 0``: back to back, a stress test of throughput), for
   ``--seconds`` after a warm-up round.
   Each request is timed from sending to the last byte of the body; any status but 200 is an error.
   Firm pages draw a random firm of the user's scope.
4. A table of p50 / p95 / max per page (Markdown, for docs/benchmarks.md). The baseline in the same
   run: a static file served by WhiteNoise and the login page (a template with no query), so the
   ratio to the machine's floor can be read off, whatever the machine.

Standard library HTTP client (http.client), no extra dependency. Never used as a test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
BIN = Path(sys.executable).parent
KEQI = str(BIN / "keqi") if (BIN / "keqi").exists() else shutil.which("keqi") or "keqi"
PASSWORD = "load-bench-password-2026"
OFFICER_UNITS = 5

# name, path ({uscc} = a random firm of the user's scope), who may ask for it ("city", "officer", "both")
PAGES: list[tuple[str, str, str]] = [
    ("baseline: static file", "/static/web/keqi.css", "both"),
    ("baseline: login page", "/accounts/login/", "both"),
    ("home", "/", "both"),
    ("enterprises", "/registry/enterprises/", "both"),
    ("enterprises, filtered", "/registry/enterprises/?hitech_field=电子信息&qualification=hnte", "both"),
    ("enterprises, search", "/registry/enterprises/?q=科技", "both"),
    ("enterprises, page 40", "/registry/enterprises/?page=40", "both"),
    ("firm page", "/registry/enterprises/{uscc}/", "both"),
    ("firm evaluation", "/screening/enterprises/{uscc}/", "both"),
    ("candidates", "/screening/candidates/", "both"),
    ("candidates, next tier 高企", "/screening/candidates/?next_tier=hnte", "both"),
    ("screening runs", "/screening/", "both"),
    ("tasks", "/pipeline/tasks/?view=all", "both"),
    ("tasks, overdue", "/pipeline/tasks/?view=overdue", "both"),
    ("targets overview", "/targets/", "both"),
    ("target allocations", "/targets/allocations/", "city"),
    ("unit page", "/targets/units/{unit}/", "both"),
    ("leadership report", "/targets/report/", "both"),
    ("contracts", "/contracts/", "both"),
    ("contract statistics", "/contracts/statistics/", "both"),
    ("credit", "/credit/", "both"),
    ("API units", "/api/units", "both"),
    ("API enterprises", "/api/enterprises", "both"),
    ("API enterprises, filtered", "/api/enterprises?hitech_field=电子信息", "both"),
    ("API enterprise", "/api/enterprises/{uscc}", "both"),
    ("API screening runs", "/api/screening/runs", "both"),
    ("API candidates", "/api/screening/candidates", "both"),
    ("API tasks", "/api/tasks", "both"),
    ("API contracts", "/api/contracts", "both"),
    ("API targets progress (chart)", "/api/targets/progress", "both"),
    ("API targets trend (chart)", "/api/targets/trend?indicator=hnte_count", "both"),
    ("API targets ranking (chart)", "/api/targets/ranking?indicator=hnte_count", "both"),
    ("API targets funnel (chart)", "/api/targets/funnel", "both"),
]


def env_for(url: str, home: Path) -> dict[str, str]:
    return {**os.environ, "KEQI_DATABASE_URL": url, "KEQI_HOME": str(home), "KEQI_LOG_LEVEL": "ERROR",
            "KEQI_SECRET_KEY": "load-benchmark-only", "KEQI_ALLOWED_HOSTS": "127.0.0.1,localhost"}


def keqi(env: dict[str, str], *args: str) -> None:
    started = time.perf_counter()
    subprocess.run([KEQI, *args], env=env, check=True, stdout=subprocess.DEVNULL)
    print(f"  keqi {' '.join(args)}: {time.perf_counter() - started:.0f} s", file=sys.stderr)


# ---------------------------------------------------------------- set-up (child process with Django)


def inner_setup() -> dict:
    """Users, tasks and contracts; returns what the load users need (their names, sample firms)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keqi.settings")
    import django

    django.setup()
    import datetime as dt

    from django.db.models import Count

    from keqi.accounts.services import ensure_user
    from keqi.pipeline.models import CultivationTask
    from keqi.registry.models import Enterprise, ReportingUnit

    rng = random.Random(5)
    city = ensure_user(username="load-city", password=PASSWORD, role="city_admin")
    biggest = list(ReportingUnit.objects.annotate(n=Count("enterprises")).order_by("-n")[:OFFICER_UNITS])
    officers = []
    for unit in biggest:
        officers.append(ensure_user(username=f"load-officer-{unit.code}", password=PASSWORD,
                                    role="district_officer", unit_id=unit.pk))
    today = dt.date.today()
    if not CultivationTask.objects.exists():
        tasks = []
        for officer, unit in zip(officers, biggest, strict=True):
            ids = list(Enterprise.objects.filter(reporting_unit=unit).values_list("pk", flat=True)[:600])
            for i, pk in enumerate(ids):
                tasks.append(CultivationTask(enterprise_id=pk, kind=("visit", "training", "guidance")[i % 3],
                                             title=f"走访 {i}", assigned_to=officer, created_by=city,
                                             due_on=today + dt.timedelta(days=rng.randint(-60, 90))))
        CultivationTask.objects.bulk_create(tasks, batch_size=2000)
    contracts = _contracts(rng, today)
    sample = {"city": _sample(Enterprise.objects.all(), rng), "units": {}}
    for officer, unit in zip(officers, biggest, strict=True):
        sample["units"][officer.username] = {"unit": unit.pk,
                                              "firms": _sample(Enterprise.objects.filter(reporting_unit=unit), rng)}
    return {"city_user": city.username, "officers": [o.username for o in officers], "sample": sample,
            "units": [u.pk for u in biggest], "firms": Enterprise.objects.count(), "contracts": contracts}


def _sample(qs, rng: random.Random, n: int = 400) -> list[str]:
    codes = list(qs.values_list("uscc", flat=True).order_by("?")[:n])
    rng.shuffle(codes)
    return codes


def _contracts(rng: random.Random, today) -> int:
    """A year of technology contracts sold by registry firms (about one for every four firms)."""
    import datetime as dt

    from keqi.contracts.categories import CATEGORIES
    from keqi.contracts.models import TechContract
    from keqi.registry.models import Enterprise

    if TechContract.objects.exists():
        return TechContract.objects.count()
    firms = list(Enterprise.objects.values_list("pk", "uscc", "name", "reporting_unit_id", "hitech_field"))
    sellers = rng.sample(firms, len(firms) // 4)
    rows = []
    for i, (pk, uscc, name, unit, fieldname) in enumerate(sellers):
        buyer = rng.choice(firms)
        category = rng.choice(list(CATEGORIES))
        signed = today - dt.timedelta(days=rng.randint(1, 330))
        amount = rng.randint(50_000, 5_000_000)
        rows.append(TechContract(
            number=f"LOAD{today.year}{i:07d}", title=f"技术合同 {i}", category=category,
            sub_kind=CATEGORIES[category][0], seller_uscc=uscc, seller_name=name, seller_id=pk,
            buyer_uscc=buyer[1], buyer_name=buyer[2], buyer_id=buyer[0], signed_on=signed,
            registered_on=min(today, signed + dt.timedelta(days=rng.randint(0, 30))), contract_amount=amount,
            technical_amount=amount * rng.randint(50, 100) // 100, reporting_unit_id=unit,
            hitech_field=fieldname or ""))
    TechContract.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def prepare(args, url: str, home: Path) -> dict:
    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (args.db,)).fetchone()
        if exists and args.fresh:
            conn.execute(f'DROP DATABASE "{args.db}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{args.db}"')
    firms = screened = 0
    if exists:
        with psycopg.connect(url) as conn:
            try:
                firms, screened = conn.execute(
                    "SELECT (SELECT count(*) FROM registry_enterprise), "
                    "(SELECT count(*) FROM screening_screeningrun WHERE status = 'complete')").fetchone()
            except psycopg.errors.UndefinedTable:
                pass
    env = env_for(url, home)
    print(f"set-up of {args.db} ({firms:,} firms and {screened} screening runs there):", file=sys.stderr)
    keqi(env, "migrate")
    if firms < args.firms:
        OUT.mkdir(exist_ok=True)
        path = OUT / f"load-{args.firms}-{args.seed}.xlsx"  # xlsx: the certificates sheet too
        if not path.exists():
            keqi(env, "synth", "--firms", str(args.firms), "--seed", str(args.seed), "--format", "xlsx",
                 "-o", str(path))
        keqi(env, "import", str(path))
    if not screened:
        keqi(env, "screen")
    started = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "--inner-setup"], env=env, check=True, capture_output=True,
                         text=True)
    print(f"  users, tasks, contracts: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    # What autovacuum does a little later on its own: planner statistics after the bulk loads.
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the load


class Session:
    """One user: a persistent connection and the session cookie, like a browser tab."""

    def __init__(self, port: int, timeout: float = 60):
        self.port, self.timeout = port, timeout
        self.conn = HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes, dict]:
        headers = {"Accept-Language": "zh-CN", "Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        quoted = urllib.parse.quote(path, safe="/?&=:%{}")
        for attempt in range(2):
            try:
                self.conn.request(method, quoted, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (ConnectionError, OSError):  # the server closed an idle keep-alive connection
                self.conn.close()
                self.conn = HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                if attempt:
                    raise
        for value in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(value)
            for k, morsel in cookie.items():
                self.cookies[k] = morsel.value
        return response.status, data, dict(response.headers)

    def login(self, username: str) -> None:
        self.request("GET", "/accounts/login/")
        token = self.cookies["csrftoken"]
        body = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
        status, _, headers = self.request("POST", "/accounts/login/", body)
        if status != 302 or "/accounts/login/" in headers.get("Location", ""):
            raise SystemExit(f"login of {username} failed ({status})")


@dataclass
class User:
    username: str
    role: str  # "city" or "officer"
    firms: list[str]
    unit: int
    timings: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, list[int]] = field(default_factory=dict)


def path_for(template: str, user: User, rng: random.Random) -> str:
    return template.replace("{uscc}", rng.choice(user.firms)).replace("{unit}", str(user.unit))


WARM_UP_TIMEOUT = 900  # seconds: a first request that compiles SQL under load (84 s seen at load 14)


def warm_up(port: int, users: list[User], pages: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """One request of every page per role: drops the pages this build does not have (404) and fails on errors.

    A first request may compile policy SQL (minutes on a loaded machine): the warm-up waits up to 15 minutes."""
    kept, missing = [], []
    by_role = {u.role: u for u in users}
    sessions = {role: Session(port, timeout=WARM_UP_TIMEOUT) for role in by_role}
    for role, s in sessions.items():
        s.login(by_role[role].username)
    rng = random.Random(1)
    for name, template, who in pages:
        statuses = {}
        for role, user in by_role.items():
            if who in ("both", role):
                started = time.perf_counter()
                statuses[role] = sessions[role].request("GET", path_for(template, user, rng))[0]
                if time.perf_counter() - started > 5:
                    print(f"  warm-up: {name} ({role}) took {time.perf_counter() - started:.0f} s", file=sys.stderr)
        if statuses and all(s == 404 for s in statuses.values()) and "{" not in template:
            missing.append(name)
            continue
        bad = {r: s for r, s in statuses.items() if s != 200}
        if bad:
            print(f"  warm-up: {name} answered {bad}", file=sys.stderr)
        kept.append((name, template, who))
    if missing:
        print(f"  not in this build (404), left out: {', '.join(missing)}", file=sys.stderr)
    return kept


def run_user(port: int, user: User, pages: list[tuple[str, str, str]], deadline: float, seed: int,
             think: float) -> None:
    rng = random.Random(seed)
    session = Session(port)
    session.login(user.username)
    mine = [p for p in pages if p[2] in ("both", user.role)]
    i = rng.randrange(len(mine))
    time.sleep(rng.uniform(0, think))  # users do not all start at the same instant
    while time.perf_counter() < deadline:
        name, template, _ = mine[i % len(mine)]
        i += 1
        path = path_for(template, user, rng)
        started = time.perf_counter()
        status, _, _ = session.request("GET", path)
        elapsed = time.perf_counter() - started
        user.timings.setdefault(name, []).append(elapsed)
        if status != 200:
            user.errors.setdefault(name, []).append(status)
        time.sleep(rng.uniform(0.5 * think, 1.5 * think))  # reading the page


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def serve(url: str, home: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([KEQI, "serve", "--port", str(port), "--no-worker"], env=env_for(url, home),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for _ in range(120):
        try:
            conn = HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.5)
        if proc.poll() is not None:
            raise SystemExit(f"keqi serve exited: {proc.stderr.read()[-2000:]}")
    proc.terminate()
    raise SystemExit("keqi serve did not answer within a minute")


def uptime() -> str:
    """The load averages over 1, 5 and 15 minutes (as ``uptime`` prints them)."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=2.0,
                        help="mean pause between a user's requests, in seconds (0: back to back, a stress test)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--db", default="keqi_load")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the database")
    parser.add_argument("--only", nargs="*", help="measure only pages whose name contains one of these")
    parser.add_argument("--inner-setup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner_setup:
        print(json.dumps(inner_setup()))
        return
    url = f"{args.pg}/{args.db}"
    home = OUT / "load-home"
    home.mkdir(parents=True, exist_ok=True)
    info = prepare(args, url, home)
    pages = PAGES
    if args.only:
        pages = [p for p in PAGES if p[0].startswith("baseline") or any(o in p[0] for o in args.only)]
    users = []
    for i in range(args.users):
        if i % 2 == 0:
            users.append(User(info["city_user"], "city", info["sample"]["city"], info["units"][i // 2 % OFFICER_UNITS]))
        else:
            name = info["officers"][i // 2 % len(info["officers"])]
            unit = info["sample"]["units"][name]
            users.append(User(name, "officer", unit["firms"], unit["unit"]))
    proc = serve(url, home, args.port)
    try:
        pages = warm_up(args.port, users, pages)
        load_before = uptime()
        deadline = time.perf_counter() + args.seconds
        threads = [threading.Thread(target=run_user, args=(args.port, u, pages, deadline, 100 + n, args.think))
                   for n, u in enumerate(users)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        load_after = uptime()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    report(args, info, users, pages, wall, load_before, load_after)


def report(args, info, users, pages, wall, load_before, load_after) -> None:
    total = sum(len(v) for u in users for v in u.timings.values())
    print(f"\n{info['firms']:,} firms, {info['contracts']:,} contracts, PostgreSQL; {args.users} concurrent users "
          f"({(args.users + 1) // 2} city administrators, {args.users // 2} officers of {OFFICER_UNITS} districts), "
          f"each pausing {args.think * 0.5:g}–{args.think * 1.5:g} s between pages, for {wall:.0f} s; {total:,} requests ({total / wall:.0f}/s); keqi serve (waitress, 8 threads) and the "
          f"client on the same {os.cpu_count()} cores; load average before {load_before}, after {load_after}\n")
    baseline = None
    print("| page | requests | p50 | p95 | max | errors | p95 vs static file |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, template, _ in pages:
        t = [x for u in users for x in u.timings.get(name, [])]
        errors = [s for u in users for s in u.errors.get(name, [])]
        if not t:
            continue
        p95 = percentile(t, 0.95)
        baseline = baseline or p95
        flag = " **over 300 ms**" if p95 > 0.3 else ""
        err = f"{len(errors)} ({', '.join(sorted({str(s) for s in errors}))})" if errors else "0"
        print(f"| {name} `{template}` | {len(t):,} | {percentile(t, 0.5) * 1000:.0f} ms | {p95 * 1000:.0f} ms{flag} "
              f"| {max(t) * 1000:.0f} ms | {err} | {p95 / baseline:.0f}× |")


if __name__ == "__main__":
    main()
