"""The units' ranking as the chart and the table show it (issue #15 item 4): sorted by share of the
target reached, the chart limited to the first and last units, a unit with a target of 0 shown as 无目标
(never 100 % 正常 可完成), and one colour per standing for badges and charts."""

import re
from pathlib import Path

import polars as pl
import pytest
from django.urls import reverse

from keqi.accounts.scope import SYSTEM
from keqi.accounts.tokens import create_token
from keqi.registry import flows
from keqi.registry.models import ReportingUnit
from keqi.targets import dashboard, services
from keqi.targets.models import Target

from support import qualification_rows, report_rows, write_file

pytestmark = pytest.mark.django_db
ON = "2024-06-30"
STATIC = Path(services.__file__).resolve().parents[1] / "web" / "static" / "web"


@pytest.fixture
def ranked(tmp_path):
    """渝北区 3 and 南岸区 2 高企; 2024 targets: 渝北区 3 (100 %), 南岸区 4 (50 %), eleven more units 5 (0 %),
    江北区 0 (no target)."""
    rows = pl.concat([report_rows(3, unit="渝北区", years=(2022,), seed=41),
                      report_rows(2, unit="南岸区", years=(2022,), seed=42)])
    flows.run_import(path=write_file(tmp_path / "f.xlsx", rows, qualification_rows(rows)), scope=SYSTEM)
    values = {"渝北区": 3, "南岸区": 4, "江北区": 0}
    others = ReportingUnit.objects.exclude(name__in=values).order_by("pk")[:11]
    values |= {u.name: 5 for u in others}
    for name, value in values.items():
        Target.objects.create(indicator="hnte_count", year=2024, scope_key=f"unit:{unit(name)}", value=value,
                              source="测试")
    return values


def unit(name):
    return ReportingUnit.objects.get(name=name).pk


def bearer(user):
    _, key = create_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def ranking(client, user, **params):
    query = "&".join(f"{k}={v}" for k, v in {"year": 2024, "on": ON, **params}.items())
    response = client.get(f"/api/targets/ranking?{query}", **bearer(user))
    assert response.status_code == 200
    return response.json()


def test_the_ranking_is_sorted_by_share_and_the_chart_gets_the_first_and_last_five(client, city_admin, ranked):
    every = ranking(client, city_admin)
    assert len(every) == ReportingUnit.objects.count()
    assert [r["rank"] for r in every] == list(range(1, len(every) + 1))
    shares = [r["share"] for r in every if r["share"] is not None]
    assert len(shares) == 13 and shares == sorted(shares, reverse=True)
    assert [r["unit"] for r in every[:2]] == ["渝北区", "南岸区"]
    assert all(r["share"] is None for r in every[13:])  # units without a target come after the ranked ones

    chart = ranking(client, city_admin, ends=5)
    assert [r["rank"] for r in chart] == [1, 2, 3, 4, 5, 9, 10, 11, 12, 13]  # 13 units with a target: 5 + 5
    assert all(r["share"] is not None for r in chart)


def test_a_unit_with_a_target_of_0_is_shown_as_having_no_target(client, client_for, city_admin, make_user, ranked):
    jiangbei = next(r for r in ranking(client, city_admin) if r["unit"] == "江北区")
    assert jiangbei["share"] is None and jiangbei["status"] == "no_target" and jiangbei["status_label"] == "无目标"
    officer = make_user("jiangbei", "district_officer", unit="江北区")
    assert [(r["unit"], r["status_label"]) for r in ranking(client, officer, ends=5)] == [("江北区", "无目标")]

    html = client_for(city_admin).get(reverse("targets:overview"), {"year": 2024, "on": ON}).content.decode()
    ranked_row = re.search(r'<table class="grid" id="ranking">.*?</table>', html, re.S).group(0)
    row = next(tr for tr in ranked_row.split("<tr>") if "江北区" in tr)
    assert "无目标" in row and "%" not in row
    progress = re.search(r'<table class="grid" id="progress">.*?</table>', html, re.S).group(0)
    row = next(tr for tr in progress.split("<tr>") if "江北区" in tr)
    assert "无目标" in row
    assert "100" not in row and "正常" not in row and "可完成" not in row


def test_the_standings_of_the_ranking_come_from_the_targets_service(client, city_admin, ranked):
    by_unit = {r["unit"]: r["status"] for r in ranking(client, city_admin)}
    assert by_unit["渝北区"] == "on_track"  # 3 of 3
    assert by_unit["江北区"] == "no_target"
    assert set(by_unit.values()) <= set(services.STATUSES)
    labels = {r["status"]: r["status_label"] for r in ranking(client, city_admin)}
    assert labels == {k: str(services.STATUSES[k]) for k in labels}


def test_each_standing_has_one_colour_used_by_badges_and_charts():
    css = {p.name: p.read_text(encoding="utf-8") for p in STATIC.glob("*.css")}
    colours = {}
    for key in services.STATUSES:
        found = [m for text in css.values() for m in re.findall(rf"--status-{key}:\s*(#[0-9a-fA-F]{{3,6}})", text)]
        assert len(found) == 1, key  # defined once
        colours[key] = found[0].lower()
        badge = re.findall(rf"\.badge\.status-{key}\b[^{{]*\{{([^}}]*)\}}", "".join(css.values()))
        assert badge and f"var(--status-{key}" in badge[0], key  # the badge takes the standing's colour
    assert len(set(colours.values())) == len(colours)  # one colour each, no two alike
    # no stylesheet paints a standing's badge with a colour of its own
    for text in css.values():
        for rule in re.findall(r"\.status-(?:on_track|at_risk|behind|off_track|no_target)[^{]*\{([^}]*)\}", text):
            assert "#" not in rule
    charts = (STATIC / "charts.js").read_text(encoding="utf-8")
    assert '"--status-" + key' in charts and "r.status" in charts  # the chart colours each bar by its standing
    assert "lagging" not in charts and "covered <" not in charts  # and decides nothing itself


def test_the_chart_ends_keep_every_unit_when_few():
    rows = [{"share": s, "rank": i} for i, s in enumerate([0.9, 0.5, None], start=1)]
    assert dashboard.ranking_ends(rows, ends=5) == rows


def test_the_ranking_from_the_pages_progress_is_the_ranking_read_afresh(ranked):
    """The overview hands the ranking the progress and forecasts it has read (issue #14: each read once per
    request); the rows are the same as the ranking's own reads (the API's path)."""
    import datetime as dt

    from keqi.targets import forecasting

    on = dt.date.fromisoformat(ON)
    rows = services.progress(scope=SYSTEM, year=2024, on=on)
    given = dashboard.ranking(scope=SYSTEM, indicator="hnte_count", year=2024, on=on, progress_rows=rows,
                              outlook=forecasting.forecasts(rows=rows, on=on))
    assert given == dashboard.ranking(scope=SYSTEM, indicator="hnte_count", year=2024, on=on)
    assert {r["status"] for r in given} >= {"on_track", "no_target"}
