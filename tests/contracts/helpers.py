"""Helpers of the contract tests: valid contract rows and files in the contract format."""

from __future__ import annotations

import datetime as dt
import random

import polars as pl

from keqi.contracts.columns import COLUMNS, SHEET
from keqi.policy.uscc import make_uscc
from keqi.registry.workbook import fields_to_display, write_tables


def contract_rows(n: int = 4, *, unit: str = "渝北区", seed: int = 3, year: int = 2024) -> pl.DataFrame:
    """Field-keyed valid contracts (money in yuan); sellers in Chongqing, buyers in Beijing."""
    rng = random.Random(seed)
    kinds = [("技术开发", "委托开发"), ("技术转让", "专利权转让"), ("技术许可", "专利实施许可（独占）"),
             ("技术咨询", "可行性论证"), ("技术服务", "技术培训")]
    rows = []
    for i in range(n):
        category, sub = kinds[i % len(kinds)]
        total = rng.randint(100_000, 9_000_000)
        rows.append({
            "number": f"{year}5001{seed:02d}{i:06d}", "title": f"测试技术合同{i}", "category": category,
            "sub_kind": sub, "seller_uscc": make_uscc(rng, region="500112"), "seller_name": f"重庆卖方{i}有限公司",
            "buyer_uscc": make_uscc(rng, region="110108"), "buyer_name": f"北京买方{i}有限公司",
            "signed_on": dt.date(year, 1 + i % 12, 5), "registered_on": dt.date(year, 1 + i % 12, 20),
            "contract_amount": total, "technical_amount": total - rng.randint(0, total // 3), "unit": unit,
            "hitech_field": "电子信息" if i % 2 else None, "status": "已登记",
        })
    return pl.DataFrame(rows)


def write_contracts(path, rows: pl.DataFrame, *, raw: bool = False):
    frame = rows if raw else fields_to_display(rows, COLUMNS)
    return write_tables(path, {SHEET: (frame, COLUMNS)})
