"""Turning text cells into typed values, with a precise reason for every bad cell.

The whole sheet is checked at once with polars expressions (100,000 rows in about a second), and
every fault becomes a :class:`CellError` that names the sheet, the spreadsheet row (header = row 1),
the column header, the value and the reason, in Chinese, as officers read them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from keqi.policy.lazy import polars as pl  # imported on first use (parsing a file)
from keqi.policy.uscc import uscc_faults

from .columns import (
    FALSE_WORDS,
    QUALIFICATION_COLUMNS,
    QUALIFICATION_KINDS,
    QUALIFICATION_SHEET,
    REPORT_COLUMNS,
    REPORT_SHEET,
    TRUE_WORDS,
    Column,
)

ROW = "_row"  # spreadsheet row number of each record (the header is row 1)
MAX_YUAN = 10**15  # 1,000 trillion yuan: anything larger is a typing error, and stays inside int64
MAX_COUNT = 10_000_000
FORMULA_LEADS = ("=", "+", "-", "@")
FAST_KINDS = ("count", "year", "money", "usd", "bool", "choice", "date")  # ``_fast`` reads them uncleaned


@dataclass(frozen=True)
class CellError:
    sheet: str
    row: int
    column: str
    value: str | None
    reason: str

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "value": self.value, "reason": self.reason}

    def __str__(self) -> str:
        shown = "（空）" if self.value in (None, "") else f"“{self.value}”"
        return f"[{self.sheet}] 第{self.row}行 “{self.column}”列 {shown}：{self.reason}"


@dataclass
class ParsedSheet:
    data: pl.DataFrame  # typed, keyed by field names, plus ROW
    present: tuple[str, ...]  # fields whose column is in the file (absent columns are left untouched)
    errors: list[CellError] = field(default_factory=list)
    text: pl.DataFrame | None = None  # the cells as typed by the user (ROW + headers), for messages
    raw: pl.DataFrame | None = None  # the cells as read (ROW + headers): cleaned when a message quotes one

    def typed_text(self, row: int, header: str) -> str | None:
        """The cell as the user typed it, to quote back in a message."""
        if self.raw is not None and header in self.raw.columns:
            hit = self.raw.filter(pl.col(ROW) == row).select(_clean(header).alias(header))
            return hit[header][0] if hit.height else None
        if self.text is None or header not in self.text.columns:
            return None
        hit = self.text.filter(pl.col(ROW) == row)
        return hit[header][0] if hit.height else None

    def typed_texts(self, rows: pl.Series, header: str) -> list[str | None]:
        """``typed_text`` of each of ``rows`` (spreadsheet rows of this sheet) in one column, in one pass."""
        if not len(rows):
            return []
        wanted = rows.cast(pl.Int64)
        if self.raw is not None and header in self.raw.columns:
            source, cell = self.raw, _clean(header)
        elif self.text is not None and header in self.text.columns:
            source, cell = self.text, pl.col(header)
        else:
            return [None] * len(rows)
        cells = source.lazy().filter(pl.col(ROW).is_in(wanted.unique().implode())).select(ROW, cell.alias(header))
        hit = pl.LazyFrame({ROW: wanted}).join(cells, on=ROW, how="left", maintain_order="left")
        return hit.collect().get_column(header).to_list()


def _clean(header: str) -> pl.Expr:
    """Trim blanks (incl. full-width spaces), drop a neutralising apostrophe, empty → null."""
    s = pl.col(header).cast(pl.String).str.strip_chars(" \t\r\n\u3000\u00a0")
    s = pl.when(s.str.starts_with("'") & s.str.slice(1, 1).is_in(list(FORMULA_LEADS))).then(s.str.slice(1)).otherwise(s)
    return pl.when(s == "").then(None).otherwise(s)


def _decimal_to_units(s: pl.Expr, scale: int) -> pl.Expr:
    """Exact decimal text → integer units of 10^-scale (no floats anywhere)."""
    neg = s.str.starts_with("-")
    body = s.str.strip_chars_start("-+")
    whole = body.str.extract(r"^(\d+)", 1)
    frac = body.str.extract(r"\.(\d*)$", 1).fill_null("").str.pad_end(scale, "0")
    units = (whole + frac).cast(pl.Int64, strict=False)
    return pl.when(neg).then(-units).otherwise(units)


def _parse_column(col: Column, units: Mapping[str, int]) -> tuple[pl.Expr, pl.Expr]:
    """(value expression, reason expression) for one column; the reason is null when the cell is fine."""
    s = pl.col(col.header)
    ok = pl.lit(None, dtype=pl.String)
    if col.kind in ("text",):
        value = s
        reason = pl.when(s.str.len_chars() > 200).then(pl.lit("超过200个字符")).otherwise(ok)
    elif col.kind == "uscc":
        value = s.str.to_uppercase()
        reason = value.map_batches(_uscc_reasons, return_dtype=pl.String)
    elif col.kind == "district":
        value = s.replace_strict(dict(units), default=None, return_dtype=pl.Int64)
        reason = pl.when(s.is_not_null() & value.is_null()).then(
            pl.lit("未知的区县或功能区（请填写区县名称、6位行政区划代码或功能区名称）")
        ).otherwise(ok)
    elif col.kind == "choice":
        value = s
        allowed = "、".join(col.choices)
        reason = pl.when(s.is_not_null() & ~s.is_in(list(col.choices))).then(
            pl.lit(f"不是可选值之一（{allowed}）")
        ).otherwise(ok)
    elif col.kind == "industry":
        value = s.str.to_uppercase()
        reason = pl.when(s.is_not_null() & ~value.str.contains(r"^[A-T]?\d{2,4}$")).then(
            pl.lit("行业代码格式应为门类字母加2–4位数字（GB/T 4754-2017），如 I6513 或 6513")
        ).otherwise(ok)
    elif col.kind == "date":
        value, reason = _parse_date(s)
    elif col.kind == "year":
        digits = s.str.replace(r"\.0+$", "")
        value = digits.cast(pl.Int64, strict=False)
        reason = pl.when(s.is_not_null() & (value.is_null() | (value < 1980) | (value > 2100))).then(
            pl.lit("年度应为4位数字年份（1980–2100）")
        ).otherwise(ok)
    elif col.kind == "count":
        digits = s.str.replace(r"\.0+$", "")
        value = digits.cast(pl.Int64, strict=False)
        reason = (
            pl.when(s.is_null())
            .then(ok)
            .when(digits.str.contains(r"^-\d+$"))
            .then(pl.lit("不能为负数"))
            .when(~digits.str.contains(r"^\d+$"))
            .then(pl.lit("应为整数"))
            .when(value > MAX_COUNT)
            .then(pl.lit("数值过大"))
            .otherwise(ok)
        )
    elif col.kind in ("money", "usd"):
        plain = s.str.replace_all(",", "", literal=True).str.replace_all("，", "", literal=True)
        value = _decimal_to_units(plain, 4)
        negative_allowed = col.signed
        reason = (
            pl.when(s.is_null())
            .then(ok)
            .when(~plain.str.contains(r"^[-+]?\d+(\.\d*)?$"))
            .then(pl.lit("应为数字（单位：万元）" if col.kind == "money" else "应为数字（单位：万美元）"))
            .when(plain.str.contains(r"\.\d{5,}$"))
            .then(pl.lit("最多保留4位小数（精确到1元）" if col.kind == "money" else "最多保留4位小数"))
            .when(value.is_null() | (value.abs() >= MAX_YUAN))
            .then(pl.lit("数值过大"))
            .when(pl.lit(not negative_allowed) & (value < 0))
            .then(pl.lit("不能为负数"))
            .otherwise(ok)
        )
    elif col.kind == "bool":
        upper = s.str.to_uppercase()
        value = pl.when(upper.is_in(list(TRUE_WORDS))).then(True).when(upper.is_in(list(FALSE_WORDS))).then(False)
        reason = pl.when(s.is_not_null() & value.is_null()).then(pl.lit("应填“是”或“否”（或留空表示未知）")).otherwise(ok)
    else:  # pragma: no cover - a new kind must be handled above
        raise ValueError(col.kind)
    if col.required:
        reason = pl.when(s.is_null()).then(pl.lit("必填项为空")).otherwise(reason)
    # A cell with a fault keeps no value, so later checks never compare against a wrong number.
    return pl.when(reason.is_null()).then(value).otherwise(None), reason


def _uscc_reasons(s: pl.Series) -> pl.Series:
    """The fault text of every code: the codes are checked column-wise (``_valid_codes``), and only the
    faulty ones, once per distinct code, get their message from ``uscc_faults``."""
    codes = s.drop_nulls().unique()
    faulty = codes.filter(~_valid_codes(codes)).to_list()
    if not faulty:  # every code is right (the usual file): no text to look up
        return pl.repeat(None, s.len(), dtype=pl.String, eager=True).alias(s.name)
    texts = {code: _fault_text(code) for code in faulty}
    return s.replace_strict(texts, default=None, return_dtype=pl.String)


_USCC_PATTERN = r"^[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}$"


def _valid_codes(codes: pl.Series) -> pl.Series:
    """True where ``uscc_faults(code)`` is empty (GB 32100 and GB 11714 checks as numpy sums over the
    codes' bytes: ~1,000,000 codes a second instead of ~15,000 in Python); never True for a faulty code."""
    import numpy as np

    from keqi.policy.uscc import _ORG_VALUE, _ORG_WEIGHTS, _VALUE, _WEIGHTS, CHARSET

    shaped = codes.str.contains(_USCC_PATTERN).fill_null(False)  # 18 ASCII characters of the set
    ok = np.zeros(codes.len(), dtype=bool)
    where = np.flatnonzero(shaped.to_numpy())
    if where.size:
        chars = _code_bytes(codes.gather(where))
        value = np.zeros(256, dtype=np.int64)
        org_value = np.zeros(256, dtype=np.int64)
        for c, v in _VALUE.items():
            value[ord(c)] = v
        for c, v in _ORG_VALUE.items():
            org_value[ord(c)] = v
        org_total = org_value[chars[:, 8:16]] @ np.array(_ORG_WEIGHTS, dtype=np.int64)
        r = 11 - org_total % 11
        org_expected = np.where(r == 10, ord("X"), np.where(r == 11, ord("0"), ord("0") + r))
        total = value[chars[:, :17]] @ np.array(_WEIGHTS, dtype=np.int64)
        expected = np.frombuffer(CHARSET.encode("ascii"), dtype=np.uint8)[(31 - total % 31) % 31]
        ok[where] = (chars[:, 16] == org_expected) & (chars[:, 17] == expected)
    return pl.Series(ok)


def _code_bytes(codes: pl.Series):
    """The bytes of codes of 18 ASCII characters each, one row a code (numpy, read from the Arrow buffer:
    no Python string per code)."""
    import numpy as np

    arr = codes.rechunk().to_arrow(compat_level=pl.CompatLevel.oldest())  # large_string: offsets, bytes
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset:arr.offset + len(arr) + 1]
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]]
    return data.reshape(len(arr), 18)


@lru_cache(maxsize=500_000)
def _fault_text(code: str) -> str | None:
    faults = uscc_faults(code)
    return "；".join(f.message for f in faults) if faults else None


_DATE_PATTERNS = (
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]00:00(?::00(?:\.0+)?)?)?$",
    r"^(\d{4})(\d{2})(\d{2})$",
)


def _parse_date(s: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    parts = [s.str.extract_groups(p) for p in _DATE_PATTERNS]
    y = pl.coalesce(*(p.struct.field("1") for p in parts))
    m = pl.coalesce(*(p.struct.field("2") for p in parts)).str.pad_start(2, "0")
    d = pl.coalesce(*(p.struct.field("3") for p in parts)).str.pad_start(2, "0")
    value = pl.concat_str([y, m, d], separator="-").str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    reason = (
        pl.when(s.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(y.is_null())
        .then(pl.lit("日期格式应为 YYYY-MM-DD"))
        .when(value.is_null())
        .then(pl.lit("不是有效日期"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    return value, reason


def parse_sheet(raw: pl.DataFrame, columns: Sequence[Column], sheet: str, units: Mapping[str, int]) -> ParsedSheet:
    """Type every known column of ``raw``; unknown or missing-required headers are errors on row 1."""
    by_header = {c.header: c for c in columns}
    errors: list[CellError] = []
    headers = [str(h).strip() for h in raw.columns]
    raw = raw.rename(dict(zip(raw.columns, headers, strict=True)))
    for h in headers:
        if h not in by_header:
            errors.append(CellError(sheet, 1, h, h, "无法识别的列名（请使用模板中的列名）"))
    if len(set(headers)) != len(headers):
        dupes = sorted({h for h in headers if headers.count(h) > 1})
        for h in dupes:
            errors.append(CellError(sheet, 1, h, h, "列名重复"))
    for c in columns:
        if c.required and c.header not in headers:
            errors.append(CellError(sheet, 1, c.header, None, "缺少必填列"))
    present = [c for c in columns if c.header in headers]
    if errors:
        return ParsedSheet(pl.DataFrame(), tuple(c.field for c in present), errors)

    # Numbers stored as numbers (a Parquet file's integer and decimal columns) are read without text where
    # ``_typed`` says their value is the one their text would give; any other column is read as text.
    typed = {c.header for c in present if _typed(c, raw.schema[c.header])}
    raw = raw.with_columns(pl.col(h).cast(pl.String) for h, t in raw.schema.items() if t != pl.String and h not in typed)
    raw = raw.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    # First the cheap pass (``_fast``): the cells written as KeQi writes them (a Parquet or csv file of the
    # template: 是/否, 123, 120.0836, 2020-01-05) take their value at once; only the rows with any other
    # cell go through the full parse below, which gives the same value or says why the cell is wrong.
    checks = [(c, _fast(c, units, typed=c.header in typed)) for c in present]
    pre = raw.with_columns(_clean(c.header).alias(c.header) for c in present if c.kind not in FAST_KINDS)
    probe = pre.lazy().select(
        pl.col(ROW),
        *(value.alias(c.field) for c, (value, _ok) in checks),
        (~pl.all_horizontal(*(ok.fill_null(False) for _c, (_value, ok) in checks))).alias("__slow__"),
    ).collect()
    slow = probe.get_column("__slow__")
    if not slow.any():
        return ParsedSheet(probe.drop("__slow__"), tuple(c.field for c in present), errors, raw=raw)
    parsed = _parse_rows(raw.filter(slow), present, sheet, units)
    errors.extend(parsed.errors)
    parsed.data = pl.concat([probe.filter(~slow).drop("__slow__"), parsed.data]).sort(ROW)
    parsed.errors = errors
    parsed.raw = raw
    return parsed


def _typed(col: Column, dtype: pl.DataType) -> bool:
    """Whether ``col``'s cells of type ``dtype`` are read as numbers: whole numbers in a count, year or money
    column, decimals of at most 4 places in a money column. Their text (``cast(pl.String)``: "12",
    "120.0836", "120.08") is what the full parse reads, so ``_fast`` takes the value the text gives; a
    cell it does not accept goes to the full parse as text. Decimals of more places are text from the
    start: their text ("120.000000") is refused for its places whatever the value."""
    if col.kind in ("count", "year"):
        return dtype.is_integer()
    if col.kind in ("money", "usd"):
        return dtype.is_integer() or (isinstance(dtype, pl.Decimal) and (dtype.scale or 0) <= 4)
    return False


def _fast(col: Column, units: Mapping[str, int], *, typed: bool = False) -> tuple[pl.Expr, pl.Expr]:
    """(value, ok) of a column's cells without cleaning or regular expressions: ``ok`` only where the full
    parse (``_parse_column`` of the cleaned cell) gives the same value and no reason. ``typed``: the
    cells are numbers (``_typed``), not text."""
    s = pl.col(col.header)
    empty = pl.lit(not col.required) & s.is_null()
    if typed and col.kind in ("count", "year"):
        value = s.cast(pl.Int64, strict=False)
        low, high = (0, MAX_COUNT) if col.kind == "count" else (1980, 2100)
        ok = value.is_not_null() & (value >= low) & (value <= high)
    elif typed:  # money: exact in units of 0.0001 (a number too large for Decimal(22, 4) is null: not ok)
        exact = s.cast(pl.Decimal(22, 4), strict=False)
        value = exact.to_physical().cast(pl.Int64, strict=False)
        ok = value.is_not_null() & (value.abs() < MAX_YUAN) & (pl.lit(col.signed) | (value >= 0))
    elif col.kind in ("count", "year"):
        value = s.cast(pl.Int64, strict=False)
        low, high = (0, MAX_COUNT) if col.kind == "count" else (1980, 2100)
        ok = (value.cast(pl.String) == s) & (value >= low) & (value <= high)
    elif col.kind in ("money", "usd"):
        exact = s.cast(pl.Decimal(22, 4), strict=False)
        value = exact.to_physical().cast(pl.Int64, strict=False)
        ok = (exact.cast(pl.String) == s) & (value.abs() < MAX_YUAN) & (pl.lit(col.signed) | (value >= 0))
    elif col.kind == "bool":
        value = pl.when(s.is_in(list(TRUE_WORDS))).then(True).when(s.is_in(list(FALSE_WORDS))).then(False)
        ok = value.is_not_null()
    elif col.kind == "choice":
        value = s
        ok = s.is_in(list(col.choices))
    elif col.kind == "date":
        value = s.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
        ok = value.dt.strftime("%Y-%m-%d") == s
    else:  # text, codes, districts: the full parse of the cleaned cell (a few columns, cleaned before)
        value, reason = _parse_column(col, units)
        return value, reason.is_null()
    return pl.when(ok).then(value), empty | ok


def _parse_rows(raw: pl.DataFrame, present: Sequence[Column], sheet: str, units: Mapping[str, int]) -> ParsedSheet:
    """The full parse of ``raw`` (with its ROW numbers): every cell cleaned, typed and checked."""
    # One lazy pass: the value and the reason of a cell share their sub-expressions (CSE).
    errors: list[CellError] = []
    cleaned = raw.select(pl.col(ROW), *(_clean(c.header).alias(c.header) for c in present))
    value_exprs, reason_exprs = [], []
    for c in present:
        value, reason = _parse_column(c, units)
        value_exprs.append(value.alias(f"__v__{c.field}"))
        reason_exprs.append(reason.alias(f"__r__{c.header}"))
    typed = cleaned.lazy().select(pl.col(ROW), *value_exprs, *reason_exprs).collect()
    data = typed.select(pl.col(ROW), *(pl.col(f"__v__{c.field}").alias(c.field) for c in present))
    reasons = typed.select(pl.col(ROW), *(pl.col(f"__r__{c.header}").alias(c.header) for c in present))
    errors.extend(_collect(reasons, raw, sheet))
    return ParsedSheet(data, tuple(c.field for c in present), errors, text=cleaned)


def _collect(reasons: pl.DataFrame, raw: pl.DataFrame, sheet: str) -> list[CellError]:
    long = reasons.unpivot(index=ROW, variable_name="column", value_name="reason").drop_nulls("reason")
    if long.is_empty():
        return []
    values = raw.select(pl.col(ROW), *(pl.col(h).cast(pl.String) for h in reasons.columns if h != ROW))
    values_long = values.unpivot(index=ROW, variable_name="column", value_name="value")
    long = long.join(values_long, on=[ROW, "column"], how="left").sort(ROW)
    return [CellError(sheet, r[ROW], r["column"], r["value"], r["reason"]) for r in long.iter_rows(named=True)]


def _header(field_name: str, columns: Sequence[Column] = REPORT_COLUMNS) -> str:
    return next(c.header for c in columns if c.field == field_name)


def check_reports(parsed: ParsedSheet, today: dt.date) -> None:
    """Checks across cells and rows of the annual-report sheet; appends to ``parsed.errors``.

    Each check reads only the columns it needs (a lazy projection, not the whole sheet); the duplicate
    check looks closer only at the rows whose firm and year occur twice, and the firm attributes that
    must agree on all of a firm's rows are compared in one ``group_by`` for all of them."""
    df = parsed.data
    if df.is_empty():
        return
    errs = parsed.errors
    cols = set(df.columns)
    sheet = df.lazy()

    def where(condition: pl.Expr, *names: str):
        """(ROW, *names) of the rows where ``condition`` holds, in sheet order."""
        return sheet.filter(condition).select(ROW, *names).collect().iter_rows()

    def pairwise(small: str, big: str, reason: str) -> None:
        if {small, big} <= cols:
            for row, a, b in where(pl.col(small) > pl.col(big), small, big):
                errs.append(CellError(REPORT_SHEET, row, _header(small), str(a), reason.format(a=a, b=b)))

    pairwise("tech_staff", "staff_total", "科技人员数（{a}）大于职工总数（{b}）")
    pairwise("senior_tech_staff", "tech_staff", "副高级及以上职称科技人员数（{a}）大于科技人员数（{b}）")
    if {"main_revenue", "revenue"} <= cols:
        for row, a in where(pl.col("main_revenue") > pl.col("revenue"), "main_revenue"):
            errs.append(CellError(REPORT_SHEET, row, _header("main_revenue"), _wan(a), "主营业务收入大于销售收入"))
    if {"rd_expense_domestic", "rd_expense"} <= cols:
        for row, a in where(pl.col("rd_expense_domestic") > pl.col("rd_expense"), "rd_expense_domestic"):
            errs.append(CellError(REPORT_SHEET, row, _header("rd_expense_domestic"), _wan(a),
                                  "境内研究开发费用大于研究开发费用总额"))

    if "registered_on" in cols:
        for row, d in where(pl.col("registered_on") > today, "registered_on"):
            errs.append(CellError(REPORT_SHEET, row, _header("registered_on"), str(d), "注册成立日期晚于今天"))
        for row, y in where(pl.col("fiscal_year") < pl.col("registered_on").dt.year(), "fiscal_year"):
            errs.append(CellError(REPORT_SHEET, row, _header("fiscal_year"), str(y), "年度早于注册成立年份"))
    for row, y in where(pl.col("fiscal_year") > today.year, "fiscal_year"):
        errs.append(CellError(REPORT_SHEET, row, _header("fiscal_year"), str(y), "年度晚于今年"))

    attrs = [c for c in REPORT_COLUMNS if c.level == "enterprise" and c.field != "uscc" and c.field in cols]
    keyed = sheet.filter(pl.col("uscc").is_not_null() & pl.col("fiscal_year").is_not_null()).select(
        ROW, "uscc", "fiscal_year", *(c.field for c in attrs)).collect()
    # a row repeats an earlier one only where its firm and year occur more than once
    twice = keyed.filter(keyed.select("uscc", "fiscal_year").is_duplicated())
    if twice.height:
        dupes = twice.with_columns(pl.col(ROW).min().over("uscc", "fiscal_year").alias("_first")).filter(
            pl.col(ROW) != pl.col("_first"))
        for row, y, f in dupes.select(ROW, "fiscal_year", "_first").iter_rows():
            errs.append(CellError(REPORT_SHEET, row, _header("fiscal_year"), str(y), f"同一企业同一年度与第{f}行重复"))

    # An enterprise's own attributes must agree on all of its rows (those of its first row).
    if not attrs:
        return
    ref = keyed.lazy().sort(ROW).group_by("uscc", maintain_order=True).agg(
        pl.col(ROW).first().alias("_first"), *(pl.col(c.field).first().alias(f"_ref_{c.field}") for c in attrs))
    clashes = keyed.lazy().join(ref, on="uscc", maintain_order="left").select(
        ROW, "_first", *(pl.col(c.field).ne_missing(pl.col(f"_ref_{c.field}")).alias(c.field) for c in attrs)
    ).filter(pl.any_horizontal(c.field for c in attrs)).collect()
    if clashes.is_empty():
        return
    for c in attrs:
        hits = clashes.filter(pl.col(c.field)).select(ROW, "_first")
        texts = parsed.typed_texts(hits.get_column(ROW), c.header)
        for (row, f), text in zip(hits.iter_rows(), texts, strict=True):
            errs.append(CellError(REPORT_SHEET, row, c.header, text, f"同一企业的{c.header}与第{f}行不一致"))


def check_qualifications(parsed: ParsedSheet) -> None:
    df = parsed.data
    if df.is_empty():
        return
    if "valid_to" in df.columns:
        bad = df.filter(pl.col("valid_to") < pl.col("valid_from")).select(ROW, "valid_to")
        for row, d in bad.iter_rows():
            parsed.errors.append(CellError(QUALIFICATION_SHEET, row, _header("valid_to", QUALIFICATION_COLUMNS),
                                           str(d), "有效期止早于有效期起"))
    label_to_kind = {v: k for k, v in QUALIFICATION_KINDS.items()}
    parsed.data = df.with_columns(pl.col("kind").replace_strict(label_to_kind, default=None))
    keyed = parsed.data.filter(pl.col("kind").is_not_null() & pl.col("valid_from").is_not_null())
    first = keyed.group_by("uscc", "kind", "valid_from").agg(pl.col(ROW).min().alias("_first"))
    dupes = keyed.join(first, on=["uscc", "kind", "valid_from"]).filter(pl.col(ROW) != pl.col("_first"))
    for row, f in dupes.select(ROW, "_first").iter_rows():
        parsed.errors.append(CellError(QUALIFICATION_SHEET, row, _header("kind", QUALIFICATION_COLUMNS), None,
                                       f"同一企业同一资质同一起始日期与第{f}行重复"))


def _wan(yuan: int | None) -> str | None:
    if yuan is None:
        return None
    sign = "-" if yuan < 0 else ""
    whole, frac = divmod(abs(yuan), 10_000)
    return f"{sign}{whole}" + (f".{frac:04d}".rstrip("0") if frac else "")
