"""专精特新中小企业: srdi-2026 (工信部企业〔2026〕2号) and srdi-2022 (63号 附件2), band edges of both."""

from __future__ import annotations

import json
from datetime import date

import pytest

from keqi.policy.editions import resolve
from tests.policy.tiers_helpers import item, judge, passed, points, strong_firm, variant, y1

NEW, OLD = "srdi-2026", "srdi-2022"


def set_years(**fields):
    def change(p):
        for f in p["financials"]:
            f.update(fields)

    return change


def set_y1(**fields):
    return lambda p: y1(p).update(fields)


def set_sme(**fields):
    return lambda p: p["sme"].update(fields)


def test_the_strong_firm_is_eligible_under_2026_rules():
    (v,) = judge(NEW, [strong_firm()])
    assert v["verdict"] == "eligible", [c for c in v["criteria"] if c["passed"] is not True]


@pytest.mark.parametrize(
    ("change", "cid", "expected"),
    [
        # 近两年研发费用每年 ≥ 100万元 (revenue 2000万 so that 3 % is 60万 and does not interfere)
        (set_years(revenue=20_000_000, main_revenue=19_000_000, rd_expense=1_000_000), "rd_expense", True),
        (set_y1(rd_expense=999_999), "rd_expense", False),
        # 每年研发强度 ≥ 3 % (exact: 300万 of 1亿)
        (set_y1(rd_expense=3_000_000), "rd_intensity", True),
        (set_y1(rd_expense=2_999_999), "rd_intensity", False),
        # 营业收入 ≥ 1500万元, or 近两年股权投资 ≥ 2000万元
        (set_y1(revenue=15_000_000, main_revenue=15_000_000, rd_expense=1_000_000), "size", True),
        (set_y1(revenue=14_999_999, main_revenue=14_999_999, rd_expense=1_000_000), "size", False),
        (
            lambda p: (
                set_y1(
                    revenue=14_999_999,
                    main_revenue=14_999_999,
                    rd_expense=1_000_000,
                    equity_financing=15_000_000,
                )(p),
                p["financials"][1].update(equity_financing=5_000_000),
            ),
            "size",
            True,
        ),
        (
            lambda p: (
                set_y1(
                    revenue=14_999_999,
                    main_revenue=14_999_999,
                    rd_expense=1_000_000,
                    equity_financing=15_000_000,
                )(p),
                p["financials"][1].update(equity_financing=4_999_999),
            ),
            "size",
            False,
        ),
        # 主营业务收入占比 ≥ 80 %
        (set_y1(main_revenue=80_000_000), "main_business", True),
        (set_y1(main_revenue=79_999_999), "main_business", False),
        # 资产负债率 ≤ 80 %
        (set_y1(total_assets=100_000_000, net_assets=20_000_000), "debt_ratio", True),
        (set_y1(total_assets=100_000_000, net_assets=19_999_999), "debt_ratio", False),
        # 细分市场 ≥ 3 年
        (set_sme(niche_years=3), "niche_years", True),
        (set_sme(niche_years=2), "niche_years", False),
        # 质量评价得分 ≥ 50
        (set_sme(quality_score=50.0), "quality_score", True),
        (set_sme(quality_score=49.9), "quality_score", False),
        # Ⅰ类知识产权 ≥ 1 项 in use, or an exemption
        (lambda p: p["ip"].update(class1=1), "ip", True),
        (lambda p: p["ip"].update(class1=0), "ip", False),
        (lambda p: (p["ip"].update(class1=0), p["sme"].update(award_provincial_top3=True)), "ip", True),
        (
            lambda p: (p["ip"].update(class1=0), p["sme"].update(rd_institution_level="provincial")),
            "ip",
            True,
        ),
        (lambda p: p["sme"].update(ip_class1_in_use=None), "ip", None),
        # 称号: 科技和创新型中小企业 (or 科技型中小企业)
        (set_sme(title_innovative_sme=False, title_tsme=True), "title", True),
        (set_sme(title_innovative_sme=False, title_tsme=False), "title", False),
        (set_sme(market_leading=None), "market_position", None),
    ],
)
def test_2026_band_edges(change, cid, expected):
    (v,) = judge(NEW, [variant(strong_firm(), change)])
    assert passed(v, cid) is expected
    if expected is False:
        assert v["verdict"] == "ineligible"


def test_2026_missing_officer_items_leave_the_firm_undecided_never_eligible():
    p = strong_firm()
    p["sme"] = {}
    (v,) = judge(NEW, [p])
    assert v["verdict"] == "uncertain"
    for cid in ("title", "niche_years", "market_position", "quality_score"):
        assert passed(v, cid) is None


def test_2026_rd_gap_plan_raises_the_latest_year_to_both_lines():
    p = variant(strong_firm(), set_y1(rd_expense=2_000_000))  # 2 % of 1亿: needs 300万
    from keqi.policy import evaluate_one

    v = evaluate_one(p, NEW)
    assert v["verdict"] == "ineligible"
    (gap,) = [g for g in v["gaps"] if g["field"] == "rd_expense"]
    assert gap["change"] == 1_000_000


# ------------------------------------------------------------------------------------------- 2022


def old_firm(**overrides):
    """The strong firm as seen by the 2022 scorecard (its points are checked below)."""
    return strong_firm(**overrides)


def test_2022_scorecard_points_of_the_strong_firm():
    (v,) = judge(OLD, [old_firm()])
    got = {c["id"]: (c["points"] or {}).get("min") for c in v["criteria"] if c["points"]}
    assert got == {
        "main_share": 5,  # 95 %
        "main_growth": 4,  # (5.56 % + 5.26 %) / 2 ≈ 5.4 %
        "niche_score": 2,  # 5 years
        "product_field": 3,  # 六基
        "digital": 3,  # 二级
        "quality_mgmt": 5,  # 2 items × 3, capped
        "net_margin": 10,  # 10 %
        "debt_score": 3,  # 60 %: the upper edge of the 50–60 % band
        "local": 8,
        "ip_score": 6,  # Ⅰ类; 自主研发Ⅰ类 (8) is undecidable with Ⅱ类 items present
        "rd_score": 10,  # 600万
        "rd_staff_score": 5,  # 20 %
        "rd_institution": 4,  # 市级
    }
    assert points(v, "ip_score") == (6, 8)
    assert v["score"] == {"min": 68, "max": 70, "pass_mark": 60}
    assert v["verdict"] == "eligible" and v["route"] == "score"


def test_2022_a_firm_at_the_pass_mark_only_through_self_developed_class1_is_uncertain():
    # local 8 → 0 and quality 5 → 3: 60 with 自主研发Ⅰ类 (8), 58 with Ⅰ类 (6)
    at_mark = set_sme(local_points=0, quality_items=1)
    (v,) = judge(OLD, [variant(old_firm(), at_mark)])
    assert v["score"] == {"min": 58, "max": 60, "pass_mark": 60}
    assert v["verdict"] == "uncertain"
    (v,) = judge(OLD, [variant(variant(old_firm(), at_mark), lambda p: p["ip"].update(class2=0))])
    assert points(v, "ip_score") == (8, 8)
    assert v["score"] == {"min": 60, "max": 60, "pass_mark": 60} and v["verdict"] == "eligible"


@pytest.mark.parametrize(
    ("change", "cid", "expected"),
    [
        (set_y1(main_revenue=80_000_000), "main_share", 5),
        (set_y1(main_revenue=79_999_999), "main_share", 3),
        (set_y1(main_revenue=70_000_000), "main_share", 3),
        (set_y1(main_revenue=60_000_000), "main_share", 1),
        (set_y1(main_revenue=59_999_999), "main_share", 0),
        (set_y1(net_profit=8_000_000), "net_margin", 8),
        (set_y1(net_profit=7_999_999), "net_margin", 6),
        (set_y1(net_profit=2_000_000), "net_margin", 2),
        (set_y1(net_profit=1_999_999), "net_margin", 0),
        (set_y1(net_profit=-1), "net_margin", 0),
        (set_y1(net_assets=50_000_000), "debt_score", 5),  # 50 % exactly
        (set_y1(net_assets=49_999_999), "debt_score", 3),
        (set_y1(net_assets=30_000_000), "debt_score", 1),  # 70 % exactly
        (set_y1(net_assets=29_999_999), "debt_score", 0),
        (set_y1(rd_expense=5_000_000), "rd_score", 10),
        (set_y1(rd_expense=4_999_999), "rd_score", 8),
        (set_y1(rd_expense=1_000_000, revenue=100_000_000), "rd_score", 2),
        (lambda p: p.update(rd_staff=10), "rd_staff_score", 1),  # 5 % of 200
        (lambda p: p.update(rd_staff=9), "rd_staff_score", 0),
        (lambda p: p.update(rd_staff=20), "rd_staff_score", 3),
        (set_sme(niche_years=10), "niche_score", 5),
        (set_sme(niche_years=12), "niche_score", 5),
        (set_sme(niche_years=3), "niche_score", 1),
        (set_sme(rd_institution_level="national"), "rd_institution", 10),
        (set_sme(rd_institution_level="none"), "rd_institution", 0),
        (set_sme(ip_class1_high_value=1), "ip_score", 10),
        (lambda p: p["ip"].update(class1=0), "ip_score", 2),
        (lambda p: p["ip"].update(class2=0), "ip_score", 8),  # no Ⅱ类: the self-developed one is Ⅰ类
        (lambda p: p["ip"].update(self_developed=False), "ip_score", 6),
        (lambda p: p["ip"].update(class1=0, class2=0), "ip_score", 0),
        (set_sme(digital_level=3), "digital", 5),
        (set_sme(digital_level=1), "digital", 0),
        (set_sme(quality_items=1), "quality_mgmt", 3),
        (set_sme(product_field="short_board"), "product_field", 5),
    ],
)
def test_2022_scorecard_band_edges(change, cid, expected):
    (v,) = judge(OLD, [variant(old_firm(), change)])
    assert points(v, cid) == (expected, expected)


def test_2022_main_growth_bands_use_the_two_year_average():
    def growth(m3, m2, m1):
        def change(p):
            for f, m in zip(sorted(p["financials"], key=lambda f: f["year"]), (m3, m2, m1), strict=True):
                f["main_revenue"] = m
                f["revenue"] = m

        return change

    cases = [
        (growth(100, 110, 121), 10),  # 10 % and 10 %
        (growth(100, 110, 120), 8),  # 10 % and 9.09 %: average 9.5 %
        (growth(100, 100, 100), 2),  # 0 %
        (growth(100, 100, 99), 0),  # −0.5 %
    ]
    vs = judge(OLD, [variant(old_firm(), c) for c, _ in cases])
    assert [points(v, "main_growth")[0] for v in vs] == [e for _, e in cases]


def ip8():
    """The old firm with no Ⅱ类 item, so its self-developed item is a Ⅰ类 one (8 points, decided)."""
    return variant(old_firm(), lambda p: p["ip"].update(class2=0))


def test_2022_unknown_scorecard_items_give_a_range_and_the_pass_mark_edge():
    (v,) = judge(OLD, [variant(ip8(), set_sme(local_points=None))])
    assert points(v, "local") == (0, 15)
    assert v["score"] == {"min": 62, "max": 77, "pass_mark": 60}
    assert v["verdict"] == "eligible"
    # 60 exactly passes, even with the local points unknown
    (v,) = judge(OLD, [variant(ip8(), set_sme(local_points=None, quality_items=1))])
    assert v["score"]["min"] == 60 and v["verdict"] == "eligible"
    # 59 with 15 points unknown: undecided; with the local points known as 0: ineligible
    (v,) = judge(OLD, [variant(ip8(), set_sme(local_points=None, quality_items=1, niche_years=3))])
    assert v["score"] == {"min": 59, "max": 74, "pass_mark": 60}
    assert v["verdict"] == "uncertain"
    (v,) = judge(OLD, [variant(ip8(), set_sme(local_points=0, quality_items=1, niche_years=3))])
    assert v["score"] == {"min": 59, "max": 59, "pass_mark": 60}
    assert v["verdict"] == "ineligible"


@pytest.mark.parametrize(
    ("change", "cid", "expected"),
    [
        (set_sme(niche_years=2), "niche_years", True),
        (set_sme(niche_years=1), "niche_years", False),
        (set_y1(rd_expense=1_000_000, revenue=33_333_333, main_revenue=33_000_000), "rd", True),
        (set_y1(rd_expense=1_000_000, revenue=33_333_334, main_revenue=33_000_000), "rd", False),
        (set_y1(rd_expense=999_999, revenue=20_000_000, main_revenue=19_000_000), "rd", False),
        (set_y1(revenue=10_000_000, main_revenue=9_500_000, rd_expense=1_000_000), "size", True),
        (set_y1(revenue=9_999_999, main_revenue=9_500_000, rd_expense=1_000_000), "size", False),
    ],
)
def test_2022_conditions_band_edges(change, cid, expected):
    (v,) = judge(OLD, [variant(old_firm(), change)])
    assert passed(v, cid) is expected


def test_2022_special_conditions_replace_the_score():
    low = set_sme(local_points=0, quality_items=0, digital_level=1)
    (v,) = judge(OLD, [variant(old_firm(), low)])
    assert v["verdict"] == "ineligible"
    routes = [
        set_sme(award_provincial_top3=True),
        set_sme(chuangke="top500"),
        lambda p: [f.update(equity_financing=30_000_000) for f in p["financials"]],  # 6000万 over two years
        lambda p: [f.update(rd_expense=10_000_000) for f in p["financials"]],  # average 1000万
    ]
    vs = judge(OLD, [variant(variant(old_firm(), low), r) for r in routes])
    assert [(v["verdict"], v["route"]) for v in vs] == [("eligible", "direct")] * 4
    # just below the 专项 figures (settings, UNCONFIRMED defaults)
    below = [
        lambda p: [f.update(equity_financing=29_999_999) for f in p["financials"]],
        lambda p: [f.update(rd_expense=9_999_999) for f in p["financials"]],
    ]
    vs = judge(OLD, [variant(variant(old_firm(), low), r) for r in below])
    assert all(passed(v, "special") is False for v in vs)
    # the bureau may set other figures
    (v,) = judge(
        OLD,
        [variant(variant(old_firm(), low), below[0])],
        {"special_thresholds": {"rd_avg_2y": 10_000_000, "equity_2y": 50_000_000}},
    )
    assert v["route"] == "direct"


# --------------------------------------------------------------------------- old rules, new rules


def test_the_same_firm_on_2026_03_31_and_2026_04_01_is_judged_under_old_then_new_rules():
    # 2 years in the niche and 1200万 revenue: enough for 2022 (≥ 2 years, ≥ 1000万), not for 2026
    firm = variant(strong_firm(), set_sme(niche_years=2))
    for f in firm["financials"]:
        f.update(revenue=12_000_000, main_revenue=11_400_000, rd_expense=1_200_000, net_profit=1_200_000)
    before, after = resolve("srdi", on=date(2026, 3, 31)), resolve("srdi", on=date(2026, 4, 1))
    assert (before.id, after.id) == (OLD, NEW)
    (old,) = judge(before.id, [firm])
    (new,) = judge(after.id, [firm])
    assert old["edition"] == OLD and old["verdict"] == "eligible"
    assert new["edition"] == NEW and new["verdict"] == "ineligible"
    assert passed(new, "niche_years") is False and passed(new, "size") is False
    assert item(old, "niche_years")["threshold"] == 2 and item(new, "niche_years")["threshold"] == 3


def test_cli_on_picks_the_edition_in_force_and_an_exact_id_still_forces_one(tmp_path):
    import typer
    from typer.testing import CliRunner

    from keqi.cli import policy

    app = typer.Typer()
    policy.register(app)
    firm = strong_firm()
    path = tmp_path / "firm.json"
    path.write_text(json.dumps(firm, ensure_ascii=False), encoding="utf-8")
    runner = CliRunner()

    def run(*args):
        result = runner.invoke(app, ["evaluate", *args, "--no-gaps", str(path)])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["edition"]

    assert run("--edition", "srdi", "--on", "2026-03-31") == OLD
    assert run("--edition", "srdi", "--on", "2026-04-01") == NEW
    assert run("--edition", "srdi", "--on", "2026-05-01") == NEW
    assert run("--edition", "srdi-2022", "--on", "2026-05-01") == OLD
    assert run("--edition", "little-giant", "--on", "2026-04-01") == "little-giant-2026"
    bad = runner.invoke(app, ["evaluate", "--edition", "srdi", "--on", "31/03/2026", str(path)])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output
    early = runner.invoke(app, ["evaluate", "--edition", "star", "--on", "2020-01-01", str(path)])
    assert early.exit_code != 0 and "no 'star' edition is in force on 2020-01-01" in early.output


def test_2026_main_business_share_has_a_revenue_lever():
    from keqi.policy import evaluate_one
    from keqi.policy.gaps import apply_plan
    from keqi.policy.profile import Profile

    firm = variant(strong_firm(), set_y1(main_revenue=75_000_000))  # 75 % of 1亿: 500万 short of 80 %
    v = evaluate_one(firm, NEW)
    (gap,) = [g for g in v["gaps"] if g["field"] == "main_revenue"]
    assert gap["change"] == 5_000_000 and gap["unit"] == "yuan" and "主营业务收入再增加500 万元" in gap["note"]
    after = apply_plan(Profile.model_validate(firm), v["gaps"])
    assert evaluate_one(after, NEW)["verdict"] == "eligible"


def test_2022_special_award_item_any_award_is_undecided_none_rules_it_out():
    low = set_sme(local_points=0, quality_items=0, digital_level=1)
    vs = judge(
        OLD,
        [
            variant(variant(old_firm(), low), set_sme(award_any=True)),  # maybe a national award, not top 3
            variant(variant(old_firm(), low), set_sme(award_any=False)),
            variant(variant(old_firm(), low), set_sme(award_any=None)),
        ],
    )
    assert [passed(v, "special") for v in vs] == [None, False, None]
    assert [v["verdict"] for v in vs] == ["uncertain", "ineligible", "uncertain"]
