"""Benchmark screening at scale: every firm of a Parquet file against every edition.

Generates N firms (a synthetic population of ``--base`` firms from ``keqi.synth.population``, flattened
with ``keqi.policy.flat.profiles_to_table`` and resampled to N rows with a per-firm jitter of the
money figures), writes them as Parquet, then times in child processes of this one (so each has its own
peak memory), on the same file:

1. the floor: DuckDB reading the file once into Arrow (the 20× yardstick of issue 4);
2. the KeQi engine, all editions, without gap plans (``evaluation.evaluate_parquet``, batch by batch);
3. the same with gap plans (``--gaps-rows`` firms; the whole file by default);
4. baseline (a): the tsme-2017 rules as an analyst writes them today, pandas ``DataFrame.apply`` row by
   row, on a ``--sample`` of the file, extrapolated; its verdicts are checked against the engine's;
5. baseline (b): a hand-written DuckDB SQL of the tsme-2017 rules alone over the file (the floor of
   one edition), checked against the engine's verdicts, and the engine's tsme-2017 alone;
6. the whole ``keqi screen FILE.parquet --on DAY -o OUT.parquet`` command as a user runs it: on the whole
   file with plans for each firm's next-stage editions (2 threads, and without threads), and with
   ``--all-gaps`` (plans for every edition) on the first ``--gaps-rows`` firms, and on the same firms all
   holding 科技型中小企业 (tech stage: hnte-2016 plans for every firm), both extrapolated;
7. with ``--spark N``: Spark local mode against DuckDB on N firms (verdict columns of every edition,
   session start-up timed separately; and every edition's verdict and points in one statement, as
   ``--engine spark`` computes them), and the whole ``keqi screen FILE.parquet --engine spark`` command
   (``KEQI_SPARK_MASTER=local[2]``) against ``--engine duckdb`` on the first N firms; ``--only-spark``
   runs only these.

Usage::

    .venv/bin/python benchmarks/screen_engine.py --firms 1000000
    .venv/bin/python benchmarks/screen_engine.py --firms 100000 --spark 100000
    .venv/bin/python benchmarks/screen_engine.py --firms 100000 --spark 100000 --only-spark
    .venv/bin/python benchmarks/screen_engine.py --firms 1000000 --gaps-rows 100000 --only-cli
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from keqi.policy.flat import FINANCIAL_FIELDS

OUT = Path(__file__).parent / "out"
MONEY = FINANCIAL_FIELDS


# ----------------------------------------------------------------------------------------- data


def make_file(firms: int, base: int, seed: int) -> Path:
    path = OUT / f"screen-{firms}-{base}-{seed}.parquet"
    if path.exists():
        return path
    from keqi.policy.flat import profiles_to_table
    from keqi.policy.profile import Profile
    from keqi.synth import population as synth

    population = synth.generate(base, seed=seed)
    table = profiles_to_table(Profile.model_validate(p) for p in synth.to_profiles(population))
    rng = np.random.default_rng(seed)
    table = table.take(pa.array(rng.integers(0, table.num_rows, firms)))
    # distinct firms: a fresh code each, money scaled by a per-firm factor, R&D by one more
    scale = rng.uniform(0.85, 1.15, firms)
    rd_scale = rng.uniform(0.8, 1.25, firms)
    for k in (1, 2, 3):
        for name in MONEY:
            col = f"y{k}_{name}"
            factor = scale * (rd_scale if name.startswith("rd_") else 1.0)
            nulls = pc.is_null(table.column(col)).to_numpy(zero_copy_only=False)
            values = pc.fill_null(table.column(col), 0).to_numpy(zero_copy_only=False)
            moved = pa.array(np.round(values.astype(float) * factor), mask=nulls)
            table = table.set_column(
                table.schema.get_field_index(col), col, moved.cast(pa.int64(), safe=False)
            )
    codes = pa.array([f"91500000{i:010d}" for i in range(firms)])
    table = table.set_column(0, "uscc", codes)
    OUT.mkdir(exist_ok=True)
    pq.write_table(table, path)
    return path


# ----------------------------------------------------------------------------------------- children


def child_read(path: str, **_) -> dict:
    import duckdb

    t = time.perf_counter()
    table = duckdb.sql(f"SELECT * FROM read_parquet('{path}')").to_arrow_table()
    return {"seconds": time.perf_counter() - t, "rows": table.num_rows}


def child_engine(path: str, gaps: bool, rows: int, editions: str, **_) -> dict:
    from keqi.policy import evaluation
    from keqi.policy.editions import EDITION_IDS

    ids = EDITION_IDS if editions == "all" else tuple(editions.split(","))
    # compile each edition's SQL once (a server does this once per process), outside the timing
    evaluation.evaluate_all(pq.ParquetFile(path).read_row_group(0).slice(0, 64), ids, gaps=gaps)
    t = time.perf_counter()
    counts: dict[str, dict[str, int]] = {e: {} for e in ids}
    done = 0
    for _flat, results in evaluation.evaluate_parquet(path, ids, gaps=gaps):
        for e, r in results.items():
            for item in pc.value_counts(r.column("verdict")).to_pylist():
                counts[e][item["values"]] = counts[e].get(item["values"], 0) + item["counts"]
        done += _flat.num_rows
        if done >= rows:
            break
    return {"seconds": time.perf_counter() - t, "rows": done, "verdicts": counts}


def _k_and(*xs):
    if any(x is False for x in xs):
        return False
    return None if any(x is None for x in xs) else True


def _k_or(*xs):
    if any(x is True for x in xs):
        return True
    return None if any(x is None for x in xs) else False


def _v(x):
    return None if x is None or (isinstance(x, float) and x != x) else x


def tsme_row(row) -> str:
    """科技型中小企业 (国科发政〔2017〕115号 第六条–第八条), one row at a time, as an analyst would."""
    staff, tech = _v(row["staff_total"]), _v(row["tech_staff"])
    rev, rd, cost, assets = (
        _v(row[c]) for c in ("y1_revenue", "y1_rd_expense", "y1_cost_total", "y1_total_assets")
    )
    le = lambda a, b: None if a is None else a <= b  # noqa: E731
    size = _k_and(le(staff, 500), le(rev, 200_000_000), le(assets, 200_000_000))
    flag = lambda c: None if _v(row[c]) is None else not bool(row[c])  # noqa: E731
    industry = flag("flag_prohibited_industry")
    integrity = _k_and(
        *(
            flag(f"flag_{f}")
            for f in ("major_incident", "research_misconduct", "abnormal_operation", "credit_blacklisted")
        )
    )

    def band(num, den, bands, top):
        if num is None or den is None:
            return 0, top
        pts = next((p for pct, p in bands if den > 0 and num * 100 >= den * pct), 0)
        return pts, pts

    t_lo, t_hi = band(tech, staff, ((30, 20), (25, 16), (20, 12), (15, 8), (10, 4)), 20)
    r1 = band(rd, rev, ((6, 50), (5, 40), (4, 30), (3, 20), (2, 10)), 50)
    r2 = band(rd, cost, ((30, 50), (25, 40), (20, 30), (15, 20), (10, 10)), 50)
    r_lo, r_hi = max(r1[0], r2[0]), max(r1[1], r2[1])
    c1, c2 = _v(row["ip_class1"]), _v(row["ip_class2"])
    c2_band = next((p for n, p in ((4, 24), (3, 18), (2, 12), (1, 6)) if c2 is not None and c2 >= n), 0)
    i_lo = 30 if c1 is not None and c1 >= 1 else c2_band
    i_hi = 30 if c1 is None or c1 >= 1 else (24 if c2 is None else c2_band)
    tech_passed = True if t_lo > 0 else (False if t_hi == 0 else None)
    lo, hi = t_lo + r_lo + i_lo, t_hi + r_hi + i_hi
    score = True if lo >= 60 else (False if hi < 60 else None)
    direct = _k_or(
        *(
            _v(row[f"direct_{d}"])
            for d in (
                "hnte_certificate_valid",
                "national_award_top3",
                "provincial_rd_institution",
                "led_standard",
            )
        )
    )
    basic = _k_and(size, industry, integrity)
    eligible = _k_or(_k_and(basic, direct), _k_and(basic, score, tech_passed))
    return {True: "eligible", False: "ineligible", None: "uncertain"}[eligible]


def child_pandas(path: str, sample: int, **_) -> dict:
    import pandas as pd

    from keqi.policy import evaluation

    table = pq.read_table(path).slice(0, sample)
    t = time.perf_counter()
    df = table.to_pandas()
    verdicts = df.apply(tsme_row, axis=1).tolist()
    seconds = time.perf_counter() - t
    want = evaluation.evaluate_table(table, "tsme-2017").column("verdict").to_pylist()
    assert verdicts == want, "the pandas baseline disagrees with the engine"
    return {"seconds": seconds, "rows": len(verdicts), "pandas": pd.__version__}


TSME_SQL = """
WITH f AS (SELECT * FROM read_parquet('{path}')),
p AS (SELECT *,
  (staff_total <= 500 AND y1_revenue <= 200000000 AND y1_total_assets <= 200000000)
    AND NOT flag_prohibited_industry
    AND NOT flag_major_incident AND NOT flag_research_misconduct
    AND NOT flag_abnormal_operation AND NOT flag_credit_blacklisted AS basic,
  CASE WHEN staff_total IS NULL OR tech_staff IS NULL THEN 0 ELSE
    CASE WHEN staff_total > 0 AND tech_staff * 100 >= staff_total * 30 THEN 20
         WHEN staff_total > 0 AND tech_staff * 100 >= staff_total * 25 THEN 16
         WHEN staff_total > 0 AND tech_staff * 100 >= staff_total * 20 THEN 12
         WHEN staff_total > 0 AND tech_staff * 100 >= staff_total * 15 THEN 8
         WHEN staff_total > 0 AND tech_staff * 100 >= staff_total * 10 THEN 4 ELSE 0 END END AS t_lo,
  CASE WHEN staff_total IS NULL OR tech_staff IS NULL THEN 20 ELSE
    CASE WHEN staff_total > 0 AND tech_staff * 100 >= staff_total * 30 THEN 20
         WHEN staff_total > 0 AND tech_staff * 100 >= staff_total * 25 THEN 16
         WHEN staff_total > 0 AND tech_staff * 100 >= staff_total * 20 THEN 12
         WHEN staff_total > 0 AND tech_staff * 100 >= staff_total * 15 THEN 8
         WHEN staff_total > 0 AND tech_staff * 100 >= staff_total * 10 THEN 4 ELSE 0 END END AS t_hi,
  CASE WHEN y1_revenue > 0 AND y1_rd_expense * 100 >= y1_revenue * 6 THEN 50
       WHEN y1_revenue > 0 AND y1_rd_expense * 100 >= y1_revenue * 5 THEN 40
       WHEN y1_revenue > 0 AND y1_rd_expense * 100 >= y1_revenue * 4 THEN 30
       WHEN y1_revenue > 0 AND y1_rd_expense * 100 >= y1_revenue * 3 THEN 20
       WHEN y1_revenue > 0 AND y1_rd_expense * 100 >= y1_revenue * 2 THEN 10 ELSE 0 END AS r1,
  CASE WHEN y1_cost_total > 0 AND y1_rd_expense * 100 >= y1_cost_total * 30 THEN 50
       WHEN y1_cost_total > 0 AND y1_rd_expense * 100 >= y1_cost_total * 25 THEN 40
       WHEN y1_cost_total > 0 AND y1_rd_expense * 100 >= y1_cost_total * 20 THEN 30
       WHEN y1_cost_total > 0 AND y1_rd_expense * 100 >= y1_cost_total * 15 THEN 20
       WHEN y1_cost_total > 0 AND y1_rd_expense * 100 >= y1_cost_total * 10 THEN 10 ELSE 0 END AS r2,
  y1_revenue IS NOT NULL AND y1_rd_expense IS NOT NULL AS r1_known,
  y1_cost_total IS NOT NULL AND y1_rd_expense IS NOT NULL AS r2_known,
  CASE WHEN ip_class2 >= 4 THEN 24 WHEN ip_class2 >= 3 THEN 18 WHEN ip_class2 >= 2 THEN 12
       WHEN ip_class2 >= 1 THEN 6 ELSE 0 END AS c2_band,
  direct_hnte_certificate_valid OR direct_national_award_top3 OR direct_provincial_rd_institution
    OR direct_led_standard AS direct
  FROM f),
s AS (SELECT *,
  t_lo + greatest(CASE WHEN r1_known THEN r1 ELSE 0 END, CASE WHEN r2_known THEN r2 ELSE 0 END)
       + CASE WHEN ip_class1 >= 1 THEN 30 ELSE c2_band END AS lo,
  t_hi + greatest(CASE WHEN r1_known THEN r1 ELSE 50 END, CASE WHEN r2_known THEN r2 ELSE 50 END)
       + CASE WHEN ip_class1 IS NULL OR ip_class1 >= 1 THEN 30 WHEN ip_class2 IS NULL THEN 24 ELSE c2_band END AS hi
  FROM p),
e AS (SELECT uscc, (basic AND direct) OR (basic
  AND CASE WHEN lo >= 60 THEN TRUE WHEN hi < 60 THEN FALSE END
  AND CASE WHEN t_lo > 0 THEN TRUE WHEN t_hi = 0 THEN FALSE END) AS eligible FROM s)
SELECT uscc, CASE WHEN eligible THEN 'eligible' WHEN NOT eligible THEN 'ineligible' ELSE 'uncertain' END AS verdict
FROM e
"""


def child_sql(path: str, **_) -> dict:
    import duckdb

    from keqi.policy import evaluation

    t = time.perf_counter()
    verdicts = duckdb.sql(TSME_SQL.format(path=path)).to_arrow_table().column("verdict")
    seconds = time.perf_counter() - t
    want = evaluation.evaluate_table(pq.read_table(path), "tsme-2017").column("verdict")
    assert verdicts.equals(want), "the hand-written SQL disagrees with the engine"
    return {"seconds": seconds, "rows": len(verdicts)}


def child_spark(path: str, rows: int, **_) -> dict:
    from keqi.policy import spark
    from keqi.policy.editions import EDITION_IDS

    t = time.perf_counter()
    session = spark.session("local[2]")
    session.sparkContext.setLogLevel("ERROR")
    startup = time.perf_counter() - t
    small = pq.read_table(path).slice(0, 64)
    frame = session.read.parquet(path)
    if rows < pq.ParquetFile(path).metadata.num_rows:
        frame = frame.limit(rows)
    for e in EDITION_IDS:  # first query of each edition: Spark plans it, the JVM warms up
        spark.verdict_table(small, e, spark=session)
    t = time.perf_counter()
    for e in EDITION_IDS:
        spark.verdict_frame(frame, e, spark=session).toArrow()
    seconds = time.perf_counter() - t
    # every edition's verdict and points range in one statement (what --engine spark runs), collected
    t = time.perf_counter()
    scored = spark.scores_frame(spark.flat_frame(frame), EDITION_IDS, spark=session)
    scored = scored.select("uscc", *(c for c in scored.columns if "·" in c))
    compile_seconds = time.perf_counter() - t  # Ibis → one Spark SQL statement, analysed by Spark
    runs = []
    for _ in range(2):  # the first run also generates and compiles Spark's Java code
        t = time.perf_counter()
        scored.toArrow()
        runs.append(time.perf_counter() - t)
    session.stop()
    return {"seconds": seconds, "startup": startup, "rows": rows, "one_compile": compile_seconds,
            "one_runs": runs}


def _slice(path: str, rows: int) -> str:
    """The first ``rows`` firms of ``path`` as a file of their own."""
    sliced = OUT / f"{Path(path).stem}-first-{rows}.parquet"
    if not sliced.exists():
        pq.write_table(pq.read_table(path).slice(0, rows), sliced)
    return str(sliced)


def _on_stage(path: str, rows: int, kind: str) -> str:
    """The first ``rows`` firms of ``path``, each holding the qualification ``kind`` (column
    ``qualifications``): all on that kind's stage of the ladder."""
    staged = OUT / f"{Path(path).stem}-first-{rows}-{kind}.parquet"
    if not staged.exists():
        table = pq.read_table(path).slice(0, rows)
        pq.write_table(table.append_column("qualifications", pa.array([kind] * table.num_rows)), staged)
    return str(staged)


def child_cli(path: str, rows: int, on: str, all_gaps: bool = False, workers: str = "", engine: str = "duckdb",
              kind: str = "", **_) -> dict:
    """The whole ``keqi screen FILE.parquet --on DAY -o OUT.parquet`` command as a user runs it (a fresh
    process: start-up, the city's ladder read from its database, streaming, judging, the output written)
    on the first ``rows`` firms; after one run on 1,000 firms that fills the compiled-SQL cache of its
    KEQI_HOME (a user's second run). ``all_gaps``: plans for every edition (``--all-gaps``)."""

    keqi = str(Path(sys.executable).parent / "keqi")
    env = {**os.environ, "KEQI_HOME": str(OUT / "home")}
    env.pop("KEQI_DATABASE_URL", None)
    if workers:
        env["KEQI_SCREEN_WORKERS"] = workers
    subprocess.run([keqi, "migrate"], env=env, check=True, capture_output=True)  # the ladder
    flags = ["--on", on, *(["--all-gaps"] if all_gaps else []), "--engine", engine]
    env.setdefault("KEQI_SPARK_MASTER", "local[2]")
    subprocess.run([keqi, "screen", _slice(path, 1000), *flags, "-o", str(OUT / "warm.parquet")], env=env,
                   check=True, capture_output=True)
    if kind:
        target = _on_stage(path, rows, kind)
    else:
        target = path if rows >= pq.ParquetFile(path).metadata.num_rows else _slice(path, rows)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([keqi, "screen", target, *flags, "-o", str(OUT / "cli-out.parquet")], env=env, check=True,
                   capture_output=True)
    seconds = time.perf_counter() - t
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = children.ru_utime + children.ru_stime - before.ru_utime - before.ru_stime
    (OUT / "cli-out.parquet").unlink(missing_ok=True)
    return {"seconds": seconds, "rows": rows, "cpu": cpu, "peak_mb_command": children.ru_maxrss / 1024,
            "load": os.getloadavg()[0]}


CHILDREN = {
    "cli": child_cli,
    "read": child_read,
    "engine": child_engine,
    "pandas": child_pandas,
    "sql": child_sql,
    "spark": child_spark,
}


def run_child(name: str, **kwargs) -> dict:
    cmd = [sys.executable, __file__, "--child", name, "--args", json.dumps(kwargs)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _print_cli(rows: dict, on: str, n: int, read: float) -> None:
    for name, what in (("cli", "plans for the next stage's editions, 2 threads"),
                       ("cli_inline", "plans for the next stage's editions, no threads"),
                       ("cli_all", "--all-gaps: plans for every edition, 2 threads"),
                       ("cli_tech", "every firm a 科技型中小企业, so hnte-2016 plans for all, 2 threads")):
        r = rows[name]
        full = r["seconds"] * n / r["rows"]
        print(
            f"keqi screen FILE.parquet --on {on} -o OUT.parquet ({what}): {r['seconds']:.1f} s for "
            f"{r['rows']:,} firms (CPU {r['cpu']:.1f} s, peak {r['peak_mb_command']:.0f} MB, load {r['load']:.1f})"
            + (f" → ≈{full:.0f} s for {n:,}" if r["rows"] < n else "") + f" = {full / read:.1f}× the read"
        )


def _spark_only(rows: dict, path: str, n: int, on: str) -> None:
    rows["spark"] = run_child("spark", path=path, rows=n)
    rows["duck_small"] = run_child("engine", path=path, gaps=False, rows=n, editions="all")
    rows["cli_duckdb"] = run_child("cli", path=path, rows=n, on=on)
    rows["cli_spark"] = run_child("cli", path=path, rows=n, on=on, engine="spark")
    for name, r in rows.items():
        print(f"{name:10} {r['seconds']:8.2f} s  rows {r['rows']:>9,}  peak {r['peak_mb']:7.0f} MB  "
              f"{r.get('startup', '')}")
    s, d = rows["spark"], rows["duck_small"]
    print(f"spark local[2] {s['seconds']:.2f} s per-edition queries; one statement: {s['one_compile']:.2f} s to "
          f"compile, runs {' / '.join(f'{x:.2f}' for x in s['one_runs'])} s (+ {s['startup']:.1f} s start-up) "
          f"vs DuckDB {d['seconds']:.2f} s on {n:,} firms, every edition")
    for name in ("cli_duckdb", "cli_spark"):
        r = rows[name]
        print(f"keqi screen FILE --on {on} --engine {name[4:]} -o OUT.parquet on {n:,} firms: {r['seconds']:.1f} s "
              f"(CPU of the command {r['cpu']:.0f} s, peak {r['peak_mb_command']:.0f} MB, load {r['load']:.1f})")
    print(f"load average {os.getloadavg()}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--firms", type=int, default=1_000_000)
    parser.add_argument("--base", type=int, default=20_000, help="synthetic firms resampled into --firms")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sample", type=int, default=20_000, help="rows for the pandas baseline")
    parser.add_argument("--gaps-rows", type=int, default=0, help="firms screened with gap plans (0: all)")
    parser.add_argument("--spark", type=int, default=0, help="also compare Spark local and DuckDB on N firms")
    parser.add_argument("--on", default="2026-06-30", help="assessment day of the keqi screen runs")
    parser.add_argument("--only-cli", action="store_true", help="time the keqi screen command only")
    parser.add_argument("--only-spark", action="store_true", help="with --spark N: the Spark comparisons only")
    parser.add_argument("--child")
    parser.add_argument("--args")
    a = parser.parse_args()
    if a.child:
        result = CHILDREN[a.child](**json.loads(a.args))
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return

    t = time.perf_counter()
    path = str(make_file(a.firms, a.base, a.seed))
    print(f"data: {a.firms:,} firms in {path} ({time.perf_counter() - t:.1f} s to make)", flush=True)
    n, gaps_rows = a.firms, a.gaps_rows or a.firms
    rows = {}
    rows["read"] = run_child("read", path=path)
    if a.spark and a.only_spark:
        _spark_only(rows, path, a.spark, a.on)
        return
    if not a.only_cli:
        rows["engine"] = run_child("engine", path=path, gaps=False, rows=n, editions="all")
        rows["tsme"] = run_child("engine", path=path, gaps=False, rows=n, editions="tsme-2017")
        rows["sql"] = run_child("sql", path=path)
        rows["pandas"] = run_child("pandas", path=path, sample=a.sample)
        rows["gaps"] = run_child("engine", path=path, gaps=True, rows=gaps_rows, editions="all")
    rows["cli"] = run_child("cli", path=path, rows=n, on=a.on)
    rows["cli_inline"] = run_child("cli", path=path, rows=n, on=a.on, workers="0")
    rows["cli_all"] = run_child("cli", path=path, rows=gaps_rows, on=a.on, all_gaps=True)
    # a population of 科技型中小企业 (tech stage): every firm's next stage is decided by hnte-2016
    rows["cli_tech"] = run_child("cli", path=path, rows=gaps_rows, on=a.on, kind="tsme")
    if a.spark:
        rows["spark"] = run_child("spark", path=path, rows=a.spark)
        rows["duck_small"] = run_child("engine", path=path, gaps=False, rows=a.spark, editions="all")
    for name, r in rows.items():
        print(
            f"{name:10} {r['seconds']:8.2f} s  rows {r['rows']:>9,}  peak {r['peak_mb']:7.0f} MB  {r.get('startup', '')}"
        )
    read = rows["read"]["seconds"]
    if a.only_cli:
        _print_cli(rows, a.on, n, read)
        return
    pandas_full = rows["pandas"]["seconds"] * n / rows["pandas"]["rows"]
    gaps_full = rows["gaps"]["seconds"] * n / rows["gaps"]["rows"]
    print(
        f"engine, all editions, no gaps: {rows['engine']['seconds']:.2f} s = {rows['engine']['seconds'] / read:.1f}× the read"
    )
    print(
        f"engine, all editions, gap plans: {gaps_full:.1f} s (for {n:,}) = {gaps_full / read:.1f}× the read"
    )
    print(
        f"tsme-2017: engine {rows['tsme']['seconds']:.2f} s, hand SQL {rows['sql']['seconds']:.2f} s "
        f"({rows['tsme']['seconds'] / rows['sql']['seconds']:.1f}×), pandas row by row {pandas_full:.0f} s "
        f"(extrapolated from {rows['pandas']['rows']:,}; {pandas_full / rows['tsme']['seconds']:.0f}× the engine)"
    )
    _print_cli(rows, a.on, n, read)
    print(f"load average {os.getloadavg()}")
    print(json.dumps(rows["gaps"]["verdicts"], ensure_ascii=False))
    if a.spark:
        print(
            f"spark local[2] {rows['spark']['seconds']:.2f} s (+ {rows['spark']['startup']:.1f} s start-up) vs "
            f"DuckDB {rows['duck_small']['seconds']:.2f} s on {a.spark:,} firms, verdict columns of every edition"
        )


if __name__ == "__main__":
    main()
