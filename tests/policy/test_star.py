"""科创属性: star-2024 (CSRC 2024-04-30) and star-2022, the four 常规指标, carve-outs and exceptions."""

from __future__ import annotations

from datetime import date

import pytest

from keqi.policy import evaluate_one
from keqi.policy.editions import get, resolve
from tests.policy.tiers_helpers import judge, passed, strong_firm, y1, year

NEW, OLD = "star-2024", "star-2022"


def star_firm(**star):
    """3亿 revenue a year, R&D 5 % of it, 20 % R&D staff, 8 invention patents."""
    p = strong_firm()
    for f in p["financials"]:
        f.update(revenue=300_000_000, main_revenue=290_000_000, rd_expense=15_000_000)
    p["star"].update(star)
    return p


def test_both_versions_are_picked_by_date():
    assert resolve("star", on=date(2024, 4, 29)).id == OLD
    assert resolve("star", on=date(2024, 4, 30)).id == NEW
    with pytest.raises(KeyError, match="no 'star' edition is in force on 2022-12-29"):
        resolve("star", on=date(2022, 12, 29))


def test_the_star_firm_meets_both_versions():
    for ed in (NEW, OLD):
        (v,) = judge(ed, [star_firm()])
        assert v["verdict"] == "eligible" and v["route"] == "score"


def rd_total(total):
    """R&D spread over the three years (revenue 1亿 a year: 2 % so the ratio does not pass)."""

    def change(p):
        for f in p["financials"]:
            f.update(revenue=100_000_000, main_revenue=95_000_000)
        year(p, 2023).update(rd_expense=total // 3)
        year(p, 2024).update(rd_expense=total // 3)
        year(p, 2025).update(rd_expense=total - 2 * (total // 3))

    return change


@pytest.mark.parametrize(
    ("ed", "total", "expected"),
    [
        (NEW, 80_000_000, True),
        (NEW, 79_999_999, False),
        (OLD, 60_000_000, True),
        (OLD, 59_999_999, False),
    ],
)
def test_rd_amount_edge_by_version(ed, total, expected):
    p = star_firm()
    rd_total(total)(p)
    for f in p["financials"]:  # keep the ratio below 5 % whatever the amount: revenue 6亿 a year
        f.update(revenue=600_000_000, main_revenue=590_000_000)
    (v,) = judge(ed, [p])
    assert passed(v, "rd_input") is expected


@pytest.mark.parametrize("ed", [NEW, OLD])
def test_rd_ratio_edge_is_5_percent_of_three_years(ed):
    a, b = star_firm(), star_firm()
    y1(b).update(rd_expense=14_999_999)  # 44999999 of 9亿 < 5 %; the amount is below both lines
    vs = judge(ed, [a, b])
    assert [passed(v, "rd_input") for v in vs] == [True, False]


@pytest.mark.parametrize(("ed", "n"), [(NEW, 7), (OLD, 5)])
def test_patent_edge_by_version(ed, n):
    vs = judge(ed, [star_firm(invention_patents=n), star_firm(invention_patents=n - 1)])
    assert [passed(v, "patents") for v in vs] == [True, False]


@pytest.mark.parametrize(("ed", "pct"), [(NEW, 25), (OLD, 20)])
def test_revenue_growth_edge_by_version(ed, pct):
    def grown(last):
        p = star_firm()
        year(p, 2023).update(revenue=100_000_000, main_revenue=95_000_000, rd_expense=5_000_000)
        year(p, 2024).update(revenue=120_000_000, main_revenue=110_000_000, rd_expense=6_000_000)
        y1(p).update(revenue=last, main_revenue=last * 95 // 100, rd_expense=last // 20 + 1)
        return p

    edge = 100_000_000 * (100 + pct) ** 2 // 100**2  # 1.5625亿 / 1.44亿
    vs = judge(ed, [grown(edge), grown(edge - 1)])
    assert [passed(v, "revenue") for v in vs] == [True, False]


def test_revenue_3yi_alternative_and_the_fifth_standard():
    low = star_firm()
    for f in low["financials"]:
        f.update(revenue=299_999_999, main_revenue=290_000_000)
    vs = judge(NEW, [star_firm(), low])
    assert [passed(v, "revenue") for v in vs] == [True, False]
    low["star"]["revenue_exempt"] = True
    (v,) = judge(NEW, [low])
    assert passed(v, "revenue") is True


def test_rd_staff_edge():
    a, b = star_firm(), star_firm()
    a["rd_staff"], b["rd_staff"] = 20, 19  # of 200
    vs = judge(NEW, [a, b])
    assert [passed(v, "rd_staff") for v in vs] == [True, False]


def test_software_firms_skip_patents_but_need_10_percent():
    soft = star_firm(software=True, invention_patents=0)
    (v,) = judge(NEW, [soft])
    assert passed(v, "patents") is True and passed(v, "rd_input") is False  # 5 % < 10 %
    for f in soft["financials"]:
        f["rd_expense"] = 30_000_000
    (v,) = judge(NEW, [soft])
    assert v["verdict"] == "eligible"
    unknown = star_firm(software=None, invention_patents=0)
    (v,) = judge(NEW, [unknown])
    assert passed(v, "patents") is None and v["verdict"] == "uncertain"


def test_exceptions_and_the_50_patent_setting():
    weak = star_firm()
    for f in weak["financials"]:
        f["rd_expense"] = 0
    vs = judge(NEW, [weak, dict(weak, star=dict(weak["star"], import_substitution=True))])
    assert [(v["verdict"], v["route"]) for v in vs] == [("ineligible", None), ("eligible", "direct")]
    many = dict(weak, star=dict(weak["star"], invention_patents=50))
    assert judge(NEW, [many])[0]["verdict"] == "ineligible"  # default: deleted in 2024 (UNCONFIRMED)
    assert judge(NEW, [many], {"patent_exception": "kept"})[0]["route"] == "direct"
    assert judge(OLD, [many])[0]["route"] == "direct"
    assert (
        judge(OLD, [dict(weak, star=dict(weak["star"], invention_patents=49))])[0]["verdict"] == "ineligible"
    )
    setting = next(s for s in get(NEW).settings if s.key == "patent_exception")
    assert setting.status == "UNCONFIRMED" and setting.official is False


def test_negative_list_blocks_both_routes():
    v = evaluate_one(star_firm(negative_list=True, major_project=True), NEW)
    assert v["verdict"] == "ineligible"
    assert any(g["criterion"] == "negative_list" and g["change"] is None for g in v["gaps"])


def test_rd_gap_plan():
    p = star_firm()
    y1(p).update(rd_expense=5_000_000)  # 3500万 of 9亿: 1000万 short of 5 %
    v = evaluate_one(p, NEW)
    (gap,) = [g for g in v["gaps"] if g["field"] == "rd_expense"]
    assert gap["change"] == 10_000_000
