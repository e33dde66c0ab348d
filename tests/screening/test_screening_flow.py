"""Screening runs: the batch equals the single firm, runs are all-or-nothing, and scoped."""

import datetime as dt

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied

from keqi.accounts.scope import SYSTEM, scope_for
from keqi.pipeline.services import current_ladder
from keqi.policy import editions
from keqi.registry import flows as registry_flows
from keqi.registry.models import ReportingUnit
from keqi.screening import flows, services
from keqi.screening.models import ScreeningRun, Standing

from support import qualification_rows, report_rows, write_file

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 6, 30)


@pytest.fixture
def population(tmp_path):
    yubei = report_rows(6, unit="渝北区", years=(2022, 2023, 2024), seed=31)
    nanan = report_rows(3, unit="南岸区", years=(2022, 2023, 2024), seed=32)
    rows = pl.concat([yubei, nanan])
    quals = qualification_rows(yubei).head(2)
    registry_flows.run_import(path=write_file(tmp_path / "p.xlsx", rows, quals), scope=SYSTEM)
    return yubei, nanan, set(quals["uscc"].to_list())


@pytest.mark.parametrize("all_gaps", [False, True])
def test_every_batch_result_equals_the_single_firm_verdict(population, all_gaps):
    run = flows.run_screening(scope=SYSTEM, assess_on=DAY, chunk=4, all_gaps=all_gaps)  # several chunks
    assert run.status == "complete" and run.firms == 9
    assert run.editions == {e: editions.get(e).version for e in services.editions_on(DAY)}
    ladder = current_ladder()
    searched = {ent: ladder.next_editions(ladder.by_key[tier], DAY)
                for ent, tier in Standing.objects.filter(run=run).values_list("enterprise_id", "current_tier")}
    standings = list(Standing.objects.filter(run=run).select_related("enterprise"))
    assert len(standings) == 9
    for standing in standings:
        results = standing.edition_results()
        assert set(results) == set(services.editions_on(DAY))  # every edition's result, for every firm
        assert standing.name == standing.enterprise.name
        for single in services.evaluate_enterprise(scope=SYSTEM, uscc=standing.enterprise.uscc, assess_on=DAY):
            result = results[single["edition"]]
            assert (result.verdict, result.score_min, result.score_max) == (
                single["verdict"], (single["score"] or {}).get("min"), (single["score"] or {}).get("max"))
            if all_gaps or result.edition in searched[standing.enterprise_id]:
                # plans are searched for every edition of the firm's next stage: the firm's own plans
                assert result.gaps == single["gaps"]
            else:
                assert result.gaps is None  # not searched in this run; the firm's page computes it live
    # the run counted every edition's verdicts as it wrote them
    counts = {e: {} for e in services.editions_on(DAY)}
    for standing in standings:
        for e, result in standing.edition_results().items():
            counts[e][result.verdict] = counts[e].get(result.verdict, 0) + 1
    assert run.counts == counts
    assert ScreeningRun.objects.get(pk=run.pk).counts == counts


def test_worker_processes_give_the_same_results(population):
    here = flows.run_screening(scope=SYSTEM, assess_on=DAY, chunk=4, workers=0)
    there = flows.run_screening(scope=SYSTEM, assess_on=DAY, chunk=4, workers=2)
    standings = [sorted(Standing.objects.filter(run=r).values_list(
        "enterprise_id", "name", "current_tier", "next_tier", "next_edition", "next_verdict", "closeness", "results"))
        for r in (here, there)]
    assert standings[0] == standings[1] and len(standings[0]) == 9
    assert all(len(row[-1]) == len(services.editions_on(DAY)) for row in standings[0])
    assert here.counts == there.counts


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the ladder is migration data
def test_writing_in_a_thread_gives_the_same_results(population, monkeypatch):
    here = flows.run_screening(scope=SYSTEM, assess_on=DAY, chunk=2, workers=0)
    monkeypatch.setattr(flows, "WRITER_THREAD_FIRMS", 0)
    there = flows.run_screening(scope=SYSTEM, assess_on=DAY, chunk=2, workers=2)
    assert there.status == "complete" and there.progress == 100
    rows = [sorted(Standing.objects.filter(run=r).values_list("enterprise_id", "closeness", "results"))
            for r in (here, there)]
    assert rows[0] == rows[1] and len(rows[0]) == 9 and here.counts == there.counts


def test_tier_comes_from_qualifications_held_and_picks_the_next_edition(population):
    _, _, certified = population
    run = flows.run_screening(scope=SYSTEM, assess_on=DAY)
    for s in Standing.objects.filter(run=run).select_related("enterprise"):
        if s.enterprise.uscc in certified:
            # the closest of the growth rung's editions in force that day (瞪羚, 专精特新)
            assert (s.current_tier, s.next_tier) == ("hnte", "growth")
            assert s.next_edition in current_ladder().next_editions(current_ladder().by_key["hnte"], DAY)
            assert "gazelle-cq-2023" in current_ladder().next_editions(current_ladder().by_key["hnte"], DAY)
        else:
            assert (s.current_tier, s.next_tier, s.next_edition) == ("reserve", "tech", "cq-tech-2022")
    # on a day when the certificates have expired, the same firms are back to the start of the ladder
    later = flows.run_screening(scope=SYSTEM, assess_on=dt.date(2027, 1, 1))
    assert set(Standing.objects.filter(run=later).values_list("current_tier", flat=True)) == {"reserve"}


def test_an_interrupted_run_leaves_the_last_complete_results(population, monkeypatch):
    first = flows.run_screening(scope=SYSTEM, assess_on=DAY)
    calls = {"n": 0}
    real = flows.judging.judge_chunk

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 1:  # the second chunk, after the first one was written
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(flows.judging, "judge_chunk", interrupted)
    with pytest.raises(KeyboardInterrupt):
        flows.run_screening(scope=SYSTEM, assess_on=dt.date(2025, 7, 1), chunk=4)
    failed = ScreeningRun.objects.exclude(pk=first.pk).get()
    assert failed.status == "failed"
    assert not Standing.objects.filter(run=failed).exists()
    assert services.latest_run(scope=SYSTEM, unit_id=None) == first
    assert [len(r) for r in Standing.objects.filter(run=first).values_list("results", flat=True)] == [
        len(services.editions_on(DAY))] * 9


def test_district_officer_screens_only_own_unit(population, yubei_officer):
    scope = scope_for(yubei_officer)
    run = flows.run_screening(scope=scope, assess_on=DAY, user=yubei_officer)
    assert run.reporting_unit.name == "渝北区" and run.firms == 6
    nanan = ReportingUnit.objects.get(name="南岸区").pk
    with pytest.raises(PermissionDenied):
        flows.run_screening(scope=scope, assess_on=DAY, unit_id=nanan)


def test_candidates_are_ranked_closest_first_and_scoped(population, yubei_officer):
    flows.run_screening(scope=SYSTEM, assess_on=DAY)
    run = services.latest_run(scope=scope_for(yubei_officer), unit_id=yubei_officer.membership.reporting_unit_id)
    listed = list(services.candidates(scope=scope_for(yubei_officer), run=run,
                                      filters=services.CandidateFilter(include_unranked=True)))
    assert {s.reporting_unit.name for s in listed} == {"渝北区"}
    ranked = [s.closeness for s in listed if s.closeness is not None]
    assert ranked == sorted(ranked)
    assert all(s.closeness is None for s in listed[len(ranked):])  # unranked last


def test_deleting_a_firm_or_a_run_removes_what_points_at_it(population):
    # standings and tier records keep no foreign-key constraints in the database: the ORM cascades
    from keqi.pipeline.models import TierRecord
    from keqi.registry.models import Enterprise

    run = flows.run_screening(scope=SYSTEM, assess_on=DAY)
    firm = Enterprise.objects.order_by("pk").first()
    assert Standing.objects.filter(enterprise=firm).exists() and TierRecord.objects.filter(enterprise=firm).exists()
    firm.reports.all().delete()  # a firm's figures and certificates protect it: they go first
    firm.qualifications.all().delete()
    firm.delete()
    assert not Standing.objects.filter(enterprise_id=firm.pk).exists()
    assert not TierRecord.objects.filter(enterprise_id=firm.pk).exists()
    records = TierRecord.objects.filter(run=run)
    assert records.count() == 8
    run.delete()
    assert not Standing.objects.filter(run_id=run.pk).exists()
    assert TierRecord.objects.filter(run__isnull=True, source="screening").count() == 8  # the history stays
