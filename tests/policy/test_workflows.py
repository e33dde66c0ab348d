"""Workflow definitions: every one is sound, resolves by date, and the site-check rules fire exactly."""

import dataclasses
import datetime as dt

import pytest

from keqi.policy import workflows
from keqi.policy.workflows import SiteCheckFacts, State, Transition, Workflow, problems, site_check_reasons
from keqi.policy.workflows._common import (
    LARGE_TECH_HEAVY,
    NO_IP,
    RD_BELOW_10W,
    REVOKED_3Y,
    SMALL_STAFF,
    VIOLATION_3Y,
)
from keqi.policy.workflows.cq_tech_2022 import FIRST_TIME


@pytest.mark.parametrize("wf", workflows.all_workflows(), ids=lambda w: w.id)
def test_every_definition_is_sound(wf: Workflow):
    assert problems(wf) == []
    assert wf.sources and all(s.number for s in wf.sources)
    for d in wf.deadlines.values():  # a default that is not a rule says so
        assert d.official or "非官方" in d.note
    if wf.publicity is not None:
        assert wf.publicity.official or "默认" in wf.publicity.note


@pytest.mark.parametrize("wf", workflows.all_workflows(), ids=lambda w: w.id)
def test_every_refusal_and_return_asks_for_a_reason(wf: Workflow):
    for t in wf.transitions:
        target = wf.state(t.target)
        if target.outcome in ("refused", "revoked") or target.phase == "firm" and t.actors != ("firm",):
            assert t.reason_required, t.key


def test_programmes_and_resolve():
    assert set(workflows.application_programmes()) == {"cq-tech", "tsme", "hnte", "srdi", "little-giant"}
    assert workflows.resolve("cq-tech", dt.date(2026, 12, 3)).id == "cq-tech-2022"
    assert workflows.resolve("annual-filing", dt.date(2026, 12, 3)).id == "annual-filing-2022"
    with pytest.raises(KeyError, match="unknown programme"):
        workflows.resolve("nope", dt.date(2026, 1, 1))
    with pytest.raises(KeyError, match="in force"):
        workflows.resolve("hnte", dt.date(2015, 12, 31))


def test_a_new_rule_year_is_a_new_definition(monkeypatch):
    old = workflows.get("cq-tech-2022")
    new = dataclasses.replace(old, id="cq-tech-2027", version="2027", valid_from=dt.date(2027, 1, 1))
    monkeypatch.setitem(workflows.WORKFLOWS, new.id, new)
    assert workflows.resolve("cq-tech", dt.date(2026, 12, 31)).id == "cq-tech-2022"
    assert workflows.resolve("cq-tech", dt.date(2027, 1, 1)).id == "cq-tech-2027"


def test_who_may_act():
    wf = workflows.get("cq-tech-2022")
    assert wf.may("district_approve", "submitted", "district")
    assert not wf.may("district_approve", "submitted", "firm")
    assert not wf.may("city_approve", "submitted", "city")
    assert {t.key for t in wf.available("submitted", "district")} == {"district_approve", "district_return",
                                                                       "district_reject"}
    assert wf.waiting_for("returned") == ("firm",)
    assert wf.waiting_for("registered") == ("city",)  # only a revocation
    assert wf.waiting_for("rejected") == ()


def _broken(**changes) -> Workflow:
    return dataclasses.replace(workflows.get("cq-tech-2022"), **changes)


@pytest.mark.parametrize("wf, fault", [
    (_broken(initial="nowhere"), "initial state"),
    (_broken(transitions=(*workflows.get("cq-tech-2022").transitions,
                          Transition("x", "x", ("ghost",), "draft", ("firm",)))), "unknown source state"),
    (_broken(transitions=(*workflows.get("cq-tech-2022").transitions,
                          Transition("y", "y", ("draft",), "draft", ("mayor",)))), "actors must be"),
    (_broken(transitions=(*workflows.get("cq-tech-2022").transitions,
                          Transition("z", "z", ("draft",), "rejected", ("city",)))), "needs a reason"),
    (_broken(transitions=(*workflows.get("cq-tech-2022").transitions,
                          Transition("g", "g", ("draft",), "draft", ("city",), guards=("moon",)))), "unknown guard"),
    (_broken(states=(*workflows.get("cq-tech-2022").states, State("limbo", "x", "district"))), "cannot be reached"),
    (_broken(publicity=None), "declares its window"),
    (_broken(qualification_kind=""), "names the qualification"),
    (_broken(decided_in_keqi=False), "only a programme decided in KeQi"),
    (_broken(deadlines={"ghost": workflows.get("cq-tech-2022").deadlines["submitted"]}), "unknown state"),
])
def test_problems_finds_each_kind_of_fault(wf, fault):
    assert any(fault in p for p in problems(wf)), problems(wf)


def facts(**kw) -> SiteCheckFacts:
    base = dict(held_kinds=frozenset({"tsme"}), staff_total=20, tech_staff=5, violation_years=(), revoked_years=(),
                ip_items=3, rd_expense=500_000, year=2026)
    return SiteCheckFacts(**(base | kw))


def keys(rule, **kw) -> bool:
    return bool(site_check_reasons([rule], facts(**kw)))


def test_site_check_thresholds_at_below_and_above():
    assert keys(SMALL_STAFF, staff_total=5) and keys(SMALL_STAFF, staff_total=4) and not keys(SMALL_STAFF, staff_total=6)
    assert not keys(SMALL_STAFF, staff_total=None)
    assert keys(LARGE_TECH_HEAVY, staff_total=50, tech_staff=45)  # 90 %
    assert not keys(LARGE_TECH_HEAVY, staff_total=50, tech_staff=44)  # 88 %
    assert not keys(LARGE_TECH_HEAVY, staff_total=49, tech_staff=49)
    assert keys(LARGE_TECH_HEAVY, staff_total=100, tech_staff=100)
    assert keys(VIOLATION_3Y, violation_years=(2024,)) and keys(VIOLATION_3Y, violation_years=(2026,))
    assert not keys(VIOLATION_3Y, violation_years=(2023,))
    assert keys(REVOKED_3Y, revoked_years=(2025,)) and not keys(REVOKED_3Y, revoked_years=(2022,))
    assert keys(NO_IP, ip_items=0) and not keys(NO_IP, ip_items=1) and not keys(NO_IP, ip_items=None)
    assert keys(RD_BELOW_10W, rd_expense=99_999) and not keys(RD_BELOW_10W, rd_expense=100_000)
    assert keys(FIRST_TIME, held_kinds=frozenset()) and not keys(FIRST_TIME, held_kinds=frozenset({"hnte"}))
    assert keys(FIRST_TIME, held_kinds=frozenset({"star_listed"}))  # not a reviewed technology qualification


def test_describe_is_plain_data():
    import json

    for wf in workflows.all_workflows():
        json.dumps(wf.describe(), ensure_ascii=False)
