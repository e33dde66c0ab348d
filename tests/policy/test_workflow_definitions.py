"""The workflow definitions' own lookups, dates in force and description, for every definition (the
rules of tests/policy/test_workflows.py read through these)."""

import dataclasses
import datetime as dt

import pytest

from keqi.policy.workflows import all_workflows

WORKFLOWS = all_workflows()
IDS = [w.id for w in WORKFLOWS]


def test_a_definition_is_in_force_from_its_first_to_its_last_day_inclusive():
    wf = dataclasses.replace(WORKFLOWS[0], valid_from=dt.date(2024, 1, 1), valid_to=dt.date(2025, 12, 31))
    assert [wf.in_force(d) for d in (dt.date(2023, 12, 31), dt.date(2024, 1, 1), dt.date(2025, 12, 31),
                                     dt.date(2026, 1, 1))] == [False, True, True, False]
    open_ended = dataclasses.replace(wf, valid_from=None, valid_to=None)
    assert open_ended.in_force(dt.date(1990, 1, 1)) and open_ended.in_force(dt.date(2100, 1, 1))


@pytest.mark.parametrize("wf", WORKFLOWS, ids=IDS)
def test_unknown_states_and_transitions_are_named_in_the_error(wf):
    with pytest.raises(KeyError, match=f"{wf.id}: unknown state 'nowhere'"):
        wf.state("nowhere")
    with pytest.raises(KeyError, match=f"{wf.id}: unknown transition 'jump'"):
        wf.transition("jump")


@pytest.mark.parametrize("wf", WORKFLOWS, ids=IDS)
def test_the_state_lists_follow_each_states_own_marks(wf):
    keys = [s.key for s in wf.states]
    phases = {s.phase for s in wf.states}
    by_phase = [k for p in sorted(phases) for k in wf.states_in(p)]
    assert sorted(by_phase) == sorted(keys) and len(by_phase) == len(keys)  # the phases partition the states
    for p in phases:
        assert all(wf.state(k).phase == p for k in wf.states_in(p))
    assert wf.states_in("no-such-phase") == ()
    assert list(wf.open_states()) == [s.key for s in wf.states if s.open] and wf.initial in wf.open_states()
    assert list(wf.granted_states()) == [s.key for s in wf.states if s.outcome == "granted"]


@pytest.mark.parametrize("wf", WORKFLOWS, ids=IDS)
def test_the_description_says_what_the_definition_holds(wf):
    d = wf.describe()
    assert (d["id"], d["programme"], d["title"], d["version"], d["kind"], d["decided_in_keqi"]) == (
        wf.id, wf.programme, wf.title, wf.version, wf.kind, wf.decided_in_keqi)
    assert d["valid_from"] == (wf.valid_from.isoformat() if wf.valid_from else None)
    assert d["valid_to"] == (wf.valid_to.isoformat() if wf.valid_to else None)
    assert (d["qualification_kind"], d["edition_family"], d["valid_years"], d["initial"], d["starters"]) == (
        wf.qualification_kind, wf.edition_family, wf.valid_years, wf.initial, list(wf.starters))
    assert [s["key"] for s in d["states"]] == [s.key for s in wf.states]
    assert [(t["key"], t["from"], t["to"], t["actors"]) for t in d["transitions"]] == [
        (t.key, list(t.sources), t.target, list(t.actors)) for t in wf.transitions]
    assert set(d["deadlines"]) == set(wf.deadlines)
    assert len(d["sources"]) == len(wf.sources) and all(s["cite"] for s in d["sources"])


def test_a_dated_description_gives_iso_days():
    wf = dataclasses.replace(WORKFLOWS[0], valid_from=dt.date(2024, 1, 1), valid_to=dt.date(2025, 12, 31))
    d = wf.describe()
    assert (d["valid_from"], d["valid_to"]) == ("2024-01-01", "2025-12-31")
