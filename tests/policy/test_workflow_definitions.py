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


def _expected_description(wf) -> dict:
    """Every field of a definition under the name the API and the CLI show it by."""
    def source(s):
        return {"document": s.document, "number": s.number, "article": s.article, "status": s.status, "cite": s.cite()}

    return {
        "id": wf.id, "programme": wf.programme, "title": wf.title, "version": wf.version, "kind": wf.kind,
        "decided_in_keqi": wf.decided_in_keqi,
        "valid_from": wf.valid_from.isoformat() if wf.valid_from else None,
        "valid_to": wf.valid_to.isoformat() if wf.valid_to else None,
        "qualification_kind": wf.qualification_kind, "edition_family": wf.edition_family,
        "valid_years": wf.valid_years, "initial": wf.initial, "starters": list(wf.starters),
        "states": [{"key": s.key, "label": s.label, "phase": s.phase, "outcome": s.outcome, "open": s.open}
                   for s in wf.states],
        "transitions": [{"key": t.key, "label": t.label, "from": list(t.sources), "to": t.target,
                         "actors": list(t.actors), "reason_required": t.reason_required, "guards": list(t.guards),
                         "effects": list(t.effects), "inputs": list(t.inputs), "bulk": t.bulk}
                        for t in wf.transitions],
        "deadlines": {k: {"working_days": d.working_days, "official": d.official, "note": d.note}
                      for k, d in wf.deadlines.items()},
        "publicity": None if wf.publicity is None else {
            "working_days": wf.publicity.working_days, "official": wf.publicity.official,
            "note": wf.publicity.note,
            "source": wf.publicity.source.cite() if wf.publicity.source else None},
        "site_check_rules": [{"key": r.key, "label": r.label, "source": r.source.cite()} for r in wf.site_check_rules],
        "sources": [source(s) for s in wf.sources],
        "notes": wf.notes,
    }


@pytest.mark.parametrize("wf", WORKFLOWS, ids=IDS)
def test_the_description_holds_every_field_under_its_name(wf):
    assert wf.describe() == _expected_description(wf)


def test_a_publicity_window_without_a_source_is_described_without_one():
    wf = next(w for w in WORKFLOWS if w.publicity is not None)
    bare = dataclasses.replace(wf, publicity=dataclasses.replace(wf.publicity, source=None))
    assert bare.describe()["publicity"]["source"] is None
    assert bare.describe() == _expected_description(bare)


def test_the_shared_pieces_of_the_definitions():
    """KeQi's default service time says it is not an official rule; every tracked programme ends with the
    same tail: the outcome recorded from any review state (granted with its number and dates; refused
    with a reason) and the firm's withdrawal before review."""
    from keqi.policy.workflows import Deadline, Transition
    from keqi.policy.workflows._common import KEQI_DEFAULT, service_time
    from keqi.policy.workflows.tracked import _tracked_tail

    assert service_time(7, "区县审核") == Deadline(working_days=7, official=False,
                                                   note="平台默认区县审核办理时限，非官方规定", source=KEQI_DEFAULT)
    officers = ("district", "city")
    assert _tracked_tail(("submitted", "review")) == (
        Transition("record_granted", "登记认定结果（通过）", ("submitted", "review"), "granted", officers,
                   inputs=("number", "valid_from", "valid_to"), effects=("record_qualification",)),
        Transition("record_refused", "登记认定结果（未通过）", ("submitted", "review"), "refused", officers,
                   reason_required=True, style="danger"),
        Transition("withdraw", "撤回申请", ("draft", "submitted", "returned"), "withdrawn", ("firm",),
                   style="secondary"),
    )
