"""The keqi verbs exit 0 only on full success."""

import pytest
from typer.testing import CliRunner

from keqi.cli.main import app
from keqi.registry.models import AnnualReport

from support import report_rows, write_file

runner = CliRunner()


def test_uscc_exit_status_and_messages():
    ok = runner.invoke(app, ["uscc", "91500000202833449G"])
    assert ok.exit_code == 0 and "✓" in ok.output
    bad = runner.invoke(app, ["uscc", "91500000202833449G", "915000002032881838"])
    assert bad.exit_code == 1 and "应为“J”" in bad.output


def test_template_is_written(tmp_path):
    out = tmp_path / "t.xlsx"
    assert runner.invoke(app, ["template", "-o", str(out)]).exit_code == 0
    assert out.stat().st_size > 0


@pytest.mark.django_db
def test_import_dry_run_import_and_export(tmp_path):
    path = write_file(tmp_path / "f.csv", report_rows(2))
    dry = runner.invoke(app, ["import", "--dry-run", str(path)])
    assert dry.exit_code == 0 and "试运行" in dry.output
    assert AnnualReport.objects.count() == 0
    done = runner.invoke(app, ["import", str(path)])
    assert done.exit_code == 0 and AnnualReport.objects.count() == 4
    out = tmp_path / "e.xlsx"
    exported = runner.invoke(app, ["export", "-o", str(out), "--unit", "渝北区"])
    assert exported.exit_code == 0 and "4 行" in exported.output


@pytest.mark.django_db
def test_import_of_a_bad_file_exits_1_and_lists_the_error(tmp_path):
    rows = report_rows(1).with_columns(tech_staff=report_rows(1)["staff_total"] + 1)
    result = runner.invoke(app, ["import", str(write_file(tmp_path / "bad.xlsx", rows))])
    assert result.exit_code == 1
    assert "大于职工总数" in result.output
    assert AnnualReport.objects.count() == 0


@pytest.mark.django_db
def test_import_as_an_officer_of_another_district_is_refused(tmp_path, nanan_officer):
    result = runner.invoke(app, ["import", "--as", "nanan", str(write_file(tmp_path / "f.xlsx", report_rows(1)))])
    assert result.exit_code == 1 and "只能导入本区县" in result.output
