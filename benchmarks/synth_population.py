"""Time ``keqi.synth.population`` and report its calibration.

    .venv/bin/python benchmarks/synth_population.py [--firms 150000] [--seeds 1,2,3] [--write DIR]

Prints, per seed: generation time, rows, the number of firms meeting the key 高企 conditions and
the 重庆市科技型企业 condition (the same independent check as tests/synth/test_population.py), the
zone split of the qualifying 高企, certificates held and 潜在独角兽/独角兽 candidates. With
``--write`` it also times writing parquet, csv and xlsx.
"""

from __future__ import annotations

import argparse
import importlib.util
import tempfile
import time
from pathlib import Path

import polars as pl

from keqi.synth import population as synth

ROOT = Path(__file__).resolve().parent.parent


def _assess():
    spec = importlib.util.spec_from_file_location("test_synth", ROOT / "tests/synth/test_population.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.assess


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--firms", type=int, default=150_000)
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--write", type=Path, default=None, help="also time writing files into this folder")
    parser.add_argument(
        "--policy", action="store_true", help="also evaluate with keqi.policy (hnte-2016, cq-tech-2022)"
    )
    args = parser.parse_args()
    assess = _assess()
    scale = 150_000 / args.firms
    for seed in (int(s) for s in args.seeds.split(",")):
        started = time.perf_counter()
        pop = synth.generate(args.firms, seed)
        took = time.perf_counter() - started
        a = assess(pop)
        zones = a.filter("hnte")["zone"].value_counts(normalize=True).sort("zone")
        split = " ".join(f"{z} {p * 100:.1f}%" for z, p in zones.rows())
        kinds = dict(pop.qualifications["kind"].value_counts().rows())
        last = pop.reports.filter(pl.col("fiscal_year") == pl.col("fiscal_year").max())
        age = (pl.lit(pop.as_of) - pl.col("registered_on")).dt.total_days() / 365.25
        potential = last.filter(
            age <= 9, pl.col("valuation_usd") >= 1e8, pl.col("financing_usd") >= 5e6
        ).height
        unicorn = last.filter(
            age <= 10, pl.col("valuation_usd") >= 1e9, pl.col("financing_usd") >= 5e7
        ).height
        print(
            f"seed {seed}: {took:.2f} s, {pop.reports.height} rows; "
            f"高企 conditions {a['hnte'].sum()} ({a['hnte'].mean() * 100:.2f}%, per 150k {a['hnte'].sum() * scale:.0f}"
            f" vs 6348); 科技型 {a['cq'].sum()} ({a['cq'].mean() * 100:.2f}%, per 150k {a['cq'].sum() * scale:.0f}"
            f" vs 42989); 高企 zones: {split} (targets 中心城区 55.5% 主城新区 36.2% 两群 8.3%); "
            f"certificates {kinds}; 潜在独角兽 {potential}, 独角兽 {unicorn}"
        )
        if args.policy:
            from collections import Counter

            from keqi.policy import evaluate

            profiles = synth.to_profiles(pop)
            for edition in ("hnte-2016", "cq-tech-2022"):
                started = time.perf_counter()
                verdicts = Counter(v["verdict"] for v in evaluate(profiles, edition, gaps=False))
                shares = ", ".join(
                    f"{k} {n} ({n / len(profiles) * 100:.2f}%)" for k, n in sorted(verdicts.items())
                )
                print(f"  keqi.policy {edition}: {shares} [{time.perf_counter() - started:.1f} s]")
        if args.write:
            args.write.mkdir(parents=True, exist_ok=True)
            for suffix in ("parquet", "csv", "xlsx"):
                started = time.perf_counter()
                path = synth.write(pop, args.write / f"synth-{seed}.{suffix}")
                print(
                    f"  write {suffix}: {time.perf_counter() - started:.1f} s, {path.stat().st_size / 1e6:.1f} MB"
                )


if __name__ == "__main__":
    with tempfile.TemporaryDirectory():
        main()
