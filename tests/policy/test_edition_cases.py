"""Tests as data beside each edition: ``src/keqi/policy/editions/<module>.cases.yaml``.

Each file holds a base profile (the evaluation contract), the edition's thresholds and, for every
threshold, cases at it, just below and just above it: a change to the base profile and what the
verdict must then say. This test runs every case, and fails when an edition has a threshold without its
three cases, when a criterion with a threshold is not listed, or when an edition has no cases file
(apart from those still listed in ``PENDING``, the debt written down, shrinking to nothing).

The format (YAML)::

    edition: sme-size-2011
    base: {...}                       # a profile; ``y1`` below is its latest fiscal year
    thresholds:                       # id → {criterion: the criterion it belongs to, text: 中文说明}
      industrial.staff: {criterion: staff, text: 工业 从业人员 1000人以下}
    cases:
      - {threshold: industrial.staff, where: at,    set: {staff_total: 1000}, expect: {verdict: ineligible}}
      - {threshold: industrial.staff, where: below, set: {staff_total: 999},  expect: {criteria: {staff: true}}}

``set`` paths are dotted (``ip.class2``, ``sme.rereview``, ``y1.revenue`` for the latest year's
figure, ``y2.``/``y3.`` for the years before it); a threshold of the total score (a pass mark, a grade's
cut-off) names ``criterion: score``; ``expect`` may name ``verdict``, ``route``, ``score`` ({min, max}), ``criteria`` (id → passed),
``points`` (id → [min, max]) and edition extras (``grade``, ``size_industry`` …); ``settings`` overrides
the edition's settings for one case.
"""

from __future__ import annotations

import copy
from importlib import resources
from typing import Any

import pytest
import yaml

from keqi.policy import evaluate
from keqi.policy.editions import _MODULES, EDITION_IDS, get

WHERE = {"at", "below", "above"}
# editions whose cases are still to be written (issue #18 item 6): none left, and none may join
PENDING: frozenset[str] = frozenset()


def cases_file(edition_id: str):
    return resources.files("keqi.policy.editions").joinpath(f"{_MODULES[edition_id]}.cases.yaml")


def load(edition_id: str) -> dict[str, Any]:
    return yaml.safe_load(cases_file(edition_id).read_text(encoding="utf-8"))


WRITTEN = [e for e in EDITION_IDS if cases_file(e).is_file()]


def test_every_edition_has_its_cases_or_is_listed_as_pending():
    missing = {e for e in EDITION_IDS if not cases_file(e).is_file()}
    assert missing == PENDING - set(WRITTEN), "a new edition needs its .cases.yaml"
    assert not PENDING & set(WRITTEN), "an edition with cases is no longer pending: take it off PENDING"


@pytest.mark.parametrize("edition_id", WRITTEN)
def test_every_threshold_has_cases_at_just_below_and_just_above(edition_id):
    data = load(edition_id)
    assert data["edition"] == edition_id
    edition = get(edition_id)
    thresholds = data["thresholds"]
    ids = {c.id for c in edition.criteria} | {"score"}  # "score": the pass mark or a grade's cut-off
    for tid, spec in thresholds.items():
        assert spec["criterion"] in ids, (tid, spec["criterion"])
        assert spec.get("text"), tid
    covered = {(c["threshold"], c["where"]) for c in data["cases"]}
    for case in data["cases"]:
        assert case["threshold"] in thresholds and case["where"] in WHERE, case
    missing = [(t, w) for t in thresholds for w in sorted(WHERE) if (t, w) not in covered]
    assert not missing, f"{edition_id}: thresholds without cases: {missing}"
    listed = {spec["criterion"] for spec in thresholds.values()}
    unlisted = [c.id for c in edition.criteria if c.threshold is not None and c.id not in listed]
    assert not unlisted, f"{edition_id}: criteria with a threshold but no cases: {unlisted}"


def _set(profile: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    if parts[0] in ("y1", "y2", "y3"):
        years = sorted(profile["financials"], key=lambda f: f["year"], reverse=True)
        target = years[int(parts[0][1]) - 1]
        parts = parts[1:]
    else:
        target = profile
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def _cases():
    for e in WRITTEN:
        for i, case in enumerate(load(e)["cases"]):
            yield pytest.param(e, case, id=f"{e}:{case['threshold']}:{case['where']}:{i}")


@pytest.mark.parametrize(("edition_id", "case"), list(_cases()))
def test_case(edition_id, case):
    profile = copy.deepcopy(load(edition_id)["base"])
    for path, value in (case.get("set") or {}).items():
        _set(profile, path, value)
    (v,) = evaluate([profile], edition_id, case.get("settings"), gaps=False)
    expect = case["expect"]
    got: dict[str, Any] = {}
    criteria = {c["id"]: c for c in v["criteria"]}
    for key, want in expect.items():
        if key == "criteria":
            got[key] = {cid: criteria[cid]["passed"] for cid in want}
        elif key == "points":
            got[key] = {cid: [criteria[cid]["points"]["min"], criteria[cid]["points"]["max"]] for cid in want}
        elif key == "score":
            got[key] = {k: v["score"][k] for k in want}
        else:
            got[key] = v[key]
    assert got == expect, case
