"""The 公示 list as xlsx: one row per firm, text cells for codes, formula-like text neutralised."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from keqi.registry.workbook import neutralise

HEADERS = ("序号", "企业名称", "统一社会信用代码", "所属区县", "申报年度", "状态", "入库登记编号")


def write_batch(path: Path, *, batch, applications) -> Path:
    with xlsxwriter.Workbook(str(path), {"constant_memory": True}) as book:
        sheet = book.add_worksheet("公示名单")
        bold = book.add_format({"bold": True})
        text = book.add_format({"num_format": "@"})
        sheet.write_string(0, 0, batch.title, bold)
        sheet.write_string(1, 0, f"公示期：{batch.opens_on:%Y-%m-%d} 至 {batch.closes_on:%Y-%m-%d}"
                                 f"（{batch.working_days}个工作日）")
        for c, h in enumerate(HEADERS):
            sheet.write_string(3, c, h, bold)
        sheet.set_column(1, 1, 36)
        sheet.set_column(2, 2, 22, text)
        sheet.set_column(3, 6, 16, text)
        for i, a in enumerate(applications.iterator(chunk_size=2000), 1):
            row = 3 + i
            sheet.write_number(row, 0, i)
            sheet.write_string(row, 1, str(neutralise(a.enterprise.name)))
            sheet.write_string(row, 2, a.enterprise.uscc, text)
            sheet.write_string(row, 3, a.reporting_unit.name, text)
            sheet.write_string(row, 4, str(a.year), text)
            sheet.write_string(row, 5, a.state_label)
            sheet.write_string(row, 6, str(neutralise(a.number)), text)
    return path
