"""Targets API: progress with forecast, series for the charts, allocations (city writes), indicator values;
role scoping on every endpoint (other unit, enterprise user, anonymous, bearer token)."""

import json

import polars as pl
import pytest

from keqi.accounts.scope import SYSTEM
from keqi.accounts.tokens import create_token
from keqi.registry import flows
from keqi.registry.models import ReportingUnit
from keqi.targets.models import IndicatorValue, Target

from support import qualification_rows, report_rows, write_file

pytestmark = pytest.mark.django_db
ON = "2024-06-30"


@pytest.fixture
def firms(tmp_path):
    yubei = report_rows(3, unit="渝北区", years=(2022,), seed=21)
    nanan = report_rows(2, unit="南岸区", years=(2022,), seed=22)
    rows = pl.concat([yubei, nanan])
    flows.run_import(path=write_file(tmp_path / "f.xlsx", rows, qualification_rows(rows)), scope=SYSTEM)
    return yubei["uscc"].unique().to_list(), nanan["uscc"].unique().to_list()


@pytest.fixture
def enterprise_user(make_user, firms):
    return make_user("firm", "enterprise_user", uscc=firms[0][0])


def bearer(user):
    _, key = create_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def unit(name):
    return ReportingUnit.objects.get(name=name).pk


ENDPOINTS = [f"/api/targets/progress?year=2027&on={ON}", "/api/targets/years", f"/api/targets/trend?on={ON}",
             f"/api/targets/ranking?year=2024&on={ON}", f"/api/targets/funnel?on={ON}",
             "/api/targets/allocations?year=2027", "/api/targets/values"]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_and_wrong_tokens_get_401(client, firms, url):
    assert client.get(url).status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION="Bearer kq_nonsense").status_code == 401


def test_progress_carries_the_forecast_for_counted_indicators(client, city_admin, firms):
    body = client.get(f"/api/targets/progress?year=2027&on={ON}", **bearer(city_admin)).json()
    central = next(p for p in body if p["scope_key"] == "zone:中心城区" and p["indicator"] == "hnte_count")
    assert central["actual"] == 5 and central["lagging"] is True
    f = central["forecast"]
    assert f["low"] <= f["central"] <= f["high"] and f["status"] == "off_track"


def test_an_officer_sees_the_city_its_zone_and_its_unit(client, yubei_officer, firms):
    Target.objects.create(indicator="hnte_count", year=2027, scope_key=f"unit:{unit('南岸区')}", value=9, source="t")
    Target.objects.create(indicator="hnte_count", year=2027, scope_key=f"unit:{unit('渝北区')}", value=9, source="t")
    body = client.get(f"/api/targets/progress?year=2027&on={ON}", **bearer(yubei_officer)).json()
    assert {p["scope_key"] for p in body} == {"city", "zone:中心城区", f"unit:{unit('渝北区')}"}


def test_trend_defaults_to_the_officers_unit_and_refuses_another(client, yubei_officer, firms):
    mine = client.get(f"/api/targets/trend?on={ON}", **bearer(yubei_officer)).json()
    assert [(p["year"], p["value"]) for p in mine] == [(2022, 0), (2023, 3), (2024, 3)]
    other = client.get(f"/api/targets/trend?on={ON}&scope_key=unit:{unit('南岸区')}", **bearer(yubei_officer))
    assert other.status_code == 403
    assert client.get(f"/api/targets/trend?on={ON}&indicator=rd_intensity", **bearer(yubei_officer)).status_code == 422


def test_ranking_lists_every_unit_for_the_city_and_only_its_own_for_an_officer(client, city_admin, yubei_officer,
                                                                                firms):
    Target.objects.create(indicator="hnte_count", year=2024, scope_key=f"unit:{unit('南岸区')}", value=2, source="t")
    city = client.get(f"/api/targets/ranking?year=2024&on={ON}", **bearer(city_admin)).json()
    assert city[0]["unit"] == "南岸区" and city[0]["share"] == 1  # 2 of 2
    assert len(city) == ReportingUnit.objects.count()
    mine = client.get(f"/api/targets/ranking?year=2024&on={ON}", **bearer(yubei_officer)).json()
    assert [r["unit"] for r in mine] == ["渝北区"]


def test_funnel_counts_firms_per_tier_within_the_scope(client, city_admin, yubei_officer, enterprise_user, firms):
    city = {t["tier"]: t["firms"] for t in client.get(f"/api/targets/funnel?on={ON}", **bearer(city_admin)).json()}
    assert city["hnte"] == 5 and city["reserve"] == 0
    mine = {t["tier"]: t["firms"] for t in client.get(f"/api/targets/funnel?on={ON}", **bearer(yubei_officer)).json()}
    assert mine["hnte"] == 3
    # an enterprise user reads the city's figures, as on the targets page (no unit of its own)
    own = {t["tier"]: t["firms"] for t in client.get(f"/api/targets/funnel?on={ON}", **bearer(enterprise_user)).json()}
    assert own == city


def test_the_city_accepts_the_suggested_split_and_an_officer_cannot(client, city_admin, yubei_officer, firms):
    body = {"indicator": "hnte_count", "year": 2027, "source": "市科技局分解"}
    refused = client.post("/api/targets/allocations/accept", json.dumps(body), content_type="application/json",
                          **bearer(yubei_officer))
    assert refused.status_code == 403 and not Target.objects.filter(scope_key__startswith="unit:").exists()
    done = client.post("/api/targets/allocations/accept", json.dumps(body), content_type="application/json",
                       **bearer(city_admin))
    assert done.status_code == 200 and done.json()["changed"] == ReportingUnit.objects.count()
    plan = client.get("/api/targets/allocations?year=2027", **bearer(city_admin)).json()
    central = [r for r in plan["rows"] if r["parent_key"] == "zone:中心城区"]
    assert sum(int(r["target"]) for r in central) == 7110
    mine = client.get("/api/targets/allocations?year=2027", **bearer(yubei_officer)).json()
    assert [r["unit_name"] for r in mine["rows"]] == ["渝北区"]


def test_the_city_sets_units_targets_and_bad_input_changes_nothing(client, city_admin, yubei_officer, firms):
    def put(user, values, source="调整"):
        return client.put("/api/targets/allocations", json.dumps({"indicator": "hnte_count", "year": 2027,
                                                                  "source": source, "values": values}),
                          content_type="application/json", **bearer(user))

    assert put(yubei_officer, {unit("渝北区"): 99999}).status_code == 403
    assert put(city_admin, {unit("渝北区"): 5000}).json() == {"changed": 1}
    bad = put(city_admin, {unit("渝北区"): 1, unit("南岸区"): -3})
    assert bad.status_code == 422 and "南岸区" in bad.json()["detail"]
    assert Target.objects.get(scope_key=f"unit:{unit('渝北区')}").value == 5000
    assert put(city_admin, {unit("渝北区"): 1}, source="").status_code == 422


def test_enterprise_users_see_no_allocations(client, enterprise_user):
    assert client.get("/api/targets/allocations?year=2027", **bearer(enterprise_user)).status_code == 403


def test_indicator_values_are_recorded_by_the_city_and_read_by_scope(client, city_admin, yubei_officer, firms):
    body = {"indicator": "rd_intensity", "year": 2024, "scope_key": "city", "as_of": "2024-06-30", "value": "2.41",
            "source": "市统计局 2024 年统计公报"}
    assert client.post("/api/targets/values", json.dumps(body), content_type="application/json",
                       **bearer(yubei_officer)).status_code == 403
    made = client.post("/api/targets/values", json.dumps(body), content_type="application/json", **bearer(city_admin))
    assert made.status_code == 201 and made.json()["entered_by"] == "city"
    other = {**body, "scope_key": f"unit:{unit('南岸区')}"}
    client.post("/api/targets/values", json.dumps(other), content_type="application/json", **bearer(city_admin))
    seen = client.get("/api/targets/values?indicator=rd_intensity", **bearer(yubei_officer)).json()
    assert [v["scope_key"] for v in seen] == ["city"]
    bad = client.post("/api/targets/values", json.dumps({**body, "indicator": "hnte_count", "source": ""}),
                      content_type="application/json", **bearer(city_admin))
    assert bad.status_code == 422 and "来源" in bad.json()["detail"] and "填报" in bad.json()["detail"]
    assert IndicatorValue.objects.count() == 2


def test_session_writes_need_the_csrf_token(client_for, city_admin, firms):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(city_admin)
    r = browser.post("/api/targets/allocations/accept", json.dumps({"indicator": "hnte_count", "year": 2027,
                                                                    "source": "x"}), content_type="application/json")
    assert r.status_code in (401, 403) and not Target.objects.filter(scope_key__startswith="unit:").exists()


def test_the_funnels_unit_filter_narrows_an_officers_scope_and_never_widens_it(client, yubei_officer, city_admin,
                                                                               firms):
    nanan = unit("南岸区")
    other = client.get(f"/api/targets/funnel?on={ON}&unit={nanan}", **bearer(yubei_officer))
    assert other.status_code == 403 and "南岸区" not in other.content.decode()
    city = client.get(f"/api/targets/funnel?on={ON}&unit={nanan}", **bearer(city_admin)).json()
    assert {t["tier"]: t["firms"] for t in city}["hnte"] == 2


@pytest.mark.parametrize("path, extra", [
    ("/api/targets/allocations/accept", {}),
    ("/api/targets/allocations", {"values": {}}),
    ("/api/targets/values", {"scope_key": "city", "as_of": ON, "value": "1"}),
])
def test_a_source_longer_than_its_column_is_refused_in_words(client, city_admin, firms, path, extra):
    """The columns hold 300 characters; PostgreSQL refused a longer source with a 500 (schemathesis found it)."""
    indicator = "rd_intensity" if path.endswith("values") else "hnte_count"
    body = {"indicator": indicator, "year": 2027, "source": "渝" * 301, **extra}
    send = client.put if path.endswith("allocations") else client.post
    r = send(path, json.dumps(body), content_type="application/json", **bearer(city_admin))
    assert r.status_code == 422, r.content
    assert "300" in r.json()["detail"] + json.dumps(r.json()["errors"], ensure_ascii=False)


def test_the_services_refuse_a_source_longer_than_its_column(city_admin, firms):
    """The service checks it too (SQLite does not enforce a column's length)."""
    import datetime as dt
    from decimal import Decimal

    from django.core.exceptions import ValidationError

    from keqi.accounts.scope import scope_for
    from keqi.targets import allocating, reported

    scope = scope_for(city_admin)
    with pytest.raises(ValidationError, match="来源最多 300 个字"):
        allocating.accept_suggestion(scope=scope, user=city_admin, indicator="hnte_count", year=2027,
                                     on=dt.date(2024, 6, 30), source="渝" * 301)
    with pytest.raises(ValidationError, match="来源最多 300 个字"):
        reported.record_value(scope=scope, user=city_admin, indicator="rd_intensity", year=2024, scope_key="city",
                              as_of=dt.date(2024, 6, 30), value=Decimal("2.1"), source="渝" * 301)
    assert not Target.objects.filter(scope_key__startswith="unit:").exists() and not IndicatorValue.objects.exists()


def test_a_long_source_is_kept_whole_and_cut_only_in_the_history_reason(city_admin, firms):
    """A source of 300 characters fits the target but not the history's 100-character reason (a 500 on
    PostgreSQL, found by schemathesis): the target keeps it whole, the history row a cut copy ending in …."""
    import datetime as dt

    from keqi.accounts.scope import scope_for
    from keqi.targets import allocating

    source = "渝府办发〔2023〕26号" + "渝" * 287
    assert len(source) == 300
    allocating.accept_suggestion(scope=scope_for(city_admin), user=city_admin, indicator="hnte_count", year=2027,
                                 on=dt.date(2024, 6, 30), source=source)
    target = Target.objects.filter(scope_key__startswith="unit:").first()
    assert target.source == source
    reason = target.history.first().history_change_reason
    assert len(reason) == 100 and reason.endswith("…") and reason.startswith("渝府办发〔2023〕26号")
    rows = allocating.allocation_history(scope=scope_for(city_admin), indicator="hnte_count", year=2027)
    assert rows and all(r["reason"] == reason for r in rows)
