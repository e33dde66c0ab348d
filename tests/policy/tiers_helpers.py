"""Profiles for the upper-rung editions (专精特新, 小巨人, 创新型, 科创属性)."""

from __future__ import annotations

import copy
from typing import Any

from keqi.policy import evaluate
from tests.policy.helpers import CLEAN_FLAGS, NO_DIRECT, uscc

YEARS = (2023, 2024, 2025)  # y3, y2, y1


def strong_firm(**overrides: Any) -> dict[str, Any]:
    """A firm that meets srdi-2026 and little-giant-2026 with every figure known.

    Revenue 9000万 → 9500万 → 1亿 (CAGR y3→y1 ≈ 5.4 %), 主营 95 %, R&D 600万 a year (6 %, 1200万 over two
    years), 资产负债率 60 %, 4 Ⅰ类 IP items in use, market share 12 %, quality score 65.
    """
    revenue = {2023: 90_000_000, 2024: 95_000_000, 2025: 100_000_000}
    profile: dict[str, Any] = {
        "uscc": uscc(7),
        "name": "重庆专精测试有限公司",
        "district_code": "500112",
        "registered_on": "2012-03-01",
        "industry_code": "C3981",  # 工业: 200 staff → a 中小企业 (划型)
        "assess_on": "2026-06-01",
        "staff_total": 200,
        "tech_staff": 60,
        "rd_staff": 40,
        "financials": [
            {
                "year": y,
                "revenue": revenue[y],
                "main_revenue": revenue[y] * 95 // 100,
                "rd_expense": 6_000_000,
                "cost_total": 80_000_000,
                "total_assets": 100_000_000,
                "net_assets": 40_000_000,
                "net_profit": revenue[y] // 10,
                "equity_financing": 0,
            }
            for y in YEARS
        ],
        "ip": {"class1": 4, "class2": 6, "self_developed": True},
        "flags": dict(CLEAN_FLAGS),
        "direct": dict(NO_DIRECT),
        "sme": {
            "niche_years": 5,
            "market_share_pct": 12.0,
            "market_rank": 5,
            "market_leading": True,
            "quality_score": 65.0,
            "rd_institution_level": "municipal",
            "chain_key_link": True,
            "key_field": True,
            "product_field": "six_basics",
            "strategic_emerging": True,
            "digital_level": 2,
            "quality_items": 2,
            "local_points": 8,
            "quality_certified": True,
            "own_brand": True,
            "info_system": True,
            "innovation_honour": False,
            "award_national_top3": False,
            "award_provincial_top3": False,
            "award_any": False,
            "chuangke": "none",
            "ip_class1_in_use": True,
            "ip_class1_high_value": 0,
            "title_tsme": True,
            "title_innovative_sme": True,
            "title_srdi": True,
            "title_little_giant": False,
            "rereview": False,
        },
        "star": {
            "invention_patents": 8,
            "software": False,
            "revenue_exempt": False,
            "leading_tech": False,
            "national_award": False,
            "major_project": False,
            "import_substitution": False,
            "negative_list": False,
        },
    }
    profile.update(overrides)
    return copy.deepcopy(profile)


def year(profile: dict[str, Any], y: int) -> dict[str, Any]:
    return next(f for f in profile["financials"] if f["year"] == y)


def y1(profile: dict[str, Any]) -> dict[str, Any]:
    return year(profile, YEARS[-1])


def judge(edition: str, profiles: list[dict[str, Any]], settings: Any = None) -> list[dict[str, Any]]:
    """Verdicts of a batch (one engine run), without gap plans."""
    return evaluate(profiles, edition, settings, gaps=False)


def item(verdict: dict[str, Any], cid: str) -> dict[str, Any]:
    return next(c for c in verdict["criteria"] if c["id"] == cid)


def passed(verdict: dict[str, Any], cid: str) -> bool | None:
    return item(verdict, cid)["passed"]


def points(verdict: dict[str, Any], cid: str) -> tuple[int, int]:
    p = item(verdict, cid)["points"]
    return p["min"], p["max"]


def variant(base: dict[str, Any], change: Any) -> dict[str, Any]:
    """A copy of ``base`` changed by ``change(profile)`` (which edits in place)."""
    p = copy.deepcopy(base)
    change(p)
    return p
