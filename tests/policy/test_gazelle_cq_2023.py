"""重庆市瞪羚企业: exact compound growth, the 1000万 floor and the undecidable field requirement."""

from __future__ import annotations

import pytest

from keqi.policy import evaluate_one

from .helpers import base_profile, criterion

ED = "gazelle-cq-2023"


def firm(y3, y2, y1):
    p = base_profile()
    for f, revenue in zip(sorted(p["financials"], key=lambda f: f["year"]), (y3, y2, y1), strict=True):
        f.update(revenue=revenue, hitech_revenue=0)
    return p


@pytest.mark.parametrize(("y1", "passed"), [(13_225_000, True), (13_224_999, False)])
def test_cagr_15_percent_over_two_periods_exact(y1, passed):
    # (y1 / y3) ** (1/2) - 1 >= 15 %  <=>  y1 * 100² >= 115² * y3
    v = evaluate_one(firm(10_000_000, 11_000_000, y1), ED, {"new_economy_field": "assume_met"})
    assert criterion(v, "revenue_growth")["passed"] is passed
    assert v["verdict"] == ("eligible" if passed else "ineligible")


@pytest.mark.parametrize(("y1", "passed"), [(10_000_000, True), (9_999_999, False)])
def test_revenue_floor_10_million(y1, passed):
    v = evaluate_one(firm(1_000_000, 2_000_000, y1), ED)
    assert criterion(v, "revenue")["passed"] is passed


def test_field_requirement_is_undecided_by_default():
    v = evaluate_one(firm(10_000_000, 12_000_000, 20_000_000), ED)
    assert criterion(v, "new_economy")["passed"] is None
    assert v["verdict"] == "uncertain"


def test_one_period_setting():
    p = firm(1, 10_000_000, 11_500_000)
    assert (
        evaluate_one(p, ED, {"cagr_periods": 1, "new_economy_field": "assume_met"})["verdict"] == "eligible"
    )


def test_zero_base_year_fails():
    assert criterion(evaluate_one(firm(0, 5_000_000, 20_000_000), ED), "revenue_growth")["passed"] is False
