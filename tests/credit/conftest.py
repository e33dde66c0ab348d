"""Fixtures of the credit tests: firms holding 科技型企业入库 (the role fixtures are in tests/conftest.py)."""

from __future__ import annotations

import pytest

from keqi.accounts.scope import SYSTEM
from keqi.registry import flows

from .helpers import firm_rows, write_firms


@pytest.fixture
def firms(tmp_path, db):
    """Four 渝北区 firms with a grade (三 with 入库, one without) and one 南岸区 firm with 入库."""
    reports, quals = firm_rows()
    assert flows.run_import(path=write_firms(tmp_path / "firms.xlsx", reports, quals), scope=SYSTEM).applied
    return reports, quals
