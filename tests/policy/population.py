"""A seeded random population of flat rows: every edition's branches, missing data and edge values."""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa

from keqi.policy.flat import FLAT_SCHEMA, rows_to_table

from .helpers import uscc


def _maybe(rng: random.Random, value, p_null: float = 0.08):
    return None if rng.random() < p_null else value


def random_flat_table(n: int, seed: int, *, cq_tech: bool = False) -> pa.Table:
    """``n`` random flat rows; with ``cq_tech`` the firms are mostly 入库重庆市科技型企业 (some not, some
    unknown: knowledge-value credit grades only registered firms), else that column is unknown."""
    rng = random.Random(seed)
    registry = random.Random(seed + 1)  # its own stream: the other columns stay as they were
    rows = []
    for i in range(n):
        staff = rng.choice([0, 1, 3, 8, 20, 60, 150, 400, 520, rng.randint(1, 900)])
        tech = rng.randint(0, staff)
        row = {
            "uscc": uscc(seed * 100_000 + i, region=rng.choice(["500112", "500103", "110105"])),
            "name": f"测试企业{i}",
            "district_code": _maybe(rng, rng.choice(["500112", "500103", "110105"]), 0.2),
            "legal_person": True,
            "registered_on": dt.date(rng.randint(2008, 2026), rng.randint(1, 12), rng.randint(1, 28)),
            "assess_on": dt.date(2026, 6, 30),
            "hitech_field": _maybe(rng, rng.choice(["电子信息", "新材料", "生物与新医药"]), 0.3),
            "staff_total": _maybe(rng, staff),
            "tech_staff": _maybe(rng, tech),
            "senior_tech_staff": _maybe(rng, rng.randint(0, max(tech // 4, 1))),
            "ip_class1": _maybe(rng, rng.choice([0, 0, 1, 2])),
            "ip_class2": _maybe(rng, rng.randint(0, 7)),
            "ip_self_developed": _maybe(rng, rng.random() < 0.8),
            "conversions_3y": _maybe(rng, rng.randint(0, 20)),
            "standards_participation": _maybe(rng, rng.random() < 0.2),
            "valuation_usd": _maybe(rng, rng.choice([0.0, 5e7, 2e8, 1.5e9]), 0.5),
            "financing_usd": _maybe(rng, rng.choice([0.0, 5e6, 3e7]), 0.5),
        }
        years = rng.choice([0, 1, 2, 3, 3, 3])
        revenue = rng.choice([0, rng.randint(100_000, 400_000_000)])
        for k in range(1, years + 1):
            rd = revenue * rng.randint(0, 120) // 1000
            row |= {
                f"y{k}_year": 2026 - k,
                f"y{k}_revenue": revenue,
                f"y{k}_rd_expense": _maybe(rng, rd),
                f"y{k}_rd_expense_domestic": rd * rng.randint(0, 100) // 100,
                f"y{k}_cost_total": rd + revenue * rng.randint(0, 110) // 100,
                f"y{k}_total_assets": rng.randint(0, 300_000_000),
                f"y{k}_net_assets": rng.randint(-20_000_000, 150_000_000),
                f"y{k}_hitech_revenue": _maybe(rng, revenue * rng.randint(0, 100) // 100),
            }
            revenue = max(0, int(revenue * rng.uniform(0.6, 1.2)))
        for flag in ("major_incident", "research_misconduct", "credit_blacklisted", "abnormal_operation"):
            row[f"flag_{flag}"] = _maybe(rng, rng.random() < 0.03, 0.1)
        row["flag_prohibited_industry"] = _maybe(rng, rng.random() < 0.02, 0.05)
        for direct in (
            "hnte_certificate_valid",
            "national_award_top3",
            "provincial_rd_institution",
            "led_standard",
        ):
            row[f"direct_{direct}"] = _maybe(rng, rng.random() < 0.05, 0.1)
        for item in ("rd_accounting", "rd_institution", "conversion_incentives", "talent_development"):
            row[item] = _maybe(rng, rng.random() < 0.6, 0.3)
        if rng.random() < 0.3:
            for item in ("tech_advancement", "core_support", "conversion", "rd_management"):
                row[f"expert_{item}"] = rng.randint(0, 20)
        if rng.random() < 0.25:  # a research firm: hnte is within reach of a plan
            row |= {
                "hitech_field": "电子信息",
                "registered_on": dt.date(2016, 3, 1),
                "ip_class1": rng.choice([0, 1]),
                "ip_self_developed": True,
                "conversions_3y": 15,
                "expert_tech_advancement": 8,
                "expert_core_support": 8,
                "expert_ip_acquisition": 6,
                "expert_conversion": 28,
                "expert_rd_management": 18,
            }
            row |= {
                f"flag_{f}": False for f in ("major_incident", "research_misconduct", "credit_blacklisted")
            }
        if cq_tech:
            row["cq_tech_registered"] = _maybe(registry, registry.random() < 0.8, 0.1)
        rows.append(row)
    table = rows_to_table(rows)
    assert table.schema.equals(FLAT_SCHEMA)
    return table
