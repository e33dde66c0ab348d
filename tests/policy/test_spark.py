"""backend="spark": the editions' rule expressions run on PySpark give the default engine's answer."""

from __future__ import annotations

import pyarrow as pa
import pytest

from keqi.policy import evaluation, spark
from keqi.policy.editions import EDITION_IDS

from .population import random_flat_table

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def population() -> pa.Table:
    return random_flat_table(80, seed=5)


def test_spark_gives_the_same_verdicts_points_and_gap_plans(spark_session, population):
    settings = {"kv-credit": {"kv_grade_cutoffs": {"A": 90, "B": 80, "C": 70, "D": 60, "E": 50}}}
    on_spark = evaluation.evaluate_all(population, settings=settings, backend="spark", spark_master="local[2]")
    default = evaluation.evaluate_all(population, settings=settings)
    assert list(on_spark) == list(EDITION_IDS)
    for edition in EDITION_IDS:
        assert on_spark[edition].schema.equals(default[edition].schema), edition
        for name in default[edition].column_names:
            assert on_spark[edition].column(name).to_pylist() == default[edition].column(name).to_pylist(), (
                edition,
                name,
            )
    verdicts = {v for t in default.values() for v in t.column("verdict").to_pylist()}
    assert verdicts == {"eligible", "ineligible", "uncertain"}


def test_spark_verdict_frame_reads_a_parquet_dataset(spark_session, population, tmp_path):
    """The national form: the cluster reads the flat rows and keeps the verdict columns (lazy)."""
    path = tmp_path / "flat"
    spark_session.createDataFrame(population.drop_columns(["name"])).write.parquet(str(path))
    frame = spark.verdict_frame(str(path), "tsme-2017", spark=spark_session)
    got = {r["uscc"]: (r["verdict"], r["score_min"], r["score_max"]) for r in frame.collect()}
    want = evaluation.evaluate_table(population, "tsme-2017")
    assert got == {
        u: (v, lo, hi)
        for u, v, lo, hi in zip(
            *(want.column(c).to_pylist() for c in ("uscc", "verdict", "score_min", "score_max")), strict=True
        )
    }
