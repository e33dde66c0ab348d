"""Cell-level checks of the importer: each column kind, its edges and the reasons users read."""

import datetime as dt

import polars as pl
import pytest

from keqi.registry.columns import REPORT_COLUMNS, REPORT_SHEET
from keqi.registry.parsing import check_reports, parse_sheet

from support import display, header, report_rows

UNITS = {"渝北区": 12, "500112": 12, "两江新区": 40}
TODAY = dt.date(2026, 11, 27)


def parse(df: pl.DataFrame):
    parsed = parse_sheet(df.cast(pl.String), REPORT_COLUMNS, REPORT_SHEET, UNITS)
    check_reports(parsed, TODAY)
    return parsed


def one_row(**overrides) -> pl.DataFrame:
    df = display(report_rows(1, years=(2024,))).cast(pl.String)
    return df.with_columns(pl.lit(v, dtype=pl.String).alias(header(k)) for k, v in overrides.items())


def reasons(parsed, field):
    return [e.reason for e in parsed.errors if e.column == header(field)]


def test_valid_row_parses_without_errors():
    parsed = parse(one_row())
    assert parsed.errors == []
    assert parsed.data["district"].to_list() == [12]


@pytest.mark.parametrize(
    ("text", "yuan"),
    [("1234.5678", 12_345_678), ("0.0001", 1), ("5000", 50_000_000), ("1,234.5", 12_345_000), ("12.", 120_000)],
)
def test_money_in_wan_becomes_exact_integer_yuan(text, yuan):
    parsed = parse(one_row(revenue=text))
    assert parsed.errors == []
    assert parsed.data["revenue"].to_list() == [yuan]


def test_money_with_more_than_four_decimals_is_rejected_not_rounded():
    parsed = parse(one_row(revenue="1.00005"))
    assert reasons(parsed, "revenue") == ["最多保留4位小数（精确到1元）"]
    assert parsed.data["revenue"].to_list() == [None]


def test_negative_money_is_refused_except_for_net_assets_and_net_profit():
    assert reasons(parse(one_row(revenue="-1")), "revenue") == ["不能为负数"]
    assert reasons(parse(one_row(main_revenue="-1")), "main_revenue") == ["不能为负数"]
    parsed = parse(one_row(net_assets="-12.5"))
    assert reasons(parsed, "net_assets") == []
    assert parsed.data["net_assets"].to_list() == [-125_000]
    loss = parse(one_row(net_profit="-0.0001"))  # a loss of one yuan
    assert reasons(loss, "net_profit") == []
    assert loss.data["net_profit"].to_list() == [-1]


@pytest.mark.parametrize(("main", "ok"), [("100", True), ("100.0001", False)])
def test_main_business_revenue_may_not_exceed_revenue(main, ok):
    parsed = parse(one_row(revenue="100", main_revenue=main))
    assert reasons(parsed, "main_revenue") == ([] if ok else ["主营业务收入大于销售收入"])


def test_text_in_a_money_cell_names_the_unit():
    assert reasons(parse(one_row(rd_expense="约50万")), "rd_expense") == ["应为数字（单位：万元）"]


@pytest.mark.parametrize(("text", "value"), [("是", True), ("否", False), ("Y", True), ("true", True), ("", None)])
def test_yes_no_cells(text, value):
    parsed = parse(one_row(ip_self_developed=text))
    assert parsed.errors == []
    assert parsed.data["ip_self_developed"].to_list() == [value]


def test_unknown_yes_no_word_is_an_error():
    assert reasons(parse(one_row(ip_self_developed="也许")), "ip_self_developed") == ["应填“是”或“否”（或留空表示未知）"]


@pytest.mark.parametrize("text", ["2015-03-01", "2015/3/1", "2015.03.01", "2015年3月1日", "20150301", "2015-03-01 00:00:00"])
def test_date_formats_officers_use(text):
    parsed = parse(one_row(registered_on=text))
    assert parsed.errors == []
    assert parsed.data["registered_on"].to_list() == [dt.date(2015, 3, 1)]


def test_impossible_date_and_bad_format_have_distinct_reasons():
    assert reasons(parse(one_row(registered_on="2015-02-30")), "registered_on") == ["不是有效日期"]
    assert reasons(parse(one_row(registered_on="三月")), "registered_on") == ["日期格式应为 YYYY-MM-DD"]


def test_counts_must_be_whole_and_not_negative():
    assert reasons(parse(one_row(staff_total="12.5")), "staff_total") == ["应为整数"]
    assert reasons(parse(one_row(staff_total="-3")), "staff_total") == ["不能为负数"]
    assert parse(one_row(staff_total="120.0")).data["staff_total"].to_list() == [120]


def test_required_cell_left_empty():
    parsed = parse(one_row(name=""))
    assert reasons(parsed, "name") == ["必填项为空"]


def test_unknown_district_and_district_by_code():
    assert reasons(parse(one_row(district="火星区")), "district") != []
    assert parse(one_row(district="500112")).data["district"].to_list() == [12]


def test_bad_uscc_gets_the_check_reason_and_row_number():
    parsed = parse(one_row(uscc="91500000202833449H"))
    (err,) = [e for e in parsed.errors if e.column == header("uscc")]
    assert err.row == 2 and err.value == "91500000202833449H"
    assert "校验码" in err.reason


def test_tech_staff_above_staff_total_is_reported_on_the_tech_staff_cell():
    parsed = parse(one_row(staff_total="10", tech_staff="11"))
    assert reasons(parsed, "tech_staff") == ["科技人员数（11）大于职工总数（10）"]


def test_domestic_rd_above_total_rd():
    parsed = parse(one_row(rd_expense="10", rd_expense_domestic="10.0001"))
    assert reasons(parsed, "rd_expense_domestic") == ["境内研究开发费用大于研究开发费用总额"]


def test_future_year_and_year_before_registration():
    assert reasons(parse(one_row(fiscal_year="2027")), "fiscal_year") == ["年度晚于今年"]
    assert reasons(parse(one_row(fiscal_year="2014")), "fiscal_year") == ["年度早于注册成立年份"]


def test_duplicate_firm_year_points_at_the_first_row():
    df = pl.concat([one_row(), one_row()])
    parsed = parse(df)
    (err,) = reasons(parsed, "fiscal_year")
    assert err == "同一企业同一年度与第2行重复"


def test_one_firm_with_two_names_is_inconsistent():
    df = pl.concat([one_row(), one_row(fiscal_year="2023", name="另一个名字")])
    assert reasons(parse(df), "name") == ["同一企业的企业名称与第2行不一致"]


def test_unknown_and_missing_columns_are_reported_on_the_header_row():
    df = one_row().drop(header("uscc")).with_columns(pl.lit("x").alias("备注"))
    parsed = parse(df)
    assert {(e.row, e.column, e.reason) for e in parsed.errors} == {
        (1, "备注", "无法识别的列名（请使用模板中的列名）"),
        (1, header("uscc"), "缺少必填列"),
    }


def test_a_neutralised_formula_cell_reads_back_as_typed():
    parsed = parse(one_row(name="'=重庆测试公司"))
    assert parsed.data["name"].to_list() == ["=重庆测试公司"]


def test_inconsistent_district_is_quoted_as_typed_not_as_an_internal_id():
    df = pl.concat([one_row(), one_row(fiscal_year="2023", district="两江新区")])
    (err,) = [e for e in parse(df).errors if e.column == header("district")]
    assert (err.row, err.value) == (3, "两江新区")
