"""Screening at scale: the batch gap search gives the reference's plans, and every batch form of the
engine (all editions at once, batch by batch, from a Parquet file) gives the same rows as one call."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from keqi.policy import engine, evaluation
from keqi.policy.editions import EDITION_IDS
from keqi.policy.gaps import gap_columns_reference

from .population import random_flat_table

STRICT_KV = {"kv_grade_cutoffs": {"A": 90, "B": 80, "C": 70, "D": 60, "E": 50}}
VARIANTS = [(e, None) for e in EDITION_IDS] + [
    ("kv-credit", STRICT_KV),
    ("cq-tech-2022", {"unconfirmed_rd_alternative": True}),
    (
        "tsme-2017",
        {
            "gap_costs": {
                "rd_expense": 3,
                "tech_staff": 1,
                "ip.class1": 7,
                "ip.class2": 7,
                "hitech_revenue": 1,
            }
        },
    ),
]


@pytest.fixture(scope="module")
def population() -> pa.Table:
    return random_flat_table(500, seed=11)


@pytest.mark.parametrize(("edition", "overrides"), VARIANTS)
def test_batch_gap_plans_equal_the_reference_search(population, edition, overrides):
    result = engine.run_rules(population, edition, overrides)
    reference = gap_columns_reference(population, result, edition, overrides)
    batch = evaluation.evaluate_table(population, edition, overrides, gaps=True)
    assert batch.column_names == reference.column_names
    for name in reference.column_names:
        assert batch.column(name).to_pylist() == reference.column(name).to_pylist(), name
    # the population exercises every kind of entry the reference can write
    entries = [e for text in reference.column("gaps_json").to_pylist() for e in json.loads(text)]
    if edition in ("tsme-2017", "hnte-2016"):
        assert any(e.get("reaches") == "eligible" for e in entries)
        assert any(e["change"] is None for e in entries)


def test_reference_population_reaches_every_case(population):
    """The equality above is only worth something if the population has plans of every kind."""
    reaches, partial = set(), False
    for edition in ("tsme-2017", "hnte-2016", "kv-credit"):
        settings = STRICT_KV if edition == "kv-credit" else None
        out = evaluation.evaluate_table(population, edition, settings, gaps=True)
        reaches |= set(out.column("gap__reaches").to_pylist())
        for text in out.column("gaps_json").to_pylist():
            partial |= any("仅此一项" in e["note"] for e in json.loads(text))
    assert {"eligible", "uncertain"} <= reaches
    assert partial


def test_evaluate_all_equals_one_edition_at_a_time(population):
    settings = {"kv-credit": STRICT_KV}
    together = evaluation.evaluate_all(population, settings=settings)
    assert list(together) == list(EDITION_IDS)
    for edition, table in together.items():
        alone = evaluation.evaluate_table(population, edition, settings.get(edition), gaps=True)
        assert table.equals(alone), edition


def test_evaluate_all_checks_settings_and_backend_before_work(population):
    with pytest.raises(ValueError, match="unknown setting"):
        evaluation.evaluate_all(population, ["tsme-2017"], {"tsme-2017": {"nope": 1}})
    with pytest.raises(ValueError, match="unknown backend"):
        evaluation.evaluate_all(population, ["tsme-2017"], backend="oracle")
    with pytest.raises(KeyError):
        evaluation.evaluate_all(population, ["tsme-2099"])


def test_a_parquet_file_batch_by_batch_equals_one_call(population, tmp_path):
    path = tmp_path / "flat.parquet"
    # a file from elsewhere: extra columns are ignored, absent ones are NULL
    extra = population.append_column("remark", pa.array(["x"] * population.num_rows))
    pq.write_table(extra.drop_columns(["name", "expert_ip_quantity"]), path)
    whole = evaluation.evaluate_all(population, ["tsme-2017", "hnte-2016"])
    batches = list(evaluation.evaluate_parquet(path, ["tsme-2017", "hnte-2016"], batch_rows=128))
    assert [flat.num_rows for flat, _ in batches] == [128, 128, 128, 116]
    for edition in ("tsme-2017", "hnte-2016"):
        joined = pa.concat_tables([results[edition] for _, results in batches])
        assert joined.equals(whole[edition]), edition
    assert batches[0][0].column("uscc").to_pylist() == population.column("uscc").to_pylist()[:128]


def test_batches_without_gaps_have_no_gap_columns(population):
    ((_, results),) = evaluation.evaluate_batches([population.slice(0, 50)], ["tsme-2017"], gaps=False)
    assert "gaps_json" not in results["tsme-2017"].column_names
    assert results["tsme-2017"].num_rows == 50


@pytest.mark.parametrize("edition", ["tsme-2017", "hnte-2016", "kv-credit"])
def test_batch_search_on_single_firms_equals_the_reference(population, edition):
    """Small batches take the reference search (quicker); the batch search gives the same there too."""
    from keqi.policy.gapsearch import batch_gap_columns

    result = engine.run_rules(population, edition)
    for i in range(0, 60, 3):
        one, flat = result.slice(i, 1), population.slice(i, 1)
        assert batch_gap_columns(flat, one, edition).equals(gap_columns_reference(flat, one, edition)), i
