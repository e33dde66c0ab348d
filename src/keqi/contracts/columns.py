"""The contract exchange format: one row per registered contract, Chinese headers, money in 万元.

Read with :func:`keqi.registry.parsing.parse_sheet`, written with :mod:`keqi.registry.workbook`,
so contract files get the registry's guarantees (text code cells, exact money, formula
neutralisation, row/column/value/reason messages).
"""

from __future__ import annotations

from keqi.registry.columns import HITECH_FIELDS, Column

from .categories import ALL_SUB_KINDS, CATEGORIES

SHEET = "技术合同"
STATUSES = ("已登记", "未予登记", "已撤销")

COLUMNS: tuple[Column, ...] = (
    Column("number", "合同登记号", "text", "report", True, help="登记机构编制的登记号，唯一"),
    Column("title", "合同名称", "text", "report", True),
    Column("category", "合同类别", "choice", "report", True, choices=tuple(CATEGORIES)),
    Column("sub_kind", "合同子类", "choice", "report", True, choices=ALL_SUB_KINDS, help="须属于所填合同类别"),
    Column("seller_uscc", "卖方统一社会信用代码", "uscc", "report", True, help="18位，可为市外单位"),
    Column("seller_name", "卖方名称", "text", "report", True),
    Column("buyer_uscc", "买方统一社会信用代码", "uscc", "report", True, help="18位，可为市外单位"),
    Column("buyer_name", "买方名称", "text", "report", True),
    Column("signed_on", "签订日期", "date", "report", True, help="YYYY-MM-DD"),
    Column("registered_on", "登记日期", "date", "report", True, help="不早于签订日期，不晚于今天"),
    Column("contract_amount", "合同成交额（万元）", "money", "report", True),
    Column("technical_amount", "技术交易额（万元）", "money", "report", True, help="不大于合同成交额"),
    Column("unit", "登记机构所在区县", "district", "report", True, help="区县名称或GB/T 2260代码，或功能区名称"),
    Column("hitech_field", "高新技术领域", "choice", "report", choices=HITECH_FIELDS),
    Column("status", "登记状态", "choice", "report", choices=STATUSES, help="留空视为已登记"),
)

FIELDS = tuple(c.field for c in COLUMNS)


def header(field: str) -> str:
    return next(c.header for c in COLUMNS if c.field == field)
