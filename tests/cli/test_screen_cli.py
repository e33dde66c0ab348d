"""keqi screen: the registry and a file give the same verdicts for the same firms."""

import polars as pl
import pytest
from typer.testing import CliRunner

from keqi.accounts.scope import SYSTEM
from keqi.cli.main import app
from keqi.policy import editions
from keqi.registry import flows
from keqi.screening.exporting import VERDICT_LABELS
from keqi.screening.models import ScreeningRun, Standing

from support import qualification_rows, report_rows, write_file

runner = CliRunner()
pytestmark = pytest.mark.django_db


@pytest.fixture
def data_file(tmp_path):
    rows = report_rows(5, years=(2022, 2023, 2024), seed=41)
    return write_file(tmp_path / "firms.xlsx", rows, qualification_rows(rows).head(2))


def test_file_screen_equals_registry_screen(tmp_path, data_file):
    out = tmp_path / "screened.parquet"
    result = runner.invoke(app, ["screen", str(data_file), "--on", "2025-06-30", "-o", str(out)])
    assert result.exit_code == 0, result.output
    from_file = pl.read_parquet(out)
    assert from_file.height == 5
    assert ScreeningRun.objects.count() == 0  # a file screen stores nothing

    flows.run_import(path=data_file, scope=SYSTEM)
    stored = runner.invoke(app, ["screen", "--on", "2025-06-30", "-o", str(tmp_path / "candidates.xlsx")])
    assert stored.exit_code == 0, stored.output
    run = ScreeningRun.objects.get()
    for edition in ("tsme-2017", "hnte-2016", "cq-tech-2022"):
        title = editions.get(edition).title
        expected = {s.enterprise.uscc: VERDICT_LABELS[s.result(edition).verdict]
                    for s in Standing.objects.filter(run=run).select_related("enterprise")}
        got = dict(from_file.select("统一社会信用代码", f"{title}·结论").iter_rows())
        assert got == expected
    # two firms hold a valid 高企 certificate: both say so in the file screen
    assert from_file["当前梯次"].to_list().count("高新技术企业") == 2
    candidates = pl.read_excel(tmp_path / "candidates.xlsx")
    assert candidates.columns[:3] == ["排名", "统一社会信用代码", "企业名称"]
    ranks = candidates["差距（越小越接近）"].drop_nulls().to_list()
    assert ranks == sorted(ranks)


def test_file_with_a_bad_cell_is_not_screened(tmp_path):
    rows = report_rows(1).with_columns(tech_staff=pl.lit(10_000))
    result = runner.invoke(app, ["screen", str(write_file(tmp_path / "bad.csv", rows))])
    assert result.exit_code == 1 and "大于职工总数" in result.output


def test_screen_of_an_unknown_unit_exits_2():
    assert runner.invoke(app, ["screen", "--unit", "火星区"]).exit_code == 2


def test_file_screen_on_spark_equals_the_default_engine(tmp_path, data_file):
    outs = {}
    for engine in ("duckdb", "spark"):
        out = tmp_path / f"{engine}.parquet"
        result = runner.invoke(app, ["screen", str(data_file), "--on", "2025-06-30", "--engine", engine, "-o", str(out)])
        assert result.exit_code == 0, result.output
        outs[engine] = pl.read_parquet(out)
    assert outs["spark"].equals(outs["duckdb"])
