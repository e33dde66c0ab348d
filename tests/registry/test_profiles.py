"""The registry's flat table is exactly what the evaluation contract makes of the same firm."""

import datetime as dt

import polars as pl
import pytest

from keqi.accounts.scope import SYSTEM
from keqi.policy.flat import profiles_to_table
from keqi.registry import flows
from keqi.registry.models import Enterprise
from keqi.registry.profiles import flat_table

from support import profile_from_rows, qualification_rows, report_rows, write_file

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("assess_on", "hnte_valid"),
    [(dt.date(2025, 6, 30), True), (dt.date(2024, 6, 30), True), (dt.date(2026, 11, 1), False)],
)
def test_flat_table_equals_the_contracts_flat_row(tmp_path, assess_on, hnte_valid):
    rows = report_rows(2, years=(2021, 2022, 2023, 2024))
    flows.run_import(path=write_file(tmp_path / "f.xlsx", rows, qualification_rows(rows)), scope=SYSTEM)
    table = flat_table(enterprises=Enterprise.objects.order_by("uscc"), assess_on=assess_on)
    expected = profiles_to_table(
        profile_from_rows(rows.filter(pl.col("uscc") == code), assess_on, hnte_valid)
        for code in sorted(rows["uscc"].unique().to_list())
    )
    assert table.to_pylist() == expected.to_pylist()


def test_a_missing_year_stays_empty_and_a_firm_without_reports_is_all_unknown(tmp_path):
    rows = report_rows(1, years=(2022, 2024))
    flows.run_import(path=write_file(tmp_path / "f.xlsx", rows), scope=SYSTEM)
    bare = report_rows(1, years=(2026,), seed=3)  # only a report of the assessment year itself
    flows.run_import(path=write_file(tmp_path / "g.xlsx", bare), scope=SYSTEM)
    table = flat_table(enterprises=Enterprise.objects.order_by("pk"), assess_on=dt.date(2026, 5, 1)).to_pylist()
    gap, young = table
    assert (gap["y1_year"], gap["y2_year"], gap["y3_year"]) == (2024, None, 2022)
    assert gap["y2_revenue"] is None and gap["y3_revenue"] == rows.filter(pl.col("fiscal_year") == 2022)["revenue"][0]
    assert young["y1_year"] is None and young["staff_total"] is None
