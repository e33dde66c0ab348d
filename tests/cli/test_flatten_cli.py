"""keqi flatten: the flat rows of a file in the import format, which keqi screen reads on its fast path."""

import polars as pl
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from keqi.cli.main import app
from keqi.policy import editions
from keqi.screening.exporting import VERDICT_LABELS
from keqi.screening.services import editions_on

from support import qualification_rows, report_rows, write_file

runner = CliRunner()
pytestmark = pytest.mark.django_db
ON = "2025-06-30"


@pytest.fixture
def data_file(tmp_path):
    rows = report_rows(6, years=(2022, 2023, 2024), seed=47)
    return write_file(tmp_path / "firms.xlsx", rows, qualification_rows(rows).head(2))


def test_the_flat_file_screens_as_the_file_itself(tmp_path, data_file):
    flat = tmp_path / "flat.parquet"
    result = runner.invoke(app, ["flatten", str(data_file), "--on", ON, "-o", str(flat)])
    assert result.exit_code == 0, result.output
    assert "6 家企业" in result.output
    assert pq.read_schema(flat).names[:3] == ["uscc", "name", "district_code"]
    assert "qualifications" in pq.read_schema(flat).names  # the 资质 sheet's kinds held on the day

    assert runner.invoke(app, ["screen", str(flat), "--on", ON, "-o", str(tmp_path / "fast.parquet")]).exit_code == 0
    assert runner.invoke(app, ["screen", str(data_file), "--on", ON, "-o", str(tmp_path / "file.parquet")]).exit_code == 0
    fast = pl.read_parquet(tmp_path / "fast.parquet")
    from_file = pl.read_parquet(tmp_path / "file.parquet")
    assert fast["uscc"].to_list() == from_file["统一社会信用代码"].to_list()
    for e in editions_on(__import__("datetime").date.fromisoformat(ON)):
        labels = [VERDICT_LABELS[v] for v in fast[f"{e}·verdict"].cast(pl.String).to_list()]
        assert labels == from_file[f"{editions.get(e).title}·结论"].to_list(), e
    assert fast["current_tier"].cast(pl.String).to_list().count("hnte") == 2


@pytest.mark.parametrize(("args", "message"), [
    (["missing.xlsx", "-o", "flat.parquet"], "文件不存在"),
    (["FILE", "-o", "flat.csv"], "只能写入 .parquet 文件"),
    (["FILE", "-o", "flat.parquet", "--on", "30/06/2025"], "日期格式应为 YYYY-MM-DD"),
])
def test_refusals_are_one_chinese_line_and_write_nothing(tmp_path, data_file, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["flatten", *(str(data_file) if a == "FILE" else a for a in args)])
    assert result.exit_code == 2 and message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not list(tmp_path.glob("flat*"))


def test_a_bad_cell_is_reported_by_row_and_column_and_nothing_written(tmp_path):
    rows = report_rows(2).with_columns(tech_staff=pl.lit(10_000))
    source = write_file(tmp_path / "bad.csv", rows)
    result = runner.invoke(app, ["flatten", str(source), "-o", str(tmp_path / "flat.parquet")])
    assert result.exit_code == 1 and "大于职工总数" in result.output
    assert not (tmp_path / "flat.parquet").exists()
