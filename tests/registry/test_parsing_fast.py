"""The cheap first pass of ``parse_sheet`` changes nothing: every cell, written as KeQi writes it or as a
person types it, gets the value and the reason the full parse gives (and the same errors, by row)."""

import random

import polars as pl

from keqi.policy.uscc import make_uscc
from keqi.registry import parsing
from keqi.registry.columns import QUALIFICATION_COLUMNS, REPORT_COLUMNS, REPORT_SHEET

UNITS = {"渝北区": 0, "500112": 0, "江北区": 1}
CELLS = {
    "count": ["12", "0", "05", "+5", "-0", "-3", "5.0", " 7", "1e3", "10000001", "10000000", "", "x", None],
    "year": ["2023", "2023.0", "1979", "2101", " 2024", "２０２３", None],
    "money": ["120.0836", "120.0800", "120.08", "120", "-3.5000", "12.12345", "1e3", "1,200.5", "+5.0000",
              "0120.0000", "99999999999.9999", "100000000000.0000", "  8.0000", "-0.0000", "", None],
    "usd": ["5.0000", "5", "-1.0000", None],
    "bool": ["是", "否", "有", "无", "Y", "y", "yes", "TRUE", "1", "0", "√", "×", " 是", "也许", "", None],
    "date": ["2020-01-05", "2020-1-5", "2020/01/05", "20200105", "2020-02-30", "2020-01-05 00:00:00", " 2020-01-05",
             None],
    "text": ["甲公司", "  乙公司 ", "'=SUM(A1)", "x" * 201, "", None],
    "industry": ["I6513", "i6513", "6513", "Z99", None],
    "district": ["渝北区", "500112", "火星区", None],
}


def _cells(col, rng, n):
    if col.kind == "uscc":
        good = [make_uscc(rng, region="500112") for _ in range(4)]
        return [rng.choice(good + [good[0].lower(), good[1][:-1] + "0", "123", None, " " + good[2],
                                   good[3][:2] + "ABCDEF" + good[3][8:]]) for _ in range(n)]
    if col.kind == "choice":
        return [rng.choice([*col.choices, col.choices[0] + " ", "其他", None]) for _ in range(n)]
    return [rng.choice(CELLS[col.kind]) for _ in range(n)]


def _compare(columns, n, seed, clean_share):
    rng = random.Random(seed)
    frame = {}
    for col in columns:
        cells = _cells(col, rng, n)
        if col.kind in ("count", "year", "money", "bool", "date"):  # most cells as KeQi writes them
            typical = {"count": "12", "year": "2023", "money": "120.0836", "bool": "是", "date": "2020-01-05"}
            cells = [typical[col.kind] if rng.random() < clean_share else c for c in cells]
        frame[col.header] = cells
    raw = pl.DataFrame(frame, schema={h: pl.String for h in frame})
    got = parsing.parse_sheet(raw, columns, REPORT_SHEET, UNITS)
    numbered = raw.with_row_index(parsing.ROW, offset=2).with_columns(pl.col(parsing.ROW).cast(pl.Int64))
    want = parsing._parse_rows(numbered, columns, REPORT_SHEET, UNITS)
    assert got.data.equals(want.data)
    assert sorted(map(str, got.errors)) == sorted(map(str, want.errors))
    for row in (2, n // 2, n + 1):
        for col in columns:
            assert got.typed_text(row, col.header) == want.typed_text(row, col.header)


def test_every_report_column_with_odd_cells_parses_as_the_full_parse():
    for seed in range(3):
        _compare(REPORT_COLUMNS, 400, seed, clean_share=0.5)


def test_clean_sheets_take_the_cheap_pass_only_and_agree():
    _compare([c for c in REPORT_COLUMNS if c.kind in ("count", "year", "money", "bool", "date")], 300, 9,
             clean_share=1.0)


def test_qualification_sheet():
    _compare(QUALIFICATION_COLUMNS, 200, 4, clean_share=0.7)


def test_uscc_checks_column_wise_match_the_python_rules():
    rng = random.Random(3)
    codes = [make_uscc(rng) for _ in range(300)]
    mutated = [c[:i] + ch + c[i + 1:] for c in codes[:200]
               for i, ch in [(rng.randrange(18), rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXYIOSVZ"))]]
    codes += mutated + ["", "91500000MA5U0000X", "91500000MA5U00000XX"]
    from keqi.policy.uscc import uscc_faults

    got = parsing._valid_codes(pl.Series(codes, dtype=pl.String)).to_list()
    assert got == [not uscc_faults(c) for c in codes]


# ------------------------------------------------------------------ numbers stored as numbers (Parquet)

NUMBER_CELLS = {  # dtype → cells, odd ones too; each parsed as its text would be
    pl.Int64: [12, 0, -3, 10_000_000, 10_000_001, 2023, 1979, 2101, 10**15, -(10**15), None],
    pl.Int32: [5, -1, 2024, None],
    pl.UInt64: [7, 2**64 - 1, 2**63 + 5, None],
    pl.Decimal(22, 4): ["120.0836", "-3.5000", "0", "-0.0001", "99999999999.9999", "100000000000.0000", None],
    pl.Decimal(12, 2): ["120.08", "-1.50", "0.01", None],
    pl.Decimal(10, 0): ["120", "-3", "2023", None],
    pl.Decimal(38, 4): ["1.0000", "9999999999999999999999999999.1234", "-99999999999999999.0000", None],
    pl.Decimal(38, 6): ["120.000000", "1.123456", None],
    pl.Float64: [120.5, 3.0, 1e20, None],
}


def _number_column(dtype, rng, n):
    cells = NUMBER_CELLS[dtype]
    values = [rng.choice(cells) for _ in range(n)]
    if isinstance(dtype, pl.Decimal):
        return pl.Series(values, dtype=pl.String).cast(dtype)
    return pl.Series(values, dtype=dtype)


def test_numbers_stored_as_numbers_parse_as_their_text():
    """A Parquet file's integer and decimal columns (``reading`` keeps them typed) give every cell the value,
    the reason and the quoted text that the cell's text gives (the file read as text, as before)."""
    numeric = [c for c in REPORT_COLUMNS if c.kind in ("count", "year", "money", "usd")]
    for seed in range(4):
        rng = random.Random(seed)
        frame = {c.header: _cells(c, rng, 300) for c in REPORT_COLUMNS if c not in numeric}
        typed = pl.DataFrame(frame, schema={h: pl.String for h in frame}).with_columns(
            _number_column(rng.choice(list(NUMBER_CELLS)), rng, 300).alias(c.header) for c in numeric)
        got = parsing.parse_sheet(typed, REPORT_COLUMNS, REPORT_SHEET, UNITS)
        want = parsing.parse_sheet(typed.cast(pl.String), REPORT_COLUMNS, REPORT_SHEET, UNITS)
        assert got.data.equals(want.data)
        assert list(map(str, got.errors)) == list(map(str, want.errors))
        assert any(e.column == numeric[0].header for e in got.errors)  # the odd numbers are refused
        for row in (2, 150, 301):
            for col in numeric:
                assert got.typed_text(row, col.header) == want.typed_text(row, col.header)


def _check_reports_before(parsed, today):
    """``check_reports`` as it was before one ``group_by`` for the firm attributes (commit 3122f98): the
    reference the faster one is compared with."""
    from keqi.registry.parsing import ROW, CellError, _header, _wan

    df = parsed.data
    if df.is_empty():
        return
    errs = parsed.errors
    cols = set(df.columns)

    def pairwise(small, big, reason):
        if {small, big} <= cols:
            bad = df.filter(pl.col(small) > pl.col(big)).select(ROW, small, big)
            for row, a, b in bad.iter_rows():
                errs.append(CellError(REPORT_SHEET, row, _header(small), str(a), reason.format(a=a, b=b)))

    pairwise("tech_staff", "staff_total", "科技人员数（{a}）大于职工总数（{b}）")
    pairwise("senior_tech_staff", "tech_staff", "副高级及以上职称科技人员数（{a}）大于科技人员数（{b}）")
    if {"main_revenue", "revenue"} <= cols:
        bad = df.filter(pl.col("main_revenue") > pl.col("revenue")).select(ROW, "main_revenue")
        for row, a in bad.iter_rows():
            errs.append(CellError(REPORT_SHEET, row, _header("main_revenue"), _wan(a), "主营业务收入大于销售收入"))
    if {"rd_expense_domestic", "rd_expense"} <= cols:
        bad = df.filter(pl.col("rd_expense_domestic") > pl.col("rd_expense")).select(ROW, "rd_expense_domestic")
        for row, a in bad.iter_rows():
            errs.append(CellError(REPORT_SHEET, row, _header("rd_expense_domestic"), _wan(a),
                                  "境内研究开发费用大于研究开发费用总额"))
    if "registered_on" in cols:
        for row, d in df.filter(pl.col("registered_on") > today).select(ROW, "registered_on").iter_rows():
            errs.append(CellError(REPORT_SHEET, row, _header("registered_on"), str(d), "注册成立日期晚于今天"))
        early = df.filter(pl.col("fiscal_year") < pl.col("registered_on").dt.year())
        for row, y in early.select(ROW, "fiscal_year").iter_rows():
            errs.append(CellError(REPORT_SHEET, row, _header("fiscal_year"), str(y), "年度早于注册成立年份"))
    for row, y in df.filter(pl.col("fiscal_year") > today.year).select(ROW, "fiscal_year").iter_rows():
        errs.append(CellError(REPORT_SHEET, row, _header("fiscal_year"), str(y), "年度晚于今年"))
    keyed = df.filter(pl.col("uscc").is_not_null() & pl.col("fiscal_year").is_not_null())
    first = keyed.group_by("uscc", "fiscal_year").agg(pl.col(ROW).min().alias("_first"))
    dupes = keyed.join(first, on=["uscc", "fiscal_year"]).filter(pl.col(ROW) != pl.col("_first"))
    for row, y, f in dupes.select(ROW, "fiscal_year", "_first").iter_rows():
        errs.append(CellError(REPORT_SHEET, row, _header("fiscal_year"), str(y), f"同一企业同一年度与第{f}行重复"))
    for c in REPORT_COLUMNS:
        if c.level != "enterprise" or c.field == "uscc" or c.field not in cols:
            continue
        ref = keyed.sort(ROW).group_by("uscc", maintain_order=True).agg(
            pl.col(ROW).first().alias("_first"), pl.col(c.field).first().alias("_ref"))
        clash = keyed.join(ref, on="uscc").filter(pl.col(c.field).ne_missing(pl.col("_ref")))
        for row, f in clash.select(ROW, "_first").iter_rows():
            errs.append(CellError(REPORT_SHEET, row, c.header, parsed.typed_text(row, c.header),
                                  f"同一企业的{c.header}与第{f}行不一致"))


def test_checks_across_rows_give_the_errors_of_the_checks_before():
    """Firms whose rows disagree (name, district, dates, field, code, status), repeated years, staff and
    money out of order, years after today or before registration: the same errors, in the same order,
    as the checks before (one ``group_by`` for all the firm attributes instead of one each)."""
    import datetime as dt

    from keqi.registry.parsing import check_reports

    today = dt.date(2026, 6, 30)
    for seed in range(3):
        rng = random.Random(seed)
        firms = [make_uscc(rng, region="500112") for _ in range(40)]
        rows = []
        for _ in range(300):
            code = rng.choice(firms + [None])
            i = firms.index(code) if code else 0
            rows.append({
                "统一社会信用代码": code, "企业名称": rng.choice([f"甲{i}公司", f"甲{i}公司", f" 甲{i}公司 ", f"乙{i}", None]),
                "所属区县": rng.choice(["渝北区", "渝北区", "500112", "江北区"]),
                "注册成立日期": rng.choice(["2015-03-01", "2015-03-01", "2015/3/1", "2027-01-01", "2024-05-05"]),
                "高新技术领域": rng.choice(["电子信息", "电子信息", None, "生物与新医药"]),
                "国民经济行业代码": rng.choice(["I6513", "i6513", "6513", None]),
                "经营状态": rng.choice(["存续", "存续", None, "注销"]),
                "年度": rng.choice(["2022", "2023", "2024", "2027", "2010"]),
                "职工总数": rng.choice(["10", "100", None]), "科技人员数": rng.choice(["5", "50", "200"]),
                "副高级及以上职称科技人员数": rng.choice(["1", "60"]),
                "销售收入（万元）": rng.choice(["100", "5.5", None]), "主营业务收入（万元）": rng.choice(["90", "6"]),
                "研究开发费用总额（万元）": rng.choice(["3", "1.0001"]), "其中：境内研究开发费用（万元）": rng.choice(["2", "3.5"]),
            })
        raw = pl.DataFrame(rows, schema={h: pl.String for h in rows[0]})
        got = parsing.parse_sheet(raw, REPORT_COLUMNS, REPORT_SHEET, UNITS)
        want = parsing.parse_sheet(raw, REPORT_COLUMNS, REPORT_SHEET, UNITS)
        check_reports(got, today)
        _check_reports_before(want, today)
        assert len(got.errors) > 50 and any("不一致" in e.reason for e in got.errors)
        assert any("重复" in e.reason for e in got.errors)
        assert list(map(str, got.errors)) == list(map(str, want.errors))
