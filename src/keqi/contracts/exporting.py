"""The contract template and exports, in the exchange format of :mod:`.columns` (export → import is a no-op)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from keqi.registry.columns import Column
from keqi.registry.exporting import KIND_TEXT
from keqi.registry.workbook import fields_to_display, write_tables

from .categories import CATEGORIES
from .columns import COLUMNS, SHEET

GUIDE_SHEET = "填写说明"
GUIDE_COLUMNS = (
    Column("header", "列名", "text", "report"),
    Column("required", "是否必填", "text", "report"),
    Column("format", "填写要求", "text", "report"),
)


def _guide() -> pl.DataFrame:
    rows = []
    for c in COLUMNS:
        text = KIND_TEXT[c.kind]
        if c.choices and c.field != "sub_kind":
            text += "：" + "、".join(c.choices)
        if c.help:
            text += "；" + c.help
        rows.append((c.header, "必填" if c.required else "选填", text))
    for category, subs in CATEGORIES.items():
        rows.append((f"合同子类（{category}）", "—", "、".join(subs)))
    rows.append(("说明", "—", "以合同登记号为准：重复导入不会产生重复数据，修改后的文件会更新原有合同。"
                 "技术交易额为合同成交额扣除购置设备、仪器、零部件、原材料等非技术性费用后的金额。"))
    return pl.DataFrame(rows, schema=["列名", "是否必填", "填写要求"], orient="row")


def write_template(path: Path | str) -> Path:
    empty = pl.DataFrame(schema={c.header: pl.String for c in COLUMNS})
    return write_tables(path, {SHEET: (empty, COLUMNS), GUIDE_SHEET: (_guide(), GUIDE_COLUMNS)})


def write_export(path: Path | str, frame: pl.DataFrame) -> Path:
    """Write field-keyed rows (from ``services.export_frame``); csv and parquet hold the contract sheet only."""
    return write_tables(path, {SHEET: (fields_to_display(frame, COLUMNS), COLUMNS)})
