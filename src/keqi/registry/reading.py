"""Reading an uploaded file (xlsx, csv or parquet) into frames of text cells.

Everything is read as text: the importer decides what each cell means and says precisely why a
cell is wrong, instead of letting a reader guess types. Excel is read with fastexcel (calamine),
which is an order of magnitude faster than openpyxl on large sheets.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl

from .columns import QUALIFICATION_SHEET, REPORT_SHEET


class UnreadableFile(ValueError):
    """The file cannot be read at all (wrong type, corrupt, no sheet with our headers)."""


@dataclass
class RawTables:
    reports: pl.DataFrame
    qualifications: pl.DataFrame | None


def _all_text(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(pl.all().cast(pl.String))


def read_tables(path: Path | str) -> RawTables:
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".xls"):
            return _read_excel(path)
        if suffix == ".csv":
            return RawTables(_read_csv(path), None)
        if suffix == ".parquet":
            return RawTables(_all_text(pl.read_parquet(path)), None)
    except UnreadableFile:
        raise
    except Exception as exc:  # the readers raise many kinds; the user needs one clear message
        raise UnreadableFile(f"无法读取文件“{path.name}”：{exc}") from exc
    raise UnreadableFile(f"不支持的文件类型“{suffix}”，请使用 .xlsx、.csv 或 .parquet")


def _read_csv(path: Path) -> pl.DataFrame:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile("CSV 文件编码无法识别，请另存为 UTF-8 编码")
    return pl.read_csv(text.encode("utf-8"), infer_schema=False)


def _read_excel(path: Path) -> RawTables:
    reader = fastexcel.read_excel(str(path))
    names = reader.sheet_names
    if REPORT_SHEET in names:
        report_idx = names.index(REPORT_SHEET)
    else:
        report_idx = 0
    reports = reader.load_sheet(report_idx, dtypes="string").to_polars()
    qualifications = None
    if QUALIFICATION_SHEET in names:
        qualifications = reader.load_sheet(QUALIFICATION_SHEET, dtypes="string").to_polars()
    return RawTables(_all_text(reports), _all_text(qualifications) if qualifications is not None else None)
