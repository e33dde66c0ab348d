"""Benchmark: in-process CPU per request of the firm and targets pages, several commits in one run.

    .venv/bin/python benchmarks/pages_cpu_ab.py --commits 71c1304 16506cc main [--firms 12000] [--rounds 60]
        [--work /tmp/pages-ab]

Settles "did this commit make a page slower" without a server or load in between: for each commit,
``git archive`` its ``src`` (and ``benchmarks``) into ``--work/<commit>``, compile its translations, copy
the browser libraries of this worktree, and run that code with this virtualenv (``PYTHONPATH``), each on
its own SQLite database (``KEQI_HOME``, its own migrations). Every commit gets the same population: one
``keqi synth`` file (made once, by this checkout), ``keqi import`` it, ``keqi screen``, then the load
benchmark's users, tasks and contracts (``load_pages.inner_setup``, today's; an older ``ensure_user``
that took the unit's name is adapted).

Then, with Django's test client signed in as the city administrator: three warm-up requests per page
(the first compiles the policy's SQL; queries are counted there), then ``--rounds`` rounds of every page
once (interleaved), the CPU of each request from ``time.process_time``. The enterprise list is the
baseline of each commit's ratios. The same 60 firms (by credit code) for every commit.

Measure on an idle machine: CPU per request barely moves with load, but caches do. Never used as a test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PY = sys.executable
PAGES = [
    ("enterprise list (baseline)", "/registry/enterprises/"),
    ("firm page", "/registry/enterprises/{uscc}/"),
    ("firm evaluation", "/screening/enterprises/{uscc}/"),
    ("targets overview", "/targets/"),
    ("unit page", "/targets/units/{unit}/"),
    ("leadership report", "/targets/report/"),
]


def env_for(code: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(code / "src"), "KEQI_HOME": str(code / "home"),
           "KEQI_LOG_LEVEL": "ERROR", "KEQI_SECRET_KEY": "pages-ab-only", "KEQI_ALLOWED_HOSTS": "testserver"}
    env.pop("KEQI_DATABASE_URL", None)  # SQLite in KEQI_HOME
    return env


def keqi(code: Path, *args: str) -> None:
    started = time.perf_counter()
    subprocess.run([PY, "-c", "import sys; sys.argv = ['keqi', *sys.argv[1:]]; "
                    "from keqi.cli.main import main; main()", *args],
                   env=env_for(code), cwd=code, check=True, stdout=subprocess.DEVNULL)
    print(f"  {code.name}: keqi {args[0]} {time.perf_counter() - started:.0f} s", file=sys.stderr)


def checkout(commit: str, work: Path) -> Path:
    sha = subprocess.run(["git", "rev-parse", "--short", commit], cwd=REPO, check=True, capture_output=True,
                         text=True).stdout.strip()
    code = work / sha
    if not (code / "src").exists():
        code.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", sha, "src", "benchmarks"], cwd=REPO, check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(code)], input=archive, check=True)
        subprocess.run([str(Path(PY).parent / "pybabel"), "compile", "--use-fuzzy", "-d",
                        str(code / "src/keqi/locale"), "-D", "django"], check=True, capture_output=True)
        vendor = REPO / "src/keqi/web/static/web/vendor"
        shutil.copytree(vendor, code / "src/keqi/web/static/web/vendor", dirs_exist_ok=True)
    return code


def setup(code: Path, population: Path) -> None:
    if (code / "home" / "info.json").exists():
        return
    (code / "home").mkdir(exist_ok=True)
    keqi(code, "migrate")
    keqi(code, "import", str(population))
    keqi(code, "screen")
    subprocess.run([PY, __file__, "--inner-setup"], env=env_for(code), check=True, stdout=subprocess.DEVNULL)


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keqi.settings")
    import django

    django.setup()


def inner_setup() -> None:
    django_setup()
    import inspect

    sys.path.insert(0, str(HERE))
    import load_pages

    from keqi.accounts import services
    from keqi.registry.models import ReportingUnit

    if "unit_id" not in inspect.signature(services.ensure_user).parameters:  # before 3e0863d: unit's name
        original = services.ensure_user

        def ensure_user(*, unit_id=None, **kwargs):
            if unit_id is not None:
                kwargs["unit"] = ReportingUnit.objects.get(pk=unit_id).name
            return original(**kwargs)

        services.ensure_user = ensure_user
    info = load_pages.inner_setup()
    (Path(os.environ["KEQI_HOME"]) / "info.json").write_text(json.dumps(info))


def measure(rounds: int, firms: list[str]) -> None:
    django_setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    unit = json.loads((Path(os.environ["KEQI_HOME"]) / "info.json").read_text())["units"][0]
    client = Client()
    client.force_login(get_user_model().objects.get(username="load-city"))

    def url(template: str, i: int) -> str:
        return template.replace("{uscc}", firms[i % len(firms)]).replace("{unit}", str(unit))

    queries: dict[str, list[int]] = {}
    for label, template in PAGES:  # warm-up: the first request compiles SQL and fills caches
        for i in range(3):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url(template, i))
            assert response.status_code == 200, (label, url(template, i), response.status_code)
            queries.setdefault(label, []).append(len(ctx.captured_queries))
    cpu: dict[str, list[float]] = {label: [] for label, _ in PAGES}
    for i in range(rounds):
        for label, template in PAGES:
            started = time.process_time()
            response = client.get(url(template, i))
            cpu[label].append((time.process_time() - started) * 1000)
            assert response.status_code == 200
    base = statistics.median(cpu[PAGES[0][0]])
    print(json.dumps({label: {"p50": statistics.median(v), "ratio": statistics.median(v) / base,
                              "queries": statistics.median(queries[label])} for label, v in cpu.items()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", nargs="+", default=["main"])
    parser.add_argument("--firms", type=int, default=12000)
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--work", type=Path, default=Path("/tmp/pages-ab"))
    parser.add_argument("--inner-setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the firms' file
    args = parser.parse_args()
    if args.inner_setup:
        return inner_setup()
    if args.measure:
        return measure(args.rounds, json.loads(args.measure.read_text()))
    args.work.mkdir(parents=True, exist_ok=True)
    population = args.work / f"pop-{args.firms}.xlsx"
    if not population.exists():
        subprocess.run([str(Path(PY).parent / "keqi"), "synth", "--firms", str(args.firms), "--seed", "5",
                        "--format", "xlsx", "-o", str(population)], check=True, stdout=subprocess.DEVNULL)
    codes = [checkout(commit, args.work) for commit in args.commits]
    for code in codes:
        setup(code, population)
    firms_file = args.work / "firms.json"
    if not firms_file.exists():
        info = json.loads((codes[0] / "home" / "info.json").read_text())
        firms_file.write_text(json.dumps(info["sample"]["city"][:60]))
    results = {}
    for code in codes:
        out = subprocess.run([PY, __file__, "--measure", str(firms_file), "--rounds", str(args.rounds)],
                             env=env_for(code), check=True, capture_output=True, text=True).stdout
        results[code.name] = json.loads(out.strip().splitlines()[-1])
    print(f"load {os.getloadavg()[0]:.1f}; {args.firms:,} firms, SQLite, {args.rounds} rounds; "
          "CPU ms p50 per request (× the enterprise list; queries)")
    print("| page | " + " | ".join(results) + " |")
    print("|---|" + "---|" * len(results))
    for label, _ in PAGES:
        cells = [f"{r[label]['p50']:.1f} ({r[label]['ratio']:.2f}×; {r[label]['queries']:.0f})"
                 for r in results.values()]
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
