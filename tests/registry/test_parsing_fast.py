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
