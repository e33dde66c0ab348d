"""A Parquet file of flat rows, streamed: each firm's result is its own single-firm verdict, with its
stage on the city's ladder, its next-stage candidacy and the plans of its next stage's editions."""

import datetime as dt
import json

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from keqi.cli.main import app
from keqi.policy import editions, engine, evaluation
from keqi.screening import flatfile
from keqi.screening.closeness import closeness
from tests.policy.population import random_flat_table

pytestmark = pytest.mark.django_db  # the ladder is the city's (seeded by the migrations)

DAY = dt.date(2025, 6, 30)
# one edition per stage of the seeded ladder, and one that decides no stage
EDITIONS = ("cq-tech-2022", "tsme-2017", "hnte-2016", "gazelle-cq-2023", "kv-credit")
KINDS = [None, "hnte", "科技型中小企业", "cq_tech, srdi", "", "gazelle；little_giant"]


def _table(n: int, seed: int = 71) -> pa.Table:
    return random_flat_table(n, seed=seed)


def _with_kinds(table: pa.Table) -> pa.Table:
    return table.append_column("qualifications", pa.array([KINDS[i % len(KINDS)] for i in range(table.num_rows)]))


@pytest.fixture
def flat_file(tmp_path):
    path = tmp_path / "firms.parquet"
    pq.write_table(_with_kinds(_table(150)), path)
    return path


def _ladder():
    from keqi.pipeline.services import current_ladder

    return current_ladder()


def _single(table: pa.Table, i: int, edition_id: str) -> dict:
    """Firm ``i`` alone (a batch of one, judged on the screen's day), with its gap plan."""
    row = table.slice(i, 1)
    row = row.set_column(row.schema.get_field_index("assess_on"), "assess_on", pa.array([DAY], pa.date32()))
    return evaluation.verdicts(evaluation.evaluate_table(row, edition_id, gaps=True), edition_id)[0]


def _held(cell) -> set[str]:
    from keqi.registry.columns import QUALIFICATION_KINDS

    codes = {label: code for code, label in QUALIFICATION_KINDS.items()}
    parts = [p.strip() for p in (cell or "").replace("；", ",").split(",") if p.strip()]
    return {codes.get(p, p) for p in parts}


@pytest.mark.parametrize("workers", [0, 2])
def test_each_firm_gets_its_single_firm_verdict_stage_and_next_stage_plan(flat_file, tmp_path, workers):
    out = tmp_path / "out.parquet"
    summary = flatfile.screen_flat_parquet(flat_file, out, assess_on=DAY, edition_ids=EDITIONS, batch_rows=40,
                                           workers=workers)
    assert summary.firms == 150 and not (tmp_path / "out.parquet.part").exists()
    got = pq.read_table(out).to_pylist()
    table = pq.read_table(flat_file)
    assert [r["uscc"] for r in got] == table.column("uscc").to_pylist()
    ladder = _ladder()
    kinds = table.column("qualifications").to_pylist()
    certified = {"direct_hnte_certificate_valid": "hnte"}
    for i in range(0, 150, 7):  # every 7th firm, alone
        r = got[i]
        held = _held(kinds[i]) | {k for c, k in certified.items() if table.column(c)[i].as_py()}
        tier = ladder.tier_of(held)
        assert r["current_tier"] == tier.key
        assert r["tier_from"] == ("qualifications" if kinds[i] is not None else
                                  "certificate_fields" if held else "none")
        above = ladder.next_of(tier)
        assert r["next_tier"] == (above.key if above else None)
        nexts = [e for e in ladder.next_editions(tier, DAY) if e in EDITIONS]
        closeness_of = {}
        for e in EDITIONS:
            alone = _single(table, i, e)
            assert r[f"{e}·verdict"] == alone["verdict"]
            score = alone["score"] or {"min": None, "max": None}
            assert (r[f"{e}·score_min"], r[f"{e}·score_max"]) == (score["min"], score["max"])
            costs = editions.get(e).resolve_settings().get("gap_costs", {})
            if e in nexts:  # the plans of the next stage's editions: the single-firm plan
                assert json.loads(r[f"{e}·gaps"]) == alone["gaps"]
                assert r[f"{e}·closeness"] == closeness(alone["verdict"], alone["gaps"], costs)
            else:  # not searched: no plan, and a closeness only where no plan is needed
                assert r[f"{e}·gaps"] is None
                assert r[f"{e}·closeness"] == {"eligible": 0.0, "uncertain": 1.0}.get(alone["verdict"])
            closeness_of[e] = r[f"{e}·closeness"]
        if nexts:  # the closest of the next stage's editions (unranked last, ties in the stage's order)
            best = min(nexts, key=lambda e: (closeness_of[e] is None, closeness_of[e] or 0, nexts.index(e)))
            assert r["next_edition"] == best
            assert r["next_verdict"] == r[f"{best}·verdict"] and r["closeness"] == closeness_of[best]
        else:
            assert r["next_edition"] is None and r["next_verdict"] is None and r["closeness"] is None
    assert sum(summary.tiers.values()) == 150 and summary.tier_from["qualifications"] == 125


def test_all_gaps_gives_every_edition_the_plans_of_one_engine_call(tmp_path):
    path = tmp_path / "firms.parquet"
    table = _table(90, seed=5)
    pq.write_table(table, path)
    out = tmp_path / "out.parquet"
    flatfile.screen_flat_parquet(path, out, assess_on=DAY, edition_ids=EDITIONS, batch_rows=40, workers=0,
                                 all_gaps=True)
    got = pq.read_table(out).to_pydict()
    moved = table.set_column(table.schema.get_field_index("assess_on"), "assess_on",
                             pa.array([DAY] * 90, pa.date32()))
    want = evaluation.evaluate_all(moved, EDITIONS, gaps=True)
    for e in EDITIONS:
        assert got[f"{e}·verdict"] == want[e].column("verdict").to_pylist()
        assert got[f"{e}·gaps"] == want[e].column("gaps_json").to_pylist()
    # without the qualifications column the stage comes from the certificate fields, else the first stage
    certified = pc.fill_null(table.column("direct_hnte_certificate_valid"), False).to_numpy(zero_copy_only=False)
    assert got["current_tier"] == ["hnte" if c else "reserve" for c in certified]
    assert got["tier_from"] == ["certificate_fields" if c else "none" for c in certified]


def test_qualifications_as_lists_and_unknown_kinds(tmp_path):
    table = _table(6, seed=3)
    lists = table.append_column("qualifications", pa.array([["hnte"], [], None, ["tsme", "高新技术企业"], ["srdi"],
                                                             ["little_giant"]], pa.list_(pa.string())))
    pq.write_table(lists, tmp_path / "lists.parquet")
    flatfile.screen_flat_parquet(tmp_path / "lists.parquet", tmp_path / "out.parquet", assess_on=DAY,
                                 edition_ids=EDITIONS, workers=0)
    tiers = pq.read_table(tmp_path / "out.parquet").column("current_tier").to_pylist()
    certified = table.column("direct_hnte_certificate_valid").to_pylist()
    assert tiers[0] == "hnte" and tiers[3] == "hnte" and tiers[4] == "growth" and tiers[5] == "leader"
    assert tiers[1] == ("hnte" if certified[1] else "reserve")

    bad = table.append_column("qualifications", pa.array(["hnte", "金牌企业", None, None, None, None]))
    pq.write_table(bad, tmp_path / "bad.parquet")
    with pytest.raises(flatfile.FileError, match="金牌企业"):
        flatfile.screen_flat_parquet(tmp_path / "bad.parquet", tmp_path / "bad-out.parquet", assess_on=DAY,
                                     edition_ids=EDITIONS, workers=0)
    assert list(tmp_path.glob("bad-out*")) == []


def _duckdb_threads() -> int:
    return int(engine._connection().execute("SELECT current_setting('threads')").fetchone()[0])


@pytest.mark.parametrize("workers", [0, 2])
def test_an_interrupted_stream_leaves_no_file(flat_file, tmp_path, monkeypatch, workers):
    threads = _duckdb_threads()
    calls = {"n": 0}
    real = flatfile.judge_batch

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 1:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(flatfile, "judge_batch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        flatfile.screen_flat_parquet(flat_file, tmp_path / "out.parquet", assess_on=DAY, edition_ids=EDITIONS,
                                     batch_rows=40, workers=workers)
    assert list(tmp_path.glob("out.parquet*")) == []
    # the worker threads ran DuckDB single-threaded meanwhile; its setting is back for everyone else
    assert _duckdb_threads() == threads


def test_cli_screens_a_flat_parquet_file_on_the_day(flat_file, tmp_path):
    out = tmp_path / "result.parquet"
    result = CliRunner().invoke(app, ["screen", str(flat_file), "--on", "2025-06-30", "-o", str(out)])
    assert result.exit_code == 0, result.output
    written = pq.read_table(out)
    assert written.num_rows == 150 and "150" in result.output
    from keqi.screening.services import editions_on

    in_force = editions_on(DAY)
    assert [c.removesuffix("·verdict") for c in written.column_names if c.endswith("·verdict")] == list(in_force)
    # by default plans are searched for the next stage's editions only; --all-gaps searches every edition
    gaps = {e: written.column(f"{e}·gaps").null_count for e in in_force}
    assert gaps["kv-credit"] == 150 and gaps["cq-tech-2022"] < 150
    every = tmp_path / "every.parquet"
    result = CliRunner().invoke(app, ["screen", str(flat_file), "--on", "2025-06-30", "--all-gaps", "-o", str(every)])
    assert result.exit_code == 0, result.output
    assert all(pq.read_table(every).column(f"{e}·gaps").null_count == 0 for e in in_force)
    bad = CliRunner().invoke(app, ["screen", str(flat_file), "-o", str(tmp_path / "result.xlsx")])
    assert bad.exit_code == 2


def test_an_unknown_kind_stops_the_cli_with_no_file(tmp_path):
    path = tmp_path / "firms.parquet"
    pq.write_table(_table(3).append_column("qualifications", pa.array(["金牌企业", None, None])), path)
    result = CliRunner().invoke(app, ["screen", str(path), "-o", str(tmp_path / "out.parquet")])
    assert result.exit_code == 2 and not list(tmp_path.glob("out.parquet*"))
    assert "金牌企业" in result.output  # the unknown kind is named
