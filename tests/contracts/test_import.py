"""Contract files: all or nothing, idempotent by registration number, in place, scoped, round trip."""

import datetime as dt

import polars as pl
import pytest

from keqi.accounts.scope import SYSTEM, scope_for
from keqi.contracts import exporting, flows, services
from keqi.contracts.columns import COLUMNS, header
from keqi.contracts.models import TechContract
from keqi.registry import flows as registry_flows
from keqi.registry.workbook import fields_to_display

from .helpers import contract_rows, write_contracts
from support import report_rows, write_file

pytestmark = pytest.mark.django_db


def state():
    return (TechContract.objects.count(), TechContract.history.count())


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_import_creates_then_reimport_changes_nothing(tmp_path, suffix):
    path = write_contracts(tmp_path / f"c.{suffix}", contract_rows(5))
    first = flows.run_import(path=path, scope=SYSTEM)
    assert first.applied and first.errors == [] and state() == (5, 5)
    again = flows.run_import(path=path, scope=SYSTEM)
    assert again.summary()["unchanged"] == 5 and again.summary()["created"] == 0
    assert state() == (5, 5)  # no row and no history entry added


def test_money_in_wan_is_stored_exactly_in_yuan(tmp_path):
    rows = contract_rows(1).with_columns(pl.lit(12_345_678).alias("contract_amount"),
                                         pl.lit(10_000_001).alias("technical_amount"))
    flows.run_import(path=write_contracts(tmp_path / "c.xlsx", rows), scope=SYSTEM)
    c = TechContract.objects.get()
    assert (c.contract_amount, c.technical_amount, c.non_technical_amount) == (12_345_678, 10_000_001, 2_345_677)


def test_a_corrected_file_updates_in_place_and_keeps_the_old_value_in_history(tmp_path):
    rows = contract_rows(3)
    flows.run_import(path=write_contracts(tmp_path / "a.xlsx", rows), scope=SYSTEM)
    fixed = rows.with_columns(pl.when(pl.col("number") == rows["number"][1]).then(pl.lit("更正后的合同名称"))
                              .otherwise(pl.col("title")).alias("title"))
    result = flows.run_import(path=write_contracts(tmp_path / "b.xlsx", fixed), scope=SYSTEM)
    assert result.summary()["updated"] == 1 and result.summary()["unchanged"] == 2
    c = TechContract.objects.get(number=rows["number"][1])
    assert c.title == "更正后的合同名称"
    assert [h.title for h in c.history.order_by("history_date")] == ["测试技术合同1", "更正后的合同名称"]
    assert c.history.latest().history_change_reason == "导入 b.xlsx"


def test_one_bad_row_changes_nothing_and_every_error_names_row_column_value_reason(tmp_path):
    display = fields_to_display(contract_rows(4), COLUMNS).with_columns(
        pl.when(pl.int_range(pl.len()) == 2).then(pl.lit("技术咨询")).otherwise(pl.col("合同类别")).alias("合同类别"),
        pl.when(pl.int_range(pl.len()) == 3).then(pl.lit("12.345678")).otherwise(
            pl.col("合同成交额（万元）").cast(pl.String)).alias("合同成交额（万元）"),
    )
    result = flows.run_import(path=write_contracts(tmp_path / "bad.xlsx", display, raw=True), scope=SYSTEM)
    assert not result.applied and state() == (0, 0)
    by_row = {(e.row, e.column): e for e in result.errors}
    pair = by_row[(4, "合同子类")]  # row 4 = third data row; 专利实施许可 is no 技术咨询 sub-kind
    assert pair.value == "专利实施许可（独占）" and "不是技术咨询合同的子类" in pair.reason
    money = by_row[(5, "合同成交额（万元）")]
    assert money.value == "12.345678" and money.reason == "最多保留4位小数（精确到1元）"
    assert str(pair).startswith("[技术合同] 第4行 “合同子类”列")


def test_technical_amount_above_turnover_and_late_dates_are_refused(tmp_path):
    rows = contract_rows(2).with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.col("contract_amount") + 1)
        .otherwise(pl.col("technical_amount")).alias("technical_amount"),
        pl.when(pl.int_range(pl.len()) == 1).then(pl.lit(dt.date(2099, 1, 1)))
        .otherwise(pl.col("registered_on")).alias("registered_on"),
    )
    result = flows.run_import(path=write_contracts(tmp_path / "c.xlsx", rows), scope=SYSTEM)
    reasons = {(e.row, e.column): e.reason for e in result.errors}
    assert reasons[(2, header("technical_amount"))] == "技术交易额大于合同成交额"
    assert reasons[(3, header("registered_on"))] == "登记日期晚于今天"
    assert state() == (0, 0)


def test_a_number_twice_in_a_file_is_an_error(tmp_path):
    rows = contract_rows(2).with_columns(pl.lit("2024-XYZ-1").alias("number"))
    result = flows.run_import(path=write_contracts(tmp_path / "c.xlsx", rows), scope=SYSTEM)
    assert [e.reason for e in result.errors] == ["合同登记号与第2行重复"]


def test_text_longer_than_its_column_is_an_error_not_a_crash(tmp_path):
    rows = contract_rows(2).with_columns(pl.Series("title", ["题" * 200, "题" * 201]))
    result = flows.run_import(path=write_contracts(tmp_path / "c.xlsx", rows), scope=SYSTEM)
    assert [(e.row, e.column, e.reason) for e in result.errors] == [(3, "合同名称", "超过200个字符")]
    assert state() == (0, 0)


def test_a_registrar_registers_only_for_its_own_unit(tmp_path, registrar, nanan_registrar):
    own = contract_rows(2, unit="渝北区")
    assert flows.run_import(path=write_contracts(tmp_path / "a.xlsx", own), scope=scope_for(registrar)).applied
    other = contract_rows(2, unit="南岸区", seed=9)
    refused = flows.run_import(path=write_contracts(tmp_path / "b.xlsx", other), scope=scope_for(registrar))
    assert not refused.applied and {e.reason for e in refused.errors} == {"您只能登记本机构所在区县（渝北区）的合同"}
    # Nor can another unit's registrar change a contract by moving it to its own unit.
    moved = own.with_columns(pl.lit("南岸区").alias("unit"))
    stolen = flows.run_import(path=write_contracts(tmp_path / "c.xlsx", moved), scope=scope_for(nanan_registrar))
    assert not stolen.applied and all("已由渝北区登记" in e.reason for e in stolen.errors)
    assert set(TechContract.objects.values_list("reporting_unit__name", flat=True)) == {"渝北区"}


@pytest.mark.parametrize("user", ["yubei_officer", "bank_officer"])
def test_roles_that_cannot_register_cannot_import(tmp_path, request, user):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        flows.run_import(path=write_contracts(tmp_path / "a.xlsx", contract_rows(1)),
                         scope=scope_for(request.getfixturevalue(user)))


def test_a_dry_run_writes_nothing(tmp_path):
    result = flows.run_import(path=write_contracts(tmp_path / "a.xlsx", contract_rows(3)), scope=SYSTEM,
                              dry_run=True)
    assert result.summary()["created"] == 3 and not result.applied and state() == (0, 0)


def test_parties_in_the_registry_are_linked(tmp_path):
    firms = report_rows(1, years=(2024,))
    registry_flows.run_import(path=write_file(tmp_path / "f.xlsx", firms), scope=SYSTEM)
    rows = contract_rows(2).with_columns(pl.lit(firms["uscc"][0]).alias("seller_uscc"))
    flows.run_import(path=write_contracts(tmp_path / "c.xlsx", rows), scope=SYSTEM)
    linked = TechContract.objects.filter(seller__uscc=firms["uscc"][0])
    assert linked.count() == 2 and not TechContract.objects.filter(buyer__isnull=False).exists()


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_export_then_import_is_a_no_op(tmp_path, suffix):
    rows = contract_rows(6).with_columns(pl.lit("=HYPERLINK(\"x\")").alias("title"))  # formula-like text survives
    flows.run_import(path=write_contracts(tmp_path / "a.xlsx", rows), scope=SYSTEM)
    before = state()
    frame = services.export_frame(scope=SYSTEM, queryset=services.contracts(scope=SYSTEM))
    out = exporting.write_export(tmp_path / f"out.{suffix}", frame)
    result = flows.run_import(path=out, scope=SYSTEM)
    assert result.errors == [] and result.summary()["unchanged"] == 6
    assert state() == before
    assert set(TechContract.objects.values_list("title", flat=True)) == {"=HYPERLINK(\"x\")"}


def test_the_template_reads_back_as_an_empty_file_with_every_header(tmp_path):
    from keqi.registry.reading import read_tables

    raw = read_tables(exporting.write_template(tmp_path / "t.xlsx")).reports
    assert raw.columns == [c.header for c in COLUMNS] and raw.height == 0
