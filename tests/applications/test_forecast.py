"""The targets' forecast counts applications in progress by their phase (issue #16, item 4): an applying firm
leaves the unit's candidates and joins a group of its phase, at the rate at which applications that passed
through that phase were granted; nothing is counted twice, and a forecast of a past day ignores them."""

from __future__ import annotations

import datetime as dt

import pytest

from keqi.applications import services
from keqi.registry import measures
from keqi.targets import forecast, forecasting
from keqi.targets.models import Target
from keqi.targets.services import progress

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def test_open_applications_are_counted_per_unit_and_phase(submitted, firms):
    found = measures.open_applications(kind="cq_tech")
    unit = firms["yubei"][1].reporting_unit_id
    assert found.by_unit == {unit: {"district": 1}}
    assert list(found.enterprise_ids.values_list("enterprise_id", flat=True)) == [firms["yubei"][1].pk]
    assert found.history == {}  # no application closed yet
    assert measures.open_applications(kind="hnte").by_unit == {}  # another qualification's


def test_the_history_says_how_many_that_reached_a_phase_were_granted(submitted, yubei_officer, city_admin,
                                                                      walk, firms):
    walk(yubei_officer, submitted, "district_reject", reason="不符合入库条件")
    found = measures.open_applications(kind="cq_tech")
    assert found.by_unit == {} and found.history == {"district": (0, 1)}
    assert services.open_applications(kind="cq_tech").history == found.history  # the service registered at start


def _groups_of_forecast(monkeypatch, scope_key):
    seen = []
    real = forecast.year_end

    def spy(**kw):
        seen.append(kw["groups"])
        return real(**kw)

    monkeypatch.setattr(forecasting.forecast, "year_end", spy)
    monkeypatch.setattr(forecasting.timezone, "localdate", lambda: TODAY)
    Target.objects.create(indicator="tech_count", year=2027, scope_key=scope_key, value=10, source="测试")
    from keqi.accounts.scope import SYSTEM

    rows = [p for p in progress(scope=SYSTEM, year=2027, on=TODAY) if p.scope_key == scope_key]
    out = forecasting.forecasts(rows=rows, on=TODAY)
    assert (("tech_count", scope_key) in out) and len(seen) == 1
    return seen[0]


def test_an_applying_firm_leaves_the_candidates_and_counts_with_its_phase(submitted, firms, monkeypatch):
    unit = firms["yubei"][1].reporting_unit_id
    groups = _groups_of_forecast(monkeypatch, f"unit:{unit}")
    # 渝北区's three firms hold no 科技型企业 entry: all three are its pipeline; the applying one moves
    assert [g.candidates for g in groups] == [2, 1]
    assert groups[1].rate == forecast.Rate(0, 0)  # no application has been decided yet: the rate is unknown


def test_without_applications_the_pipeline_is_unchanged(firms, monkeypatch):
    unit = firms["yubei"][1].reporting_unit_id
    assert [g.candidates for g in _groups_of_forecast(monkeypatch, f"unit:{unit}")] == [3]


def test_a_forecast_of_a_past_day_ignores_todays_applications(submitted, firms):
    found, overlap = forecasting.applications_in_progress(indicator="tech_count", on=TODAY - dt.timedelta(days=400),
                                                          source="qualifications")
    assert found.by_unit == {} and overlap == {}


@pytest.mark.parametrize("page", ["targets:overview", "targets:unit", "targets:report"])
def test_a_targets_page_reads_the_applications_in_progress_once(page, submitted, firms, city_admin, client_for,
                                                                 monkeypatch):
    """Issue #14: the overview, the unit page and the report forecast the same indicator for several rows and
    read the applications in progress for each; now once per request (keqi.pipeline.memo), and the forecast
    still counts the applying firm."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from keqi.applications.models import Application, ApplicationEvent
    from keqi.policy.formats import count

    monkeypatch.setattr(forecasting.timezone, "localdate", lambda: TODAY)
    unit = firms["yubei"][1].reporting_unit_id
    for indicator in ("tech_count", "hnte_count"):  # the overview's and the report's ranking forecast 高企 again
        for key in ("city", f"unit:{unit}"):
            Target.objects.update_or_create(indicator=indicator, year=2027, scope_key=key,
                                            defaults={"value": 10, "source": "测试"})
    seen, made = [], []
    real = forecast.year_end
    monkeypatch.setattr(forecasting.forecast, "year_end",
                        lambda **kw: seen.append(kw["groups"]) or made.append(real(**kw)) or made[-1])
    url = reverse(page, args=[unit]) if page == "targets:unit" else reverse(page)
    client = client_for(city_admin)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"year": 2027, "on": TODAY.isoformat()})
    assert response.status_code == 200
    sql = [q["sql"] for q in captured.captured_queries]
    table = Application._meta.db_table
    apps = [s for s in sql if s.startswith(f'SELECT "{table}"."reporting_unit_id"') and f'FROM "{table}"' in s]
    events = [s for s in sql if f'FROM "{ApplicationEvent._meta.db_table}"' in s]
    # one read per qualification forecast (科技型企业, 高新技术企业), not one per forecasting call; the events
    # (the phases' history) only where an application of the kind has closed: here none has
    assert sum("IN ('cq-tech-2022')" in s for s in apps) == 1
    assert sum("IN ('hnte-2016')" in s for s in apps) == 1 and len(apps) == 2
    assert events == []
    assert any(len(groups) == 2 and groups[1].candidates == 1 for groups in seen)  # the applying firm, in its phase
    html = response.content.decode()
    assert made and all(f"{count(f.central)} <" in html or f"{count(f.central)} (" in html for f in made)
