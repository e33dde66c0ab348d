"""The decomposed gap search (``gapsearch._search_composed``) gives the plans of the search it replaced
(the rounds of candidate rows through the engine, ``composed=False``) and of the reference, and the
composition it stands on (``engine.composition``) gives every criterion column and the verdict the
engine gives."""

from __future__ import annotations

import warnings

import numpy as np
import pyarrow as pa
import pytest

from keqi.policy import editions, engine
from keqi.policy.editions import EDITION_IDS
from keqi.policy.gaps import gap_columns_reference
from keqi.policy.gapsearch import batch_gap_columns, money_text
from keqi.policy.plans import money

from .population import random_flat_table

LEVERED = [e for e in EDITION_IDS if editions.get(e).options is not None]
SETTINGS = [(e, None) for e in EDITION_IDS] + [
    ("kv-credit", {"kv_grade_cutoffs": {"A": 90, "B": 80, "C": 70, "D": 60, "E": 50}}),
    ("hnte-2016", {"negative_net_assets": "zero", "rd_management_true_floor": 2}),
    ("tsme-2017", {"gap_costs": {"rd_expense": 3, "tech_staff": 1, "ip.class1": 7, "ip.class2": 7,
                                 "hitech_revenue": 1}}),
    ("innovative-sme-2022", {"gap_costs": {"rd_expense": 1, "tech_staff": 1, "ip.class1": 1, "ip.class2": 1,
                                           "hitech_revenue": 1}}),
]


@pytest.fixture(scope="module")
def population() -> pa.Table:
    return engine.conform(random_flat_table(700, seed=29, cq_tech=True))


@pytest.mark.parametrize("edition", LEVERED)
def test_every_edition_with_levers_is_composed(edition):
    """An edition whose verdict cannot be written over its criterion columns falls back to the slow search:
    a new edition should be written so that it can (its verdict over its criteria, as the others)."""
    assert engine.composition(edition, engine.settings_key(None)) is not None


@pytest.mark.parametrize(("edition", "overrides"), SETTINGS)
def test_the_composition_gives_the_engines_criteria_and_verdict(population, edition, overrides):
    comp = engine.composition(edition, engine.settings_key(overrides))
    if comp is None:
        pytest.skip("no composition")
    criteria = engine.run_rules(population, edition, overrides, view="criteria")
    names = [n for n in criteria.column_names if n != "verdict"]
    got = engine.run_sql(criteria.select(list(comp.leaves)), comp.sql(names))
    assert (got.column("code").to_numpy() == engine.verdict_codes(criteria)).all()
    for name in names:
        assert got.column(name).to_pylist() == criteria.column(name).to_pylist(), name


@pytest.mark.parametrize(("edition", "overrides"), SETTINGS)
def test_composed_search_gives_the_plans_of_the_search_it_replaced_and_of_the_reference(
    population, edition, overrides
):
    result = engine.run_rules(population, edition, overrides, view="search")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no silent fall-back to the rows
        composed = batch_gap_columns(population, result, edition, overrides)
    rounds = batch_gap_columns(population, result, edition, overrides, composed=False)
    reference = gap_columns_reference(population, result, edition, overrides)
    for name in reference.column_names:
        assert composed.column(name).to_pylist() == rounds.column(name).to_pylist(), name
        assert composed.column(name).to_pylist() == reference.column(name).to_pylist(), name


def test_a_composition_that_disagrees_with_the_engine_is_not_used(population, monkeypatch):
    """A check on every batch: the composition must give each firm's own verdict from its own leaves;
    where it does not, the search goes row by row (same plans) and says so."""
    edition = "tsme-2017"
    result = engine.run_rules(population, edition, view="search")
    comp = engine.composition(edition, engine.settings_key(None))
    wrong = type(comp)(comp.leaves, "'eligible'", comp.columns, comp.uses)
    monkeypatch.setattr("keqi.policy.gapsearch.composition", lambda *a: wrong)
    with pytest.warns(RuntimeWarning, match="differs"):
        got = batch_gap_columns(population, result, edition)
    assert got.equals(batch_gap_columns(population, result, edition, composed=False))


def test_population_has_firms_the_composed_search_settles_every_way(population):
    """Plans that reach eligible, plans that reach uncertain, and firms with no plan (cheapest fixes)."""
    seen = set()
    for edition in ("tsme-2017", "hnte-2016", "kv-credit", "innovative-sme-2022"):
        out = batch_gap_columns(population, engine.run_rules(population, edition, view="search"), edition)
        reaches = out.column("gap__reaches").to_pylist()
        seen |= set(reaches)
        verdicts = np.array(out.column("verdict").to_pylist())
        seen |= {"none"} if ((verdicts != "eligible") & (np.array(reaches) == None)).any() else set()  # noqa: E711
    assert {"eligible", "uncertain", "none"} <= seen


def test_the_batch_writes_every_amount_as_the_reference_does():
    """The batch writes a plan's amounts in integer arithmetic (``money_text``), the reference with
    ``Decimal`` (``plans.money``): the same text for every amount, around each place the text changes
    (1万, the hundred yuan it rounds up to, thousands separators) and at random."""
    rng = np.random.default_rng(17)
    edges = [10**p + d for p in range(16) for d in (-101, -100, -99, -1, 0, 1, 99, 100, 101)]
    amounts = [*range(-20_000, 120_000), *edges, *(-e for e in edges), *rng.integers(-10**13, 10**13, 50_000).tolist()]
    assert [money_text(a) for a in amounts] == [money(a) for a in amounts]
