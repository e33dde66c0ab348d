"""Gap plans: applying the plan makes the firm eligible; lowering any single component by one does not."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keqi.policy import evaluate_one
from keqi.policy.gaps import apply_plan
from keqi.policy.plans import money
from keqi.policy.profile import Profile

from .helpers import base_profile, criterion, with_year
from cases import examples

FAST = settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def tsme_firm(staff, tech, revenue, rd, cost, c1, c2, assets=10_000_000):
    p = base_profile(staff_total=staff, tech_staff=tech, senior_tech_staff=0, ip={"class1": c1, "class2": c2})
    return with_year(
        p,
        revenue=revenue,
        rd_expense=rd,
        rd_expense_domestic=rd,
        cost_total=cost,
        total_assets=assets,
        hitech_revenue=0,
    )


def planned(verdict):
    return [g for g in verdict["gaps"] if g.get("change") is not None and g.get("reaches") == "eligible"]


def check_plan_is_minimal(profile: dict, edition: str, settings_=None) -> dict:
    """Shared property: the plan works and every one-unit-smaller plan does not."""
    v = evaluate_one(profile, edition, settings_)
    plan = planned(v)
    if not plan:
        return v
    assert v["verdict"] != "eligible"
    after = evaluate_one(apply_plan(Profile.model_validate(profile), plan), edition, settings_)
    assert after["verdict"] == "eligible", (v["gaps"], after)
    for i, gap in enumerate(plan):
        smaller = copy.deepcopy(plan)
        smaller[i]["change"] = gap["change"] - 1
        lowered = evaluate_one(apply_plan(Profile.model_validate(profile), smaller), edition, settings_)
        assert lowered["verdict"] != "eligible", (gap, plan)
    return v


def check_no_plan_is_explained(profile: dict, v: dict, edition: str, *, blocker: bool = True) -> None:
    """Shared property of a firm without a plan that reaches eligibility: it is told why. An eligible
    firm has no gaps; one that is not eligible has at least one gap that no controllable change closes
    (no change, a note in Chinese saying what is missing); every change offered on its own meets its
    criterion exactly (one unit less does not) and says it is not enough; all of them together still
    leave the firm short, on the criteria nothing could change. (``blocker=False``: the changes may
    instead fail only together, as when hiring the missing staff passes a size limit.)"""
    if v["verdict"] == "eligible":
        assert v["gaps"] == [], v["gaps"]
        return
    if planned(v):
        return
    blockers = [g for g in v["gaps"] if g["change"] is None]
    steps = [g for g in v["gaps"] if g["change"] is not None]
    assert blockers or (steps and not blocker), (
        f"{v['verdict']} without a plan, and no gap says what cannot be changed: {v['gaps']}")
    for g in blockers:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in g["note"]), g
    for g in steps:
        assert g.get("reaches") is None and "尚不足以达到认定条件" in g["note"], g
        alone = evaluate_one(apply_plan(Profile.model_validate(profile), [g]), edition)
        assert criterion(alone, g["criterion"])["passed"] is True, (g, criterion(alone, g["criterion"]))
        less = evaluate_one(apply_plan(Profile.model_validate(profile), [{**g, "change": g["change"] - 1}]), edition)
        assert criterion(less, g["criterion"])["passed"] is not True, g
    after = evaluate_one(apply_plan(Profile.model_validate(profile), steps), edition) if steps else v
    assert after["verdict"] != "eligible", (steps, after["verdict"])
    for g in blockers:
        assert criterion(after, g["criterion"])["passed"] is not True, g


def test_money_reads_like_an_officer():
    assert money(1_200_000) == "120 万元"
    assert money(1_234_567) == "123.46 万元"  # rounded up: the amount asked for still suffices
    assert money(11_576_756) == "1,157.68 万元" and money(11_576_701) == "1,157.68 万元"
    assert money(5_000) == "5,000 元" and money(4_409) == "4,409 元"


def test_rd_plan_note_in_chinese():
    # 科技人员 4 + 研发 10 (2.8 %) + 科技成果 30 = 44: 4 % R&D (+1,200,000) gives 30 → 64
    p = tsme_firm(staff=100, tech=10, revenue=100_000_000, rd=2_800_000, cost=1_000_000_000, c1=1, c2=0)
    v = check_plan_is_minimal(p, "tsme-2017")
    assert v["verdict"] == "ineligible"
    assert planned(v) == [
        {
            "criterion": "rd_investment",
            "field": "rd_expense",
            "change": 1_200_000,
            "unit": "yuan",
            "note": "最近一年研发费用再增加120 万元，研发投入指标可得30分",
            "reaches": "eligible",
        }
    ]


def test_hiring_also_raises_staff_total():
    # 8 of 100: two hires give 10/102 < 10 %, three give 11/103 ≥ 10 %
    p = tsme_firm(staff=100, tech=8, revenue=10_000_000, rd=600_000, cost=8_000_000, c1=1, c2=0)
    v = check_plan_is_minimal(p, "tsme-2017")
    hire = next(g for g in planned(v) if g["field"] == "tech_staff")
    assert hire["change"] == 3
    assert hire["unit"] == "person"


def test_combined_plan_when_several_criteria_fail():
    p = tsme_firm(staff=100, tech=8, revenue=10_000_000, rd=300_000, cost=8_000_000, c1=0, c2=1)
    v = check_plan_is_minimal(p, "tsme-2017")
    assert {g["field"] for g in planned(v)} >= {"tech_staff", "rd_expense"}


def test_blocker_gets_a_null_change():
    p = tsme_firm(staff=600, tech=300, revenue=10_000_000, rd=600_000, cost=8_000_000, c1=1, c2=0)
    v = evaluate_one(p, "tsme-2017")
    assert v["verdict"] == "ineligible"
    assert v["gaps"] == [
        {
            "criterion": "size",
            "field": criterion(v, "size") and v["gaps"][0]["field"],
            "change": None,
            "unit": None,
            "note": v["gaps"][0]["note"],
        }
    ]
    assert "规模" in v["gaps"][0]["note"]


def test_eligible_firm_has_no_gaps():
    assert evaluate_one(base_profile(), "tsme-2017")["gaps"] == []


@FAST
@given(
    staff=st.integers(1, 500),
    tech_share=st.integers(0, 100),
    revenue=st.integers(0, 200_000_000),
    rd_share=st.integers(0, 80),
    cost_extra=st.integers(0, 100_000_000),
    c1=st.integers(0, 2),
    c2=st.integers(0, 6),
)
def test_tsme_plan_property(staff, tech_share, revenue, rd_share, cost_extra, c1, c2):
    tech = staff * tech_share // 100
    rd = revenue * rd_share // 1000
    p = tsme_firm(staff, tech, revenue, rd, rd + cost_extra, c1, c2)
    v = check_plan_is_minimal(p, "tsme-2017")
    check_no_plan_is_explained(p, v, "tsme-2017", blocker=staff <= 400)
    if v["verdict"] == "ineligible" and staff <= 400:
        assert planned(v), v["gaps"]  # a small firm can always hire, spend and patent its way in


@FAST
@given(
    staff=st.integers(1, 300),
    tech_share=st.integers(0, 30),
    revenue=st.integers(1, 300_000_000),
    rd_share=st.integers(0, 80),
    domestic_share=st.integers(0, 100),
    hitech_share=st.integers(0, 100),
    c1=st.integers(0, 1),
    c2=st.integers(0, 6),
    rdm=st.integers(0, 20),
    conversion=st.integers(0, 30),
)
def test_hnte_plan_property(
    staff, tech_share, revenue, rd_share, domestic_share, hitech_share, c1, c2, rdm, conversion
):
    p = base_profile(
        staff_total=staff,
        tech_staff=staff * tech_share // 100,
        senior_tech_staff=0,
        ip={"class1": c1, "class2": c2, "self_developed": True},
        conversions_3y=15,
        expert={
            "tech_advancement": 8,
            "core_support": 8,
            "ip_acquisition": 6,
            "ip_standards": 2,
            "conversion": max(conversion, 25),
            "rd_management": rdm,
            "net_asset_growth": 0,
            "revenue_growth": 0,
        },
    )
    rd = revenue * rd_share // 1000
    with_year(
        p,
        revenue=revenue,
        rd_expense=rd,
        rd_expense_domestic=rd * domestic_share // 100,
        hitech_revenue=revenue * hitech_share // 100,
        net_assets=1_000_000,
    )
    v = check_plan_is_minimal(p, "hnte-2016")
    check_no_plan_is_explained(p, v, "hnte-2016")


@FAST
@given(staff=st.integers(1, 1000), tech=st.integers(0, 100), senior=st.integers(0, 1))
def test_cq_tech_plan_property(staff, tech, senior):
    tech = min(tech, staff)
    p = base_profile(staff_total=staff, tech_staff=tech, senior_tech_staff=min(senior, tech))
    v = check_plan_is_minimal(p, "cq-tech-2022")
    check_no_plan_is_explained(p, v, "cq-tech-2022")
    if v["verdict"] == "ineligible":
        assert planned(v)


@pytest.mark.parametrize("edition", ["gazelle-cq-2023", "unicorn-cq-2023"])
def test_programmes_without_levers_explain_instead(edition):
    p = base_profile()
    v = evaluate_one(p, edition)
    assert v["verdict"] != "eligible"
    assert all(g["change"] is None for g in v["gaps"])


@FAST
@given(
    staff=st.integers(1, 300),
    tech_share=st.integers(0, 30),
    revenue=st.integers(1, 100_000_000),
    rd_share=st.integers(0, 60),
    hitech_share=st.integers(0, 100),
    c2=st.integers(0, 3),
)
def test_kv_credit_plan_property(staff, tech_share, revenue, rd_share, hitech_share, c2):
    p = base_profile(
        staff_total=staff,
        tech_staff=staff * tech_share // 100,
        senior_tech_staff=0,
        ip={"class1": 0, "class2": c2},
    )
    rd = revenue * rd_share // 1000
    with_year(
        p,
        revenue=revenue,
        rd_expense=rd,
        rd_expense_domestic=rd,
        hitech_revenue=revenue * hitech_share // 100,
    )
    strict = {"kv_grade_cutoffs": {"A": 90, "B": 80, "C": 70, "D": 60, "E": 50}}
    v = check_plan_is_minimal(p, "kv-credit", strict)
    if v["verdict"] == "ineligible":
        assert planned(v)


def test_hnte_ip_lever_names_the_ownership_condition():
    p = base_profile(
        ip={"class1": 0, "class2": 0, "self_developed": True},
        expert={
            "tech_advancement": 8,
            "core_support": 8,
            "ip_acquisition": 6,
            "ip_standards": 2,
            "conversion": 30,
            "rd_management": 20,
            "net_asset_growth": 0,
            "revenue_growth": 0,
        },
    )
    v = check_plan_is_minimal(p, "hnte-2016")
    ip = [g for g in planned(v) if g["field"].startswith("ip.")]
    assert ip and ip[0]["criterion"] == "ip_ownership"


@pytest.mark.parametrize("edition_id", __import__("keqi.policy.editions", fromlist=["x"]).EDITION_IDS)
def test_a_failed_strict_condition_always_makes_the_firm_ineligible(edition_id):
    """The gap search rules out, without evaluating them, the combinations in which a strict condition
    (read from the compiled SQL) fails: on a varied population such a firm is never anything else."""
    from keqi.policy.engine import strict_conditions
    from keqi.policy.evaluation import evaluate_table

    from .population import random_flat_table

    result = evaluate_table(random_flat_table(600, seed=81, cq_tech=True), edition_id).to_pydict()
    for cid in strict_conditions(edition_id, "{}"):
        failed = [v for v, p in zip(result["verdict"], result[f"{cid}__passed"], strict=True) if p is False]
        assert set(failed) <= {"ineligible"}, cid


def test_strict_conditions_follow_the_rules():
    from keqi.policy.engine import strict_conditions

    # 科技型中小企业: 科技人员 must earn points on the score route only (a direct route bypasses it)
    assert strict_conditions("tsme-2017", "{}") == {"size", "industry", "integrity"}
    assert {"tech_staff", "rd_ratio", "hitech_revenue", "ip_ownership"} <= strict_conditions("hnte-2016", "{}")
    assert strict_conditions("kv-credit", "{}") == {"registered"}  # 入库; the grade has no single gate


def test_distinct_rows_of_plan_keys_even_when_their_hashes_collide():
    from keqi.policy.gapsearch import _distinct

    # (0, P) and (1, 0) hash alike (h = a·P xor b): the rows must still come out distinct
    p = 0x100000001B3
    a = np.array([0, 1, 0, 2, 1, 0])
    b = np.array([p, 0, p, 5, 0, 7])
    first, inverse = _distinct([a, b])
    rows = list(zip(a.tolist(), b.tolist(), strict=True))
    assert len(first) == len(set(rows)) == 4
    for i, row in enumerate(rows):
        assert rows[first[inverse[i]]] == row
