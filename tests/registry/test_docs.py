"""The documentation of the exchange format lists every column the importer knows."""

from pathlib import Path

from keqi.registry.columns import QUALIFICATION_COLUMNS, REPORT_COLUMNS

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-format.md"


def test_every_column_is_documented_with_its_field_name():
    text = DOC.read_text(encoding="utf-8")
    missing = [c.header for c in (*REPORT_COLUMNS, *QUALIFICATION_COLUMNS) if f"| {c.header} | `{c.field}` |" not in text]
    assert missing == []
