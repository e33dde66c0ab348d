"""A corrected contract file changes what it corrects: every column of the contract template (#13.1).

As tests/registry/test_corrections.py: the columns are enumerated from ``contracts/columns.py``; a
changed 合同登记号 (the key) registers a new contract.
"""

from __future__ import annotations

import polars as pl
import pytest
from django.utils import timezone

from keqi.accounts.scope import scope_for
from keqi.contracts import flows, services
from keqi.contracts.columns import COLUMNS, SHEET
from keqi.contracts.models import TechContract
from keqi.registry.workbook import fields_to_display, write_tables

from .helpers import contract_rows
from correcting import ATTNAME, history_says_who_when_why, import_first_valid, same_rows

pytestmark = pytest.mark.django_db


def exported(scope) -> pl.DataFrame:
    return services.export_frame(scope=scope, queryset=services.contracts(scope=scope))


def write(path, frames: dict[str, pl.DataFrame]):
    return write_tables(path, {SHEET: (fields_to_display(frames[SHEET], COLUMNS), COLUMNS)})


@pytest.mark.parametrize("col", COLUMNS, ids=[c.field for c in COLUMNS])
def test_every_contract_column_is_corrected_by_import_with_history(tmp_path, city_admin, col):
    scope = scope_for(city_admin)
    assert flows.run_import(path=write(tmp_path / "seed.xlsx", {SHEET: contract_rows(3)}), scope=scope,
                            user=city_admin).applied
    frames = {SHEET: exported(scope)}
    number = frames[SHEET]["number"][1]
    started = timezone.now()
    new, name, values = import_first_valid(tmp_path, scope=scope, user=city_admin, frames=frames, sheet=SHEET,
                                           col=col, where=pl.col("number") == number,
                                           run_import=flows.run_import, write=write)
    same_rows(new[SHEET], exported(scope), ("number",))
    obj = TechContract.objects.get(number=values.get("number", number))
    history_says_who_when_why(obj, [ATTNAME.get(f, f) for f in values if f != "number"], user=city_admin,
                              started=started, file_name=name, created=col.field == "number")
