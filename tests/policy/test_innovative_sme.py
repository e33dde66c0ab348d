"""创新型中小企业 / 科技和创新型中小企业: innovative-sme-2022 (工信部企业〔2022〕63号 附件1)."""

from __future__ import annotations

from datetime import date

import pytest

from keqi.policy.editions import resolve
from tests.policy.tiers_helpers import judge, passed, points, strong_firm, variant, y1, year

ED = "innovative-sme-2022"


def set_y1(**fields):
    return lambda p: y1(p).update(fields)


def set_sme(**fields):
    return lambda p: p["sme"].update(fields)


def test_no_merged_standard_yet_so_the_2022_one_is_in_force_on_any_day():
    assert resolve("innovative-sme", on=date(2026, 5, 1)).id == ED
    assert resolve("innovative-sme", on=date(2030, 1, 1)).id == ED


def test_the_strong_firm_scores():
    (v,) = judge(ED, [strong_firm()])
    # ip 10–15 (Ⅰ类; the self-developed item may be one of its Ⅱ类) + rd 20 (6 %) + growth 10 (5.26 %)
    # + debt 5 (60 %) + field 10 + share 20 (95 %)
    assert v["score"] == {"min": 75, "max": 80, "pass_mark": 60}
    assert v["verdict"] == "eligible" and v["route"] == "score"


@pytest.mark.parametrize(
    ("change", "cid", "expected"),
    [
        (set_sme(ip_class1_high_value=1), "ip", 20),
        (lambda p: p["ip"].update(self_developed=False), "ip", 10),
        (lambda p: p["ip"].update(class2=0), "ip", 15),  # no Ⅱ类: the self-developed item is a Ⅰ类 one
        (lambda p: p["ip"].update(class1=0), "ip", 5),
        (lambda p: p["ip"].update(class1=0, class2=0), "ip", 0),
        (set_y1(rd_expense=5_000_000), "rd_ratio", 20),
        (set_y1(rd_expense=4_999_999), "rd_ratio", 15),
        (set_y1(rd_expense=3_000_000), "rd_ratio", 15),
        (set_y1(rd_expense=2_999_999), "rd_ratio", 10),
        (set_y1(rd_expense=1_000_000), "rd_ratio", 5),
        (set_y1(rd_expense=999_999), "rd_ratio", 0),
        # 上年度主营业务收入增长率 (y2 主营 = 9025万)
        (set_y1(main_revenue=103_787_500, revenue=110_000_000), "main_growth", 20),  # +15 %
        (set_y1(main_revenue=103_787_499, revenue=110_000_000), "main_growth", 15),
        (set_y1(main_revenue=99_275_000, revenue=110_000_000), "main_growth", 15),  # +10 %
        (set_y1(main_revenue=90_250_000), "main_growth", 5),  # 0 %
        (set_y1(main_revenue=90_249_999), "main_growth", 0),
        (set_y1(net_assets=45_000_000), "debt", 10),  # 55 %
        (set_y1(net_assets=44_999_999), "debt", 5),
        (set_y1(net_assets=25_000_000), "debt", 5),  # 75 %
        (set_y1(net_assets=24_999_999), "debt", 0),
        (set_sme(strategic_emerging=False), "product_field", 5),
        (set_y1(main_revenue=70_000_000), "main_share", 20),
        (set_y1(main_revenue=69_999_999), "main_share", 15),
        (set_y1(main_revenue=55_000_000), "main_share", 10),
        (set_y1(main_revenue=50_000_000), "main_share", 5),
        (set_y1(main_revenue=49_999_999), "main_share", 0),
    ],
)
def test_band_edges(change, cid, expected):
    (v,) = judge(ED, [variant(strong_firm(), change)])
    assert points(v, cid) == (expected, expected)


@pytest.mark.parametrize(
    ("ip", "expected"),
    [
        ({"class1": 4, "class2": 6, "self_developed": True}, (10, 15)),
        ({"class1": 4, "class2": None, "self_developed": True}, (10, 15)),
        ({"class1": 4, "class2": 0, "self_developed": None}, (10, 15)),
        ({"class1": 4, "class2": 0, "self_developed": True}, (15, 15)),
        ({"class1": 4, "class2": 6, "self_developed": False}, (10, 10)),
    ],
)
def test_self_developed_class1_is_a_range_unless_the_data_decide_it(ip, expected):
    (v,) = judge(ED, [variant(strong_firm(), lambda p: p["ip"].update(ip))])
    assert points(v, "ip") == expected


def at_the_pass_mark(p):
    """60 points with 自主研发Ⅰ类 (15), 55 without: rd 15 (3.47 %), growth 10, debt 5, field 5, share 10."""
    y1(p)["revenue"] = 172_727_272  # 主营 9500万 is 55.000…% of it
    p["sme"]["strategic_emerging"] = False


def test_a_firm_at_the_pass_mark_only_through_an_undecidable_item_is_uncertain():
    (v,) = judge(ED, [variant(strong_firm(), at_the_pass_mark)])
    assert v["score"] == {"min": 55, "max": 60, "pass_mark": 60}
    assert v["verdict"] == "uncertain" and v["route"] is None
    no_class2 = variant(variant(strong_firm(), at_the_pass_mark), lambda p: p["ip"].update(class2=0))
    (v,) = judge(ED, [no_class2])
    assert v["score"] == {"min": 60, "max": 60, "pass_mark": 60} and v["verdict"] == "eligible"


def test_unknown_field_gives_a_range_never_the_top():
    (v,) = judge(ED, [variant(strong_firm(), set_sme(strategic_emerging=None))])
    assert points(v, "product_field") == (5, 10)


def test_dimension_minima_bind_even_above_60():
    def specialised(main1, main2):
        def change(p):
            p["sme"]["strategic_emerging"] = False
            p["ip"]["class2"] = 0  # the self-developed item is a Ⅰ类 one: 15 points
            y1(p)["main_revenue"] = main1
            year(p, 2024)["main_revenue"] = main2  # keeps 成长性 at 10 points (growth ≥ 5 %)

        return change

    # 专业化 needs 15: field 5 + share 5 (50 %) = 10 fails although the total is 60
    (v,) = judge(ED, [variant(strong_firm(), specialised(50_000_000, 47_500_000))])
    assert v["score"]["min"] == 60
    assert passed(v, "specialisation") is False and v["verdict"] == "ineligible"
    (v,) = judge(ED, [variant(strong_firm(), specialised(55_000_000, 52_000_000))])
    assert passed(v, "specialisation") is True and v["verdict"] == "eligible"


def test_direct_routes():
    weak = lambda p: (  # noqa: E731 - no points from IP or R&D
        p["ip"].update(class1=0, class2=0),
        [f.update(rd_expense=0) for f in p["financials"]],
    )
    routes = [
        set_sme(award_any=True),
        lambda p: p["direct"].update(hnte_certificate_valid=True),
        set_sme(innovation_honour=True),
        set_sme(rd_institution_level="provincial"),
        lambda p: (
            year(p, 2023).update(equity_financing=2_000_000),
            year(p, 2025).update(equity_financing=3_000_000),
        ),
    ]
    vs = judge(
        ED, [variant(strong_firm(), weak)] + [variant(variant(strong_firm(), weak), r) for r in routes]
    )
    assert vs[0]["verdict"] == "ineligible"
    assert [(v["verdict"], v["route"]) for v in vs[1:]] == [("eligible", "direct")] * len(routes)
    below = variant(variant(strong_firm(), weak), lambda p: year(p, 2025).update(equity_financing=4_999_999))
    (v,) = judge(ED, [below])
    assert passed(v, "direct") is False


def test_a_blacklisted_firm_is_out_whatever_the_route():
    (v,) = judge(ED, [variant(strong_firm(), lambda p: p["flags"].update(credit_blacklisted=True))])
    assert v["verdict"] == "ineligible"
