"""Small batches (a firm's page, its candidate plans) run through prepared statements, with the rows
passed as parameters: same rows, same types as the table path, from any number of threads."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
import pytest

from keqi.policy import engine, evaluation
from keqi.policy.editions import EDITION_IDS

from .population import random_flat_table


def _with_awkward_values(table: pa.Table) -> pa.Table:
    """Quotes, backslashes and non-ASCII text in a string the rules read."""
    fields = table.column("hitech_field").to_pylist()
    fields[1] = "电子'信息\"\\n"
    fields[2] = "'); DROP TABLE x; --"
    return table.set_column(
        table.schema.get_field_index("hitech_field"), "hitech_field", pa.array(fields, pa.string())
    )


@pytest.fixture(scope="module")
def population() -> pa.Table:
    return _with_awkward_values(random_flat_table(120, seed=5))


def _table_path(monkeypatch, *args, **kwargs) -> pa.Table:
    with monkeypatch.context() as m:
        m.setattr(engine, "PREPARED_ROWS", 0)
        return engine.run_rules(*args, **kwargs)


@pytest.mark.parametrize("view", ["full", "criteria", "verdict", "score"])
@pytest.mark.parametrize("edition", EDITION_IDS)
def test_prepared_statement_gives_the_rows_of_the_table_path(monkeypatch, population, edition, view):
    expected = _table_path(monkeypatch, population, edition, view=view)
    engine.prepare([edition], views=[view])
    got = engine.run_rules(population, edition, view=view)
    assert got.schema == expected.schema
    assert got.equals(expected)
    one = engine.run_rules(population.slice(7, 1), edition, view=view)
    assert one.equals(expected.slice(7, 1))


def test_a_value_json_cannot_carry_falls_back_to_the_table_path(monkeypatch, population):
    valuation = population.column("valuation_usd").to_pylist()
    valuation[0], valuation[1] = math.nan, math.inf
    odd = population.set_column(
        population.schema.get_field_index("valuation_usd"), "valuation_usd", pa.array(valuation, pa.float64())
    )
    engine.prepare(["unicorn-cq-2023", "gazelle-cq-2023"], views=["full"])
    for edition in ("unicorn-cq-2023", "gazelle-cq-2023"):
        got, expected = engine.run_rules(odd, edition), _table_path(monkeypatch, odd, edition)
        assert got.schema == expected.schema
        assert _nan_as_text(got.to_pylist()) == _nan_as_text(expected.to_pylist())


def _nan_as_text(rows: list[dict]) -> list[dict]:
    return [{k: "nan" if isinstance(v, float) and math.isnan(v) else v for k, v in r.items()} for r in rows]


def test_threads_judging_at_once_each_get_their_own_firms_answer(population):
    """The web server judges firms in several threads at once (they share the prepared cursors)."""
    editions = ["hnte-2016", "tsme-2017", "srdi-2022"]
    alone = [evaluation.evaluate_all(population.slice(i, 1), editions, gaps=True) for i in range(24)]

    def judge(i: int) -> dict[str, pa.Table]:
        return evaluation.evaluate_all(population.slice(i, 1), editions, gaps=True)

    with ThreadPoolExecutor(max_workers=6) as pool:
        together = list(pool.map(judge, list(range(24)) * 2))
    for i, result in enumerate(together):
        for e in editions:
            assert result[e].equals(alone[i % 24][e]), (i, e)


def test_a_statement_duckdb_will_not_prepare_runs_on_the_table_path(monkeypatch, population):
    settings = {"kv_grade_cutoffs": {"A": 91, "B": 81, "C": 71, "D": 61, "E": 51}}  # SQL no other test prepares
    expected = _table_path(monkeypatch, population, "kv-credit", settings)
    monkeypatch.setattr(engine, "_parameterised", lambda sql, reads: "SELECT * FROM no_such_table")
    engine.prepare(["kv-credit"], {"kv-credit": settings}, views=["full"])
    assert engine.run_rules(population, "kv-credit", settings).equals(expected)


def test_a_statement_is_prepared_the_second_time_a_process_runs_it(monkeypatch, population):
    """Preparing costs more than one run: a short command (keqi evaluate of one firm) runs each statement
    once, on the table path; a web server's pages run them again and again, prepared."""
    settings = {"kv_grade_cutoffs": {"A": 92, "B": 82, "C": 72, "D": 62, "E": 52}}  # SQL no other test runs
    prepared = []
    real = engine._prepare
    monkeypatch.setattr(engine, "_prepare", lambda *args: prepared.append(args[1]) or real(*args))
    first = engine.run_rules(population.slice(3, 1), "kv-credit", settings)
    assert prepared == []
    second = engine.run_rules(population.slice(3, 1), "kv-credit", settings)
    assert len(prepared) == 1 and second.equals(first)
    engine.run_rules(population.slice(4, 1), "kv-credit", settings)
    assert len(prepared) == 1
