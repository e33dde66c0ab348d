"""The upper-rung columns (专精特新, 小巨人, 科创属性) travel from the spreadsheet to the flat table."""

import datetime as dt

import polars as pl
import pytest

from keqi.accounts.scope import SYSTEM
from keqi.policy import evaluation
from keqi.registry import flows
from keqi.registry.models import Enterprise
from keqi.registry.profiles import flat_table

from support import qualification_rows, report_rows, write_file

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 6, 30)


def with_upper(rows: pl.DataFrame, **extra) -> pl.DataFrame:
    values = {
        "main_revenue": pl.col("revenue") * 9 // 10,
        "net_profit": pl.col("revenue") // 10,
        "equity_financing": pl.lit(0),
        "rd_staff": pl.col("tech_staff") // 2,
        "sme_niche_years": pl.lit(4),
        "sme_market_share_pct": pl.lit(12),
        "sme_quality_score": pl.lit(55),
        "sme_rd_institution_level": pl.lit("省级"),
        "sme_product_field": pl.lit("工业六基等"),
        "sme_digital_level": pl.lit("二级"),
        "sme_chuangke": pl.lit("全国500强"),
        "sme_local_points": pl.lit(9),
        "sme_market_leading": pl.lit(True),
        "star_software": pl.lit(False),
        "star_invention_patents": pl.lit(3),
    } | extra
    return rows.with_columns(**values)


def test_upper_rung_cells_reach_the_flat_table_as_the_profile_codes(tmp_path):
    rows = with_upper(report_rows(1, years=(2022, 2023, 2024)))
    quals = pl.concat([qualification_rows(rows), qualification_rows(rows, kind="专精特新中小企业")])
    flows.run_import(path=write_file(tmp_path / "f.xlsx", rows, quals), scope=SYSTEM)
    (row,) = flat_table(enterprises=Enterprise.objects.all(), assess_on=DAY).to_pylist()
    last = rows.sort("fiscal_year").row(-1, named=True)
    assert row["y1_main_revenue"] == last["main_revenue"] and row["y1_net_profit"] == last["net_profit"]
    assert row["y3_main_revenue"] is not None and row["rd_staff"] == last["tech_staff"] // 2
    assert row["sme_rd_institution_level"] == "provincial"
    assert row["sme_product_field"] == "six_basics"
    assert row["sme_digital_level"] == 2
    assert row["sme_chuangke"] == "top500"
    assert row["sme_market_share_pct"] == 12.0 and row["sme_quality_score"] == 55.0
    assert row["sme_market_leading"] is True and row["star_software"] is False
    # titles from the qualifications valid on the day; none held is known as not held
    assert row["sme_title_srdi"] is True
    assert row["sme_title_little_giant"] is False and row["sme_title_innovative_sme"] is False
    # and the engine reads them: 2022 专精特新 sees 4 years in the niche
    result = evaluation.evaluate_table(
        flat_table(enterprises=Enterprise.objects.all(), assess_on=DAY), "srdi-2022", gaps=False
    ).to_pylist()
    assert result[0]["niche_years__passed"] is True


def test_blank_upper_rung_cells_stay_unknown_and_out_of_range_points_are_not_counted(tmp_path):
    rows = with_upper(report_rows(1, years=(2023, 2024)), sme_local_points=pl.lit(16), sme_digital_level=pl.lit(None))
    flows.run_import(path=write_file(tmp_path / "f.xlsx", rows), scope=SYSTEM)
    (row,) = flat_table(enterprises=Enterprise.objects.all(), assess_on=DAY).to_pylist()
    assert row["sme_local_points"] is None
    assert row["sme_digital_level"] is None
    assert row["sme_quality_certified"] is None and row["star_negative_list"] is None


def test_a_choice_outside_the_list_is_a_clear_cell_error(tmp_path):
    rows = with_upper(report_rows(1, years=(2024,)), sme_rd_institution_level=pl.lit("区级"))
    result = flows.run_import(path=write_file(tmp_path / "f.xlsx", rows), scope=SYSTEM)
    assert Enterprise.objects.count() == 0
    errors = result.errors if hasattr(result, "errors") else result["errors"]
    assert any("研发机构级别" in str(e) and "国家级" in str(e) for e in errors)
