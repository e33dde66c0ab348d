"""科技型中小企业 (国科发政〔2017〕115号): every band edge of 第六条/第七条 and each 第八条 route."""

from __future__ import annotations

import pytest

from keqi.policy import evaluate_one

from .helpers import CLEAN_FLAGS, NO_DIRECT, base_profile, criterion, latest, with_year

ED = "tsme-2017"


def firm(
    staff=100, tech=30, revenue=40_000_000, rd=2_400_000, cost=30_000_000, assets=50_000_000, c1=1, c2=0, **kw
):
    p = base_profile(
        staff_total=staff, tech_staff=tech, senior_tech_staff=0, ip={"class1": c1, "class2": c2}, **kw
    )
    return with_year(
        p,
        revenue=revenue,
        rd_expense=rd,
        rd_expense_domestic=rd,
        cost_total=cost,
        total_assets=assets,
        hitech_revenue=revenue * 3 // 4,
    )


def run(p, **settings):
    return evaluate_one(p, ED, settings or None)


def points(v, cid):
    pts = criterion(v, cid)["points"]
    assert pts["min"] == pts["max"], pts
    return pts["min"]


@pytest.mark.parametrize(("staff", "passed"), [(500, True), (501, False)])
def test_size_staff_edge(staff, passed):
    v = run(firm(staff=staff, tech=staff // 2))
    assert criterion(v, "size")["passed"] is passed
    assert v["verdict"] == ("eligible" if passed else "ineligible")


@pytest.mark.parametrize("field", ["revenue", "assets"])
@pytest.mark.parametrize(("amount", "passed"), [(200_000_000, True), (200_000_001, False)])
def test_size_money_edges(field, amount, passed):
    kwargs = {field: amount}
    if field == "revenue":
        kwargs["rd"] = amount // 10
    v = run(firm(**kwargs))
    assert criterion(v, "size")["passed"] is passed


# 第七条 ① 科技人员: (share of 200 staff, points)
@pytest.mark.parametrize(
    ("tech", "pts"),
    [(60, 20), (59, 16), (50, 16), (49, 12), (40, 12), (39, 8), (30, 8), (29, 4), (20, 4), (19, 0), (0, 0)],
)
def test_tech_staff_bands(tech, pts):
    v = run(firm(staff=200, tech=tech))
    assert points(v, "tech_staff") == pts


def test_tech_staff_zero_points_fails_even_with_high_score():
    below = run(firm(staff=200, tech=19))  # 9.5 %: 0 points; R&D 50 + IP 30 = 80
    assert below["score"]["min"] == 80
    assert criterion(below, "tech_staff")["passed"] is False
    assert below["verdict"] == "ineligible"
    at = run(firm(staff=200, tech=20))  # exactly 10 %: 4 points
    assert points(at, "tech_staff") == 4
    assert at["verdict"] == "eligible"


# 第七条 ② 研发投入, table (1) on revenue 100,000,000 (cost large enough that table (2) gives 0)
@pytest.mark.parametrize(
    ("rd", "pts"),
    [
        (6_000_000, 50),
        (5_999_999, 40),
        (5_000_000, 40),
        (4_999_999, 30),
        (4_000_000, 30),
        (3_999_999, 20),
        (3_000_000, 20),
        (2_999_999, 10),
        (2_000_000, 10),
        (1_999_999, 0),
        (0, 0),
    ],
)
def test_rd_revenue_table_edges(rd, pts):
    v = run(firm(revenue=100_000_000, rd=rd, cost=1_000_000_000))
    assert points(v, "rd_investment") == pts


# table (2) on cost 10,000,000 with a large revenue (table (1) stays below 2 %)
@pytest.mark.parametrize(
    ("rd", "pts"),
    [
        (3_000_000, 50),
        (2_999_999, 40),
        (2_500_000, 40),
        (2_499_999, 30),
        (2_000_000, 30),
        (1_999_999, 20),
        (1_500_000, 20),
        (1_499_999, 10),
        (1_000_000, 10),
        (999_999, 0),
    ],
)
def test_rd_cost_table_edges(rd, pts):
    v = run(firm(revenue=200_000_000, rd=rd, cost=10_000_000))
    assert points(v, "rd_investment") == pts


def test_rd_takes_the_better_table():
    # revenue table: 3 % → 20; cost table: 3,000,000 / 10,000,000 = 30 % → 50
    assert points(run(firm(revenue=100_000_000, rd=3_000_000, cost=10_000_000)), "rd_investment") == 50
    # revenue table: 6 % → 50; cost table: 6 % → 0
    assert points(run(firm(revenue=100_000_000, rd=6_000_000, cost=100_000_000)), "rd_investment") == 50


def test_zero_revenue_uses_the_cost_table_only():
    v = run(firm(revenue=0, rd=2_000_000, cost=10_000_000))
    assert points(v, "rd_investment") == 30


@pytest.mark.parametrize(
    ("c1", "c2", "pts"),
    [(1, 0, 30), (3, 7, 30), (0, 4, 24), (0, 9, 24), (0, 3, 18), (0, 2, 12), (0, 1, 6), (0, 0, 0)],
)
def test_ip_bands(c1, c2, pts):
    assert points(run(firm(c1=c1, c2=c2)), "ip") == pts


@pytest.mark.parametrize(("c2", "verdict"), [(1, "eligible"), (0, "ineligible")])
def test_pass_mark_is_60_inclusive(c2, verdict):
    # 科技人员 4 (10 %) + 研发 50 + 科技成果 6 = 60; without the Ⅱ类 item 54
    v = run(firm(staff=100, tech=10, revenue=100_000_000, rd=6_000_000, cost=1_000_000_000, c1=0, c2=c2))
    assert v["score"]["min"] == v["score"]["max"] == 54 + 6 * c2
    assert v["score"]["pass_mark"] == 60
    assert v["verdict"] == verdict
    assert v["route"] == ("score" if verdict == "eligible" else None)


@pytest.mark.parametrize("route", sorted(NO_DIRECT))
def test_each_direct_route_qualifies_a_low_score(route):
    low = firm(staff=100, tech=5, rd=0, c1=0, c2=0)
    assert run(low)["verdict"] == "ineligible"
    low["direct"][route] = True
    v = run(low)
    assert v["verdict"] == "eligible"
    assert v["route"] == "direct"
    assert criterion(v, "direct")["passed"] is True


@pytest.mark.parametrize("flag", sorted(CLEAN_FLAGS))
def test_each_flag_blocks_both_routes(flag):
    p = firm()
    p["direct"]["hnte_certificate_valid"] = True
    p["flags"][flag] = True
    v = run(p)
    assert v["verdict"] == "ineligible"
    cid = "industry" if flag == "prohibited_industry" else "integrity"
    assert criterion(v, cid)["passed"] is False
    gap = next(g for g in v["gaps"] if g["criterion"] == cid)
    assert gap["change"] is None and gap["note"]


@pytest.mark.parametrize("flag", sorted(CLEAN_FLAGS))
def test_unknown_flag_is_undecided(flag):
    p = firm()
    p["flags"][flag] = None
    v = run(p)
    cid = "industry" if flag == "prohibited_industry" else "integrity"
    assert criterion(v, cid)["passed"] is None
    assert v["verdict"] == "uncertain"


def test_missing_rd_gives_a_points_range():
    p = firm(staff=100, tech=30, c1=0, c2=0)  # 20 + ? + 0
    latest(p)["rd_expense"] = None
    v = run(p)
    rd = criterion(v, "rd_investment")
    assert rd["passed"] is None
    assert rd["points"] == {"min": 0, "max": 50}
    assert v["score"] == {"min": 20, "max": 70, "pass_mark": 60}
    assert v["verdict"] == "uncertain"


def test_missing_data_that_cannot_reach_the_mark_is_ineligible():
    p = firm(staff=100, tech=10, c1=0, c2=0)  # 4 + ? (≤50) + 0 < 60
    latest(p)["rd_expense"] = None
    assert run(p)["verdict"] == "ineligible"


def test_unknown_ip_counts_bound_the_range():
    p = firm(c1=None, c2=2)
    p["ip"] = {"class1": None, "class2": 2}
    ip = criterion(run(p), "ip")
    assert ip["points"] == {"min": 12, "max": 30}
    assert ip["passed"] is True  # earns points whatever the unknown count


def test_unknown_direct_route_keeps_a_failing_score_uncertain():
    p = firm(staff=100, tech=5, rd=0, c1=0, c2=0)
    p["direct"]["led_standard"] = None
    assert run(p)["verdict"] == "uncertain"


def test_sources_cite_the_articles():
    v = run(firm())
    assert criterion(v, "size")["source"] == "国科发政〔2017〕115号 第六条(二)"
    assert criterion(v, "direct")["source"] == "国科发政〔2017〕115号 第八条"
    assert [c["id"] for c in v["criteria"]] == [
        "size",
        "industry",
        "integrity",
        "tech_staff",
        "rd_investment",
        "ip",
        "direct",
    ]
    assert all(c["label"] for c in v["criteria"])
