"""Every profile field a criterion reads has a Chinese name (gap notes say 请补充：研究开发费用总额, never a path)."""

from keqi.policy.editions import all_editions
from keqi.policy.labels import FIELD_LABELS, UNKNOWN, field_label, fields_text


def test_every_field_of_every_criterion_has_a_chinese_name():
    missing = {(e.id, c.id, path.strip()) for e in all_editions() for c in e.criteria
               for path in c.fields.split(",") if path.strip().isascii() and path.strip()
               and path.strip() not in FIELD_LABELS}
    assert not missing


def test_a_list_of_fields_reads_as_chinese():
    assert fields_text("financials[].rd_expense, financials[].rd_expense_domestic, financials[].revenue") == \
        "研究开发费用总额、境内研究开发费用、销售收入"
    assert fields_text("（无法由数据判定）") == ""
    assert field_label("no.such_field") == UNKNOWN
    assert all(name.isascii() is False for name in FIELD_LABELS.values())
