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


# every fault problems() knows, each by its exact message (a message is what the author of a new
# definition reads when the test above fails)
_CQ = workflows.get("cq-tech-2022")


def _with_transition(*ts):
    return _broken(transitions=(*_CQ.transitions, *ts))


def _with_state(*ss):
    return _broken(states=(*_CQ.states, *ss))


def _granted_refused():
    return tuple(dataclasses.replace(s, outcome="refused") if s.outcome == "granted" else s for s in _CQ.states)


@pytest.mark.parametrize("wf, message", [
    (_broken(states=(*_CQ.states, _CQ.states[0])), "duplicate state keys"),
    (_with_transition(_CQ.transitions[0]), "duplicate transition keys"),
    (_broken(initial="nowhere"), "initial state 'nowhere' is not declared"),
    (_with_state(State("moon", "x", "lunar")), "state moon: unknown phase 'lunar'"),
    (_with_state(State("odd", "x", "closed", outcome="maybe", open=False)), "state odd: unknown outcome 'maybe'"),
    (_with_state(State("ajar", "x", "closed", outcome="granted")),
     "state ajar: open states must not be in the closed phase, closed ones must"),
    (_with_state(State("shut", "x", "district", outcome="granted", open=False)),
     "state shut: open states must not be in the closed phase, closed ones must"),
    (_with_state(State("mute", "x", "closed", open=False)), "state mute: a closed state needs an outcome"),
    (_broken(starters=("firm", "mayor")), "starter 'mayor' is not an actor"),
    (_with_transition(Transition("x", "x", ("ghost",), "draft", ("firm",))), "transition x: unknown source state 'ghost'"),
    (_with_transition(Transition("x", "x", ("draft",), "ghost", ("firm",))), "transition x: unknown target state 'ghost'"),
    (_with_transition(Transition("x", "x", ("draft",), "draft", ())),
     "transition x: actors must be some of ('firm', 'district', 'city', 'system')"),
    (_with_transition(Transition("x", "x", ("draft",), "draft", ("firm", "mayor"))),
     "transition x: actors must be some of ('firm', 'district', 'city', 'system')"),
    (_with_transition(Transition("x", "x", ("draft",), "draft", ("city",), guards=("moon",))),
     "transition x: unknown guard 'moon'"),
    (_with_transition(Transition("x", "x", ("draft",), "draft", ("city",), effects=("fireworks",))),
     "transition x: unknown effect 'fireworks'"),
    (_with_transition(Transition("x", "x", ("draft",), "draft", ("city",), inputs=("colour",))),
     "transition x: unknown input 'colour'"),
    (_with_transition(Transition("x", "x", ("draft",), "draft", ("city",), style="loud")),
     "transition x: unknown style 'loud'"),
    (_with_transition(Transition("x", "x", ("draft",), "rejected", ("city",))),
     "transition x: refusing or revoking needs a reason"),
    (_with_transition(Transition("x", "x", ("registered",), "revoked", ("city",))),
     "transition x: refusing or revoking needs a reason"),
    (_broken(decided_in_keqi=False), "transition register: only a programme decided in KeQi issues qualifications"),
    (_with_transition(Transition("x", "x", ("draft",), "draft", ("city",), effects=("record_qualification",),
                                 inputs=("number",))),
     "transition x: recording a qualification needs its number and start"),
    (_with_transition(Transition("x", "x", ("draft",), "draft", ("city",), effects=("record_qualification",),
                                 inputs=("valid_from",))),
     "transition x: recording a qualification needs its number and start"),
    (_with_transition(Transition("x", "x", ("draft",), "draft", ("city",), effects=("add_to_batch",))),
     "transition x: listing in a 公示 batch needs the batch"),
    (_broken(deadlines={"ghost": _CQ.deadlines["submitted"]}), "deadline for unknown state 'ghost'"),
    (_broken(deadlines={"submitted": workflows.Deadline(0, True)}), "deadline of submitted: at least one working day"),
    (_with_state(State("limbo", "x", "district")), "state 'limbo' cannot be reached from 'draft'"),
    (_broken(states=(*_CQ.states, State("stuck", "x", "district")),
             transitions=(*_CQ.transitions, Transition("x", "x", ("draft",), "stuck", ("firm",)))),
     "open state 'stuck' has no transition out"),
    (_broken(qualification_kind=""), "an application workflow names the qualification it leads to"),
    (_broken(states=_granted_refused()), "an application workflow has a granted outcome"),
    (_broken(site_check_rules=(*_CQ.site_check_rules, dataclasses.replace(FIRST_TIME, key="again", kinds=()))),
     "site-check rule again: first_time names the qualification kinds that count"),
    (_broken(transitions=tuple(dataclasses.replace(t, effects=tuple(e for e in t.effects if e != "flag_site_check"))
                               for t in _CQ.transitions)),
     "site-check rules are declared but no transition flags them"),
    (_broken(publicity=None), "a programme decided in KeQi with a 公示 phase declares its window"),
])
def test_problems_names_each_fault_exactly(wf, message):
    assert message in problems(wf), problems(wf)


def test_what_problems_lets_through():
    """The limits of the checks: one working day is a deadline; a tracked programme needs no 公示 window; a
    filing needs no granted outcome nor a qualification."""
    assert problems(_broken(deadlines={**_CQ.deadlines, "submitted": workflows.Deadline(1, True)})) == []
    recorded = Transition("x", "x", ("draft",), "draft", ("city",), effects=("record_qualification",),
                          inputs=("number", "valid_from"))  # the end of validity may be left out
    assert problems(_with_transition(recorded)) == []
    filing = workflows.get("annual-filing-2022")
    never_granted = tuple(dataclasses.replace(s, outcome="withdrawn") if s.outcome == "granted" else s
                          for s in filing.states)
    assert problems(dataclasses.replace(filing, states=never_granted, qualification_kind="")) == []
    for wf in workflows.all_workflows():
        if not wf.decided_in_keqi:
            assert problems(dataclasses.replace(wf, publicity=None)) == []


def test_site_check_windows_of_three_years_end_this_year():
    assert not keys(VIOLATION_3Y, violation_years=(2027,))  # a year still to come is not "within"
    assert keys(REVOKED_3Y, revoked_years=(2024,)) and keys(REVOKED_3Y, revoked_years=(2026,))
    assert not keys(REVOKED_3Y, revoked_years=(2023,)) and not keys(REVOKED_3Y, revoked_years=(2027,))
    assert not keys(LARGE_TECH_HEAVY, staff_total=None, tech_staff=60)
    assert not keys(LARGE_TECH_HEAVY, staff_total=60, tech_staff=None)
    assert not keys(RD_BELOW_10W, rd_expense=None)
    assert not keys(LARGE_TECH_HEAVY, staff_total=1000, tech_staff=895)  # 89.5 % is below 90 %
    hits = site_check_reasons([SMALL_STAFF, NO_IP, RD_BELOW_10W], facts(staff_total=3, ip_items=0, rd_expense=1))
    assert hits == [SMALL_STAFF, NO_IP, RD_BELOW_10W]  # every rule that fires, in the rules' order


def test_a_site_check_rule_of_an_unknown_kind_is_refused_by_name():
    moon = dataclasses.replace(NO_IP, kind="moon")
    with pytest.raises(ValueError, match="^moon$"):
        site_check_reasons([moon], facts())


@pytest.mark.parametrize("wf", workflows.all_workflows(), ids=lambda w: w.id)
def test_the_steps_open_to_several_actors_are_those_open_to_any_of_them(wf: Workflow):
    narrower = 0
    for s in wf.states:
        every = wf.available(s.key)
        assert wf.available(s.key, ["firm"]) == wf.available(s.key, "firm")
        assert wf.available(s.key, ("district", "city")) == tuple(
            t for t in every if "district" in t.actors or "city" in t.actors)
        narrower += wf.available(s.key, ["firm"]) != every
    assert narrower  # somewhere the firm may not take every step
