"""A Parquet file of flat rows, streamed: every batch equals one call of the engine, plans included."""

import json

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from keqi.cli.main import app
from keqi.policy import engine
from keqi.screening import flatfile
from keqi.screening.closeness import closeness
from tests.policy.population import random_flat_table

EDITIONS = ("tsme-2017", "hnte-2016", "kv-credit")


@pytest.fixture
def flat_file(tmp_path):
    path = tmp_path / "firms.parquet"
    pq.write_table(random_flat_table(150, seed=71), path)
    return path


@pytest.mark.parametrize("workers", [0, 2])
def test_streamed_file_equals_one_engine_call(flat_file, tmp_path, workers):
    out = tmp_path / "out.parquet"
    summary = flatfile.screen_flat_parquet(flat_file, out, edition_ids=EDITIONS, batch_rows=40, workers=workers)
    assert summary.firms == 150 and not (tmp_path / "out.parquet.part").exists()
    got = pq.read_table(out).to_pydict()
    want = engine.evaluate_all(pq.read_table(flat_file), EDITIONS, gaps=True)
    assert got["uscc"] == want["tsme-2017"].column("uscc").to_pylist()
    for e in EDITIONS:
        w = want[e].to_pydict()
        assert got[f"{e}·verdict"] == w["verdict"]
        assert got[f"{e}·score_min"] == w["score_min"] and got[f"{e}·score_max"] == w["score_max"]
        assert got[f"{e}·gaps"] == w["gaps_json"]
        costs = engine.editions.get(e).resolve_settings().get("gap_costs", {})
        assert got[f"{e}·closeness"] == [closeness(v, json.loads(g), costs)
                                         for v, g in zip(w["verdict"], w["gaps_json"], strict=True)]
        assert sum(summary.counts[e].values()) == 150


def test_an_interrupted_stream_leaves_no_file(flat_file, tmp_path, monkeypatch):
    calls = {"n": 0}
    real = flatfile.judging.judge_chunk

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 1:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(flatfile.judging, "judge_chunk", interrupted)
    with pytest.raises(KeyboardInterrupt):
        flatfile.screen_flat_parquet(flat_file, tmp_path / "out.parquet", edition_ids=EDITIONS, batch_rows=40,
                                     workers=0)
    assert list(tmp_path.glob("out.parquet*")) == []


@pytest.mark.django_db
def test_cli_screens_a_flat_parquet_file(flat_file, tmp_path):
    out = tmp_path / "result.parquet"
    result = CliRunner().invoke(app, ["screen", str(flat_file), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert pq.read_metadata(out).num_rows == 150
    assert "150" in result.output
    bad = CliRunner().invoke(app, ["screen", str(flat_file), "-o", str(tmp_path / "result.xlsx")])
    assert bad.exit_code == 2
