"""高新技术企业 (国科发火〔2016〕32号 第十一条 + 国科发火〔2016〕195号 创新能力评价)."""

from __future__ import annotations

import pytest

from keqi.policy import evaluate_one

from .helpers import base_profile, criterion, latest

ED = "hnte-2016"

# expert scores that pin every judged item (sum 20 with the IP items pinned below)
PINNED = {
    "tech_advancement": 6,
    "core_support": 6,
    "ip_quantity": 7,
    "ip_acquisition": 5,
    "ip_standards": 2,
    "conversion": 25,
    "rd_management": 15,
    "net_asset_growth": 0,
    "revenue_growth": 0,
}


def run(p, **settings):
    return evaluate_one(p, ED, settings or None)


def pts(v, cid):
    return criterion(v, cid)["points"]


def years(p, values, field):
    """Assign ``values`` (y3, y2, y1) to ``field`` of the three fiscal years."""
    for f, value in zip(sorted(p["financials"], key=lambda f: f["year"]), values, strict=True):
        f[field] = value
    return p


def test_default_firm_is_uncertain_because_expert_items_are_open():
    v = run(base_profile())
    assert all(
        criterion(v, c)["passed"]
        for c in (
            "age",
            "ip_ownership",
            "hitech_field",
            "tech_staff",
            "rd_ratio",
            "hitech_revenue",
            "integrity",
        )
    )
    inn = criterion(v, "innovation")
    assert inn["passed"] is None
    assert inn["points"]["min"] < 71 <= inn["points"]["max"]
    assert v["score"]["pass_mark"] == 71
    assert v["verdict"] == "uncertain"


def test_exact_71_and_70():
    expert = dict(PINNED, rd_management=20, conversion=30)  # 26 + 30 + 20 = 76
    p = base_profile(expert=expert)
    years(p, [10_000, 10_000, 10_000], "net_assets")
    assert run(p)["score"] == {"min": 76, "max": 76, "pass_mark": 71}
    p["expert"]["rd_management"] = 15  # 71
    assert run(p)["verdict"] == "eligible"
    p["expert"]["rd_management"] = 14  # 70
    v = run(p)
    assert v["score"]["min"] == 70
    assert v["verdict"] == "ineligible"
    assert criterion(v, "innovation")["passed"] is False


# 第十一条(五): the bracket comes from the latest year's revenue
@pytest.mark.parametrize(
    ("rev1", "pct"),
    [(10_000_000, 5), (50_000_000, 5), (50_000_001, 4), (200_000_000, 4), (200_000_001, 3)],
)
def test_rd_ratio_bracket_edges(rev1, pct):
    p = base_profile()
    years(p, [rev1, rev1, rev1], "revenue")
    years(p, [rev1 // 2] * 3, "hitech_revenue")
    total = 3 * rev1
    need = -(-pct * total // 100)  # smallest R&D sum with sum * 100 >= pct * total
    for rd_sum, passed in ((need, True), (need - 1, False)):
        split = [rd_sum // 3, rd_sum // 3, rd_sum - 2 * (rd_sum // 3)]
        years(p, split, "rd_expense")
        years(p, split, "rd_expense_domestic")
        v = run(p)
        c = criterion(v, "rd_ratio")
        assert c["threshold"] == pytest.approx(pct / 100)
        assert c["passed"] is passed, (rev1, rd_sum)


def test_revenue_of_exactly_50_million_needs_5_percent():
    p = base_profile()
    years(p, [50_000_000] * 3, "revenue")
    years(p, [40_000_000] * 3, "hitech_revenue")
    years(p, [2_200_000] * 3, "rd_expense")  # 4.4 %: enough for the 4 % bracket, not for 5 %
    years(p, [2_200_000] * 3, "rd_expense_domestic")
    assert criterion(run(p), "rd_ratio")["passed"] is False
    years(p, [50_000_001] * 3, "revenue")  # 50,000,001 is in the 4 % bracket
    assert criterion(run(p), "rd_ratio")["passed"] is True


@pytest.mark.parametrize(("domestic", "passed"), [(1_440_000, True), (1_439_999, False)])
def test_domestic_rd_share_60_percent(domestic, passed):
    p = base_profile()
    years(p, [2_400_000] * 3, "rd_expense")
    years(p, [domestic, 1_440_000, 1_440_000], "rd_expense_domestic")
    assert criterion(run(p), "rd_ratio")["passed"] is passed


def test_young_firm_uses_actual_years():
    p = base_profile(registered_on="2024-03-01")
    p["financials"] = [f for f in p["financials"] if f["year"] >= 2024]
    v = run(p)
    assert criterion(v, "rd_ratio")["passed"] is True
    assert criterion(v, "age")["passed"] is True


def test_missing_year_is_undecided_not_zero():
    p = base_profile()
    p["financials"] = [f for f in p["financials"] if f["year"] != 2023]
    v = run(p)
    assert criterion(v, "rd_ratio")["passed"] is None
    assert v["verdict"] in ("uncertain", "ineligible")
    assert v["verdict"] != "eligible"


@pytest.mark.parametrize(("hitech", "passed"), [(24_000_000, True), (23_999_999, False)])
def test_hitech_revenue_60_percent(hitech, passed):
    p = base_profile()
    latest(p)["hitech_revenue"] = hitech  # of 40,000,000
    assert criterion(run(p), "hitech_revenue")["passed"] is passed


@pytest.mark.parametrize(("tech", "passed"), [(10, True), (9, False)])
def test_tech_staff_10_percent(tech, passed):
    assert (
        criterion(run(base_profile(tech_staff=tech, senior_tech_staff=0)), "tech_staff")["passed"] is passed
    )


@pytest.mark.parametrize(("registered", "passed"), [("2025-06-01", True), ("2025-06-02", False)])
def test_age_one_full_year(registered, passed):
    p = base_profile(registered_on=registered)
    p["financials"] = [f for f in p["financials"] if f["year"] == 2025]
    v = run(p)
    assert criterion(v, "age")["passed"] is passed
    if not passed:
        assert v["verdict"] == "ineligible"
        gap = next(g for g in v["gaps"] if g["criterion"] == "age")
        assert gap["change"] is None and "成立" in gap["note"]


def test_integrity_flag_blocks():
    p = base_profile()
    p["flags"]["major_incident"] = True
    v = run(p)
    assert criterion(v, "integrity")["passed"] is False
    assert v["verdict"] == "ineligible"
    assert [g["change"] for g in v["gaps"]] == [None]


def test_unknown_field_is_undecided():
    v = run(base_profile(hitech_field=None))
    assert criterion(v, "hitech_field")["passed"] is None
    assert v["verdict"] != "eligible"


@pytest.mark.parametrize(
    ("c1", "c2", "expected"),
    [
        (1, 0, (7, 8)),
        (0, 5, (5, 6)),
        (0, 4, (3, 4)),
        (0, 3, (3, 4)),
        (0, 2, (1, 2)),
        (0, 1, (1, 2)),
        (0, 0, (0, 0)),
    ],
)
def test_ip_quantity_bands(c1, c2, expected):
    v = run(base_profile(ip={"class1": c1, "class2": c2, "self_developed": True}))
    assert pts(v, "ip_quantity") == {"min": expected[0], "max": expected[1]}
    assert criterion(v, "ip_ownership")["passed"] is (c1 + c2 > 0)


def test_expert_score_is_clamped_into_the_data_band():
    v = run(base_profile(ip={"class1": 0, "class2": 2, "self_developed": True}, expert={"ip_quantity": 8}))
    assert pts(v, "ip_quantity") == {"min": 2, "max": 2}


def test_no_ip_scores_zero_on_the_ip_items():
    v = run(base_profile(ip={"class1": 0, "class2": 0, "self_developed": None}))
    for part in ("ip_advancement", "ip_core_support", "ip_quantity", "ip_acquisition"):
        assert pts(v, part) == {"min": 0, "max": 0}
    assert criterion(v, "ip_ownership")["passed"] is False


@pytest.mark.parametrize(("self_developed", "expected"), [(True, (1, 6)), (False, (1, 3)), (None, (1, 6))])
def test_ip_acquisition(self_developed, expected):
    v = run(base_profile(ip={"class1": 1, "class2": 0, "self_developed": self_developed}))
    assert pts(v, "ip_acquisition") == {"min": expected[0], "max": expected[1]}


@pytest.mark.parametrize(
    ("conversions", "expected"),
    [
        (15, (25, 30)),
        (14, (19, 24)),
        (12, (19, 24)),
        (11, (13, 18)),
        (9, (13, 18)),
        (8, (7, 12)),
        (6, (7, 12)),
        (5, (1, 6)),
        (3, (1, 6)),
        (2, (0, 0)),
        (0, (0, 0)),
    ],
)
def test_conversion_bands_over_three_years(conversions, expected):
    v = run(base_profile(conversions_3y=conversions))
    assert pts(v, "conversion") == {"min": expected[0], "max": expected[1]}


def test_conversion_average_uses_actual_years_when_younger():
    p = base_profile(registered_on="2024-03-01", conversions_3y=10)  # 2 years: 5 a year
    assert pts(run(p), "conversion") == {"min": 25, "max": 30}


def test_rd_management_booleans_bound_the_range():
    items = ("rd_accounting", "rd_institution", "conversion_incentives", "talent_development")
    assert pts(run(base_profile(rd_management=dict.fromkeys(items, False))), "rd_management") == {
        "min": 0,
        "max": 0,
    }
    assert pts(run(base_profile(rd_management=dict.fromkeys(items, None))), "rd_management") == {
        "min": 0,
        "max": 20,
    }
    one = dict.fromkeys(items, False) | {"rd_accounting": True}
    assert pts(run(base_profile(rd_management=one)), "rd_management") == {"min": 0, "max": 6}
    floor = run(base_profile(rd_management=dict.fromkeys(items, True)), rd_management_true_floor=2)
    assert pts(floor, "rd_management") == {"min": 8, "max": 20}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([10_000, 13_500, 18_225], (9, 10)),  # exactly 35 %
        ([10_000, 13_500, 18_224], (7, 8)),
        ([10_000, 12_500, 15_625], (7, 8)),  # exactly 25 %
        ([10_000, 11_500, 13_225], (5, 6)),  # exactly 15 %
        ([10_000, 10_500, 11_025], (3, 4)),  # exactly 5 %
        ([10_000, 10_500, 11_024], (1, 2)),  # just under 5 %, above 0
        ([10_000, 10_000, 10_000], (0, 0)),  # 0: band F
        ([10_000, 9_000, 8_000], (0, 0)),  # negative growth
    ],
)
@pytest.mark.parametrize("field", ["net_assets", "revenue"])
def test_growth_bands_exact(values, expected, field):
    p = years(base_profile(), values, field)
    years(p, [0] * 3, "hitech_revenue")
    key = "net_asset_growth" if field == "net_assets" else "revenue_growth"
    assert pts(run(p), key) == {"min": expected[0], "max": expected[1]}


def test_growth_first_year_zero_uses_last_two_years():
    p = years(base_profile(), [0, 10_000, 13_500], "net_assets")
    assert pts(run(p), "net_asset_growth") == {"min": 9, "max": 10}
    p = years(base_profile(), [0, 10_000, 13_499], "net_assets")
    assert pts(run(p), "net_asset_growth") == {"min": 7, "max": 8}


def test_growth_second_year_zero_scores_zero():
    p = years(base_profile(), [10_000, 0, 50_000], "net_assets")
    assert pts(run(p), "net_asset_growth") == {"min": 0, "max": 0}


def test_growth_with_two_years_of_operation():
    p = base_profile(registered_on="2024-03-01")
    p["financials"] = [f for f in p["financials"] if f["year"] >= 2024]
    years_ = sorted(p["financials"], key=lambda f: f["year"])
    years_[0]["net_assets"], years_[1]["net_assets"] = 10_000, 13_500
    assert pts(run(p), "net_asset_growth") == {"min": 9, "max": 10}


def test_growth_with_one_year_of_operation_scores_zero():
    p = base_profile(registered_on="2025-01-01")
    p["financials"] = [f for f in p["financials"] if f["year"] == 2025]
    assert pts(run(p), "net_asset_growth") == {"min": 0, "max": 0}


def test_negative_opening_net_assets_is_a_setting():
    p = years(base_profile(), [-10_000, 10_000, 20_000], "net_assets")
    default = criterion(run(p), "net_asset_growth")
    assert default["points"] == {"min": 0, "max": 10}
    assert default["passed"] is None
    assert pts(run(p, negative_net_assets="zero"), "net_asset_growth") == {"min": 0, "max": 0}


def test_huge_amounts_do_not_overflow():
    p = years(base_profile(), [900_000_000_000, 1_215_000_000_000, 1_640_250_000_000], "net_assets")  # 35 %
    assert pts(run(p), "net_asset_growth") == {"min": 9, "max": 10}


def test_missing_growth_data_is_a_full_range():
    p = base_profile()
    latest(p)["net_assets"] = None
    c = criterion(run(p), "net_asset_growth")
    assert c["points"] == {"min": 0, "max": 10} and c["passed"] is None


def test_criterion_ids_and_sources():
    v = run(base_profile())
    ids = [c["id"] for c in v["criteria"]]
    assert ids[:8] == [
        "age",
        "ip_ownership",
        "hitech_field",
        "tech_staff",
        "rd_ratio",
        "hitech_revenue",
        "integrity",
        "innovation",
    ]
    assert set(ids[8:]) == {
        "ip_advancement",
        "ip_core_support",
        "ip_quantity",
        "ip_acquisition",
        "ip_standards",
        "conversion",
        "rd_management",
        "net_asset_growth",
        "revenue_growth",
    }
    assert criterion(v, "rd_ratio")["source"] == "国科发火〔2016〕32号 第十一条(五)"
    assert criterion(v, "conversion")["source"].startswith("国科发火〔2016〕195号")
