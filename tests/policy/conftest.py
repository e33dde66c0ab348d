"""Policy-test fixtures: one Spark session for the whole test run (started only if a test asks)."""

from __future__ import annotations

import shutil

import pytest


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "spark: runs the rules on PySpark in local mode (needs Java 17 and pyspark)"
    )


@pytest.fixture(scope="session")
def spark_session():
    pytest.importorskip("pyspark", reason="pyspark is in the dev extras")
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime (17)")
    from keqi.policy import spark

    session = spark.session("local[2]")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
