"""Helpers of the credit tests: a small population of graded firms."""

from __future__ import annotations

import datetime as dt

import polars as pl

from support import qualification_rows, report_rows, write_file

DAY = dt.date(2025, 3, 1)


def firm_rows():
    yubei = report_rows(4, unit="渝北区", years=(2023, 2024), seed=11).with_columns(
        pl.lit(30).alias("ip_class1"), pl.lit(True).alias("standards_participation"))
    nanan = report_rows(1, unit="南岸区", years=(2023, 2024), seed=12).with_columns(pl.lit(30).alias("ip_class1"))
    nanan = nanan.with_columns(pl.col("name").str.replace("重庆测试", "南岸测试"))
    reports = pl.concat([yubei, nanan])
    codes = reports["uscc"].unique(maintain_order=True).to_list()
    quals = qualification_rows(reports, kind="科技型企业入库").with_columns(
        pl.lit(dt.date(2023, 1, 1)).alias("valid_from"), pl.lit(None, dtype=pl.Date).alias("valid_to"))
    quals = quals.filter(pl.col("uscc") != codes[3])  # the fourth 渝北区 firm is not 入库
    return reports, quals


def write_firms(path, reports, quals):
    return write_file(path, reports, quals)


def codes(reports) -> list[str]:
    return reports["uscc"].unique(maintain_order=True).to_list()


def stored_grades(grades: dict[str, str], assess_on: dt.date = DAY):
    """A complete city-wide screening run whose kv-credit results give these grades."""
    from django.utils import timezone

    from keqi.policy.editions.kv_credit import CREDIT_LINES
    from keqi.registry.models import Enterprise
    from keqi.screening.models import EditionResult, ScreeningRun, Standing

    run = ScreeningRun.objects.create(assess_on=assess_on, status=ScreeningRun.Status.COMPLETE,
                                      finished_at=timezone.now())
    for code, grade in grades.items():
        firm = Enterprise.objects.get(uscc=code)
        result = EditionResult("kv-credit", "eligible", extras={"grade": grade, "credit_line": CREDIT_LINES[grade]})
        Standing.objects.create(run=run, enterprise=firm, reporting_unit_id=firm.reporting_unit_id, name=firm.name,
                                current_tier="tech", results={"kv-credit": result.pack()})
    return run
