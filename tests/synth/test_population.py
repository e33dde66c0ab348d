"""The synthetic population: reproducible, internally consistent, calibrated, and readable back.

The calibration check below is written independently of ``keqi.synth.population`` (and of
``keqi.policy``): it restates the key conditions from the reference texts and counts the firms
whose figures meet them.
"""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal

import polars as pl
import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from keqi.cli import synth as synth_cli
from keqi.policy.uscc import is_valid_uscc
from keqi.registry.columns import (
    HITECH_FIELDS,
    QUALIFICATION_COLUMNS,
    QUALIFICATION_KINDS,
    QUALIFICATION_SHEET,
    REPORT_COLUMNS,
    REPORT_SHEET,
)
from keqi.registry.units import load_units
from keqi.synth import population as synth

from cases import examples

# 2022 base (chongqing.md §6) and the 2027 zone targets (§1) the population is calibrated to.
HNTE_SHARE = 6348 / 150_000  # ≈ 4.23 %
CQ_SHARE = 42989 / 150_000  # ≈ 28.66 %
ZONE_FIRM_SHARE = {"中心城区": 46560 / 86060, "主城新区": 29780 / 86060, "两群": 9720 / 86060}
ZONE_HNTE_SHARE = {"中心城区": 7110 / 12810, "主城新区": 4640 / 12810, "两群": 1060 / 12810}

UNITS = {u.name: u for u in load_units()}
HOST_CODE = {"两江新区": "500112", "西部科学城重庆高新区": "500107", "万盛经开区": "500110"}
FLAGS = (
    "flag_major_incident",
    "flag_research_misconduct",
    "flag_credit_blacklisted",
    "flag_abnormal_operation",
    "flag_prohibited_industry",
)
MONEY = [c.field for c in REPORT_COLUMNS if c.kind in ("money", "usd")]


def plan_zone(district: str) -> str:
    """The plan's zone of a reporting unit, restated from districts.csv and chongqing.md §5."""
    if district in ("两江新区", "西部科学城重庆高新区"):
        return "中心城区"
    if district == "万盛经开区":
        return "主城新区"
    zone = UNITS[district].zone
    return zone if zone in ("中心城区", "主城新区") else "两群"


def assess(pop: synth.Population) -> pl.DataFrame:
    """One row per firm: does it meet the key 高企 conditions and the 重庆市科技型企业 condition?

    高企 (国科发火〔2016〕32号 第十一条, criteria.md §2.1): registered ≥ 1 year before the assessment
    day; a 高新技术领域; 科技人员 ≥ 10 % of staff; 3-year R&D ≥ 5 % / 4 % / 3 % of 3-year revenue by the
    last year's revenue (≤ 5000万 inclusive / ≤ 2亿 inclusive / above), with ≥ 60 % of it in China;
    high-tech revenue ≥ 60 % of revenue; at least one IP item; no major incident.
    重庆市科技型企业 (chongqing.md §2): 科技人员 ≥ 5 % of staff or ≥ 1 副高级 technology employee, and
    none of the integrity flags. A missing cell never counts as a pass.
    """
    r = pop.reports
    last_year = r.get_column("fiscal_year").max()
    sums = r.group_by("uscc").agg(
        rev3=pl.col("revenue").sum(),
        rd3=pl.col("rd_expense").sum(),
        dom3=pl.col("rd_expense_domestic").sum(),
        dom_missing=pl.col("rd_expense_domestic").null_count(),
        incident=pl.col("flag_major_incident").fill_null(False).any(),
    )
    last = r.filter(pl.col("fiscal_year") == last_year).join(sums, on="uscc")
    need = (
        pl.when(pl.col("revenue") <= 50_000_000)
        .then(0.05)
        .when(pl.col("revenue") <= 200_000_000)
        .then(0.04)
        .otherwise(0.03)
    )
    hnte = (
        (pl.col("registered_on") <= pop.as_of - timedelta(days=365))
        & pl.col("hitech_field").is_not_null()
        & (pl.col("tech_staff") >= 0.10 * pl.col("staff_total"))
        & (pl.col("rev3") > 0)
        & (pl.col("rd3") >= need * pl.col("rev3"))
        & (pl.col("dom_missing") == 0)
        & (pl.col("dom3") >= 0.6 * pl.col("rd3"))
        & (pl.col("revenue") > 0)
        & (pl.col("hitech_revenue") >= 0.6 * pl.col("revenue"))
        & (pl.col("ip_class1") + pl.col("ip_class2") >= 1)
        & ~pl.col("incident")
    )
    people = (pl.col("tech_staff") >= 0.05 * pl.col("staff_total")) | (pl.col("senior_tech_staff") >= 1)
    clean = ~pl.any_horizontal(pl.col(f).fill_null(True) for f in FLAGS)
    return last.select(
        "uscc",
        "district",
        hnte=hnte.fill_null(False),
        cq=(people & clean).fill_null(False),
        zone=pl.col("district").map_elements(plan_zone, return_dtype=pl.String),
    )


@pytest.fixture(scope="module")
def small() -> synth.Population:
    return synth.generate(4000, seed=11)


@pytest.fixture(scope="module")
def medium() -> synth.Population:
    return synth.generate(30_000, seed=5)


# --- reproducibility ------------------------------------------------------------------------------


def _bytes(df: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.write_ipc(buf)
    return buf.getvalue()


def test_same_arguments_give_byte_identical_frames():
    a, b = synth.generate(1500, seed=42), synth.generate(1500, seed=42)
    assert _bytes(a.reports) == _bytes(b.reports)
    assert _bytes(a.qualifications) == _bytes(b.qualifications)


def test_another_seed_gives_other_firms():
    a, b = synth.generate(500, seed=1), synth.generate(500, seed=2)
    assert set(a.reports["uscc"]).isdisjoint(set(b.reports["uscc"]))
    assert a.reports["revenue"].sum() != b.reports["revenue"].sum()


# --- shape and types ------------------------------------------------------------------------------


def test_reports_have_every_field_with_its_type(small):
    r = small.reports
    assert r.columns == [c.field for c in REPORT_COLUMNS]
    for c in REPORT_COLUMNS:
        expected = {
            "money": pl.Int64,
            "usd": pl.Int64,
            "count": pl.Int64,
            "year": pl.Int64,
            "bool": pl.Boolean,
            "date": pl.Date,
        }.get(c.kind, pl.String)
        assert r.schema[c.field] == expected, c.field
    assert small.qualifications.columns == [c.field for c in QUALIFICATION_COLUMNS]
    assert small.qualifications.schema["valid_from"] == pl.Date
    assert small.qualifications.schema["valid_to"] == pl.Date


def test_one_row_per_firm_and_year_from_registration_on(small):
    r = small.reports
    assert small.firms == 4000
    assert r.select("uscc", "fiscal_year").is_unique().all()
    assert set(r["fiscal_year"]) == {2023, 2024, 2025}
    assert r.filter(pl.col("fiscal_year") == 2025).height == 4000  # every firm reports the last year
    assert (r["fiscal_year"] >= r["registered_on"].dt.year()).all()
    assert r.height < 3 * 4000  # young firms have fewer years
    assert (r["registered_on"] <= date(2025, 12, 31)).all()


def test_years_and_last_year_are_honoured():
    pop = synth.generate(300, seed=3, years=5, last_year=2023)
    assert set(pop.reports["fiscal_year"]) == {2019, 2020, 2021, 2022, 2023}
    assert pop.as_of == date(2024, 6, 30)


def test_tiny_populations_work():
    for n in (1, 2, 7):
        pop = synth.generate(n, seed=n)
        assert pop.firms == n
        assert pop.qualifications.schema["valid_to"] == pl.Date


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    firms=st.integers(1, 400),
    seed=st.integers(0, 2**63 - 1),
    years=st.integers(1, 6),
    last_year=st.integers(2000, 2030),
    late=st.integers(0, 700),
)
def test_invariants_hold_for_any_arguments(firms, seed, years, last_year, late):
    as_of = date(last_year + 1, 1, 1) + timedelta(days=late)
    pop = synth.generate(firms, seed, years=years, last_year=last_year, as_of=as_of)
    r, q = pop.reports, pop.qualifications
    assert pop.firms == firms and r.select("uscc", "fiscal_year").is_unique().all()
    assert r["fiscal_year"].is_between(last_year - years + 1, last_year).all()
    assert (r["fiscal_year"] >= r["registered_on"].dt.year()).all()
    assert (r["tech_staff"] <= r["staff_total"]).all() and (r["hitech_revenue"] <= r["revenue"]).all()
    assert all(is_valid_uscc(c) for c in r["uscc"].unique())
    assert ((q["valid_from"] <= as_of) & (q["valid_to"] >= as_of)).all()


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        synth.generate(0, seed=1)
    with pytest.raises(ValueError):
        synth.generate(10, seed=1, last_year=2025, as_of=date(2025, 6, 1))


def test_enterprise_attributes_agree_across_a_firms_rows(small):
    per_firm = small.reports.group_by("uscc").agg(
        pl.col(f).n_unique() for f in ("name", "district", "registered_on", "hitech_field", "industry_code")
    )
    assert per_firm.drop("uscc").max().row(0) == (1,) * 5


# --- identity -------------------------------------------------------------------------------------


def test_every_uscc_is_valid_unique_and_registered_in_chongqing(small):
    firms = small.reports.unique("uscc").select("uscc", "district", "registered_on")
    assert firms.height == 4000
    assert all(is_valid_uscc(c) for c in firms["uscc"])
    regions = firms.select(pl.col("uscc").str.slice(2, 6).alias("region"), "district")
    municipal = 0
    for region, district in regions.iter_rows():
        expected = UNITS[district].code or HOST_CODE[district]
        assert region in (expected, "500000"), (region, district)
        municipal += region == "500000"
    assert 0.02 < municipal / 4000 < 0.09
    # post-2015 codes carry the new-style organisation code (MA…), older ones a numeric body
    new = firms.filter(pl.col("registered_on") >= date(2016, 1, 1))["uscc"]
    old = firms.filter(pl.col("registered_on") < date(2015, 1, 1))["uscc"]
    assert new.str.slice(8, 2).eq("MA").all()
    assert old.str.slice(8, 8).str.contains(r"^\d{8}$").all()


def test_company_names_are_plausible_and_unique(small):
    names = small.reports.unique("uscc")["name"]
    assert names.n_unique() == 4000
    assert names.str.contains(r"^重庆市?\p{Han}{2,4}\p{Han}+(有限公司|有限责任公司|股份有限公司)$").all()
    assert names.str.contains("科技").mean() > 0.1


# --- realism --------------------------------------------------------------------------------------


def test_figures_are_internally_consistent(medium):
    r = medium.reports
    assert (r["staff_total"] >= 1).all()
    assert (r["tech_staff"] <= r["staff_total"]).all()
    assert (r["senior_tech_staff"].drop_nulls() <= r.drop_nulls("senior_tech_staff")["tech_staff"]).all()
    both = r.drop_nulls(["rd_expense_domestic"])
    assert (both["rd_expense_domestic"] <= both["rd_expense"]).all()
    assert (r["hitech_revenue"] <= r["revenue"]).all()
    for f in MONEY:
        if f != "net_assets":
            assert (r[f].drop_nulls() >= 0).all(), f
    costs = r.drop_nulls("cost_total")
    assert (costs["cost_total"] >= costs["rd_expense"]).all()
    assets = r.drop_nulls(["net_assets", "total_assets"])
    assert (assets["net_assets"] <= assets["total_assets"]).all()
    negative = (assets["net_assets"] < 0).mean()
    assert 0.005 < negative < 0.08  # occasionally negative net assets
    earning = costs.filter(pl.col("revenue") > 1_000_000)
    ratio = (earning["cost_total"] / earning["revenue"]).median()
    assert 0.8 < ratio < 1.1  # costs in the order of revenue


def test_sizes_are_heavy_tailed_and_firms_mostly_young_and_small(medium):
    last = medium.reports.filter(pl.col("fiscal_year") == 2025)
    assert last["staff_total"].median() < 15
    assert (last["staff_total"] < 20).mean() > 0.7
    assert last["staff_total"].max() > 500
    revenue = last["revenue"]
    assert revenue.quantile(0.99) > 15 * revenue.median()
    age = (pl.lit(medium.as_of) - last["registered_on"]).dt.total_days() / 365.25
    ages = last.select(age.alias("age"))["age"]
    assert (ages < 3).mean() > 0.25
    assert (ages > 15).mean() > 0.03


def test_revenue_and_net_assets_are_correlated_year_to_year(medium):
    wide = (
        medium.reports.filter(pl.col("revenue") > 0)
        .select("uscc", "fiscal_year", pl.col("revenue").log().alias("lr"), "net_assets")
        .pivot(on="fiscal_year", index="uscc", values=["lr", "net_assets"])
        .drop_nulls()
    )
    assert wide.select(pl.corr("lr_2024", "lr_2025")).item() > 0.85
    assert wide.select(pl.corr("net_assets_2024", "net_assets_2025", method="spearman")).item() > 0.8


def test_hitech_fields_follow_the_2021_registry_shares(medium):
    fields = medium.reports.unique("uscc")["hitech_field"].drop_nulls()
    assert set(fields) <= set(HITECH_FIELDS)
    shares = fields.value_counts(normalize=True).rows()
    share = dict(shares)
    assert share["电子信息"] == pytest.approx(0.2032, abs=0.02)
    assert share["先进制造与自动化"] == pytest.approx(0.1820, abs=0.02)
    assert share["高技术服务"] == pytest.approx(0.1439, abs=0.02)
    assert max(share, key=share.get) == "电子信息"


def test_industry_codes_look_like_gbt4754_classes(medium):
    codes = medium.reports["industry_code"].drop_nulls()
    assert codes.str.contains(r"^[A-T]\d{4}$").all()
    software = medium.reports.filter(pl.col("hitech_field") == "电子信息")["industry_code"].drop_nulls()
    assert software.str.slice(0, 3).is_in(["I65", "C39"]).all()


def test_ip_integrity_and_direct_route_rates(medium):
    last = medium.reports.filter(pl.col("fiscal_year") == 2025)
    class1 = (last["ip_class1"] > 0).mean()
    class2 = (last["ip_class2"] > 0).mean()
    assert 0.02 < class1 < class2 < 0.5  # class I rare, class II more common
    flagged = last.select(pl.any_horizontal(pl.col(f).fill_null(False) for f in FLAGS)).to_series().mean()
    assert 0.005 < flagged < 0.05
    for f in ("direct_national_award_top3", "direct_provincial_rd_institution", "direct_led_standard"):
        assert last[f].fill_null(False).mean() < 0.02, f
    assert last["direct_provincial_rd_institution"].fill_null(False).sum() > 0
    # IP held in earlier years never exceeds the later stock
    ip = medium.reports.sort("uscc", "fiscal_year").select(
        (pl.col(f).diff().over("uscc").fill_null(0) >= 0).all() for f in ("ip_class1", "ip_class2")
    )
    assert ip.row(0) == (True, True)


def test_rd_management_follows_rd_spending(medium):
    last = medium.reports.filter(pl.col("fiscal_year") == 2025, pl.col("revenue") > 0)
    intense = last.filter(pl.col("rd_expense") >= 0.03 * pl.col("revenue"))
    none = last.filter(pl.col("rd_expense") == 0)
    assert intense["rd_accounting"].drop_nulls().mean() > none["rd_accounting"].drop_nulls().mean() + 0.4
    assert intense["rd_institution"].drop_nulls().mean() > none["rd_institution"].drop_nulls().mean() + 0.1


def test_valuation_and_financing_only_for_a_few_fast_growers(medium):
    last = medium.reports.filter(pl.col("fiscal_year") == 2025)
    backed = last.filter(pl.col("valuation_usd").is_not_null())
    assert 0 < backed.height < 0.005 * last.height
    assert backed["financing_usd"].is_not_null().all()
    assert (backed["financing_usd"] < backed["valuation_usd"]).all()
    age = (pl.lit(medium.as_of) - backed["registered_on"]).dt.total_days() / 365.25
    assert backed.select(age.alias("a"))["a"].max() <= 11
    assert backed["hitech_field"].is_not_null().mean() > 0.9


def test_a_small_share_of_optional_cells_is_missing(medium):
    r = medium.reports
    required = [c.field for c in REPORT_COLUMNS if c.required]
    assert r.select(pl.col(required).null_count()).sum_horizontal().item() == 0
    # valuation/financing are reported by venture-backed firms only, and hitech_field is empty for
    # firms without a technology field: both are structural, not missing
    structural = ("valuation_usd", "financing_usd", "hitech_field")
    # the upper-rung facts officers record (sme_*, star_*) are mostly unknown by design, and a loss
    # (negative 净利润) is left blank: structural too
    upper = tuple(c.field for c in REPORT_COLUMNS if c.field.startswith(("sme_", "star_")) or c.field == "net_profit")
    optional = [c.field for c in REPORT_COLUMNS if not c.required and c.field not in (*structural, *upper)]
    rate = r.select(pl.col(optional).null_count()).sum_horizontal().item() / (r.height * len(optional))
    assert 0.003 < rate < 0.02
    tech_firms = r.filter(pl.col("tech_staff") >= 0.2 * pl.col("staff_total"), pl.col("rd_expense") > 0)
    assert 0.005 < tech_firms["hitech_field"].null_count() / tech_firms.height < 0.06
    assert r["staff_total"].null_count() == 0 and r["revenue"].null_count() == 0
    assert r["industry_code"].null_count() > 0 and r["rd_expense_domestic"].null_count() > 0


# --- geography and calibration --------------------------------------------------------------------


def test_firms_cover_every_unit_in_the_plans_zone_split(medium):
    firms = medium.reports.unique("uscc")
    assert set(firms["district"]) == set(UNITS)
    zones = firms["district"].map_elements(plan_zone, return_dtype=pl.String).value_counts(normalize=True)
    share = dict(zones.rows())
    for zone, target in ZONE_FIRM_SHARE.items():
        assert share[zone] == pytest.approx(target, abs=0.015), zone
    counts = dict(firms["district"].value_counts().rows())
    assert counts["两江新区"] > counts["渝中区"] > counts["万盛经开区"]
    assert counts["西部科学城重庆高新区"] > counts["城口县"]


def test_calibration_shares_at_30000(medium):
    a = assess(medium)
    # tolerance: 12 % relative for 高企 (sampling error ≈ 3 % at this size), 5 % for 科技型企业
    assert a["hnte"].mean() == pytest.approx(HNTE_SHARE, rel=0.12)
    assert a["cq"].mean() == pytest.approx(CQ_SHARE, rel=0.05)


@pytest.mark.slow
def test_calibration_at_150000_matches_the_2022_base_and_2027_zone_split():
    pop = synth.generate(150_000, seed=2023)  # speed is measured in benchmarks/, not asserted here
    a = assess(pop)
    assert a.height == 150_000
    # documented tolerance (docs/synth.md): ±6 % relative for 高企, ±3 % for 科技型企业
    assert a["hnte"].sum() == pytest.approx(6348, rel=0.06)
    assert a["cq"].sum() == pytest.approx(42989, rel=0.03)
    # qualifying 高企 per zone follow the 2027 targets 7110 / 4640 / 1060 within 1.5 points
    qualifying = a.filter("hnte")
    share = dict(qualifying["zone"].value_counts(normalize=True).rows())
    for zone, target in ZONE_HNTE_SHARE.items():
        assert share[zone] == pytest.approx(target, abs=0.015), zone
    # certificates: about as many holders as the 2022 counts
    kinds = dict(pop.qualifications["kind"].value_counts().rows())
    assert kinds[QUALIFICATION_KINDS["hnte"]] == pytest.approx(6348, rel=0.06)
    assert kinds[QUALIFICATION_KINDS["cq_tech"]] == pytest.approx(42989, rel=0.04)
    # tens of 潜在独角兽 candidates (≤ 9 years, ≥ 1亿美元 valuation, ≥ 500万美元 raised), a few 独角兽
    last = pop.reports.filter(pl.col("fiscal_year") == 2025)
    age = (pl.lit(pop.as_of) - pl.col("registered_on")).dt.total_days() / 365.25
    potential = last.filter(
        age <= 9, pl.col("valuation_usd") >= 100_000_000, pl.col("financing_usd") >= 5_000_000
    )
    unicorn = last.filter(
        age <= 10, pl.col("valuation_usd") >= 1_000_000_000, pl.col("financing_usd") >= 50_000_000
    )
    assert 10 <= potential.height <= 100
    assert unicorn.height <= 20


# --- qualifications -------------------------------------------------------------------------------


def test_qualifications_are_valid_on_the_assessment_day(medium):
    q = medium.qualifications
    assert set(q["kind"]) == {QUALIFICATION_KINDS["hnte"], QUALIFICATION_KINDS["cq_tech"]}
    assert q.select("uscc", "kind").is_unique().all()  # one certificate of a kind per firm
    assert ((q["valid_from"] <= medium.as_of) & (q["valid_to"] >= medium.as_of)).all()
    hnte = q.filter(pl.col("kind") == "高新技术企业")
    assert (hnte["valid_from"] > medium.as_of - timedelta(days=3 * 366)).all()
    assert (hnte["valid_to"] == hnte["valid_from"].dt.offset_by("3y").dt.offset_by("-1d")).all()
    assert hnte["number"].str.contains(r"^GR20\d{2}50\d{6}$").all() and hnte["number"].is_unique().all()
    cq = q.filter(pl.col("kind") == "科技型企业入库")
    assert (cq["valid_to"] == cq["valid_from"].dt.offset_by("1y").dt.offset_by("-1d")).all()
    registered = medium.reports.unique("uscc").select("uscc", "registered_on")
    late = hnte.join(registered, on="uscc").filter(
        pl.col("valid_from") < pl.col("registered_on").dt.offset_by("1y")
    )
    assert late.is_empty()  # a certificate needs a year of registration
    assert set(q["uscc"]) <= set(registered["uscc"])


def test_holders_mostly_meet_the_conditions_with_some_stale(medium):
    a = assess(medium)
    q = medium.qualifications
    for label, col in (("高新技术企业", "hnte"), ("科技型企业入库", "cq")):
        holders = q.filter(pl.col("kind") == label).select("uscc").join(a, on="uscc")
        meeting = holders[col].mean()
        assert 0.75 < meeting < 0.99, label  # mostly, but some holders no longer meet them
        eligible = a.filter(col)
        covered = eligible["uscc"].is_in(holders["uscc"].implode()).mean()
        assert covered > 0.8, label
        assert holders.height / a.height == pytest.approx(HNTE_SHARE if col == "hnte" else CQ_SHARE, rel=0.15)


# --- files ----------------------------------------------------------------------------------------


def _yuan(series: pl.Series) -> pl.Series:
    """Display money (万元, up to 4 decimals, as text or number) back to integer yuan, exactly."""
    return pl.Series(
        [None if v is None else int(Decimal(str(v)) * 10_000) for v in series.to_list()], dtype=pl.Int64
    )


@pytest.fixture(scope="module")
def tiny() -> synth.Population:
    return synth.generate(150, seed=9)


def _check_report_sheet(df: pl.DataFrame, pop: synth.Population, *, money_as_float: bool) -> None:
    assert df.columns == [c.header for c in REPORT_COLUMNS]
    assert df.height == pop.reports.height
    by_field = {c.field: c.header for c in REPORT_COLUMNS}
    for f in MONEY:
        got = df[by_field[f]]
        if money_as_float:
            got = pl.Series([None if v is None else round(v * 10_000) for v in got.to_list()], dtype=pl.Int64)
        else:
            got = _yuan(got)
        assert got.to_list() == pop.reports[f].to_list(), f
    assert df[by_field["uscc"]].cast(pl.String).to_list() == pop.reports["uscc"].to_list()
    assert df[by_field["district"]].to_list() == pop.reports["district"].to_list()
    assert (
        df[by_field["registered_on"]].cast(pl.String).to_list()
        == pop.reports["registered_on"].cast(pl.String).to_list()
    )
    flags = df[by_field["flag_abnormal_operation"]].to_list()
    assert set(flags) <= {"是", "否", None}
    assert flags == [
        None if v is None else ("是" if v else "否") for v in pop.reports["flag_abnormal_operation"].to_list()
    ]


def test_xlsx_has_both_sheets_with_exact_headers_and_values(tiny, tmp_path):
    path = synth.write(tiny, tmp_path / "pop.xlsx")
    reports = pl.read_excel(path, sheet_name=REPORT_SHEET, infer_schema_length=0)
    _check_report_sheet(reports, tiny, money_as_float=False)
    quals = pl.read_excel(path, sheet_name=QUALIFICATION_SHEET, infer_schema_length=0)
    assert quals.columns == [c.header for c in QUALIFICATION_COLUMNS]
    assert quals.height == tiny.qualifications.height
    assert quals["有效期止"].to_list() == tiny.qualifications["valid_to"].cast(pl.String).to_list()


def test_csv_holds_the_report_sheet_readable_back(tiny, tmp_path):
    path = synth.write(tiny, tmp_path / "pop.csv")
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())
    df = pl.read_csv(raw[3:], infer_schema=False)
    _check_report_sheet(df, tiny, money_as_float=False)


def test_parquet_holds_the_report_sheet_readable_back(tiny, tmp_path):
    path = synth.write(tiny, tmp_path / "pop.parquet")
    df = pl.read_parquet(path)
    _check_report_sheet(df, tiny, money_as_float=False)


# --- command line ---------------------------------------------------------------------------------


def _app() -> typer.Typer:
    app = typer.Typer()
    synth_cli.register(app)

    @app.command("noop")  # a second command keeps typer from collapsing the group
    def noop() -> None:
        pass

    return app


def test_cli_writes_the_format_given_by_the_suffix(tmp_path):
    out = tmp_path / "pop.parquet"
    result = CliRunner().invoke(_app(), ["synth", "--firms", "50", "--seed", "4", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "50" in result.stdout and str(out) in result.stdout.replace("\n", "")
    df = pl.read_parquet(out)
    assert df.select(pl.col("统一社会信用代码").n_unique()).item() == 50
    assert df["年度"].cast(pl.Int64).max() == 2025


def test_cli_format_option_and_years(tmp_path):
    out = tmp_path / "pop"
    args = [
        "synth",
        "--firms",
        "40",
        "--years",
        "2",
        "--last-year",
        "2024",
        "--format",
        "csv",
        "-o",
        str(out),
    ]
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 0, result.output
    df = pl.read_csv((tmp_path / "pop.csv").read_bytes()[3:], infer_schema=False)
    assert set(df["年度"]) <= {"2023", "2024"}
    again = CliRunner().invoke(_app(), [*args[:-2], "-o", str(tmp_path / "x.parquet")])
    assert again.exit_code != 0  # suffix and --format disagree
    unknown = CliRunner().invoke(_app(), ["synth", "--firms", "5", "-o", str(tmp_path / "x.txt")])
    assert unknown.exit_code != 0


def test_generator_and_cli_do_not_import_django():
    code = "import sys, keqi.synth.population, keqi.cli.synth; sys.exit('django' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# --- evaluation-contract profiles -------------------------------------------------------------------


def test_profiles_follow_the_evaluation_contract(small):
    profiles = synth.to_profiles(small)
    assert len(profiles) == 4000
    by_uscc = {p["uscc"]: p for p in profiles}
    certified = set(small.qualifications.filter(pl.col("kind") == "高新技术企业")["uscc"])
    assert {u for u, p in by_uscc.items() if p["direct"]["hnte_certificate_valid"]} == certified
    one = small.reports.filter(pl.col("uscc") == profiles[0]["uscc"]).sort("fiscal_year")
    p = profiles[0]
    assert [f["year"] for f in p["financials"]] == one["fiscal_year"].to_list()
    assert [f["revenue"] for f in p["financials"]] == one["revenue"].to_list()
    assert p["staff_total"] == one["staff_total"][-1] and p["assess_on"] == small.as_of
    codes = {p["district_code"] for p in profiles}
    assert "500112" in codes and "两江新区" in codes  # functional zones go by name
    profile = pytest.importorskip("keqi.policy.profile")
    for p in profiles[:500]:
        profile.Profile.model_validate(p)
