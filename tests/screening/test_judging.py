"""Judging a chunk column-wise: the closeness from the plan columns equals the one from the entries."""

import json

import numpy as np
import pytest

from keqi.policy import editions
from keqi.policy.evaluation import evaluate_all
from keqi.screening.closeness import closeness
from keqi.screening.judging import closeness_column, judge_chunk
from tests.policy.population import random_flat_table

EDITIONS = ("tsme-2017", "hnte-2016", "cq-tech-2022", "gazelle-cq-2023", "unicorn-cq-2023", "kv-credit")


@pytest.mark.parametrize("settings", [None, {"tsme-2017": {"gap_costs": {"rd_expense": 2, "tech_staff": 1000,
                                                                           "ip.class1": 7, "ip.class2": 3,
                                                                           "hitech_revenue": 1}}}])
def test_closeness_column_equals_the_closeness_of_the_entries(settings):
    flat = random_flat_table(300, seed=41)
    judged = judge_chunk(flat, {}, EDITIONS, settings, all_gaps=True)
    for e in EDITIONS:
        costs = editions.get(e).resolve_settings((settings or {}).get(e)).get("gap_costs", {})
        out = judged[e].to_pydict()
        want = [closeness(v, json.loads(g), costs) for v, g in zip(out["verdict"], out["gaps"], strict=True)]
        assert out["closeness"] == want, e
    # the plans found reach every kind of closeness: eligible, uncertain, a cost, none
    values = [c for e in EDITIONS for c in judged[e].column("closeness").to_pylist()]
    assert 0.0 in values and 1.0 in values and None in values and any(c and c > 1 for c in values)


def test_closeness_column_of_a_batch_search_equals_the_closeness_of_the_entries():
    # more rows than the reference search takes: the batch search's plans (gapsearch)
    flat = random_flat_table(5000, seed=47)
    judged = evaluate_all(flat, ("tsme-2017", "cq-tech-2022", "gazelle-cq-2023"), gaps=True)
    blocked = 0
    for e, result in judged.items():
        costs = editions.get(e).resolve_settings().get("gap_costs", {})
        got = closeness_column(result, costs, list(editions.get(e).levers)).to_pylist()
        rows = result.select(["verdict", "gap__reaches", "gaps_json"]).to_pylist()
        assert got == [closeness(r["verdict"], json.loads(r["gaps_json"]), costs) for r in rows], e
        # what closeness_column relies on: a plan that reaches "eligible" changes levers only
        assert not [r for r in rows if r["gap__reaches"] == "eligible" and '"change": null' in r["gaps_json"]]
        blocked += sum(r["gap__reaches"] == "uncertain" and '"change": null' in r["gaps_json"] for r in rows)
    assert blocked  # plans that reach "uncertain" and cannot settle what stays undecided: no closeness


def test_plans_only_where_wanted_and_equal_to_the_full_search():
    flat = random_flat_table(120, seed=43)
    rows = np.arange(0, 120, 3)
    part = judge_chunk(flat, {"hnte-2016": rows}, ("tsme-2017", "hnte-2016"))
    full = judge_chunk(flat, {}, ("tsme-2017", "hnte-2016"), all_gaps=True)
    assert part["tsme-2017"].column("gaps").null_count == 120  # not wanted: not searched
    assert part["tsme-2017"].column("closeness").null_count == 120
    got = part["hnte-2016"].to_pydict()
    want = full["hnte-2016"].to_pydict()
    for i in range(120):
        if i % 3 == 0:
            assert (got["gaps"][i], got["closeness"][i]) == (want["gaps"][i], want["closeness"][i])
        else:
            assert got["gaps"][i] is None and got["closeness"][i] is None
        assert got["verdict"][i] == want["verdict"][i] and got["extras"][i] == want["extras"][i]


def test_extras_are_json_of_the_edition_outputs():
    flat = random_flat_table(50, seed=44)
    judged = judge_chunk(flat, {}, ("kv-credit", "tsme-2017"))
    extras = [json.loads(x) for x in judged["kv-credit"].column("extras").to_pylist()]
    assert set(extras[0]) == {"grade", "grade_low", "grade_high", "credit_line"}
    assert set(judged["tsme-2017"].column("extras").to_pylist()) == {"{}"}
