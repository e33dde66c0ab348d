"""Applications: the cq-tech workflow end to end, who may act, 实地核查, 公示 batches, objections, the
number issued into the registry, tracked programmes, the guidance task that led to an application."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings

from keqi.applications import flows, services
from keqi.applications.models import Application, ApplicationEvent, Notice
from keqi.pipeline.models import CultivationTask, TierRecord
from keqi.registry.models import Qualification

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def _through_city(app, yubei_officer, city_admin, walk):
    walk(yubei_officer, app, "district_approve")
    walk(city_admin, app, "city_approve")
    return app


def test_the_whole_way_into_the_registry(firm_user, yubei_officer, city_admin, submitted, walk, scope_of):
    app = submitted
    assert app.state == "submitted" and not app.site_check_required  # holds a 科技型中小企业 number
    assert app.evaluation["edition"] == "cq-tech-2022"
    walk(yubei_officer, app, "district_return", reason="请补充研发项目清单")
    walk(firm_user, app, "submit")
    _through_city(app, yubei_officer, city_admin, walk)
    batch = services.open_batch(scope=scope_of(city_admin), user=city_admin, programme="cq-tech",
                                opens_on=dt.date(2026, 12, 7))
    assert batch.working_days == 5 and batch.closes_on == dt.date(2026, 12, 11) and batch.calendar_note == ""
    walk(city_admin, app, "publish", inputs={"batch": batch})
    with pytest.raises(services.WorkflowError, match="期满后"):
        flows.conclude_batch(scope=scope_of(city_admin), user=city_admin, batch=batch, today=dt.date(2026, 12, 11))
    result = flows.conclude_batch(scope=scope_of(city_admin), user=city_admin, batch=batch,
                                     today=dt.date(2026, 12, 14))
    app.refresh_from_db()
    assert result.done == [app.pk] and app.state == "registered"
    q = Qualification.objects.get(pk=app.qualification_id)
    assert (q.kind, q.valid_from, q.valid_to, q.number) == ("cq_tech", dt.date(2026, 12, 14), None, app.number)
    assert app.number == "202650011200001"  # {year}{unit_code}{serial:05d}
    assert TierRecord.objects.filter(enterprise_id=app.enterprise_id, year=2026, source="qualification",
                                     tier__key="tech").exists()
    actions = list(ApplicationEvent.objects.filter(application=app).values_list("action", flat=True))
    assert actions == ["start", "submit", "district_return", "submit", "district_approve", "city_approve", "publish",
                       "register"]
    assert Notice.objects.filter(user=firm_user, text__contains="准予入库").exists()
    batch.refresh_from_db()
    assert batch.status == "concluded"


@override_settings(KEQI_REGISTRATION_NUMBER_FORMAT="CQKJ-{year}-{serial:06d}")
def test_the_number_format_is_a_setting_and_numbers_are_never_reused():
    from keqi.applications.flows import allocate_numbers

    assert allocate_numbers(programme="cq-tech", year=2026, unit_codes=["500112", "500108"]) == [
        "CQKJ-2026-000001", "CQKJ-2026-000002"]
    assert allocate_numbers(programme="cq-tech", year=2026, unit_codes=["500112"]) == ["CQKJ-2026-000003"]


def test_who_may_act_on_what(submitted, firm_user, other_firm_user, nanan_officer, yubei_officer, city_admin,
                             walk, scope_of):
    with pytest.raises(PermissionDenied):
        walk(nanan_officer, submitted, "district_approve")
    with pytest.raises(PermissionDenied):
        walk(firm_user, submitted, "district_approve")
    with pytest.raises(PermissionDenied):
        walk(city_admin, submitted, "district_approve")  # the district reviews first
    with pytest.raises(PermissionDenied, match="须由市科技局办理"):
        walk(yubei_officer, submitted, "city_approve")
    with pytest.raises(services.WorkflowError, match="不能“安排实地核查”"):
        walk(yubei_officer, submitted, "order_site_check")
    for user in (nanan_officer, other_firm_user):
        with pytest.raises(Application.DoesNotExist):
            services.application(scope=scope_of(user), pk=submitted.pk)
    assert services.application(scope=scope_of(yubei_officer), pk=submitted.pk) == submitted
    assert [t.key for t in services.actions_for(scope=scope_of(yubei_officer), case=submitted)] == [
        "district_approve", "district_return", "district_reject"]
    assert services.actions_for(scope=scope_of(nanan_officer), case=submitted) == ()


def test_an_application_needs_a_submitted_filing(firm_user, scope_of, walk):
    scope = scope_of(firm_user)
    app = services.start_application(scope=scope, user=firm_user, enterprise_id=scope.enterprise_id,
                                     programme="cq-tech", today=TODAY)
    with pytest.raises(services.WorkflowError, match="年度填报"):
        walk(firm_user, app, "submit")
    with pytest.raises(services.WorkflowError, match="办理中"):
        services.start_application(scope=scope, user=firm_user, enterprise_id=scope.enterprise_id,
                                   programme="cq-tech", today=TODAY)


def test_two_officers_at_once_cannot_both_succeed(submitted, yubei_officer, make_user, walk):
    second = make_user("yubei-2", "district_officer", unit="渝北区")
    seen_by_first = Application.objects.get(pk=submitted.pk)
    seen_by_second = Application.objects.get(pk=submitted.pk)
    walk(yubei_officer, seen_by_first, "district_approve")
    with pytest.raises(services.Conflict, match="已被他人办理"):
        walk(second, seen_by_second, "district_reject", reason="材料不全")
    assert Application.objects.get(pk=submitted.pk).state == "district_approved"
    assert ApplicationEvent.objects.filter(application=submitted, action__startswith="district").count() == 1
    with pytest.raises(services.Conflict):  # a page showing an older version
        walk(yubei_officer, Application.objects.get(pk=submitted.pk), "order_site_check",
             expected_version=seen_by_second.version)


def test_site_check_is_flagged_by_the_rules_and_blocks_approval(firms, make_user, scope_of, walk, yubei_officer,
                                                               city_admin):
    user = make_user("first-timer", "enterprise_user", uscc=firms["yubei"][0].uscc)  # holds no qualification
    scope = scope_of(user)
    filing = services.open_filing(scope=scope, user=user, enterprise_id=scope.enterprise_id, fiscal_year=2025,
                                  today=TODAY)
    services.save_entries(scope=scope, user=user, filing=filing, entries={**filing.entries, "staff_total": "5",
                                                                          "tech_staff": "2"}, today=TODAY)
    walk(user, filing, "submit")
    app = services.start_application(scope=scope, user=user, enterprise_id=scope.enterprise_id, programme="cq-tech",
                                     today=TODAY)
    walk(user, app, "submit")
    assert app.site_check_required
    assert set(app.site_check_reasons) == {"首次申报（此前未取得过经审核的科技类资质）", "职工总数不超过5人"}
    walk(yubei_officer, app, "district_approve")
    with pytest.raises(services.WorkflowError, match="实地核查"):
        walk(city_admin, app, "city_approve")
    walk(city_admin, app, "order_site_check")
    walk(yubei_officer, app, "site_check_pass", reason="现场核实人员与研发场地")
    assert app.site_check_result == "passed" and app.state == "district_approved"
    walk(city_admin, app, "city_approve")
    assert app.state == "city_approved"


def test_an_objection_pauses_the_entry(firms, firm_user, submitted, make_user, yubei_officer, city_admin, walk,
                                       scope_of):
    _through_city(submitted, yubei_officer, city_admin, walk)
    city = scope_of(city_admin)
    batch = services.open_batch(scope=city, user=city_admin, programme="cq-tech", opens_on=dt.date(2026, 12, 7),
                                working_days=3)
    assert batch.closes_on == dt.date(2026, 12, 9)
    walk(city_admin, submitted, "publish", inputs={"batch": batch})
    flows.record_objection(scope=city, user=city_admin, application=submitted, received_on=TODAY,
                              content="举报：科技人员数据不实")
    result = flows.conclude_batch(scope=city, user=city_admin, batch=batch, today=dt.date(2026, 12, 10))
    submitted.refresh_from_db()
    assert result.done == [] and submitted.state == "objection" and "异议" in result.reasons[-1]
    assert not Qualification.objects.filter(enterprise_id=submitted.enterprise_id, kind="cq_tech").exists()
    flows.resolve_objection(scope=city, user=city_admin, application=submitted, upheld=False,
                               resolution="经核查数据属实", today=dt.date(2026, 12, 10))
    submitted.refresh_from_db()
    assert submitted.state == "registered" and submitted.qualification_id


def test_bulk_approval_skips_what_it_cannot_do(firms, make_user, scope_of, walk, yubei_officer, city_admin, submitted):
    other = make_user("other", "enterprise_user", uscc=firms["yubei"][2].uscc)
    scope = scope_of(other)
    filing = services.open_filing(scope=scope, user=other, enterprise_id=scope.enterprise_id, fiscal_year=2025,
                                  today=TODAY)
    walk(other, filing, "submit")
    second = services.start_application(scope=scope, user=other, enterprise_id=scope.enterprise_id,
                                        programme="cq-tech", today=TODAY)
    walk(other, second, "submit")  # first-time: site check needed
    district = flows.bulk_act(scope=scope_of(yubei_officer), user=yubei_officer, programme="cq-tech",
                                 action="district_approve", ids=[submitted.pk, second.pk], today=TODAY)
    assert sorted(district.done) == sorted([submitted.pk, second.pk])
    result = flows.bulk_act(scope=scope_of(city_admin), user=city_admin, programme="cq-tech",
                               action="city_approve", ids=[submitted.pk, second.pk], today=TODAY)
    assert result.done == [submitted.pk] and result.skipped == 1
    with pytest.raises(PermissionDenied):
        flows.bulk_act(scope=scope_of(yubei_officer), user=yubei_officer, programme="cq-tech",
                          action="city_approve", ids=[second.pk], today=TODAY)
    with pytest.raises(services.WorkflowError, match="批量"):
        flows.bulk_act(scope=scope_of(city_admin), user=city_admin, programme="cq-tech", action="city_reject",
                          ids=[second.pk], reason="x", today=TODAY)


def test_a_tracked_programme_records_the_outcome_into_the_registry(firm_user, yubei_officer, city_admin, scope_of,
                                                                   walk):
    scope = scope_of(firm_user)
    app = services.start_application(scope=scope, user=firm_user, enterprise_id=scope.enterprise_id,
                                     programme="hnte", today=TODAY)
    walk(firm_user, app, "submit")
    walk(yubei_officer, app, "district_recommend")
    walk(city_admin, app, "city_recommend")
    walk(city_admin, app, "record_publicity")
    with pytest.raises(services.WorkflowError, match="证书编号"):
        walk(city_admin, app, "record_granted", inputs={"valid_from": dt.date(2026, 12, 1)})
    walk(city_admin, app, "record_granted", inputs={"number": "GR202650000123", "valid_from": dt.date(2026, 12, 1)})
    q = Qualification.objects.get(pk=app.qualification_id)
    assert (q.kind, q.number, q.valid_to) == ("hnte", "GR202650000123", dt.date(2029, 11, 30))


def test_the_guidance_task_follows_its_application(firm_user, yubei_officer, city_admin, filed, firms, scope_of,
                                                   walk):
    task = CultivationTask.objects.create(enterprise=firms["yubei"][1], kind="guidance", title="入库申报辅导",
                                          assigned_to=yubei_officer, due_on=TODAY, created_by=yubei_officer)
    scope = scope_of(firm_user)
    app = services.start_application(scope=scope, user=firm_user, enterprise_id=scope.enterprise_id,
                                     programme="cq-tech", today=TODAY)
    assert app.guidance_task == task and list(task.applications.all()) == [app]
    walk(firm_user, app, "submit")
    task.refresh_from_db()
    assert task.outcome == "applied"
    walk(yubei_officer, app, "district_reject", reason="不符合入库条件")
    task.refresh_from_db()
    assert task.outcome == "rejected"


def test_open_applications_mark_firms_and_fill_the_pipeline(submitted, firms, city_admin, yubei_officer, nanan_officer,
                                                            scope_of):
    from keqi.registry.marks import Mark, for_firms

    ids = [f.pk for f in firms["yubei"]]
    assert for_firms(scope=scope_of(city_admin), enterprise_ids=ids) == {
        firms["yubei"][1].pk: [Mark("申报中：重庆市科技型企业入库（待区县初审）", f"/applications/{submitted.pk}/")]}
    assert for_firms(scope=scope_of(nanan_officer), enterprise_ids=ids) == {}  # not a case it may read
    every = for_firms(scope=scope_of(yubei_officer), enterprise_ids=ids, every=True)[firms["yubei"][1].pk]
    assert [m.label for m in every] == ["申报中：重庆市科技型企业入库（待区县初审）", "2025年度填报：已提交"]
    counts = services.pipeline_counts(scope=scope_of(yubei_officer), programme="cq-tech")
    assert counts == {firms["yubei"][1].reporting_unit_id: {"district": 1}}
