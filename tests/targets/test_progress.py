"""Targets: shipped with their sources, counted from qualifications, measured against the year gone."""

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from django.urls import reverse

from keqi.accounts.scope import SYSTEM, scope_for
from keqi.registry import flows
from keqi.targets import services
from keqi.targets.models import Indicator, IndicatorValue, Target

from support import qualification_rows, report_rows, write_file

pytestmark = pytest.mark.django_db


def test_the_plans_targets_are_shipped_with_their_sources():
    city_2027 = {t.indicator: t.value for t in Target.objects.filter(year=2027, scope_key="city")}
    assert city_2027 == {"hnte_count": Decimal(12800), "tech_count": Decimal(86000)}
    zones = Target.objects.filter(year=2027, indicator="hnte_count", scope_key__startswith="zone:")
    assert sum(t.value for t in zones) == Decimal(12810)  # 7110 + 4640 + 1060, as the plan prints them
    assert all("渝府办发〔2023〕26号" in t.source for t in zones)
    assert Target.objects.get(year=2023, indicator="contract_turnover").value == Decimal(75_000_000_000)


@pytest.fixture
def certified(tmp_path):
    """5 firms in 渝北区 (中心城区) and 3 in 荣昌区 (主城新区); 高企 certificates start on 2023-11-01."""
    yubei = report_rows(5, unit="渝北区", years=(2022,), seed=71)
    rongchang = report_rows(3, unit="荣昌区", years=(2022,), seed=72)
    rows = pl.concat([yubei, rongchang])
    quals = qualification_rows(rows)
    old = quals.head(2).with_columns(pl.lit(dt.date(2022, 1, 1)).alias("valid_from"))  # held before 2023 too
    flows.run_import(path=write_file(tmp_path / "f.xlsx", rows, pl.concat([quals, old])), scope=SYSTEM)


def row(rows, indicator, scope_key):
    return next(p for p in rows if p.indicator == indicator and p.scope_key == scope_key)


def test_counts_come_from_valid_qualifications_and_add_up_by_zone(certified):
    Target.objects.create(indicator="hnte_count", year=2023, scope_key="zone:中心城区", value=10, source="test")
    Target.objects.create(indicator="hnte_count", year=2023, scope_key="zone:主城新区", value=6, source="test")
    rows = services.progress(scope=SYSTEM, year=2023, on=dt.date(2023, 12, 31))
    city = row(rows, "hnte_count", "city")
    assert (city.actual, city.base) == (8, 2)  # two firms already held one at the end of 2022
    central = row(rows, "hnte_count", "zone:中心城区")
    assert central.actual == 5
    new_main = row(rows, "hnte_count", "zone:主城新区")
    assert new_main.actual == 3


def test_lagging_means_less_of_the_way_covered_than_of_the_year(certified):
    Target.objects.create(indicator="hnte_count", year=2023, scope_key="zone:主城新区", value=4, source="test")
    # On 2023-10-01 no certificate of 2023 has started yet: 0 of the way, 75% of the year gone.
    early = row(services.progress(scope=SYSTEM, year=2023, on=dt.date(2023, 10, 1)), "hnte_count", "zone:主城新区")
    assert early.covered == 0 and early.lagging is True
    late = row(services.progress(scope=SYSTEM, year=2023, on=dt.date(2023, 12, 31)), "hnte_count", "zone:主城新区")
    assert late.covered == Decimal(3) / Decimal(4) and late.elapsed == 1 and late.lagging is True
    Target.objects.filter(scope_key="zone:主城新区").update(value=3)
    done = row(services.progress(scope=SYSTEM, year=2023, on=dt.date(2023, 12, 31)), "hnte_count", "zone:主城新区")
    assert done.covered == 1 and done.lagging is False


def test_reported_indicators_use_the_latest_value_entered(certified):
    IndicatorValue.objects.create(indicator=Indicator.RD_INTENSITY, year=2023, scope_key="city",
                                  as_of=dt.date(2023, 6, 30), value=Decimal("1.10"), source="测试")
    IndicatorValue.objects.create(indicator=Indicator.RD_INTENSITY, year=2023, scope_key="city",
                                  as_of=dt.date(2023, 12, 31), value=Decimal("2.40"), source="测试")
    mid = row(services.progress(scope=SYSTEM, year=2023, on=dt.date(2023, 7, 1)), "rd_intensity", "city")
    assert mid.actual == Decimal("1.10")
    end = row(services.progress(scope=SYSTEM, year=2023, on=dt.date(2024, 1, 5)), "rd_intensity", "city")
    assert end.actual == Decimal("2.40") and end.lagging is False


def test_an_officer_sees_the_city_its_zone_and_its_unit_only(certified, yubei_officer, nanan_officer):
    from keqi.registry.models import ReportingUnit

    rongchang = ReportingUnit.objects.get(name="荣昌区").pk
    yubei = ReportingUnit.objects.get(name="渝北区").pk
    Target.objects.create(indicator="hnte_count", year=2023, scope_key=f"unit:{rongchang}", value=3, source="t")
    Target.objects.create(indicator="hnte_count", year=2023, scope_key=f"unit:{yubei}", value=9, source="t")
    keys = {p.scope_key for p in services.progress(scope=scope_for(yubei_officer), year=2027, on=dt.date(2027, 1, 1))}
    assert keys == {"city", "zone:中心城区"}
    keys_2023 = {p.scope_key for p in services.progress(scope=scope_for(yubei_officer), year=2023,
                                                         on=dt.date(2023, 12, 31))}
    assert f"unit:{rongchang}" not in keys_2023 and f"unit:{yubei}" in keys_2023


def test_overview_page_in_chinese(client_for, yubei_officer, certified):
    html = client_for(yubei_officer).get(reverse("targets:overview"), {"year": 2027, "on": "2027-01-01"}).content.decode()
    assert "渝府办发〔2023〕26号" in html and "中心城区" in html and "主城新区" not in html


def test_contract_turnover_counts_registered_contracts_toward_the_target(tmp_path, registrar):
    from keqi.contracts import flows as contract_flows

    from contracts.helpers import contract_rows, write_contracts  # tests/contracts/helpers.py

    rows = contract_rows(6, unit="渝北区", year=2023)
    before = row(services.progress(scope=SYSTEM, year=2023, on=dt.date(2023, 12, 31)), "contract_turnover", "city")
    assert before.actual == 0
    result = contract_flows.run_import(path=write_contracts(tmp_path / "c.xlsx", rows),
                                       scope=scope_for(registrar), user=registrar)
    assert not result.errors
    after = row(services.progress(scope=SYSTEM, year=2023, on=dt.date(2023, 12, 31)), "contract_turnover", "city")
    assert after.actual == Decimal(int(rows["contract_amount"].sum()))
    assert after.covered == after.actual / Decimal(75_000_000_000)


def test_a_target_period_runs_from_the_previous_target_or_from_the_plans_base_year(certified):
    rows = services.progress(scope=SYSTEM, year=2027, on=dt.date(2025, 12, 31))
    zone = row(rows, "hnte_count", "zone:中心城区")  # no earlier zone target: 2023–2027 from the 2022 base
    city = row(rows, "hnte_count", "city")  # after the 2025 city target: 2026–2027
    assert zone.period_start == 2023 and city.period_start == 2026
    assert zone.elapsed == Decimal((dt.date(2025, 12, 31) - dt.date(2022, 12, 31)).days) / Decimal(
        (dt.date(2027, 12, 31) - dt.date(2022, 12, 31)).days)
    assert city.elapsed == 0  # its period has not started
    assert zone.base == 2  # the two 渝北区 firms certified since 2022-01-01 were already counted in the base
