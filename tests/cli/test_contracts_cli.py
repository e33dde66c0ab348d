"""The contract verbs (registered on a bare app here; the lead wires them into ``keqi``)."""

import pytest
import typer
from typer.testing import CliRunner

from keqi.cli import contracts as contracts_cli
from keqi.contracts.models import TechContract

from contracts.helpers import contract_rows, write_contracts

runner = CliRunner()
app = typer.Typer()
contracts_cli.register(app)


@app.callback()
def _root() -> None:
    """A bare root so that the group keeps its name."""


@pytest.mark.django_db
def test_import_dry_run_then_import_then_export_and_turnover(tmp_path):
    rows = contract_rows(3)
    path = write_contracts(tmp_path / "c.xlsx", rows)
    dry = runner.invoke(app, ["contracts", "import", "--dry-run", str(path)])
    assert dry.exit_code == 0 and "将新增 3" in dry.output and TechContract.objects.count() == 0
    assert runner.invoke(app, ["contracts", "import", str(path)]).exit_code == 0
    assert TechContract.objects.count() == 3
    out = tmp_path / "e.xlsx"
    assert runner.invoke(app, ["contracts", "export", "-o", str(out)]).exit_code == 0
    again = runner.invoke(app, ["contracts", "import", str(out)])
    assert again.exit_code == 0 and "未变 3" in again.output
    shown = runner.invoke(app, ["contracts", "turnover", "--year", "2024", "--by", "category"])
    assert shown.exit_code == 0 and "技术开发" in shown.output


@pytest.mark.django_db
def test_a_bad_file_exits_1_and_names_the_cell(tmp_path):
    rows = contract_rows(1).with_columns(technical_amount=rows_total_plus_one())
    result = runner.invoke(app, ["contracts", "import", str(write_contracts(tmp_path / "c.csv", rows))])
    assert result.exit_code == 1 and "技术交易额大于合同成交额" in result.output


def rows_total_plus_one():
    import polars as pl

    return pl.col("contract_amount") + 1


def test_template_is_written(tmp_path):
    out = tmp_path / "t.xlsx"
    assert runner.invoke(app, ["contracts", "template", "-o", str(out)]).exit_code == 0 and out.stat().st_size
