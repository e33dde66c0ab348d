"""Benchmark the policy engine along the ``keqi evaluate`` path.

Generates N seeded profiles, writes them as .jsonl and times, in the same run:

1. ``keqi evaluate --edition E FILE.jsonl`` (the CLI path: read, validate, flatten, evaluate with gap
   plans, print one JSON line per firm), on a local Typer app (no Django);
2. the same without gap plans (``--no-gaps``);
3. the baseline: a plain-Python per-firm loop of the tsme-2017 rules (第六条/第七条/第八条) over the
   parsed dicts, no gaps — and checks that it agrees with the engine verdict for every firm;
4. one-firm latency (a batch of one) per edition, median of repeated runs after the first compile.

Usage::

    .venv/bin/python benchmarks/evaluate_profiles.py --firms 1000 --seed 1
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import typer
from typer.testing import CliRunner

from keqi.cli import policy as policy_cli
from keqi.policy import evaluate
from keqi.policy.editions import EDITION_IDS
from keqi.policy.profile import Profile
from keqi.policy.uscc import make_uscc

FLAGS = (
    "major_incident",
    "research_misconduct",
    "credit_blacklisted",
    "abnormal_operation",
    "prohibited_industry",
)
DIRECT = ("hnte_certificate_valid", "national_award_top3", "provincial_rd_institution", "led_standard")


def make_profiles(n: int, seed: int) -> list[dict]:
    """N plausible Chongqing firms (complete data, a few adverse flags and direct routes)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        staff = rng.randint(3, 700)
        tech = rng.randint(0, staff)
        fin = []
        revenue = rng.randint(500_000, 300_000_000)
        for year in (2023, 2024, 2025):
            revenue = max(0, int(revenue * rng.uniform(0.8, 1.5)))
            rd = revenue * rng.randint(0, 120) // 1000
            fin.append(
                {
                    "year": year,
                    "revenue": revenue,
                    "rd_expense": rd,
                    "rd_expense_domestic": rd * rng.randint(40, 100) // 100,
                    "cost_total": rd + revenue * rng.randint(50, 110) // 100,
                    "total_assets": rng.randint(1_000_000, 300_000_000),
                    "net_assets": rng.randint(-5_000_000, 150_000_000),
                    "hitech_revenue": revenue * rng.randint(0, 100) // 100,
                }
            )
        out.append(
            {
                "uscc": make_uscc(rng, region=rng.choice(["500103", "500112", "500107", "500153"])),
                "name": "重庆基准测试科技有限公司",
                "district_code": "500112",
                "registered_on": f"{rng.randint(2005, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "assess_on": "2026-06-30",
                "hitech_field": rng.choice(["电子信息", "新材料", "先进制造与自动化", None]),
                "staff_total": staff,
                "tech_staff": tech,
                "senior_tech_staff": min(tech, rng.randint(0, 3)),
                "financials": fin,
                "ip": {
                    "class1": rng.randint(0, 3),
                    "class2": rng.randint(0, 8),
                    "self_developed": rng.random() < 0.8,
                },
                "conversions_3y": rng.randint(0, 20),
                "flags": {k: rng.random() < 0.02 for k in FLAGS},
                "direct": {k: rng.random() < 0.03 for k in DIRECT},
                "rd_management": {
                    k: rng.random() < 0.6
                    for k in (
                        "rd_accounting",
                        "rd_institution",
                        "conversion_incentives",
                        "talent_development",
                    )
                },
                "standards_participation": rng.random() < 0.2,
            }
        )
    return out


# ---- the baseline: tsme-2017 written as a plain per-firm Python function --------------------


def _band(value_num: int, value_den: int, bands: tuple[tuple[int, int], ...]) -> int:
    if value_den <= 0:
        return 0
    for pct, pts in bands:
        if value_num * 100 >= pct * value_den:
            return pts
    return 0


def tsme_plain(p: dict) -> str:
    y1 = max(p["financials"], key=lambda f: f["year"])
    basic = (
        p["staff_total"] <= 500
        and y1["revenue"] <= 200_000_000
        and y1["total_assets"] <= 200_000_000
        and not any(p["flags"].values())
    )
    if not basic:
        return "ineligible"
    if any(p["direct"].values()):
        return "eligible"
    staff = _band(p["tech_staff"], p["staff_total"], ((30, 20), (25, 16), (20, 12), (15, 8), (10, 4)))
    rd = max(
        _band(y1["rd_expense"], y1["revenue"], ((6, 50), (5, 40), (4, 30), (3, 20), (2, 10))),
        _band(y1["rd_expense"], y1["cost_total"], ((30, 50), (25, 40), (20, 30), (15, 20), (10, 10))),
    )
    c1, c2 = p["ip"]["class1"], p["ip"]["class2"]
    ip = 30 if c1 >= 1 else {0: 0, 1: 6, 2: 12, 3: 18}.get(c2, 24)
    return "eligible" if staff > 0 and staff + rd + ip >= 60 else "ineligible"


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--edition", default="tsme-2017")
    parser.add_argument("--repeat", type=int, default=20, help="runs for the one-firm latency")
    parser.add_argument("--scale", type=int, default=0, help="also compare rules-only on this many firms")
    args = parser.parse_args()

    profiles = make_profiles(args.firms, args.seed)
    app = typer.Typer()
    policy_cli.register(app)
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "profiles.jsonl"
        path.write_text(
            "\n".join(json.dumps(p, ensure_ascii=False) for p in profiles) + "\n", encoding="utf-8"
        )
        # warm-up: compile the edition's SQL once (a long-running service does this once per process)
        evaluate([profiles[0]], args.edition)
        cli, t_cli = timed(runner.invoke, app, ["evaluate", "--edition", args.edition, str(path)])
        nogaps, t_nogaps = timed(
            runner.invoke, app, ["evaluate", "--edition", args.edition, "--no-gaps", str(path)]
        )
    assert cli.exit_code == 0 and nogaps.exit_code == 0, cli.output[-500:]
    verdicts = [json.loads(line)["verdict"] for line in nogaps.stdout.splitlines()]
    assert len(verdicts) == args.firms

    parsed = [json.loads(json.dumps(p)) for p in profiles]
    baseline, t_base = timed(lambda: [tsme_plain(p) for p in parsed])
    jsonl = "\n".join(json.dumps(p, ensure_ascii=False) for p in profiles)

    def plain_cli_path() -> list[str]:
        # the same I/O as the CLI (parse, validate, print JSON) around the plain per-firm rules
        out = []
        for line in jsonl.splitlines():
            p = Profile.model_validate_json(line).model_dump(mode="json")
            out.append(json.dumps({"uscc": p["uscc"], "verdict": tsme_plain(p)}, ensure_ascii=False))
        return out

    _, t_base_io = timed(plain_cli_path)
    if args.edition == "tsme-2017":
        mismatches = sum(a != b for a, b in zip(baseline, verdicts, strict=True))
        assert mismatches == 0, f"{mismatches} verdicts differ from the plain-Python baseline"

    counts = {v: verdicts.count(v) for v in sorted(set(verdicts))}
    print(f"profiles: {args.firms} (seed {args.seed}), edition {args.edition}: {counts}")
    print(f"keqi evaluate (with gap plans):   {t_cli:6.2f} s  ({t_cli / args.firms * 1000:.2f} ms/firm)")
    print(
        f"keqi evaluate --no-gaps:          {t_nogaps:6.2f} s  ({t_nogaps / args.firms * 1000:.2f} ms/firm)"
    )
    print(
        f"baseline plain-Python tsme loop:  {t_base:6.3f} s  (rules only: no parsing, validation or output)"
    )
    print(f"baseline with the CLI's I/O:      {t_base_io:6.3f} s  (parse + validate + print, plain rules)")
    print(
        f"ratio engine-CLI / plain rules: with gaps {t_cli / t_base:.0f}x, without {t_nogaps / t_base:.0f}x; "
        f"engine-CLI / plain with I/O: with gaps {t_cli / t_base_io:.1f}x, without {t_nogaps / t_base_io:.1f}x"
    )

    if args.scale:
        from keqi.policy.evaluation import evaluate_table
        from keqi.policy.flat import profiles_to_table

        big = make_profiles(args.scale, args.seed + 1)
        table = profiles_to_table(Profile.model_validate(p) for p in big)
        result, t_engine = timed(evaluate_table, table, "tsme-2017")
        plain, t_plain = timed(lambda: [tsme_plain(p) for p in big])
        assert result.column("verdict").to_pylist() == plain
        print(
            f"scale {args.scale} firms, rules only (flat table in, verdict columns out): engine {t_engine:.2f} s, "
            f"plain-Python loop {t_plain:.2f} s, ratio {t_engine / t_plain:.2f}x (same verdicts)"
        )

    print("one-firm latency (batch of one, median):")
    one = Profile.model_validate(profiles[0])
    for edition in EDITION_IDS:
        evaluate([one], edition)
        runs = []
        for _ in range(args.repeat):
            _, t = timed(evaluate, [one], edition, gaps=False)
            runs.append(t)
        gap_runs = []
        for _ in range(max(3, args.repeat // 4)):
            _, t = timed(evaluate, [one], edition)
            gap_runs.append(t)
        print(
            f"  {edition:16s} {statistics.median(runs) * 1000:6.1f} ms"
            f"   with gaps {statistics.median(gap_runs) * 1000:6.1f} ms"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
