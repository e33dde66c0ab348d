"""专精特新"小巨人": little-giant-2026 (工信部企业〔2026〕2号) and little-giant-2022 (63号 附件3)."""

from __future__ import annotations

from datetime import date

import pytest

from keqi.policy import evaluate_one
from keqi.policy.editions import get, resolve
from tests.policy.tiers_helpers import judge, passed, strong_firm, variant, y1, year

NEW, OLD = "little-giant-2026", "little-giant-2022"


def set_y1(**fields):
    return lambda p: y1(p).update(fields)


def set_sme(**fields):
    return lambda p: p["sme"].update(fields)


def revenues(y3, y2, yy1, rd_pct=None):
    """Revenue per year (主营 95 %); R&D at ``rd_pct`` % of it when given."""

    def change(p):
        for y, r in zip((2023, 2024, 2025), (y3, y2, yy1), strict=True):
            year(p, y).update(revenue=r, main_revenue=r * 95 // 100)
            if rd_pct is not None:
                year(p, y).update(rd_expense=r * rd_pct // 100)

    return change


def test_the_strong_firm_is_a_little_giant_under_2026_rules():
    (v,) = judge(NEW, [strong_firm()])
    assert v["verdict"] == "eligible", [c for c in v["criteria"] if c["passed"] is not True]


@pytest.mark.parametrize(
    ("change", "cid", "expected"),
    [
        # 上年度营业收入 ≥ 5000万元
        (revenues(45_351_473, 48_000_000, 50_000_000), "revenue", True),
        (revenues(45_351_473, 48_000_000, 49_999_999), "revenue", False),
        # 近两年营业收入复合增长率 ≥ 5 %: y1 · 100² ≥ 105² · y3 (1亿 / 1.1025 = 90702947.8…)
        (lambda p: year(p, 2023).update(revenue=90_702_947), "revenue_growth", True),
        (lambda p: year(p, 2023).update(revenue=90_702_948), "revenue_growth", False),
        (
            lambda p: (year(p, 2023).update(revenue=100_000_000), p["sme"].update(rereview=True)),
            "revenue_growth",
            True,
        ),
        # 主营业务收入占比 ≥ 90 %
        (set_y1(main_revenue=90_000_000), "main_business", True),
        (set_y1(main_revenue=89_999_999), "main_business", False),
        # 资产负债率 ≤ 75 %
        (set_y1(net_assets=25_000_000), "debt_ratio", True),
        (set_y1(net_assets=24_999_999), "debt_ratio", False),
        # 近两年研发费用合计 ≥ 1200万元 (600万 + 600万 in the strong firm)
        (set_y1(rd_expense=5_999_999), "rd_expense", False),
        (set_y1(rd_expense=7_000_000), "rd_expense", True),
        # 每年研发强度 ≥ 3 %
        (
            lambda p: (year(p, 2024).update(rd_expense=2_850_000), y1(p).update(rd_expense=9_150_000)),
            "rd_intensity",
            True,
        ),
        (
            lambda p: (year(p, 2024).update(rd_expense=2_849_999), y1(p).update(rd_expense=9_150_001)),
            "rd_intensity",
            False,
        ),
        # ≥ 4 项 Ⅰ类 in use, or 国家级科技奖励前三
        (lambda p: p["ip"].update(class1=3), "ip", False),
        (lambda p: (p["ip"].update(class1=3), p["sme"].update(award_national_top3=True)), "ip", True),
        (lambda p: (p["ip"].update(class1=3), p["sme"].update(award_provincial_top3=True)), "ip", False),
        # 市场占有率 ≥ 10 % or 国内前三
        (set_sme(market_share_pct=10.0), "market_share", True),
        (set_sme(market_share_pct=9.99), "market_share", False),
        (set_sme(market_share_pct=5.0, market_rank=3), "market_share", True),
        (set_sme(market_share_pct=5.0, market_rank=4), "market_share", False),
        (set_sme(market_share_pct=None, market_rank=None), "market_share", None),
        # 质量评价得分 ≥ 60
        (set_sme(quality_score=60.0), "quality_score", True),
        (set_sme(quality_score=59.5), "quality_score", False),
        (set_sme(niche_years=2), "niche_years", False),
        (set_sme(title_srdi=False), "title", False),
        (set_sme(chain_key_link=None), "chain_role", None),
    ],
)
def test_2026_band_edges(change, cid, expected):
    (v,) = judge(NEW, [variant(strong_firm(), change)])
    assert passed(v, cid) is expected
    assert v["verdict"] == {True: "eligible", False: "ineligible", None: "uncertain"}[expected]


def test_2026_gap_plan_tops_up_the_two_year_rd_total():
    v = evaluate_one(variant(strong_firm(), set_y1(rd_expense=4_000_000)), NEW)
    assert v["verdict"] == "ineligible"
    (gap,) = [g for g in v["gaps"] if g["field"] == "rd_expense"]
    assert gap["change"] == 2_000_000
    v = evaluate_one(variant(strong_firm(), lambda p: p["ip"].update(class1=2)), NEW)
    (gap,) = [g for g in v["gaps"] if g["field"] == "ip.class1"]
    assert gap["change"] == 2


def test_re_reviews_in_2026_use_the_2022_edition_by_name():
    assert resolve("little-giant", on=date(2026, 5, 1)).id == NEW
    assert resolve(OLD, on=date(2026, 5, 1)).id == OLD


# ------------------------------------------------------------------------------------------- 2022


def test_the_strong_firm_under_2022_rules():
    (v,) = judge(OLD, [strong_firm()])
    assert v["verdict"] == "eligible", [c for c in v["criteria"] if c["passed"] is not True]


@pytest.mark.parametrize(
    ("change", "cid", "expected"),
    [
        # 营业收入 ≥ 1亿元: 近2年研发强度均 ≥ 3 %
        (lambda p: [f.update(rd_expense=f["revenue"] * 3 // 100) for f in p["financials"]], "rd", True),
        (set_y1(rd_expense=2_999_999), "rd", False),
        # 5000万–1亿元: 均 ≥ 6 %
        (revenues(80_000_000, 90_000_000, 99_999_999, rd_pct=6), "rd", False),  # 6 % rounded down: 5999999.94 → short
        (
            lambda p: (revenues(80_000_000, 90_000_000, 99_999_950, rd_pct=6)(p), y1(p).update(rd_expense=5_999_997)),
            "rd",
            True,
        ),
        (
            lambda p: (revenues(80_000_000, 90_000_000, 99_999_950, rd_pct=6)(p), y1(p).update(rd_expense=5_999_996)),
            "rd",
            False,
        ),
        # < 5000万元: 股权融资 ≥ 8000万, 研发费用 ≥ 3000万, 研发人员 ≥ 50 %
        (
            lambda p: (
                revenues(40_000_000, 45_000_000, 49_999_999)(p),
                [f.update(equity_financing=40_000_000, rd_expense=15_000_000) for f in p["financials"]],
                p.update(rd_staff=100),
            ),
            "rd",
            True,
        ),
        (
            lambda p: (
                revenues(40_000_000, 45_000_000, 49_999_999)(p),
                [f.update(equity_financing=40_000_000, rd_expense=15_000_000) for f in p["financials"]],
                p.update(rd_staff=99),
            ),
            "rd",
            False,
        ),
        (set_y1(main_revenue=70_000_000), "main_business", True),
        (set_y1(main_revenue=69_999_999), "main_business", False),
        (set_y1(net_assets=30_000_000), "debt_ratio", True),
        (set_y1(net_assets=29_999_999), "debt_ratio", False),
        (set_sme(market_share_pct=10.0), "market_share", True),
        (set_sme(market_share_pct=9.9), "market_share", False),
        (set_sme(own_brand=False), "market_share", False),
        (lambda p: p["ip"].update(class1=2), "ip", True),
        (lambda p: p["ip"].update(class1=1), "ip", False),
        (set_sme(rd_institution_level="below_municipal"), "rd_institution", True),
        (set_sme(rd_institution_level="none"), "rd_institution", False),
        (set_sme(niche_years=3), "niche_years", True),
        (set_sme(niche_years=2), "niche_years", False),
    ],
)
def test_2022_band_edges(change, cid, expected):
    (v,) = judge(OLD, [variant(strong_firm(), change)])
    assert passed(v, cid) is expected


def test_2022_main_growth_edge_is_the_two_year_average_of_5_percent():
    def mains(m3, m2, m1):
        return lambda p: [
            year(p, y).update(main_revenue=m) for y, m in zip((2023, 2024, 2025), (m3, m2, m1), strict=True)
        ]

    vs = judge(
        OLD,
        [
            variant(strong_firm(), mains(80_000_000, 84_000_000, 88_200_000)),
            variant(strong_firm(), mains(80_000_000, 84_000_000, 88_199_999)),
        ],
    )
    assert [passed(v, "main_growth") for v in vs] == [True, False]


def test_2022_innovation_direct_route_stands_in_for_rd_ip_and_institution():
    weak = lambda p: (p["ip"].update(class1=0), p["sme"].update(rd_institution_level="none"))  # noqa: E731
    vs = judge(
        OLD,
        [
            variant(strong_firm(), weak),
            variant(variant(strong_firm(), weak), set_sme(chuangke="top50")),
            variant(variant(strong_firm(), weak), set_sme(chuangke="top500")),
        ],
    )
    assert [v["verdict"] for v in vs] == ["ineligible", "eligible", "ineligible"]


def test_2022_figures_are_settings_with_unconfirmed_defaults():
    setting = next(s for s in get(OLD).settings if s.key == "thresholds")
    assert setting.official is False and setting.status == "UNCONFIRMED"
    th = dict(setting.default, debt_pct=55)
    (v,) = judge(OLD, [strong_firm()], {"thresholds": th})
    assert passed(v, "debt_ratio") is False
