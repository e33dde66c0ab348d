"""Writing the exchange format to xlsx, csv and parquet.

Values arrive as *fields* (money in integer yuan, booleans, dates) and leave as *display* values
in the officers' units (money in 万元 with up to four decimals, 是/否, YYYY-MM-DD). Code columns
(统一社会信用代码, 行业代码, 区县) are written as text cells so that Excel keeps leading zeros and
never turns an 18-digit code into a float. Text cells that start with ``= + - @`` are neutralised
against formula injection (OWASP "CSV injection"): they are written as strings, and in CSV they
get a leading apostrophe, which the importer removes again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

import polars as pl
import xlsxwriter

from .columns import TEXT_KINDS, Column

WAN = 10_000
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
MONEY_DTYPE = pl.Decimal(precision=22, scale=4)


def fields_to_display(df: pl.DataFrame, columns: Sequence[Column]) -> pl.DataFrame:
    """Convert a frame keyed by field names into one keyed by Chinese headers, in display units."""
    exprs = []
    for col in columns:
        if col.field not in df.columns:
            expr = pl.lit(None, dtype=pl.String)
        elif col.kind in ("money", "usd"):
            expr = (pl.col(col.field).cast(pl.Int64).cast(MONEY_DTYPE) / WAN).cast(MONEY_DTYPE)
        elif col.kind == "bool":
            flag = pl.col(col.field).cast(pl.Boolean)
            expr = pl.when(flag).then(pl.lit("是")).when(~flag).then(pl.lit("否"))
        elif col.kind == "date":
            expr = pl.col(col.field).cast(pl.String)
        else:
            expr = pl.col(col.field)
        exprs.append(expr.alias(col.header))
    return df.select(exprs)


def neutralise(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


def write_tables(path: Path | str, sheets: Mapping[str, tuple[pl.DataFrame, Sequence[Column]]]) -> Path:
    """Write display frames (headers as column names) to ``path``; the suffix picks the format.

    xlsx holds every sheet; csv and parquet hold only the first (the annual-report sheet).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        _write_xlsx(path, sheets)
    elif suffix == ".csv":
        df, columns = next(iter(sheets.values()))
        text_headers = [c.header for c in columns if c.kind in TEXT_KINDS and c.header in df.columns]
        safe = df.with_columns(
            pl.col(h).map_elements(neutralise, return_dtype=pl.String) for h in text_headers
        )
        # utf-8 with BOM: Excel on Chinese Windows opens it without mojibake.
        with path.open("wb") as fh:
            fh.write("\ufeff".encode())
            safe.write_csv(fh)
    elif suffix == ".parquet":
        df, _ = next(iter(sheets.values()))
        df.write_parquet(path)
    else:
        raise ValueError(f"unsupported file type {suffix!r}: use .xlsx, .csv or .parquet")
    return path


def _write_xlsx(path: Path, sheets: Mapping[str, tuple[pl.DataFrame, Sequence[Column]]]) -> None:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_numbers": False, "strings_to_urls": False})
    try:
        header_fmt = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        required_fmt = wb.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True})
        text_fmt = wb.add_format({"num_format": "@"})
        quoted_fmt = wb.add_format({"num_format": "@", "quote_prefix": True})
        money_fmt = wb.add_format({"num_format": "0.0000"})
        for sheet_name, (df, columns) in sheets.items():
            ws = wb.add_worksheet(sheet_name)
            by_header = {c.header: c for c in columns}
            headers = list(df.columns)
            kinds = [by_header[h].kind if h in by_header else "text" for h in headers]
            for j, (h, kind) in enumerate(zip(headers, kinds, strict=True)):
                col = by_header.get(h)
                ws.write_string(0, j, h, required_fmt if col and col.required else header_fmt)
                width = max(10, min(36, len(h) * 2 + 2))
                if kind in TEXT_KINDS:
                    ws.set_column(j, j, width, text_fmt)
                elif kind in ("money", "usd"):
                    ws.set_column(j, j, width, money_fmt)
                else:
                    ws.set_column(j, j, width)
                if col and col.help:
                    ws.write_comment(0, j, col.help)
            ws.freeze_panes(1, 0)
            for i, row in enumerate(df.iter_rows(), start=1):
                for j, value in enumerate(row):
                    if value is None:
                        continue
                    if kinds[j] in TEXT_KINDS or isinstance(value, str):
                        text = str(value)
                        ws.write_string(i, j, text, quoted_fmt if text.startswith(FORMULA_LEADS) else text_fmt)
                    elif isinstance(value, Decimal):
                        ws.write_number(i, j, float(value), money_fmt)
                    else:
                        ws.write_number(i, j, value)
    finally:
        wb.close()
