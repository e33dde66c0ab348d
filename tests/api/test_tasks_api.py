"""Cultivation tasks API: list, plan, change; an officer works only on its own unit's firms."""

import datetime as dt
import json

import polars as pl
import pytest

from keqi.accounts.scope import SYSTEM, scope_for
from keqi.accounts.tokens import create_token
from keqi.pipeline import services
from keqi.pipeline.models import CultivationTask
from keqi.registry import flows

from support import report_rows, write_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def firms(tmp_path):
    yubei = report_rows(2, unit="渝北区", seed=91)
    nanan = report_rows(1, unit="南岸区", seed=92)
    flows.run_import(path=write_file(tmp_path / "f.xlsx", pl.concat([yubei, nanan])), scope=SYSTEM)
    return yubei["uscc"].unique().to_list(), nanan["uscc"].unique().to_list()


def bearer(user):
    _, key = create_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def plan(officer, uscc, due):
    return services.create_task(scope=scope_for(officer), user=officer, uscc=uscc, kind="guidance", title="辅导",
                                assigned_to=officer, due_on=due)


def post(client, user, **body):
    payload = {"kind": "visit", "title": "走访", "due_on": "2030-01-15", **body}
    return client.post("/api/tasks", json.dumps(payload), content_type="application/json", **bearer(user))


def test_anonymous_and_wrong_tokens_get_401(client, firms):
    assert client.get("/api/tasks").status_code == 401
    assert client.get("/api/tasks", HTTP_AUTHORIZATION="Bearer kq_nope").status_code == 401
    assert client.post("/api/tasks", "{}", content_type="application/json").status_code == 401


def test_enterprise_users_have_no_tasks(client, make_user, firms):
    firm = make_user("firm", "enterprise_user", uscc=firms[0][0])
    assert client.get("/api/tasks", **bearer(firm)).status_code == 403
    assert post(client, firm, uscc=firms[0][0], assigned_to="firm").status_code == 403


def test_an_officer_lists_only_its_units_tasks(client, yubei_officer, nanan_officer, firms):
    mine = plan(yubei_officer, firms[0][0], dt.date(2030, 1, 1))
    plan(nanan_officer, firms[1][0], dt.date(2030, 1, 1))
    body = client.get("/api/tasks", **bearer(yubei_officer)).json()
    assert [t["id"] for t in body["items"]] == [mine.pk] and body["items"][0]["reporting_unit"] == "渝北区"
    assert client.get("/api/tasks?view=bogus", **bearer(yubei_officer)).status_code == 422


def test_overdue_view(client, yubei_officer, firms):
    late = plan(yubei_officer, firms[0][0], dt.date(2020, 1, 1))
    plan(yubei_officer, firms[0][1], dt.date(2099, 1, 1))
    body = client.get("/api/tasks?view=overdue", **bearer(yubei_officer)).json()
    assert [t["id"] for t in body["items"]] == [late.pk] and body["items"][0]["overdue"] is True


def test_an_officer_plans_work_on_its_own_firms_only(client, yubei_officer, nanan_officer, firms):
    made = post(client, yubei_officer, uscc=firms[0][0].lower(), assigned_to="yubei")
    assert made.status_code == 201 and made.json()["uscc"] == firms[0][0] and made.json()["status"] == "open"
    assert post(client, yubei_officer, uscc=firms[1][0], assigned_to="yubei").status_code == 404
    wrong_assignee = post(client, yubei_officer, uscc=firms[0][0], assigned_to="nanan")
    assert wrong_assignee.status_code == 422
    assert post(client, yubei_officer, uscc=firms[0][0], assigned_to="nobody").status_code == 422
    assert post(client, yubei_officer, uscc=firms[0][0], assigned_to="yubei", kind="party").status_code == 422
    assert CultivationTask.objects.count() == 1


def test_status_and_outcome_are_updated_in_scope(client, yubei_officer, nanan_officer, city_admin, firms):
    task = plan(yubei_officer, firms[0][0], dt.date(2030, 1, 1))

    def patch(user, **body):
        return client.patch(f"/api/tasks/{task.pk}", json.dumps(body), content_type="application/json",
                            **bearer(user))

    assert patch(nanan_officer, status="done").status_code == 404
    done = patch(yubei_officer, status="done", outcome="approved")
    assert done.status_code == 200 and (done.json()["status"], done.json()["outcome"]) == ("done", "approved")
    assert patch(yubei_officer, status="finished").status_code == 422
    assert patch(city_admin, notes="市里已知悉").json()["notes"] == "市里已知悉"
    task.refresh_from_db()
    assert task.status == "done" and task.history.count() == 3


def test_the_list_makes_as_many_queries_whatever_its_length(client, yubei_officer, firms):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = bearer(yubei_officer)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/tasks", **headers).status_code == 200
        return len(ctx.captured_queries)

    plan(yubei_officer, firms[0][0], dt.date(2030, 1, 1))
    one = count()
    for day in range(2, 6):
        plan(yubei_officer, firms[0][1], dt.date(2030, 1, day))
    assert count() == one


def test_nul_characters_of_any_text_a_client_sends_are_dropped(client, yubei_officer, firms):
    """PostgreSQL refuses NUL in text (a 500, schemathesis): every text parameter type drops it
    (keqi.api.params), in a body's fields as in a list's filters."""
    from pydantic import TypeAdapter

    from keqi.api import params

    for kind in (params.Plain, params.Text, params.LongText, params.Source):
        assert TypeAdapter(kind).validate_python("渝\x00北\x00") == "渝北"
    response = post(client, yubei_officer, uscc=firms[0][0] + "\x00", title="走\x00访", assigned_to="yu\x00bei")
    assert response.status_code == 201, response.content
    assert CultivationTask.objects.get().title == "走访"
    for url in ("/api/tasks?view=%00", "/api/contracts?q=%00&category=a%00", "/api/enterprises?q=%00渝",
                "/api/applications?q=%00&state=%00", "/api/credit/loans?uscc=%00", "/api/applications/pipeline/counts?programme=%00"):
        assert client.get(url, **bearer(yubei_officer)).status_code in (200, 422), url
