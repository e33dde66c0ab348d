"""重庆市科技型企业入库: the confirmed conditions, and the unconfirmed alternative as an OFF setting."""

from __future__ import annotations

import pytest

from keqi.policy import evaluate_one

from .helpers import CLEAN_FLAGS, base_profile, criterion, uscc

ED = "cq-tech-2022"


@pytest.mark.parametrize(
    ("tech", "senior", "passed"), [(5, 0, True), (4, 0, False), (4, 1, True), (0, 0, False)]
)
def test_tech_share_5_percent_or_one_senior(tech, senior, passed):
    v = evaluate_one(base_profile(staff_total=100, tech_staff=tech, senior_tech_staff=senior), ED)
    assert criterion(v, "tech_staff")["passed"] is passed
    assert v["verdict"] == ("eligible" if passed else "ineligible")


def test_unknown_senior_count_keeps_a_low_share_undecided():
    v = evaluate_one(base_profile(staff_total=100, tech_staff=4, senior_tech_staff=None), ED)
    assert criterion(v, "tech_staff")["passed"] is None
    assert v["verdict"] == "uncertain"


def test_registered_outside_chongqing_fails():
    v = evaluate_one(base_profile(uscc=uscc(5, region="310115"), district_code="310115"), ED)
    assert criterion(v, "legal_person")["passed"] is False
    assert v["verdict"] == "ineligible"
    assert v["gaps"][0]["change"] is None


def test_outside_code_with_unknown_district_is_undecided():
    # a 统一社会信用代码 never changes when a firm moves: without the district the data cannot decide
    v = evaluate_one(base_profile(uscc=uscc(5, region="310115"), district_code=None), ED)
    assert criterion(v, "legal_person")["passed"] is None


def test_operating_in_a_chongqing_functional_zone_counts():
    v = evaluate_one(base_profile(uscc=uscc(5, region="310115"), district_code="两江新区"), ED)
    assert criterion(v, "legal_person")["passed"] is True


def test_legal_person_false_fails_and_unknown_follows_the_setting():
    assert criterion(evaluate_one(base_profile(legal_person=False), ED), "legal_person")["passed"] is False
    unknown = base_profile(legal_person=None)
    assert criterion(evaluate_one(unknown, ED), "legal_person")["passed"] is True  # 91… code, default setting
    off = evaluate_one(unknown, ED, {"legal_person_from_uscc": False})
    assert criterion(off, "legal_person")["passed"] is None
    assert off["verdict"] == "uncertain"


@pytest.mark.parametrize("flag", sorted(CLEAN_FLAGS))
def test_each_flag_fails(flag):
    p = base_profile()
    p["flags"][flag] = True
    assert evaluate_one(p, ED)["verdict"] == "ineligible"


def test_unconfirmed_alternative_is_off_by_default():
    # 3 % tech staff, no senior staff; R&D 6 % of revenue and IP: only the 2016-era alternative could help
    p = base_profile(staff_total=100, tech_staff=3, senior_tech_staff=0)
    v = evaluate_one(p, ED)
    assert v["verdict"] == "ineligible"
    assert criterion(v, "rd_alternative")["status"] == "UNCONFIRMED"
    assert criterion(v, "rd_alternative")["passed"] is False
    on = evaluate_one(p, ED, {"unconfirmed_rd_alternative": True, "alt_tech_staff_pct": 3})
    assert on["verdict"] == "eligible"
    assert on["settings"]["unconfirmed_rd_alternative"] is True


def test_hiring_plan_to_reach_5_percent():
    v = evaluate_one(base_profile(staff_total=100, tech_staff=2, senior_tech_staff=0), ED)
    (gap,) = [g for g in v["gaps"] if g["change"] is not None]
    # (2 + Δ) * 100 >= 5 * (100 + Δ) → Δ >= 300 / 95 → 4
    assert gap == {
        "criterion": "tech_staff",
        "field": "tech_staff",
        "change": 4,
        "unit": "person",
        "note": gap["note"],
        "reaches": "eligible",
    }
    assert "4名" in gap["note"]
