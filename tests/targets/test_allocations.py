"""District allocations: suggested split, one-click acceptance, edits by the city only, kept in history."""

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from keqi.accounts.scope import SYSTEM, scope_for
from keqi.pipeline import figures
from keqi.registry import flows
from keqi.registry.models import ReportingUnit
from keqi.targets import allocating, forecasting, services
from keqi.targets.models import Target

from support import qualification_rows, report_rows, write_file

pytestmark = pytest.mark.django_db
ON = dt.date(2024, 6, 30)


@pytest.fixture
def certified(tmp_path):
    """高企: 3 firms in 渝北区, 1 in 南岸区 (both 中心城区), 2 in 荣昌区 (主城新区)."""
    rows = pl.concat([report_rows(3, unit="渝北区", years=(2022,), seed=11),
                      report_rows(1, unit="南岸区", years=(2022,), seed=12),
                      report_rows(2, unit="荣昌区", years=(2022,), seed=13)])
    flows.run_import(path=write_file(tmp_path / "f.xlsx", rows, qualification_rows(rows)), scope=SYSTEM)


def unit(name):
    return ReportingUnit.objects.get(name=name).pk


def test_suggestion_splits_the_zone_target_by_current_counts_and_adds_up(certified):
    plan = allocating.allocation(scope=SYSTEM, indicator="hnte_count", year=2027, on=ON)
    central = [r for r in plan.rows if r.parent_key == "zone:中心城区"]
    assert sum(r.suggested for r in central) == 7110  # exactly the zone's target
    by = {r.unit_name: r for r in plan.rows}
    assert by["渝北区"].suggested == 3 * 7110 // 4 + 1 and by["南岸区"].suggested == 7110 // 4  # 5332.5 → 5333, 1777.5 → 1777
    assert by["荣昌区"].suggested == 4640 and by["荣昌区"].parent_key == "zone:主城新区"
    assert by["渝北区"].target is None


def test_without_zone_targets_the_city_target_is_split_over_every_unit(certified):
    plan = allocating.allocation(scope=SYSTEM, indicator="hnte_count", year=2025, on=ON)
    assert {r.parent_key for r in plan.rows} == {"city"}
    assert sum(r.suggested for r in plan.rows) == 10000


def test_accepting_the_suggestion_sets_every_unit_with_who_and_source(certified, city_admin):
    n = allocating.accept_suggestion(scope=scope_for(city_admin), user=city_admin, indicator="hnte_count", year=2027,
                                   on=ON, source="市科技局 2024 年分解")
    assert n == ReportingUnit.objects.count()
    plan = allocating.allocation(scope=SYSTEM, indicator="hnte_count", year=2027, on=ON)
    assert not plan.differs and plan.parts["zone:中心城区"] == 7110
    assert plan.parts["city"] == 7110 + 4640 + 1060  # every unit sits in a zone with its own target
    history = allocating.allocation_history(scope=SYSTEM, indicator="hnte_count", year=2027)
    assert history[0]["by"] == "city" and history[0]["source"] == "市科技局 2024 年分解"
    # accepting again changes nothing
    assert allocating.accept_suggestion(scope=scope_for(city_admin), user=city_admin, indicator="hnte_count",
                                      year=2027, on=ON, source="市科技局 2024 年分解") == 0


def test_an_edit_keeps_the_previous_value_in_history(certified, city_admin):
    admin = scope_for(city_admin)
    yubei = unit("渝北区")
    allocating.set_allocations(scope=admin, user=city_admin, indicator="hnte_count", year=2027,
                             values={yubei: Decimal(5000)}, source="第一次")
    allocating.set_allocations(scope=admin, user=city_admin, indicator="hnte_count", year=2027,
                             values={yubei: Decimal(5200)}, source="调整")
    values = [h["value"] for h in allocating.allocation_history(scope=admin, indicator="hnte_count", year=2027)]
    assert values == [Decimal(5200), Decimal(5000)]
    allocating.set_allocations(scope=admin, user=city_admin, indicator="hnte_count", year=2027, values={yubei: None},
                             source="撤销")
    assert not Target.objects.filter(scope_key=f"unit:{yubei}").exists()
    assert allocating.allocation_history(scope=admin, indicator="hnte_count", year=2027)[0]["change"] == "removed"


def test_only_the_city_administrator_writes(certified, yubei_officer):
    with pytest.raises(PermissionDenied):
        allocating.set_allocations(scope=scope_for(yubei_officer), user=yubei_officer, indicator="hnte_count",
                                 year=2027, values={unit("渝北区"): Decimal(1)}, source="x")
    with pytest.raises(PermissionDenied):
        allocating.accept_suggestion(scope=scope_for(yubei_officer), user=yubei_officer, indicator="hnte_count",
                                   year=2027, on=ON, source="x")


def test_an_officer_reads_only_its_own_units_row(certified, yubei_officer):
    plan = allocating.allocation(scope=scope_for(yubei_officer), indicator="hnte_count", year=2027, on=ON)
    assert [r.unit_name for r in plan.rows] == ["渝北区"]


def test_bad_values_name_the_unit_and_change_nothing(certified, city_admin):
    admin = scope_for(city_admin)
    with pytest.raises(ValidationError) as err:
        allocating.set_allocations(scope=admin, user=city_admin, indicator="hnte_count", year=2027,
                                 values={unit("南岸区"): Decimal(3), unit("渝北区"): Decimal(-1)}, source="x")
    assert "渝北区" in str(err.value) and "负数" in str(err.value)
    assert not Target.objects.filter(scope_key__startswith="unit:").exists()
    with pytest.raises(ValidationError, match="来源"):
        allocating.set_allocations(scope=admin, user=city_admin, indicator="hnte_count", year=2027,
                                 values={unit("南岸区"): Decimal(3)}, source=" ")
    with pytest.raises(ValidationError, match="不能分解"):
        allocating.allocation(scope=admin, indicator="rd_intensity", year=2023, on=ON)


def test_forecast_of_counted_rows(certified):
    rows = services.progress(scope=SYSTEM, year=2027, on=ON)
    fc = forecasting.forecasts(rows=rows, on=ON)
    central = fc[("hnte_count", "zone:中心城区")]
    assert central.actual == 4 and central.low <= central.central <= central.high
    assert central.needed == pytest.approx(7110 * 2 / 5, rel=0.01)  # 2023–2027 period, two years of five gone
    assert central.status == "off_track"
    city = fc[("hnte_count", "city")]  # its 2027 period starts in 2026: it needs only its base by the end of 2024
    assert city.actual == 6 and city.needed == 6 and city.status == "on_track"
    assert ("rd_intensity", "city") not in fc


def test_counts_are_recomputed_as_soon_as_a_qualification_is_written(certified):
    from keqi.registry.models import Enterprise, Qualification

    before = figures.holders_by_unit(kind="hnte", on=ON)
    assert figures.holders_by_unit(kind="hnte", on=ON) == before  # (served from the cache)
    firm = Enterprise.objects.filter(reporting_unit__name="南岸区").first()
    Qualification.objects.filter(enterprise=firm).delete()
    after = figures.holders_by_unit(kind="hnte", on=ON)
    assert after.get(unit("南岸区"), 0) == before[unit("南岸区")] - 1
    Qualification.objects.create(enterprise=firm, kind="hnte", valid_from=dt.date(2024, 1, 1), source="t")
    assert figures.holders_by_unit(kind="hnte", on=ON) == before


def test_forecast_rates_come_from_screenings_a_year_apart_when_they_exist(tmp_path):
    from keqi.registry.models import Enterprise
    from keqi.screening.models import ScreeningRun, Standing
    from keqi.targets.forecast import Rate

    certified = report_rows(3, unit="渝北区", years=(2022,), seed=41)  # 高企 from 2023-11-01
    plain = report_rows(2, unit="渝北区", years=(2022,), seed=42)
    flows.run_import(path=write_file(tmp_path / "a.xlsx", pl.concat([certified, plain]),
                                     qualification_rows(certified)), scope=SYSTEM)
    yubei = unit("渝北区")
    a = list(Enterprise.objects.filter(uscc__in=certified["uscc"].unique().to_list()))
    b = list(Enterprise.objects.filter(uscc__in=plain["uscc"].unique().to_list()))

    def run(day, standings):
        r = ScreeningRun.objects.create(assess_on=day, status=ScreeningRun.Status.COMPLETE)
        Standing.objects.bulk_create(Standing(run=r, enterprise=f, reporting_unit_id=yubei, current_tier="tech",
                                              next_tier="hnte", next_verdict=v) for f, v in standings)

    run(dt.date(2024, 6, 30), [(f, "eligible") for f in a + b])
    pipeline, rates, source = forecasting.pipeline_and_rates(indicator="hnte_count", on=dt.date(2024, 7, 1))
    assert source == "qualifications"  # no screening a year older yet
    run(dt.date(2023, 6, 30), [(f, "eligible") for f in a] + [(b[0], "uncertain"), (b[1], "ineligible")])
    pipeline, rates, source = forecasting.pipeline_and_rates(indicator="hnte_count", on=dt.date(2024, 7, 1))
    assert source == "screening"
    assert rates == {yubei: Rate(3, 4)}  # 3 of the 4 candidates of 2023 were certified within the year
    assert pipeline == {yubei: 2}  # today's candidates not yet holding the certificate
