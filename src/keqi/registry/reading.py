"""Reading an uploaded file (xlsx, csv or parquet) into frames of text cells, within limits.

Every spreadsheet KeQi reads goes through here: the registry's import (CLI and web), the contracts'
import, the reported values' sheet and ``keqi screen FILE``. A file is looked at before it is parsed
(:mod:`keqi.registry.limits`: its size; for an xlsx the zip container, each sheet's declared area and
its cells streamed; for a csv its header and lines; for a Parquet file its metadata) and refused with
one Chinese message (:class:`UnreadableFile`) when it exceeds a limit, so that no file up to the upload
limit takes the process beyond 1 GB of memory or more than a few seconds to refuse.

Everything is read as text, but a Parquet file's integer and decimal columns: the importer decides what
each cell means and says precisely why a cell is wrong, instead of letting a reader guess types (it
reads a stored number as the text the number would be written as, without making that text where
the number alone gives the value: ``parsing._typed``). Excel is read with fastexcel (calamine),
which is an order of magnitude faster than openpyxl on large sheets. A formula cell that Excel never
calculated (no saved value) becomes a row error that says how to fix the file.
"""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import fastexcel
import polars as pl

from . import limits as lim
from .columns import QUALIFICATION_SHEET, REPORT_SHEET
from .limits import Limits, UnreadableFile
from .parsing import CellError

__all__ = ["FORMULA_REASON", "RawTables", "UnreadableFile", "read_sheets", "read_tables"]

log = logging.getLogger(__name__)

FORMULA_REASON = ("公式没有保存计算结果：请在 Excel 或 WPS 中打开文件、保存后再上传，"
                  "或将公式所在的列复制后“选择性粘贴为数值”")


@dataclass
class RawTables:
    reports: pl.DataFrame
    qualifications: pl.DataFrame | None
    formula_errors: list[CellError] = field(default_factory=list)  # formula cells without a saved value


def _all_text(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(pl.all().cast(pl.String))


def _text_but_numbers(df: pl.DataFrame) -> pl.DataFrame:
    """Every column as text but the integer and decimal ones (a Parquet file's numbers): the parser reads
    those without a round trip through text where their text would give the same value
    (``parsing._typed``), and as their text elsewhere."""
    return df.with_columns(pl.col(c).cast(pl.String) for c, t in df.schema.items() if not _number(t))


def _number(dtype: pl.DataType) -> bool:
    return dtype.is_integer() or isinstance(dtype, pl.Decimal)


def _damaged(path: Path) -> UnreadableFile:
    return UnreadableFile(f"无法读取文件“{path.name}”：文件已损坏或格式不对，"
                          "请在 Excel 或 WPS 中打开并另存为 .xlsx 后再导入")


def read_tables(path: Path | str, *, limits: Limits | None = None) -> RawTables:
    """The annual-report sheet (named so, or the first) and the qualifications sheet of an import file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        frames, errors = read_sheets(path, [REPORT_SHEET, QUALIFICATION_SHEET], first_if_missing=True,
                                     limits=limits)
        return RawTables(frames[REPORT_SHEET], frames.get(QUALIFICATION_SHEET), errors)
    limits = limits or lim.current()
    _check_size(path, limits)
    try:
        if suffix == ".csv":
            return RawTables(_read_csv(path, limits), None)
        if suffix == ".parquet":
            return RawTables(_read_parquet(path, limits), None)
    except UnreadableFile:
        raise
    except Exception as exc:  # the readers raise many kinds; the user needs one clear message
        log.info("unreadable %s: %r", path.name, exc)
        raise _damaged(path) from exc
    if suffix == ".xls":
        raise UnreadableFile("不支持旧版 Excel 文件（.xls）：请在 Excel 或 WPS 中另存为 .xlsx 后再导入")
    raise UnreadableFile(f"不支持的文件类型“{suffix}”，请使用 .xlsx、.csv 或 .parquet")


def _check_size(path: Path, limits: Limits) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableFile(f"找不到文件“{path.name}”") from exc
    if size > limits.file_bytes:
        raise lim.too_big(size, limits)


# ------------------------------------------------------------------ xlsx


def read_sheets(
    path: Path | str, names: Sequence[str], *, first_if_missing: bool = False, limits: Limits | None = None
) -> tuple[dict[str, pl.DataFrame], list[CellError]]:
    """The named sheets of an xlsx as text frames (a missing sheet is left out; with ``first_if_missing``
    the first sheet stands for a missing first name), and the formula cells without a saved value.

    The file is refused (:class:`UnreadableFile`) when it is over a limit, before the reader sees it."""
    path = Path(path)
    limits = limits or lim.current()
    _check_size(path, limits)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise lim.not_xlsx() from exc
    with zf:
        book = lim.inspect_container(zf, limits)
        if not book.sheets:
            raise lim.not_xlsx()
        chosen: dict[str, str] = {}  # our name → the sheet's name in the book
        for i, name in enumerate(names):
            if name in book.sheets:
                chosen[name] = name
            elif i == 0 and first_if_missing:
                chosen[name] = next(iter(book.sheets))
        scans = {}
        try:
            for actual in chosen.values():
                lim.check_dimension(zf, book.sheets[actual], actual, limits)
            lengths = None
            if book.shared_strings and chosen:
                lengths = lim.scan_sheet(zf, book.shared_strings, next(iter(chosen.values())), limits,
                                         shared=True).lengths
            text = 0
            for name, actual in chosen.items():
                scans[name] = lim.scan_sheet(zf, book.sheets[actual], actual, limits, shared_lengths=lengths,
                                             text_before=text)
                text = scans[name].text
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            if isinstance(exc, UnreadableFile):
                raise
            raise lim.not_xlsx() from exc
    try:
        reader = fastexcel.read_excel(str(path))
        frames = {name: _all_text(reader.load_sheet(actual, dtypes="string").to_polars())
                  for name, actual in chosen.items()}
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine's errors are English, a Rust panic a BaseException
        log.info("unreadable %s: %r", path.name, exc)
        raise _damaged(path) from exc
    errors = []
    for name, frame in frames.items():
        actual = chosen[name]
        check_frame(frame, actual, limits)
        for row, column in scans[name].formulas:
            header = frame.columns[column - 1] if column - 1 < frame.width else lim.column_letters(column)
            errors.append(CellError(actual, row, str(header), None, FORMULA_REASON))
    return frames, sorted(errors, key=lambda e: (e.sheet, e.row))


def check_frame(df: pl.DataFrame, sheet: str, limits: Limits) -> None:
    """Refuse a frame with more rows or columns than the limits, or a cell longer than a cell may be."""
    if df.width > limits.columns:
        raise lim.too_many_columns(sheet, df.width, limits)
    if df.height > limits.rows:
        raise lim.too_many_rows(sheet, df.height, limits)
    if df.height * df.width > limits.cells:
        raise lim.too_many_cells(sheet, df.height + 1, df.width, limits)
    # a number's text has at most 41 characters (Decimal(38, s)): checked only under a lower limit
    text = [pl.col(c) if t == pl.String else pl.col(c).cast(pl.String) for c, t in df.schema.items()
            if t == pl.String or (_number(t) and limits.cell_chars < 48)]
    if not text or df.is_empty():
        return
    long = pl.any_horizontal(c.str.len_chars() > limits.cell_chars for c in text)
    hit = df.select(long.arg_true().first()).item()
    if hit is not None:
        raise lim.cell_too_long(sheet, limits, row=int(hit) + 2)
    headers = [str(c) for c in df.columns]
    if any(len(h) > limits.cell_chars for h in headers):
        raise lim.cell_too_long(sheet, limits, row=1)


# ------------------------------------------------------------------ csv and parquet


def _read_csv(path: Path, limits: Limits) -> pl.DataFrame:
    raw = path.read_bytes()  # at most the upload limit
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not _is_utf8(raw):
        try:
            raw = raw.decode("gb18030").encode("utf-8")
        except UnicodeDecodeError:
            raise UnreadableFile("CSV 文件编码无法识别，请另存为 UTF-8 编码") from None
    end = raw.find(b"\n")
    head = raw[: end if end >= 0 else len(raw)]
    if len(head) > limits.columns * (limits.cell_chars * 4 + 3):
        raise lim.cell_too_long("CSV", limits, row=1)
    header = next(csv.reader(io.StringIO(head.decode("utf-8", "replace"))), [])
    if len(header) > limits.columns:
        raise lim.too_many_columns("CSV", len(header), limits)
    lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)
    rows = min(lines - 1, limits.rows + 1)  # quoted line breaks make this an upper bound
    if rows * max(len(header), 1) > limits.cells:
        raise lim.too_many_cells("CSV", rows + 1, len(header), limits)
    _check_csv_cells(raw, limits)
    df = pl.read_csv(raw, infer_schema=False, n_rows=limits.rows + 1)
    check_frame(df, "CSV", limits)
    return df


_SLICE = 16 * 1024 * 1024


def _is_utf8(raw: bytes) -> bool:
    """Valid UTF-8, checked a slice at a time (no copy of the whole file as text)."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(raw), _SLICE):
            decoder.decode(raw[start:start + _SLICE], final=start + _SLICE >= len(raw))
    except UnicodeDecodeError:
        return False
    return True


def _check_csv_cells(raw: bytes, limits: Limits) -> None:
    """Refuse a csv with a cell longer than a cell may be, or a row wider than the limit, before polars
    holds it (a line of 150 MB took a gigabyte). Without quotes every comma and line break delimits, so
    the longest gap between them bounds the longest cell (numpy, a slice at a time); with quotes
    Python's csv module reads the rows with its field size limit."""
    if b'"' not in raw:
        import numpy as np

        a = np.frombuffer(raw, np.uint8)
        last, longest = -1, 0
        for start in range(0, len(a), _SLICE):
            part = a[start:start + _SLICE]
            marks = np.flatnonzero((part == 44) | (part == 10)) + start
            if len(marks):
                longest = max(longest, int(marks[0]) - last - 1, int(np.diff(marks).max(initial=1)) - 1)
                last = int(marks[-1])
        longest = max(longest, len(a) - last - 1)
        if longest > limits.cell_chars * 4:  # UTF-8: at most 4 bytes a character (exact count: check_frame)
            raise lim.cell_too_long("CSV", limits)
        return
    saved = csv.field_size_limit()
    csv.field_size_limit(limits.cell_chars + 2)
    try:
        rows = csv.reader(io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", newline=""))
        for i, row in enumerate(rows):
            if len(row) > limits.columns:
                raise lim.too_many_columns("CSV", len(row), limits, at_least=True)
            if i > limits.rows:
                raise lim.too_many_rows("CSV", i, limits, at_least=True)
    except csv.Error:
        raise lim.cell_too_long("CSV", limits, row=rows.line_num) from None
    finally:
        csv.field_size_limit(saved)


def _read_parquet(path: Path, limits: Limits) -> pl.DataFrame:
    import pyarrow.parquet as pq

    meta = pq.read_metadata(path)
    sheet = "Parquet"
    if meta.num_columns > limits.columns:
        raise lim.too_many_columns(sheet, meta.num_columns, limits)
    if meta.num_rows > limits.rows:
        raise lim.too_many_rows(sheet, meta.num_rows, limits)
    if meta.num_rows * meta.num_columns > limits.cells:
        raise lim.too_many_cells(sheet, meta.num_rows + 1, meta.num_columns, limits)
    check_parquet_data(meta, limits)
    df = _text_but_numbers(pl.read_parquet(path))
    check_frame(df, sheet, limits)
    return df


def check_parquet_data(meta, limits: Limits) -> None:
    """Refuse a Parquet file whose data, uncompressed, exceeds ``KEQI_MAX_UNPACKED_BYTES`` (a cell of a
    gigabyte compresses to almost nothing)."""
    total = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if total > limits.unpacked_bytes:
        raise UnreadableFile(f"Parquet 文件的数据解压后共 {lim.mb(total)}，超过上限 {lim.mb(limits.unpacked_bytes)}："
                             "请拆分为几个文件分别导入")
