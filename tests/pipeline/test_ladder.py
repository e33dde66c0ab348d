"""The tier ladder as data: seeded stages, tiers from qualifications, the editions deciding the next
tier on a given day, and the city administrator's edits reaching screening."""

import datetime as dt

import polars as pl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from keqi.accounts.scope import SYSTEM
from keqi.pipeline import services
from keqi.pipeline.models import LadderTier
from keqi.policy import editions as policy_editions
from keqi.policy.ladder import editions_in_force
from keqi.registry import flows as registry_flows
from keqi.screening import flows as screening_flows
from keqi.screening.models import Standing

from support import qualification_rows, report_rows, write_file

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 6, 30)


def test_the_seeded_ladder_is_the_plan_s_five_stages():
    ladder = services.current_ladder()
    assert [(t.level, t.key) for t in ladder.tiers] == [
        (0, "reserve"), (1, "tech"), (2, "hnte"), (3, "growth"), (4, "leader")]
    assert ladder.by_key["growth"].label == "高成长企业（瞪羚、专精特新）"
    assert ladder.by_key["growth"].entry_families == ("gazelle", "srdi")
    assert ladder.by_key["leader"].entry_families == ("unicorn", "little-giant", "star")
    assert all(s.source for s in LadderTier.objects.all())  # every stage says where it comes from


@pytest.mark.parametrize(("kinds", "tier"), [
    (set(), "reserve"),
    ({"not-a-kind"}, "reserve"),
    ({"tsme"}, "tech"),
    ({"cq_tech", "tsme"}, "tech"),
    ({"innovative_sme"}, "tech"),
    ({"innovative_sme", "hnte"}, "hnte"),
    ({"cq_tech", "hnte"}, "hnte"),
    ({"hnte", "srdi"}, "growth"),
    ({"gazelle"}, "growth"),
    ({"potential_unicorn"}, "leader"),
    ({"hnte", "little_giant"}, "leader"),
    ({"star_listed"}, "leader"),
])
def test_a_firm_stands_on_the_highest_stage_its_qualifications_place_it(kinds, tier):
    assert services.current_ladder().tier_of(kinds).key == tier


def test_the_next_tier_is_decided_by_the_next_stage_s_editions_in_force_that_day():
    ladder = services.current_ladder()
    assert ladder.next_editions(ladder.by_key["reserve"], DAY) == ("cq-tech-2022",)
    assert ladder.next_editions(ladder.by_key["tech"], DAY) == ("hnte-2016",)
    assert "gazelle-cq-2023" in ladder.next_editions(ladder.by_key["hnte"], DAY)
    assert "unicorn-cq-2023" in ladder.next_editions(ladder.by_key["growth"], DAY)
    assert ladder.next_of(ladder.by_key["leader"]) is None
    assert ladder.next_editions(ladder.by_key["leader"], DAY) == ()


def test_a_family_resolves_to_the_edition_in_force_on_the_day(monkeypatch):
    old, new = policy_editions.get("gazelle-cq-2023"), policy_editions.get("unicorn-cq-2023")
    switch = dt.date(2026, 4, 1)

    def resolve(name, on=None):
        if name != "fam":
            raise KeyError(name)
        return old if on < switch else new

    monkeypatch.setattr(policy_editions, "resolve", resolve)
    assert editions_in_force(["fam"], switch - dt.timedelta(days=1)) == (old.id,)
    assert editions_in_force(["fam"], switch) == (new.id,)
    assert editions_in_force(["fam", "unknown-family"], switch) == (new.id,)  # no edition: skipped


def test_the_city_may_only_save_known_kinds_and_families():
    stage = LadderTier.objects.get(key="growth")
    stage.qualification_kinds = ["gazelle", "bogus"]
    with pytest.raises(ValidationError) as err:
        stage.full_clean()
    assert "qualification_kinds" in err.value.message_dict
    stage.qualification_kinds = ["gazelle"]
    stage.entry_families = ["gazelle", "no-such-family"]
    with pytest.raises(ValidationError) as err:
        stage.full_clean()
    assert "no-such-family" in str(err.value.message_dict["entry_families"])


def test_the_city_admin_edits_the_ladder_in_the_admin_with_history(city_admin, client_for):
    client = client_for(city_admin)
    stage = LadderTier.objects.get(key="tech")
    page = client.get(reverse("admin:pipeline_laddertier_change", args=[stage.pk]))
    assert page.status_code == 200
    form = {"key": "tech", "level": 1, "label_zh": "科技型企业（入库）", "label_en": "Technology enterprise",
            "qualification_kinds": '["cq_tech", "tsme"]', "entry_families": '["cq-tech", "tsme"]', "source": "测试"}
    response = client.post(reverse("admin:pipeline_laddertier_change", args=[stage.pk]), form)
    assert response.status_code == 302
    stage.refresh_from_db()
    assert stage.label_zh == "科技型企业（入库）" and stage.entry_families == ["cq-tech", "tsme"]
    last = stage.history.order_by("-history_date").first()
    assert last.history_user == city_admin and last.history_type == "~"
    history = client.get(reverse("admin:pipeline_laddertier_history", args=[stage.pk]))
    assert history.status_code == 200 and "科技型企业（入库）" in history.content.decode()
    # the ladder admin's first address (before the model was renamed) still leads there
    moved = client.get(f"/admin/pipeline/stage/{stage.pk}/change/?x=1")
    assert moved.status_code == 302
    assert moved["Location"] == reverse("admin:pipeline_laddertier_change", args=[stage.pk]) + "?x=1"


def test_a_district_officer_cannot_edit_the_ladder(yubei_officer, client_for):
    response = client_for(yubei_officer).get(reverse("admin:pipeline_laddertier_changelist"))
    assert response.status_code == 302  # to the admin login: not staff


@pytest.fixture
def population(tmp_path):
    rows = report_rows(5, unit="渝北区", years=(2022, 2023, 2024), seed=41)
    quals = qualification_rows(rows).head(2)
    registry_flows.run_import(path=write_file(tmp_path / "p.xlsx", rows, quals), scope=SYSTEM)
    return set(quals["uscc"].to_list())


def test_an_edited_ladder_changes_what_screening_aims_at(population):
    LadderTier.objects.filter(key="tech").update(entry_families=["tsme"])
    run = screening_flows.run_screening(scope=SYSTEM, assess_on=DAY)
    reserve = Standing.objects.filter(run=run, current_tier="reserve")
    assert reserve.exists() and set(reserve.values_list("next_edition", flat=True)) == {"tsme-2017"}
    LadderTier.objects.filter(key="tech").update(label_zh="科技型企业（改）")
    assert services.current_ladder().by_key["tech"].label == "科技型企业（改）"


def test_with_several_editions_for_the_next_tier_the_closest_is_the_target(population):
    # the growth rung decided by two programmes: each certified firm aims at the closer one
    LadderTier.objects.filter(key="growth").update(entry_families=["unicorn", "gazelle"])
    run = screening_flows.run_screening(scope=SYSTEM, assess_on=DAY)
    standings = Standing.objects.filter(run=run, current_tier="hnte")
    assert standings.count() == 2
    for s in standings:
        options = {e: s.result(e) for e in ("unicorn-cq-2023", "gazelle-cq-2023")}
        assert len(options) == 2 and all(r.gaps is not None for r in options.values())  # both plans searched
        ranked = [r.closeness for r in options.values() if r.closeness is not None]  # None: no path there
        best = min(ranked, default=None)
        assert s.closeness == best and options[s.next_edition].closeness == best


def test_a_stage_without_an_edition_in_force_leaves_the_next_tier_unranked(population):
    LadderTier.objects.filter(key="tech").update(entry_families=["no-edition-yet"])
    run = screening_flows.run_screening(scope=SYSTEM, assess_on=DAY)
    reserve = Standing.objects.filter(run=run, current_tier="reserve")
    assert reserve.exists()
    assert all((s.next_tier, s.next_edition, s.closeness) == ("tech", "", None) for s in reserve)


def test_screening_judges_the_editions_in_force_on_its_day(population, monkeypatch):
    from keqi.screening import services as screening_services

    run = screening_flows.run_screening(scope=SYSTEM, assess_on=DAY)
    assert list(run.editions) == list(screening_services.editions_on(DAY))
    assert set(run.editions) >= {"cq-tech-2022", "hnte-2016", "gazelle-cq-2023"}
    assert pl.Series(list(run.editions)).is_unique().all()  # one edition per programme


def test_the_growth_and_leader_rungs_switch_editions_when_the_2026_sme_rules_take_effect():
    ladder = services.current_ladder()
    hnte, growth = ladder.by_key["hnte"], ladder.by_key["growth"]
    assert ladder.next_editions(hnte, dt.date(2026, 3, 31)) == ("gazelle-cq-2023", "srdi-2022")
    assert ladder.next_editions(hnte, dt.date(2026, 4, 1)) == ("gazelle-cq-2023", "srdi-2026")
    assert ladder.next_editions(growth, dt.date(2026, 3, 31)) == ("unicorn-cq-2023", "little-giant-2022", "star-2024")
    assert ladder.next_editions(growth, dt.date(2026, 4, 1)) == ("unicorn-cq-2023", "little-giant-2026", "star-2024")
    # before the first STAR edition was in force, the leader rung is decided without it
    assert ladder.next_editions(growth, dt.date(2022, 12, 29)) == ("unicorn-cq-2023", "little-giant-2022")
