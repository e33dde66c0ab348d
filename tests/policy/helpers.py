"""Profile builders shared by the policy tests."""

from __future__ import annotations

import copy
import random
from typing import Any

from keqi.policy.uscc import make_uscc

CLEAN_FLAGS = {
    "major_incident": False,
    "research_misconduct": False,
    "credit_blacklisted": False,
    "abnormal_operation": False,
    "prohibited_industry": False,
}
NO_DIRECT = {
    "hnte_certificate_valid": False,
    "national_award_top3": False,
    "provincial_rd_institution": False,
    "led_standard": False,
}


def uscc(seed: int = 1, region: str = "500112") -> str:
    return make_uscc(random.Random(seed), region=region)


def base_profile(**overrides: Any) -> dict[str, Any]:
    """A complete profile dict (all data known, clean flags, no direct route) for a small firm."""
    years = (2023, 2024, 2025)
    profile: dict[str, Any] = {
        "uscc": uscc(),
        "name": "重庆测试科技有限公司",
        "district_code": "500112",
        "legal_person": True,
        "registered_on": "2015-03-01",
        "assess_on": "2026-06-01",
        "hitech_field": "电子信息",
        "industry_code": "I6513",
        "cq_tech_registered": True,
        "staff_total": 100,
        "tech_staff": 30,
        "senior_tech_staff": 2,
        "financials": [
            {
                "year": y,
                "revenue": 40_000_000,
                "rd_expense": 2_400_000,
                "rd_expense_domestic": 2_400_000,
                "cost_total": 30_000_000,
                "total_assets": 50_000_000,
                "net_assets": 20_000_000,
                "hitech_revenue": 30_000_000,
            }
            for y in years
        ],
        "ip": {"class1": 1, "class2": 5, "self_developed": True},
        "conversions_3y": 15,
        "flags": dict(CLEAN_FLAGS),
        "direct": dict(NO_DIRECT),
        "rd_management": {
            "rd_accounting": True,
            "rd_institution": True,
            "conversion_incentives": True,
            "talent_development": True,
        },
        "standards_participation": True,
        "valuation_usd": None,
        "financing_usd": None,
        "expert": {},
    }
    for key, value in overrides.items():
        profile[key] = value
    return copy.deepcopy(profile)


def with_year(profile: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """Set financial fields on every fiscal year of ``profile``."""
    for f in profile["financials"]:
        f.update(fields)
    return profile


def latest(profile: dict[str, Any]) -> dict[str, Any]:
    return max(profile["financials"], key=lambda f: f["year"])


def criterion(verdict: dict[str, Any], cid: str) -> dict[str, Any]:
    return next(c for c in verdict["criteria"] if c["id"] == cid)
