"""The screening's bulk reader builds the same flat table as a firm's page; its writer round-trips."""

import datetime as dt

import polars as pl
import pytest

from keqi.accounts.scope import SYSTEM
from keqi.registry import flows as registry_flows
from keqi.registry.models import Enterprise
from keqi.registry.profiles import flat_table
from keqi.screening import store

from support import qualification_rows, report_rows, write_file

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 6, 30)


def test_read_chunk_equals_flat_table(tmp_path):
    rows = pl.concat([report_rows(7, unit="渝北区", years=(2021, 2022, 2023, 2024, 2025), seed=51),
                      report_rows(4, unit="南岸区", years=(2023, 2024), seed=52)])
    registry_flows.run_import(path=write_file(tmp_path / "p.xlsx", rows, qualification_rows(rows).head(3)),
                              scope=SYSTEM)
    firms = Enterprise.objects.filter(reporting_unit__name="渝北区")
    ids = list(firms.order_by("pk").values_list("pk", flat=True))
    part = store.read_chunk(firms=firms, first=ids[1], last=ids[-2], assess_on=DAY)
    want = flat_table(enterprises=firms.filter(pk__in=ids[1:-1]).order_by("pk"), assess_on=DAY)
    assert part.flat.equals(want)
    assert part.ids.tolist() == ids[1:-1]
    assert set(part.units.tolist()) == set(firms.values_list("reporting_unit_id", flat=True))
    assert sum(1 for h in part.held if "hnte" in h) == firms.filter(
        pk__in=ids[1:-1], qualifications__kind="hnte").distinct().count()
