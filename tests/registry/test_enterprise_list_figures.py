"""The enterprise list shows each firm's latest reported year and how many certificates it holds."""

import polars as pl
import pytest
from django.urls import reverse

from keqi.accounts.scope import SYSTEM
from keqi.registry import flows

from support import qualification_rows, report_rows, write_file

pytestmark = pytest.mark.django_db


def test_each_row_has_its_latest_year_and_certificate_count(client_for, city_admin, tmp_path):
    old = report_rows(2, years=(2022, 2023), seed=81)
    new = report_rows(2, years=(2024,), seed=82).with_columns(pl.col("name").str.replace("测试", "新测"))
    quals = pl.concat([qualification_rows(old.head(2)),  # the first firm: 高企 and 科技型中小企业
                       qualification_rows(old.head(2), kind="科技型中小企业").with_columns(number=pl.lit("TS-1"))])
    quals = quals.with_columns(pl.lit(None, dtype=pl.Date).alias("valid_to"))  # the filter: held today
    flows.run_import(path=write_file(tmp_path / "f.xlsx", pl.concat([old, new]), quals), scope=SYSTEM)
    page = client_for(city_admin).get(reverse("registry:enterprise_list")).context["page"]
    shown = {e.uscc: (e.latest_year, e.qualification_count) for e in page}
    first, second = old["uscc"].unique(maintain_order=True).to_list()
    assert shown[first] == (2023, 2) and shown[second] == (2023, 0)
    assert {shown[c] for c in new["uscc"].to_list()} == {(2024, 0)}
    # a filter on a certificate kind keeps the counts of every certificate the firm holds
    page = client_for(city_admin).get(reverse("registry:enterprise_list"), {"qualification": "tsme"}).context["page"]
    assert [(e.uscc, e.qualification_count) for e in page] == [(first, 2)]
