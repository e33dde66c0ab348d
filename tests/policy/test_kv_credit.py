"""知识价值信用评价: official A–E credit lines; weights and cut-offs are non-official settings."""

from __future__ import annotations

import pytest

from keqi.policy import evaluate_one
from keqi.policy.editions import get
from keqi.policy.editions.kv_credit import CREDIT_LINES

from .helpers import base_profile, criterion

ED = "kv-credit"


def test_credit_lines_are_the_official_figures():
    assert CREDIT_LINES == {"A": 5_000_000, "B": 4_000_000, "C": 3_000_000, "D": 1_600_000, "E": 800_000}


def test_every_weight_is_a_non_official_setting():
    settings = get(ED).settings
    assert settings and all(not s.official for s in settings)


def test_strong_firm_gets_grade_and_line():
    p = base_profile()
    p["direct"]["hnte_certificate_valid"] = True
    v = evaluate_one(p, ED)
    assert v["verdict"] == "eligible"
    assert v["grade"] == "A" and v["credit_line"] == 5_000_000
    assert v["score"]["min"] == v["score"]["max"] >= v["score"]["pass_mark"]


def test_cutoffs_are_bureau_settings():
    p = base_profile()
    p["direct"]["hnte_certificate_valid"] = True
    strict = {"kv_grade_cutoffs": {"A": 200, "B": 190, "C": 180, "D": 170, "E": 160}}
    v = evaluate_one(p, ED, strict)
    assert v["verdict"] == "ineligible" and v["grade"] is None and v["credit_line"] is None


def test_missing_data_gives_a_grade_range():
    p = base_profile(ip={"class1": 0, "class2": 2})
    p["direct"]["hnte_certificate_valid"] = None
    v = evaluate_one(p, ED)
    assert v["score"]["min"] < v["score"]["max"]
    assert v["grade_low"] != v["grade_high"]
    assert v["grade"] is None and v["credit_line"] is None


def test_weak_firm_below_grade_e():
    p = base_profile(tech_staff=1, senior_tech_staff=0, ip={"class1": 0, "class2": 0})
    for f in p["financials"]:
        f.update(rd_expense=0, rd_expense_domestic=0, hitech_revenue=0)
    v = evaluate_one(p, ED)
    assert v["score"]["max"] < v["score"]["pass_mark"]
    assert v["verdict"] == "ineligible"


@pytest.mark.parametrize(
    ("rd", "points"),
    [
        (6_000_000, 30),
        (5_999_999, 20),
        (4_000_000, 20),
        (3_999_999, 10),
        (2_000_000, 10),
        (1_999_999, 5),
        (1_000_000, 5),
        (999_999, 0),
    ],
)
def test_default_rd_band_edges(rd, points):
    p = base_profile()
    for f in p["financials"]:
        f.update(revenue=100_000_000, rd_expense=rd, rd_expense_domestic=rd, hitech_revenue=0)
    assert criterion(evaluate_one(p, ED), "rd_investment")["points"] == {"min": points, "max": points}


def test_bureau_can_move_the_rd_bands():
    p = base_profile()
    for f in p["financials"]:
        f.update(revenue=100_000_000, rd_expense=1_500_000, rd_expense_domestic=1_500_000, hitech_revenue=0)
    v = evaluate_one(p, ED, {"kv_rd_bands": {"1": 40}})
    assert criterion(v, "rd_investment")["points"] == {"min": 40, "max": 40}


@pytest.mark.parametrize(
    ("registered", "verdict", "grade", "grade_low", "grade_high", "line"),
    [
        (True, "eligible", "A", "A", "A", 5_000_000),
        (False, "ineligible", None, None, None, None),
        (None, "uncertain", None, None, "A", None),
    ],
)
def test_only_firms_in_the_cq_tech_registry_are_graded(registered, verdict, grade, grade_low, grade_high, line):
    p = base_profile(cq_tech_registered=registered)
    p["direct"]["hnte_certificate_valid"] = True
    v = evaluate_one(p, ED)
    assert (v["verdict"], v["grade"], v["grade_low"], v["grade_high"], v["credit_line"]) == (
        verdict,
        grade,
        grade_low,
        grade_high,
        line,
    )
    assert criterion(v, "registered")["passed"] is registered
    assert "重庆市科技型企业系统" in criterion(v, "registered")["source"]


def test_a_firm_outside_the_registry_is_told_to_register_not_to_spend():
    p = base_profile(cq_tech_registered=False, tech_staff=1, senior_tech_staff=0)
    v = evaluate_one(p, ED)
    assert v["verdict"] == "ineligible"
    assert [g["change"] for g in v["gaps"] if g["criterion"] == "registered"] == [None]
    assert all(g["change"] is None for g in v["gaps"])
    assert any("入库" in g["note"] for g in v["gaps"])
