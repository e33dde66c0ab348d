"""The import's cross-row rules and what a file without the optional columns leaves alone."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from keqi.accounts.scope import SYSTEM
from keqi.contracts import flows, services
from keqi.contracts.columns import COLUMNS, header
from keqi.contracts.models import TechContract

from .helpers import contract_rows, write_contracts

pytestmark = pytest.mark.django_db


def run(tmp_path, rows, name="c.xlsx", **kwargs):
    return flows.run_import(path=write_contracts(tmp_path / name, rows), scope=SYSTEM, **kwargs)


def test_a_number_three_times_names_the_first_row_at_each_repeat(tmp_path):
    rows = contract_rows(4).with_columns(pl.Series("number", ["N-1", "N-2", "N-1", "N-1"]))
    result = run(tmp_path, rows)
    assert [(e.row, e.column, e.value, e.reason) for e in result.errors] == [
        (4, "合同登记号", "N-1", "合同登记号与第2行重复"), (5, "合同登记号", "N-1", "合同登记号与第2行重复")]
    assert TechContract.objects.count() == 0


def test_errors_are_listed_row_by_row_then_column_by_column(tmp_path):
    rows = contract_rows(3).with_columns(
        pl.Series("number", ["N-1", "N-2", "N-1"]),
        pl.Series("technical_amount", [10, 2_000_000_000, 10]),  # row 3: above its contract amount
        pl.col("seller_uscc").alias("buyer_uscc"),
    )
    result = run(tmp_path, rows)
    seen = [(e.row, e.column, e.reason) for e in result.errors]
    assert seen == sorted(seen, key=lambda x: (x[0], x[1]))
    assert seen == [
        (2, "买方统一社会信用代码", "买方与卖方是同一单位"),
        (3, "买方统一社会信用代码", "买方与卖方是同一单位"),
        (3, "技术交易额（万元）", "技术交易额大于合同成交额"),
        (4, "买方统一社会信用代码", "买方与卖方是同一单位"),
        (4, "合同登记号", "合同登记号与第2行重复"),
    ]
    assert result.errors[2].value == "200000"  # the cell as typed, in 万元


def test_a_blank_cell_is_reported_once_not_again_by_the_rules(tmp_path):
    rows = contract_rows(2).with_columns(
        pl.when(pl.int_range(pl.len()) == 1).then(None).otherwise(pl.col("seller_uscc")).alias("seller_uscc"))
    result = run(tmp_path, rows)
    assert [(e.row, e.column) for e in result.errors] == [(3, "卖方统一社会信用代码")]


def test_an_empty_file_registers_nothing_and_reports_nothing(tmp_path):
    result = run(tmp_path, contract_rows(2).head(0))
    assert result.errors == [] and result.summary() == {"applied": True, "rows": 0, "errors": 0, "created": 0, "updated": 0,
                                                        "unchanged": 0}
    assert TechContract.objects.count() == 0


def without_optional_columns(rows: pl.DataFrame) -> pl.DataFrame:
    from keqi.registry.workbook import fields_to_display

    shown = fields_to_display(rows, COLUMNS)
    return shown.drop(header("hitech_field"), header("status"))


def test_a_file_without_field_and_status_leaves_them_as_they_are(tmp_path):
    rows = contract_rows(2).with_columns(pl.Series("hitech_field", ["新材料", "电子信息"]),
                                         pl.Series("status", ["已撤销", "已登记"]))
    assert run(tmp_path, rows).applied
    again = without_optional_columns(rows.with_columns(pl.lit("改过的名称").alias("title")))
    result = flows.run_import(path=write_contracts(tmp_path / "b.xlsx", again, raw=True), scope=SYSTEM)
    assert result.applied and result.summary()["updated"] == 2
    stored = {c.number: (c.title, c.hitech_field, c.status) for c in TechContract.objects.all()}
    assert stored == {rows["number"][0]: ("改过的名称", "新材料", "已撤销"),
                      rows["number"][1]: ("改过的名称", "电子信息", "已登记")}
    # only the title was written: the history of the second import records no other change
    c = TechContract.objects.get(number=rows["number"][0])
    new, old = c.history.order_by("-history_date")[:2]
    assert [d.field for d in new.diff_against(old).changes] == ["title"]


def test_new_contracts_from_such_a_file_are_registered_without_a_field(tmp_path):
    shown = without_optional_columns(contract_rows(2))
    assert flows.run_import(path=write_contracts(tmp_path / "a.xlsx", shown, raw=True), scope=SYSTEM).applied
    assert set(TechContract.objects.values_list("status", "hitech_field")) == {("已登记", "")}


def test_a_blank_status_means_registered(tmp_path):
    rows = contract_rows(2).with_columns(pl.Series("status", [None, "未予登记"]).cast(pl.String))
    assert run(tmp_path, rows).applied
    assert dict(TechContract.objects.values_list("number", "status")) == {rows["number"][0]: "已登记",
                                                                         rows["number"][1]: "未予登记"}
    # and a blank status over a contract not registered registers it
    back = rows.with_columns(pl.lit(None).cast(pl.String).alias("status"))
    assert run(tmp_path, back, "b.xlsx").summary()["updated"] == 1
    assert set(TechContract.objects.values_list("status", flat=True)) == {"已登记"}


def test_a_plan_with_errors_cannot_be_applied(tmp_path):
    plan = services.ContractPlan(errors=[object()])
    with pytest.raises(ValueError, match="a plan with errors cannot be applied"):
        services.apply_plan(plan=plan)


def test_a_summary_counts_created_changed_and_unchanged(tmp_path):
    rows = contract_rows(4)
    assert run(tmp_path, rows.head(3)).summary() == {"applied": True, "rows": 3, "errors": 0, "created": 3, "updated": 0,
                                                      "unchanged": 0}
    fixed = rows.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("更正")).otherwise(pl.col("title"))
                              .alias("title"))
    assert run(tmp_path, fixed, "b.xlsx").summary() == {"applied": True, "rows": 4, "errors": 0, "created": 1, "updated": 1,
                                                         "unchanged": 2}


def test_long_text_is_named_with_its_limit():
    assert services.length_faults({"number": "9" * 64, "title": "题" * 200}) == {}
    assert services.length_faults({"number": "9" * 65, "title": "题" * 201, "seller_name": "卖" * 201,
                                   "buyer_name": None}) == {
        "number": "不能超过64个字符", "title": "不能超过200个字符", "seller_name": "不能超过200个字符"}


def test_a_plan_applied_without_a_reason_records_none(tmp_path):
    from keqi.contracts.columns import SHEET
    from keqi.registry.parsing import parse_sheet
    from keqi.registry.reading import read_tables
    from keqi.registry.services import unit_lookup

    raw = read_tables(write_contracts(tmp_path / "c.xlsx", contract_rows(2)))
    parsed = parse_sheet(raw.reports, COLUMNS, SHEET, unit_lookup())
    plan = services.plan_import(scope=SYSTEM, parsed=parsed)
    services.apply_plan(plan=plan)
    assert [h.history_change_reason for h in TechContract.history.all()] == [None, None]


def test_a_row_registered_before_it_was_signed_is_refused_with_the_signing_day(tmp_path):
    rows = contract_rows(2).with_columns(
        pl.Series("signed_on", [dt.date(2024, 3, 5), dt.date(2024, 12, 31)]),
        pl.Series("registered_on", [dt.date(2024, 3, 5), dt.date(2024, 12, 30)]))
    result = run(tmp_path, rows)
    assert [(e.row, e.column, e.reason) for e in result.errors] == [
        (3, "登记日期", "登记日期早于签订日期（2024-12-31）")]
    assert TechContract.objects.count() == 0


def test_a_blank_cell_does_not_hide_the_rows_other_faults(tmp_path):
    rows = contract_rows(1).with_columns(pl.lit(None).cast(pl.String).alias("seller_uscc"),
                                         (pl.col("contract_amount") + 1).alias("technical_amount"))
    result = run(tmp_path, rows)
    assert [(e.row, e.column) for e in result.errors] == [(2, "卖方统一社会信用代码"), (2, "技术交易额（万元）")]
    assert result.errors[1].reason == "技术交易额大于合同成交额"


def test_a_repeated_number_is_reported_on_the_contract_sheet(tmp_path):
    rows = contract_rows(2).with_columns(pl.lit("N-7").alias("number"))
    (error,) = run(tmp_path, rows).errors
    assert str(error).startswith("[技术合同] 第3行 “合同登记号”列")
