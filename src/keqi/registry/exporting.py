"""The downloadable template and exports, both in the exchange format of :mod:`.columns`.

An export is a file the importer takes back unchanged: exporting a list and importing the file
again is a no-op (tested), so officers can pull a list, correct it in Excel and load it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from .columns import QUALIFICATION_COLUMNS, QUALIFICATION_SHEET, REPORT_COLUMNS, REPORT_SHEET, Column
from .workbook import fields_to_display, write_tables

GUIDE_SHEET = "填写说明"
GUIDE_COLUMNS = (
    Column("sheet", "工作表", "text", "report"),
    Column("header", "列名", "text", "report"),
    Column("required", "是否必填", "text", "report"),
    Column("format", "填写要求", "text", "report"),
)

KIND_TEXT = {
    "uscc": "18位统一社会信用代码（文本格式）",
    "text": "文本",
    "district": "区县名称（如 渝北区）、6位行政区划代码或功能区名称",
    "date": "日期，YYYY-MM-DD",
    "choice": "从可选值中选择",
    "industry": "国民经济行业分类代码（文本格式）",
    "year": "4位年份",
    "count": "非负整数",
    "money": "金额，单位万元，最多4位小数（精确到1元）",
    "usd": "金额，单位万美元，最多4位小数",
    "bool": "是/否，留空表示未知",
}


def _guide() -> pl.DataFrame:
    rows = []
    for sheet, columns in ((REPORT_SHEET, REPORT_COLUMNS), (QUALIFICATION_SHEET, QUALIFICATION_COLUMNS)):
        for c in columns:
            text = KIND_TEXT[c.kind]
            if c.choices:
                text += "：" + "、".join(c.choices)
            if c.help:
                text += "；" + c.help
            rows.append((sheet, c.header, "必填" if c.required else "选填", text))
    note = "同一企业同一年度一行；以“统一社会信用代码+年度”为准，重复导入不会产生重复数据，修改后的文件会更新原有数据。"
    rows.append(("说明", "—", "—", note))
    return pl.DataFrame(rows, schema=["工作表", "列名", "是否必填", "填写要求"], orient="row")


def write_template(path: Path | str) -> Path:
    empty_reports = pl.DataFrame(schema={c.header: pl.String for c in REPORT_COLUMNS})
    empty_quals = pl.DataFrame(schema={c.header: pl.String for c in QUALIFICATION_COLUMNS})
    return write_tables(path, {
        REPORT_SHEET: (empty_reports, REPORT_COLUMNS),
        QUALIFICATION_SHEET: (empty_quals, QUALIFICATION_COLUMNS),
        GUIDE_SHEET: (_guide(), GUIDE_COLUMNS),
    })


def write_export(path: Path | str, frames: Mapping[str, pl.DataFrame]) -> Path:
    """Write field-keyed frames (from ``services.export_frames``) in the exchange format."""
    return write_tables(path, {
        REPORT_SHEET: (fields_to_display(frames[REPORT_SHEET], REPORT_COLUMNS), REPORT_COLUMNS),
        QUALIFICATION_SHEET: (fields_to_display(frames[QUALIFICATION_SHEET], QUALIFICATION_COLUMNS),
                              QUALIFICATION_COLUMNS),
    })
