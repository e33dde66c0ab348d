"""keqi screen FIRMS.parquet --engine spark: Spark reads the flat rows and judges them, the executors
search the plans; the result equals the DuckDB flat screen's, row by row."""

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from keqi.cli.main import app
from keqi.screening import flatfile, sparkfile
from tests.policy.population import random_flat_table

pytestmark = [pytest.mark.django_db, pytest.mark.spark]  # the ladder is the city's (seeded by the migrations)

DAY = dt.date(2025, 6, 30)
EDITIONS = ("cq-tech-2022", "tsme-2017", "hnte-2016", "gazelle-cq-2023", "kv-credit")
KINDS = [None, "hnte", "科技型中小企业", "cq_tech, srdi", "", "gazelle；little_giant"]


def _rows(table: pa.Table) -> dict[str, dict]:
    return {r["uscc"]: r for r in table.to_pylist()}


@pytest.fixture
def firms(tmp_path):
    table = random_flat_table(120, seed=83)
    table = table.append_column("qualifications", pa.array([KINDS[i % len(KINDS)] for i in range(120)]))
    path = tmp_path / "firms.parquet"
    pq.write_table(table, path, row_group_size=50)
    return path


@pytest.mark.parametrize("all_gaps", [False, True])
def test_the_spark_flat_screen_equals_the_duckdb_one_row_by_row(spark_session, firms, tmp_path, all_gaps):
    want_path, got_path = tmp_path / "duckdb.parquet", tmp_path / "spark.parquet"
    want_summary = flatfile.screen_flat_parquet(firms, want_path, assess_on=DAY, edition_ids=EDITIONS,
                                                all_gaps=all_gaps, workers=0, batch_rows=50)
    # batches of 32 rows on the executors: the plans do not depend on how the rows are cut
    got_summary = sparkfile.screen_flat_spark(str(firms), got_path, assess_on=DAY, edition_ids=EDITIONS,
                                              all_gaps=all_gaps, spark=spark_session.newSession(), batch_rows=32)
    want, got = pq.read_table(want_path), pq.read_table(got_path)
    assert got.column_names == want.column_names
    assert got.num_rows == want.num_rows == 120
    assert not list(tmp_path.glob("spark.parquet.*"))  # the parts were joined into one file
    want_rows, got_rows = _rows(want), _rows(got)
    assert got_rows == want_rows
    planned = [r for r in got_rows.values() if r["cq-tech-2022·gaps"] is not None]
    assert 0 < len(planned) and (len(planned) == 120) == all_gaps  # plans were searched on the executors
    assert (got_summary.firms, got_summary.counts, got_summary.tiers, got_summary.tier_from) == (
        want_summary.firms, want_summary.counts, want_summary.tiers, want_summary.tier_from)


def test_a_folder_of_parquet_files_in_and_a_folder_out(spark_session, firms, tmp_path):
    """The cluster form: Spark reads a dataset (a folder, as on HDFS or S3) and writes one."""
    folder = tmp_path / "dataset"
    table = pq.read_table(firms)
    folder.mkdir()
    pq.write_table(table.slice(0, 70), folder / "a.parquet")
    pq.write_table(table.slice(70), folder / "b.parquet")
    out = tmp_path / "screen"  # no .parquet suffix: a folder, as a cluster writes it
    sparkfile.screen_flat_spark(str(folder), str(out), assess_on=DAY, edition_ids=EDITIONS,
                                spark=spark_session.newSession())
    want = tmp_path / "duckdb.parquet"
    flatfile.screen_flat_parquet(firms, want, assess_on=DAY, edition_ids=EDITIONS, workers=0)
    assert out.is_dir() and len(list(out.glob("part-*.parquet"))) >= 2
    assert _rows(pq.read_table(out)) == _rows(pq.read_table(want))


def test_cli_engine_spark_screens_a_flat_file_like_duckdb(spark_session, firms, tmp_path):
    outs = {}
    for engine in ("duckdb", "spark"):
        outs[engine] = tmp_path / f"{engine}.parquet"
        result = CliRunner().invoke(app, ["screen", str(firms), "--on", DAY.isoformat(), "--engine", engine,
                                          "-o", str(outs[engine])])
        assert result.exit_code == 0, result.output
        assert "120" in result.output
    want, got = pq.read_table(outs["duckdb"]), pq.read_table(outs["spark"])
    assert got.column_names == want.column_names and _rows(got) == _rows(want)
