"""Each firm's tier history year by year: written by imports and screenings, idempotent, and the
funnel counts and conversion rates built on it."""

import datetime as dt

import polars as pl
import pytest
from django.core.management import call_command

from keqi.accounts.scope import SYSTEM, scope_for
from keqi.pipeline import figures, flows, services
from keqi.pipeline.models import LadderTier, TierRecord
from keqi.registry import flows as registry_flows
from keqi.registry.models import Enterprise, ReportingUnit
from keqi.screening import flows as screening_flows

from support import qualification_rows, report_rows, write_file

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 27)
DAY = dt.date(2025, 6, 30)


@pytest.fixture
def population(tmp_path):
    """4 firms of 渝北区 (the first two certified 高企 2023-11-01 … 2026-10-31) and 2 of 南岸区."""
    yubei = report_rows(4, unit="渝北区", years=(2022, 2023, 2024), seed=51)
    nanan = report_rows(2, unit="南岸区", years=(2022, 2023, 2024), seed=52)
    quals = qualification_rows(yubei).head(2)
    path = write_file(tmp_path / "p.xlsx", pl.concat([yubei, nanan]), quals)
    registry_flows.run_import(path=path, scope=SYSTEM, today=TODAY)
    ids = dict(Enterprise.objects.values_list("uscc", "pk"))
    return {"path": path, "rows": pl.concat([yubei, nanan]), "quals": quals,
            "certified": [ids[c] for c in quals["uscc"]],
            "others": [ids[c] for c in ids if c not in set(quals["uscc"])]}


def records(source=None):
    qs = TierRecord.objects.all()
    if source:
        qs = qs.filter(source=source)
    return sorted(qs.values_list("enterprise_id", "year", "tier__key", "source"))


def test_importing_qualifications_records_every_year_they_cover(population):
    firm = population["certified"][0]
    assert [(y, k) for e, y, k, _ in records("qualification") if e == firm] == [
        (2023, "hnte"), (2024, "hnte"), (2025, "hnte"), (2026, "hnte")]
    assert not [r for r in records() if r[0] in population["others"]]  # no qualification, no record


def test_importing_the_same_file_again_changes_nothing(population, tmp_path):
    before = records()
    stamps = sorted(TierRecord.objects.values_list("pk", flat=True))
    registry_flows.run_import(path=population["path"], scope=SYSTEM, today=TODAY)
    assert records() == before and sorted(TierRecord.objects.values_list("pk", flat=True)) == stamps


def test_a_corrected_certificate_rewrites_the_years(population, tmp_path):
    quals = population["quals"].with_columns(pl.lit(dt.date(2024, 1, 10)).alias("valid_from"))
    registry_flows.run_import(path=write_file(tmp_path / "c.xlsx", population["rows"], quals), scope=SYSTEM,
                              today=TODAY)
    firm = population["certified"][0]
    # the old certificate (from 2023-11-01) is still held; the firm's record of 2023 stays
    assert (firm, 2023, "hnte", "qualification") in records()
    # a growth title the next year lifts that year only
    gazelle = population["quals"].head(1).with_columns(
        pl.lit("瞪羚企业").alias("kind"), pl.lit(dt.date(2025, 12, 31)).alias("valid_from"),
        pl.lit(dt.date(2026, 3, 31)).alias("valid_to"))
    registry_flows.run_import(path=write_file(tmp_path / "g.xlsx", population["rows"], gazelle), scope=SYSTEM,
                              today=TODAY)
    mine = {y: k for e, y, k, s in records("qualification") if e == firm}
    assert mine == {2023: "hnte", 2024: "hnte", 2025: "growth", 2026: "growth"}


def test_years_after_today_are_not_recorded(population):
    TierRecord.objects.all().delete()
    flows.record_qualifications(enterprise_ids=population["certified"], today=dt.date(2024, 12, 31))
    assert {y for _, y, _, _ in records()} == {2023, 2024}
    flows.record_qualifications(enterprise_ids=population["certified"], today=dt.date(2023, 10, 31))
    assert records() == []  # the certificate starts after that day: its records go


def test_a_completed_screening_records_every_firm_once_per_year(population):
    first = screening_flows.run_screening(scope=SYSTEM, assess_on=DAY)
    screened = TierRecord.objects.filter(source="screening")
    assert screened.count() == 6 and set(screened.values_list("year", flat=True)) == {2025}
    assert set(screened.filter(enterprise_id__in=population["certified"]).values_list("tier__key", flat=True)) == {
        "hnte"}
    assert set(screened.exclude(enterprise_id__in=population["certified"]).values_list("tier__key", flat=True)) == {
        "reserve"}
    row = screened.get(enterprise_id=population["others"][0])
    assert row.run == first and row.next_edition == "cq-tech-2022" and row.next_verdict
    # the same year screened again: updated in place, not duplicated
    second = screening_flows.run_screening(scope=SYSTEM, assess_on=DAY + dt.timedelta(days=1))
    assert TierRecord.objects.filter(source="screening").count() == 6
    assert set(TierRecord.objects.filter(source="screening").values_list("run_id", flat=True)) == {second.pk}
    # another year: a second record
    screening_flows.run_screening(scope=SYSTEM, assess_on=dt.date(2026, 1, 5))
    assert TierRecord.objects.filter(source="screening").count() == 12


def test_a_failed_screening_records_nothing(population, monkeypatch):
    monkeypatch.setattr(screening_flows.policy_engine, "run_rules", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        screening_flows.run_screening(scope=SYSTEM, assess_on=DAY)
    assert not TierRecord.objects.filter(source="screening").exists()


def test_a_firm_s_history_shows_its_highest_stage_each_year(population, yubei_officer, nanan_officer):
    screening_flows.run_screening(scope=SYSTEM, assess_on=DAY)
    firm = population["certified"][0]
    history = services.tier_history(scope=scope_for(yubei_officer), enterprise_id=firm)
    assert [(h["year"], h["tier"].key) for h in history] == [
        (2026, "hnte"), (2025, "hnte"), (2024, "hnte"), (2023, "hnte")]
    assert history[1]["next_edition"] and history[1]["run"] is not None  # 2025 was screened
    with pytest.raises(Enterprise.DoesNotExist):
        services.tier_history(scope=scope_for(nanan_officer), enterprise_id=firm)


def highest(scope, day, unit=None):
    """Firms per tier on ``day``, each on its highest tier (the one counting service)."""
    c = figures.counts(scope=scope, on=day, scope_key=f"unit:{unit}" if unit else None)
    return {t.key: t.highest for t in c.tiers}


def test_firms_by_highest_tier_per_unit_at_a_year_end(population, yubei_officer):
    yubei = ReportingUnit.objects.get(name="渝北区").pk
    nanan = ReportingUnit.objects.get(name="南岸区").pk
    end = dt.date(2024, 12, 31)
    assert highest(SYSTEM, end, yubei) == {"reserve": 2, "tech": 0, "hnte": 2, "growth": 0, "leader": 0}
    assert highest(SYSTEM, end, nanan)["reserve"] == 2 and sum(highest(SYSTEM, end, nanan).values()) == 2
    # an officer counts its own unit by default
    assert highest(scope_for(yubei_officer), end) == highest(SYSTEM, end, yubei)
    # before the certificates, every firm is in reserve
    assert highest(SYSTEM, dt.date(2022, 12, 31), yubei) == {
        "reserve": 4, "tech": 0, "hnte": 0, "growth": 0, "leader": 0}


def test_a_firm_counts_from_the_day_it_was_registered(population):
    firm = Enterprise.objects.get(pk=population["others"][0])
    unit = firm.reporting_unit_id
    end = dt.date(2024, 12, 31)
    before = highest(SYSTEM, end, unit)["reserve"]
    firm.registered_on = end  # that day: counted (saved with its history row, as every write is)
    firm.save()
    assert highest(SYSTEM, end, unit)["reserve"] == before
    firm.registered_on = dt.date(2025, 1, 1)  # the day after: not yet
    firm.save()
    assert highest(SYSTEM, end, unit)["reserve"] == before - 1


def test_conversions_count_the_firms_that_moved_up(population):
    yubei = ReportingUnit.objects.get(name="渝北区").pk
    # 2022 → 2024: the two certified firms moved from reserve to 高企, the two others stayed
    moves = {(c.unit_id, c.tier): c for c in services.conversions(scope=SYSTEM, from_year=2022, to_year=2024)}
    assert (moves[yubei, "reserve"].firms, moves[yubei, "reserve"].moved_up) == (4, 2)
    assert moves[yubei, "reserve"].rate == 0.5
    # 2024 → 2025: nobody moved; the 高企 stayed 高企
    later = {(c.unit_id, c.tier): c for c in services.conversions(scope=SYSTEM, from_year=2024, to_year=2025)}
    assert (later[yubei, "hnte"].firms, later[yubei, "hnte"].moved_up) == (2, 0)
    # a firm on the top stage has nowhere to go and is left out
    leader = LadderTier.objects.get(key="leader")
    TierRecord.objects.create(enterprise_id=population["others"][0], year=2024, tier=leader,
                              source="qualification", recorded_at=dt.datetime(2024, 12, 1, tzinfo=dt.UTC))
    stages = {c.tier for c in services.conversions(scope=SYSTEM, from_year=2024, to_year=2025)}
    assert "leader" not in stages
    with pytest.raises(ValueError):
        services.conversions(scope=SYSTEM, from_year=2025, to_year=2025)


def test_the_backfill_rebuilds_the_history_and_running_it_twice_changes_nothing(population):
    screening_flows.run_screening(scope=SYSTEM, assess_on=DAY)
    expected = records()
    TierRecord.objects.all().delete()
    call_command("backfill_tier_history")
    # backfilled today: the qualification years run to the current year
    assert [r for r in records() if r[1] <= TODAY.year] == expected
    call_command("backfill_tier_history")
    assert [r for r in records() if r[1] <= TODAY.year] == expected


def test_a_dry_run_or_a_file_with_errors_records_nothing(tmp_path):
    rows = report_rows(2, unit="渝北区", years=(2023, 2024), seed=57)
    path = write_file(tmp_path / "d.xlsx", rows, qualification_rows(rows))
    registry_flows.run_import(path=path, scope=SYSTEM, today=TODAY, dry_run=True)
    assert not TierRecord.objects.exists()
    good, bad = qualification_rows(rows).head(1), qualification_rows(rows).tail(1)
    bad = bad.with_columns(pl.lit("不存在的资质").alias("kind"))  # one bad row: nothing is imported
    result = registry_flows.run_import(path=write_file(tmp_path / "e.xlsx", rows, pl.concat([good, bad])),
                                       scope=SYSTEM, today=TODAY)
    assert result.errors and not result.applied
    assert not TierRecord.objects.exists()


def test_an_edited_ladder_rewrites_the_stages_on_the_next_recording(population):
    firm = population["certified"][0]
    LadderTier.objects.filter(key="hnte").update(qualification_kinds=[])
    LadderTier.objects.filter(key="growth").update(qualification_kinds=["gazelle", "srdi", "hnte"])
    assert flows.record_qualifications(enterprise_ids=[firm], today=TODAY) == 4  # four years changed stage
    assert {k for e, _, k, _ in records("qualification") if e == firm} == {"growth"}
    assert flows.record_qualifications(enterprise_ids=[firm], today=TODAY) == 0  # nothing left to change
    for stage in LadderTier.objects.all():  # a ladder on which no title places a firm: no year is covered
        stage.qualification_kinds = []
        stage.save()
    flows.record_qualifications(enterprise_ids=population["certified"], today=TODAY)
    assert not records("qualification")
