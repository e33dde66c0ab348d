"""Where `keqi flatten` spends its CPU: `files.flatten` of an exchange-format file in this process, each
stage's own CPU (user and sys, `getrusage`; the stages run one after another, so the differences are
theirs) and wall time, and the peak memory. The reading limits are raised as screen_exchange.py does.

    nice -n 10 .venv/bin/python benchmarks/flatten_stages.py benchmarks/out/exchange-1000000-5.parquet
"""

import datetime as dt
import os
import resource
import sys
import time

os.environ.update({"KEQI_MAX_ROWS": "100000000", "KEQI_MAX_CELLS": "10000000000",
                   "KEQI_MAX_UNPACKED_BYTES": str(1 << 40), "KEQI_MAX_UPLOAD_BYTES": str(1 << 40)})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keqi.settings")
import django  # noqa: E402

django.setup()
from keqi.screening import files  # noqa: E402

STAGES = ("read_tables", "parse_sheet", "check_reports", "flat_from_frames")


def _cpu() -> tuple[float, float]:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime, r.ru_stime


def main() -> None:
    spent: dict[str, list[float]] = {}

    def timed(name):
        real = getattr(files, name)

        def run(*args, **kwargs):
            (u, s), w = _cpu(), time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                (u1, s1), totals = _cpu(), spent.setdefault(name, [0.0, 0.0, 0.0])
                totals[0] += u1 - u
                totals[1] += s1 - s
                totals[2] += time.perf_counter() - w
        setattr(files, name, run)

    for name in STAGES:
        timed(name)
    (u, s), w = _cpu(), time.perf_counter()
    flat, errors = files.flatten(sys.argv[1], assess_on=dt.date(2026, 6, 30))
    (u1, s1) = _cpu()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print(f"{flat.table.num_rows if flat else errors[:3]} firms; user {u1 - u:.2f} s, sys {s1 - s:.2f} s, "
          f"wall {time.perf_counter() - w:.2f} s, peak {peak:.2f} GB; load {os.getloadavg()[0]:.1f}")
    for name, (user, system, wall) in spent.items():
        print(f"  {name:18s} user {user:6.2f}  sys {system:6.2f}  wall {wall:6.2f}")


if __name__ == "__main__":
    main()
