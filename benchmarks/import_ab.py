"""Benchmark: ``run_import`` of one file twice (first import, then the same file again), before and after.

    .venv/bin/python benchmarks/import_ab.py FILE [--before COMMIT] [--pg postgres://postgres@127.0.0.1:5432]
                                            [--db sqlite,postgresql] [--repeat 1]

For each checkout (``--before`` is extracted with ``git archive`` into a temporary folder; the working
tree is "after") and each database, a fresh child process on a fresh database migrates it, then calls
``flows.run_import`` on FILE twice, and reports for each import the process's CPU time (user +
system, from ``getrusage``; the database server's CPU on PostgreSQL is not counted), the wall time,
and the peak RSS after the first import and after both. Checkouts alternate within each database so
that both see the same load; the load average is printed beside each figure. Never used as a test.
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

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def inner(path: Path) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keqi.settings")
    import django

    django.setup()
    from django.core.management import call_command

    import keqi
    from keqi.accounts.scope import SYSTEM
    from keqi.registry import flows

    call_command("migrate", verbosity=0)
    out: dict = {"code": str(Path(keqi.__file__).parent)}

    def cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    for name in ("first", "again"):
        c, t = cpu(), time.perf_counter()
        result = flows.run_import(path=path, scope=SYSTEM)
        out[name] = {"cpu": cpu() - c, "wall": time.perf_counter() - t,
                     "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                     "summary": result.summary(), "applied": result.applied}
        assert not result.errors, result.errors[:3]
    return out


def run_child(src: Path, path: Path, url: str) -> dict:
    env = {**os.environ, "KEQI_DATABASE_URL": url, "PYTHONPATH": str(src)}
    with tempfile.TemporaryDirectory() as home:
        env["KEQI_HOME"] = home
        load = os.getloadavg()[0]
        out = subprocess.run([sys.executable, __file__, "--inner", str(path)], env=env, check=True,
                             capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["load"] = (load + os.getloadavg()[0]) / 2
    return result


def checkout(commit: str, into: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "src"], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into / "src"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?")
    parser.add_argument("--before")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--pg-name", default="keqi_import_ab")
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--inner")
    args = parser.parse_args()
    if args.inner:
        print(json.dumps(inner(Path(args.inner))))
        return
    path = Path(args.file).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        codes = {}
        if args.before:
            codes[f"before ({args.before[:7]})"] = checkout(args.before, Path(tmp))
        codes["after (working tree)"] = ROOT / "src"
        rows = []
        for db in args.db.split(","):
            for _ in range(args.repeat):
                for label, src in codes.items():
                    if db == "sqlite":
                        url = f"sqlite:///{tmp}/ab.sqlite3"
                        Path(f"{tmp}/ab.sqlite3").unlink(missing_ok=True)
                    else:
                        import psycopg

                        with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
                            conn.execute(f"DROP DATABASE IF EXISTS {args.pg_name}")
                            conn.execute(f"CREATE DATABASE {args.pg_name}")
                        url = f"{args.pg}/{args.pg_name}"
                    r = run_child(src, path, url)
                    rows.append((db, label, r))
                    print(json.dumps({"db": db, "code": label, **r}), file=sys.stderr, flush=True)
            if db != "sqlite":
                import psycopg

                with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
                    conn.execute(f"DROP DATABASE IF EXISTS {args.pg_name}")
    print(f"\n{path.name}\n")
    print("| database | code | first: CPU | first: wall | again: CPU | again: wall | peak RSS after first "
          "| peak RSS of the process | load |")
    print("|---|---|---|---|---|---|---|---|---|")
    for db, label, r in rows:
        f, a = r["first"], r["again"]
        print(f"| {db} | {label} | {f['cpu']:.1f} s | {f['wall']:.1f} s | {a['cpu']:.1f} s | {a['wall']:.1f} s "
              f"| {f['rss_mb']:.0f} MB | {a['rss_mb']:.0f} MB | {r['load']:.1f} |")


if __name__ == "__main__":
    main()
