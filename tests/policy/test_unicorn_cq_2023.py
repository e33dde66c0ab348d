"""重庆市潜在独角兽 / 独角兽: age, valuation and financing per tier."""

from __future__ import annotations

import pytest

from keqi.policy import evaluate_one

from .helpers import base_profile, criterion

ED = "unicorn-cq-2023"
MET = {"new_economy_field": "assume_met"}


def firm(registered_on, valuation, financing):
    return base_profile(
        registered_on=registered_on, assess_on="2026-06-01", valuation_usd=valuation, financing_usd=financing
    )


@pytest.mark.parametrize(
    ("registered", "valuation", "financing", "tier"),
    [
        ("2017-06-01", 1e8, 5e6, "potential_unicorn"),  # exactly 9 years, both floors exactly
        ("2017-05-31", 1e8, 5e6, None),  # one day over 9 years
        ("2020-01-01", 99_999_999, 5e6, None),
        ("2020-01-01", 1e8, 4_999_999, None),
        ("2016-06-01", 1e9, 5e7, "unicorn"),  # exactly 10 years
        ("2016-05-31", 1e9, 5e7, None),
        ("2020-01-01", 1e9, 5e7, "unicorn"),  # the higher tier wins
        ("2017-01-01", 2e9, 4e7, None),  # too old for 潜在, financing short of 独角兽
    ],
)
def test_tiers(registered, valuation, financing, tier):
    v = evaluate_one(firm(registered, valuation, financing), ED, MET)
    assert v["tier"] == tier
    assert v["verdict"] == ("eligible" if tier else "ineligible")


def test_missing_valuation_is_undecided():
    v = evaluate_one(firm("2020-01-01", None, 1e7), ED, MET)
    assert criterion(v, "potential_valuation")["passed"] is None
    assert v["verdict"] == "uncertain"


def test_field_requirement_undecided_by_default():
    assert evaluate_one(firm("2020-01-01", 1e9, 5e7), ED)["verdict"] == "uncertain"
