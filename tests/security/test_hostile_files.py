"""Hostile files (tests/hostile.py makes them) through every door a spreadsheet comes in: the registry
import (CLI, web upload), the contracts import (CLI, web upload), the reported values' sheet and
``keqi screen FILE``. Each is refused with one Chinese message, and nothing changes.

The limits are lowered (as an operator would with ``KEQI_MAX_*``) so that the files stay small.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from typer.testing import CliRunner

from keqi.accounts.scope import SYSTEM
from keqi.cli.main import app
from keqi.contracts import flows as contract_flows
from keqi.contracts.columns import COLUMNS as CONTRACT_COLUMNS
from keqi.contracts.models import TechContract as Contract
from keqi.registry import flows
from keqi.registry.columns import REPORT_COLUMNS
from keqi.registry.models import AnnualReport, Enterprise, ImportBatch
from keqi.registry.reading import FORMULA_REASON, read_tables
from keqi.screening.files import screen_file
from keqi.targets import reported
from keqi.targets.models import IndicatorValue

import hostile
from contracts.helpers import contract_rows, write_contracts
from support import report_rows, write_file

pytestmark = pytest.mark.django_db
runner = CliRunner()
DAY = dt.date(2025, 6, 30)

LIMITS = dict(KEQI_MAX_UPLOAD_BYTES=4 * 1024 * 1024, KEQI_MAX_ROWS=50, KEQI_MAX_COLUMNS=100,
              KEQI_MAX_CELLS=20_000, KEQI_MAX_CELL_CHARS=2_000, KEQI_MAX_UNPACKED_BYTES=8 * 1024 * 1024,
              KEQI_MAX_ZIP_RATIO=200, KEQI_MAX_ZIP_ENTRIES=50)
REGISTRY = [c.header for c in REPORT_COLUMNS]
CONTRACTS = [c.header for c in CONTRACT_COLUMNS]
VALUES = list(reported.VALUE_HEADERS.values())

# (name, maker(path, header) → file, what the message says)
XLSX = [
    ("declared area A1:XFD1048576, a cell there", hostile.declared_everything, "声明的数据区域 A1:XFD1048576"),
    ("a cell at XFD1048576", hostile.far_cell, "超过上限 50 行"),
    ("a far cell behind quotes and a '>'", hostile.far_cell_hidden, "超过上限 50 行"),
    ("a row of 300 cells without positions", lambda p, h: hostile.positionless_wide_row(p, h, 300), "超过上限 100 列"),
    ("60 rows", lambda p, h: hostile.many_rows(p, h, 60), "行数据，超过上限 50 行"),
    ("200 extra columns", lambda p, h: hostile.many_columns(p, h, 200), "超过上限 100 列"),
    ("a cell of 5,000 characters", lambda p, h: hostile.enormous_cell(p, h, 5_000), "超过 2,000 个字符"),
    ("a cell of 200,000 characters", lambda p, h: hostile.enormous_cell(p, h, 200_000), "超过 2,000 个字符"),
    ("a shared string of 200,000 characters", lambda p, h: hostile.enormous_cell(p, h, 200_000, shared=True),
     "超过 2,000 个字符"),
    ("a shared string of 1,900 characters shown by 2,000 cells",
     lambda p, h: hostile.shared_string_everywhere(p, h, 1_900, 50, 40), "的单元格中文字"),
    ("12 MB of one letter packed in KB", lambda p, h: hostile.compressed_cell(p, h, 12), "文件结构异常"),
    ("60 parts", lambda p, h: hostile.many_parts(p, h, 60), "个部件，上限 50 个"),
    ("not a zip", lambda p, h: hostile.not_a_zip(p), "不是有效的 Excel 工作簿"),
    ("5 MB", lambda p, h: hostile.oversized(p, 5 * 1024 * 1024), "文件过大（5.0 MB），上限为 4.0 MB"),
]
CSV = [
    ("a line of 50,000 characters", lambda p, h: hostile.csv_huge_line(p, h, 50_000), "超过 2,000 个字符"),
    ("60 rows", lambda p, h: hostile.csv_many_rows(p, h, 60), "超过上限 50 行"),
    ("a quoted cell of 50,000 characters with commas and line breaks",
     lambda p, h: hostile.csv_huge_quoted_cell(p, h, 50_000), "超过 2,000 个字符"),
    ("200 extra columns", lambda p, h: hostile.csv_many_columns(p, h, 200), "超过上限 100 列"),
]
PARQUET = [
    ("60 rows", lambda p, h: hostile.parquet_many_rows(p, h, 60), "超过上限 50 行"),
    ("200 extra columns", lambda p, h: hostile.parquet_many_columns(p, h, 200), "超过上限 100 列"),
    ("12 MB of one letter", lambda p, h: hostile.parquet_compressed_cell(p, h, 12), "解压后"),
]
CASES = ([pytest.param(".xlsx", *c[1:], id="xlsx: " + c[0]) for c in XLSX]
         + [pytest.param(".csv", *c[1:], id="csv: " + c[0]) for c in CSV]
         + [pytest.param(".parquet", *c[1:], id="parquet: " + c[0]) for c in PARQUET])


@pytest.fixture(autouse=True)
def _low_limits():
    with override_settings(**LIMITS):
        yield


def chinese(message: str) -> None:
    """One message, in Chinese, with no English from a library."""
    assert re.search(r"[\u4e00-\u9fff]", message), message
    words = set(re.findall(r"[A-Za-z]{3,}", message)) - {"Excel", "WPS", "xlsx", "CSV", "Parquet", "XFD", "csv"}
    assert not words, message
    assert "\n" not in message.strip()


def nothing_changed() -> None:
    assert (Enterprise.objects.count(), AnnualReport.objects.count(), Contract.objects.count(),
            IndicatorValue.objects.count()) == (0, 0, 0, 0)


def the_file(tmp_path: Path, suffix: str, maker, header) -> Path:
    return maker(tmp_path / f"hostile{suffix}", header)


# ------------------------------------------------------------------ every door


@pytest.mark.parametrize(("suffix", "maker", "says"), CASES)
def test_registry_import_refuses(tmp_path, suffix, maker, says):
    path = the_file(tmp_path, suffix, maker, REGISTRY)
    result = flows.run_import(path=path, scope=SYSTEM)
    assert not result.applied and len(result.errors) == 1
    chinese(result.errors[0].reason)
    assert says in result.errors[0].reason
    nothing_changed()


@pytest.mark.parametrize(("suffix", "maker", "says"), CASES)
def test_keqi_import_refuses(tmp_path, suffix, maker, says):
    path = the_file(tmp_path, suffix, maker, REGISTRY)
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code != 0 and says in result.output and "Traceback" not in result.output
    nothing_changed()


@pytest.mark.parametrize(("suffix", "maker", "says"), CASES)
def test_contracts_import_refuses(tmp_path, suffix, maker, says):
    path = the_file(tmp_path, suffix, maker, CONTRACTS)
    result = contract_flows.run_import(path=path, scope=SYSTEM)
    assert not result.applied and len(result.errors) == 1
    chinese(result.errors[0].reason)
    assert says in result.errors[0].reason
    cli = runner.invoke(app, ["contracts", "import", str(path)])
    assert cli.exit_code != 0 and says in cli.output and "Traceback" not in cli.output
    nothing_changed()


@pytest.mark.parametrize(("name", "maker", "says"), [pytest.param(*c, id=c[0]) for c in XLSX])
def test_reported_values_refuse(tmp_path, name, maker, says):
    path = maker(tmp_path / "values.xlsx", VALUES)
    if path.exists() and path.read_bytes()[:2] == b"PK" and "not a zip" not in name:
        _rename_sheet(path, reported.VALUE_SHEET)
    n, errors = reported.import_values(scope=SYSTEM, user=None, path=path)
    assert n == 0 and len(errors) == 1
    chinese(errors[0].reason)
    assert says in errors[0].reason
    nothing_changed()


@pytest.mark.parametrize(("suffix", "maker", "says"), CASES)
def test_keqi_screen_file_refuses(tmp_path, suffix, maker, says):
    path = the_file(tmp_path, suffix, maker, REGISTRY)
    frame, errors = screen_file(path, assess_on=DAY)
    assert frame is None and len(errors) == 1 and says in errors[0].reason
    out = tmp_path / "out.xlsx"
    cli = runner.invoke(app, ["screen", str(path), "-o", str(out)])
    assert cli.exit_code != 0 and says in cli.output and "Traceback" not in cli.output
    assert not out.exists()


@pytest.mark.parametrize(("name", "maker", "says"), [pytest.param(*c, id=c[0]) for c in XLSX[:6]])
def test_web_uploads_refuse(tmp_path, client_for, yubei_officer, registrar, name, maker, says,
                            django_capture_on_commit_callbacks):
    path = maker(tmp_path / "hostile.xlsx", REGISTRY)
    c = client_for(yubei_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("registry:import_upload"), {"file": SimpleUploadedFile("h.xlsx", path.read_bytes())})
    batch = ImportBatch.objects.get()
    assert batch.status == "invalid"
    page = c.get(response["Location"]).content.decode()
    assert says in page
    path = maker(tmp_path / "hostile-contracts.xlsx", CONTRACTS)
    c = client_for(registrar)
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("contracts:import_upload"), {"file": SimpleUploadedFile("h.xlsx", path.read_bytes())})
    assert response.status_code in (200, 302)
    page = c.get(response["Location"]).content.decode() if response.status_code == 302 else response.content.decode()
    assert says in page
    nothing_changed()


def _rename_sheet(path: Path, name: str) -> None:
    import zipfile

    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/workbook.xml":
                data = data.replace("企业年报".encode(), name.encode())
            dst.writestr(info.filename, data)
    tmp.replace(path)


# ------------------------------------------------------------------ formulas without a saved value


def test_a_formula_without_its_value_is_a_row_error_that_says_how_to_fix_it(tmp_path):
    path = write_file(tmp_path / "f.xlsx", report_rows(2))
    hostile.with_formula(path, "I3")  # 职工总数 of the second data row
    raw = read_tables(path)
    assert [(e.row, e.column, e.reason) for e in raw.formula_errors] == [(3, "职工总数", FORMULA_REASON)]
    assert "选择性粘贴为数值" in FORMULA_REASON and "保存后再上传" in FORMULA_REASON
    result = flows.run_import(path=path, scope=SYSTEM)
    assert not result.applied and FORMULA_REASON in [e.reason for e in result.errors]
    frame, errors = screen_file(path, assess_on=DAY)
    assert frame is None and FORMULA_REASON in [e.reason for e in errors]
    nothing_changed()


def test_a_formula_with_its_saved_value_is_read_as_the_value(tmp_path):
    path = hostile.xlsx(tmp_path / "v.xlsx", hostile.sheet_xml(
        hostile.rows_xml([["a", "b"]]) + '<row r="2"><c r="A2"><f>1+2</f><v>3</v></c><c r="B2"><v>4</v></c></row>'))
    raw = read_tables(path)
    assert raw.formula_errors == [] and raw.reports.row(0) == ("3", "4")


def test_contracts_and_reported_values_report_formulas_too(tmp_path):
    path = write_contracts(tmp_path / "c.xlsx", contract_rows(2))
    hostile.with_formula(path, "B2")
    result = contract_flows.run_import(path=path, scope=SYSTEM)
    assert not result.applied and [e.row for e in result.errors if e.reason == FORMULA_REASON] == [2]
    values = tmp_path / "v.xlsx"
    reported.write_values_template(path=values)
    hostile.with_formula(values, "E2")
    n, errors = reported.import_values(scope=SYSTEM, user=None, path=values)
    assert n == 0 and [(e.row, e.column, e.reason) for e in errors] == [(2, "数值", FORMULA_REASON)]
    nothing_changed()


def test_files_within_the_limits_still_import(tmp_path):
    """The limits refuse nothing a district sends: 50 rows of every column, as xlsx, csv and parquet."""
    rows = report_rows(25)  # 2 years each: 50 rows
    for suffix in (".xlsx", ".csv", ".parquet"):
        path = write_file(tmp_path / f"ok{suffix}", rows)
        result = flows.run_import(path=path, scope=SYSTEM, dry_run=True)
        assert result.errors == [], (suffix, result.errors[:3])
    assert contract_flows.run_import(path=write_contracts(tmp_path / "c.xlsx", contract_rows(3)),
                                     scope=SYSTEM, dry_run=True).errors == []


# ------------------------------------------------------------------ a flat Parquet file (streamed, rows unbounded)


def test_keqi_screen_refuses_a_flat_parquet_file_too_wide_or_with_a_huge_row_group(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from tests.policy.population import random_flat_table

    table = random_flat_table(3, seed=5)
    wide = table
    for i in range(101 - table.num_columns + 1):
        wide = wide.append_column(f"extra{i}", pa.array(["x"] * 3))
    with override_settings(KEQI_MAX_COLUMNS=101):
        pq.write_table(wide, tmp_path / "wide.parquet")
        out = tmp_path / "out.parquet"
        cli = runner.invoke(app, ["screen", str(tmp_path / "wide.parquet"), "--on", "2025-06-30", "-o", str(out)])
        assert cli.exit_code == 1 and "超过上限 101 列" in cli.output and not out.exists()
    big = table.append_column("note", pa.array([str(i) * (4 * 1024 * 1024) for i in range(3)]))
    pq.write_table(big, tmp_path / "big.parquet", compression="zstd")
    with override_settings(KEQI_MAX_COLUMNS=200):  # the flat table's 111 columns and the note
        cli = runner.invoke(app, ["screen", str(tmp_path / "big.parquet"), "--on", "2025-06-30", "-o", str(out)])
    assert cli.exit_code == 1 and "行组解压后" in cli.output and not out.exists()
    chinese(cli.output.strip().removeprefix("错误："))
