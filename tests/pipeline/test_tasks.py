"""Cultivation tasks: planned on own firms, assigned within the unit, overdue and upcoming lists."""

import datetime as dt

import polars as pl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from keqi.accounts.scope import SYSTEM, scope_for
from keqi.pipeline import services
from keqi.pipeline.models import CultivationTask
from keqi.registry import flows
from keqi.registry.models import Enterprise

from support import report_rows, write_file

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def firms(tmp_path):
    yubei = report_rows(2, unit="渝北区", seed=81)
    nanan = report_rows(1, unit="南岸区", seed=82)
    flows.run_import(path=write_file(tmp_path / "f.xlsx", pl.concat([yubei, nanan])), scope=SYSTEM)
    return yubei["uscc"].unique().to_list(), nanan["uscc"].unique().to_list()


def plan(officer, uscc, due, kind="visit", assignee=None):
    return services.create_task(scope=scope_for(officer), user=officer, uscc=uscc, kind=kind, title="走访",
                                assigned_to=assignee or officer, due_on=due)


def test_officer_plans_work_on_own_firms_only(firms, yubei_officer):
    yubei, nanan = firms
    task = plan(yubei_officer, yubei[0], TODAY)
    assert task.enterprise.uscc == yubei[0] and task.status == "open"
    with pytest.raises(Enterprise.DoesNotExist):
        plan(yubei_officer, nanan[0], TODAY)


def test_work_is_assigned_only_to_officers_of_the_firms_unit(firms, yubei_officer, nanan_officer):
    with pytest.raises(ValidationError):
        plan(yubei_officer, firms[0][0], TODAY, assignee=nanan_officer)


def test_overdue_and_upcoming_lists(firms, yubei_officer):
    late = plan(yubei_officer, firms[0][0], TODAY - dt.timedelta(days=1))
    soon = plan(yubei_officer, firms[0][1], TODAY + dt.timedelta(days=14))
    later = plan(yubei_officer, firms[0][1], TODAY + dt.timedelta(days=15))
    scope = scope_for(yubei_officer)
    assert list(services.tasks(scope=scope, view="overdue", today=TODAY)) == [late]
    assert list(services.tasks(scope=scope, view="upcoming", today=TODAY)) == [soon]
    services.update_task(scope=scope, task_id=late.pk, status="done")
    assert list(services.tasks(scope=scope, view="overdue", today=TODAY)) == []
    assert set(services.tasks(scope=scope, view="all", today=TODAY)) == {late, soon, later}


def test_application_outcome_is_recorded_only_on_guidance(firms, yubei_officer):
    from django.core.exceptions import PermissionDenied

    scope = scope_for(yubei_officer)
    guidance = plan(yubei_officer, firms[0][0], TODAY, kind="guidance")
    assert services.update_task(scope=scope, task_id=guidance.pk, outcome="approved").outcome == "approved"
    visit = plan(yubei_officer, firms[0][0], TODAY)
    with pytest.raises(PermissionDenied):
        services.update_task(scope=scope, task_id=visit.pk, outcome="approved")


def test_another_district_neither_sees_nor_changes_the_task(firms, yubei_officer, nanan_officer, client_for):
    task = plan(yubei_officer, firms[0][0], TODAY)
    assert not services.tasks(scope=scope_for(nanan_officer), today=TODAY).exists()
    with pytest.raises(CultivationTask.DoesNotExist):
        services.update_task(scope=scope_for(nanan_officer), task_id=task.pk, status="cancelled")
    c = client_for(nanan_officer)
    assert c.get(reverse("pipeline:task_detail", args=[task.pk])).status_code == 404
    assert c.post(reverse("pipeline:task_detail", args=[task.pk]), {"status": "cancelled"}).status_code == 404


def test_planning_a_visit_from_the_web(firms, yubei_officer, client_for):
    c = client_for(yubei_officer)
    uscc = firms[0][0]
    form = c.get(reverse("pipeline:task_new"), {"uscc": uscc})
    assert form.status_code == 200
    response = c.post(reverse("pipeline:task_new"), {
        "uscc": uscc, "kind": "visit", "title": "上门走访", "assigned_to": yubei_officer.pk, "due_on": "2026-12-01"})
    assert response.status_code == 302
    assert CultivationTask.objects.get().title == "上门走访"
    assert "上门走访" in c.get(reverse("pipeline:task_list"), {"view": "mine"}).content.decode()
