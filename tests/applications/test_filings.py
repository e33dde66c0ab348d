"""Annual filings: the template's checks, nothing typed is lost, submission writes the registry,
the district returns with reasons, missing filers are listed and reminded."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from keqi.applications import flows, services
from keqi.applications.models import AnnualFiling, FilingEvent, Notice
from keqi.registry.models import AnnualReport, Qualification

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def test_a_bad_cell_is_reported_in_chinese_and_kept_in_the_draft(firm_user, scope_of):
    scope = scope_of(firm_user)
    filing = services.open_filing(scope=scope, user=firm_user, enterprise_id=scope.enterprise_id, fiscal_year=2025,
                                  today=TODAY)
    assert filing.entries["staff_total"] == "40"  # prefilled from the registry, money in 万元
    assert "." in filing.entries["revenue"] or filing.entries["revenue"].isdigit()
    entries = {**filing.entries, "staff_total": "四十", "tech_staff": "50", "revenue": "12.345678"}
    filing, check = services.save_entries(scope=scope, user=firm_user, filing=filing, entries=entries, today=TODAY)
    assert check.errors["staff_total"] == ["应为整数"]
    assert "最多保留4位小数" in check.errors["revenue"][0]
    assert AnnualFiling.objects.get(pk=filing.pk).entries["staff_total"] == "四十"  # kept as typed
    with pytest.raises(services.WorkflowError, match="处错误"):
        flows.act(scope=scope, user=firm_user, case=filing, action="submit", today=TODAY)
    assert AnnualFiling.objects.get(pk=filing.pk).state == "draft"


def test_cross_cell_checks_are_the_templates(firm_user, scope_of):
    scope = scope_of(firm_user)
    filing = services.open_filing(scope=scope, user=firm_user, enterprise_id=scope.enterprise_id, fiscal_year=2025,
                                  today=TODAY)
    _, check = services.save_entries(scope=scope, user=firm_user, filing=filing,
                                     entries={**filing.entries, "staff_total": "10", "tech_staff": "11"}, today=TODAY)
    assert "大于职工总数" in check.errors["tech_staff"][0]


def test_submission_writes_the_registry_with_history(firm_user, scope_of, walk):
    scope = scope_of(firm_user)
    filing = services.open_filing(scope=scope, user=firm_user, enterprise_id=scope.enterprise_id, fiscal_year=2025,
                                  today=TODAY)
    filing, check = services.save_entries(scope=scope, user=firm_user, filing=filing,
                                          entries={**filing.entries, "staff_total": "60", "revenue": "1234.5"},
                                          today=TODAY)
    assert check.ok, check.errors
    walk(firm_user, filing, "submit")
    report = AnnualReport.objects.get(enterprise_id=scope.enterprise_id, fiscal_year=2025)
    assert report.staff_total == 60 and report.revenue == 12_345_000
    assert report.history.first().history_change_reason == "企业年度填报 2025"
    assert report.history.first().history_user == firm_user


def test_the_district_returns_with_a_reason_and_the_firm_resubmits(firm_user, yubei_officer, nanan_officer, filed,
                                                                    walk):
    with pytest.raises(services.WorkflowError, match="需要填写原因"):
        walk(yubei_officer, filed, "return")
    with pytest.raises(PermissionDenied):
        walk(nanan_officer, filed, "return", reason="x")
    with pytest.raises(PermissionDenied):
        walk(firm_user, filed, "accept")
    walk(yubei_officer, filed, "return", reason="研发费用与审计报告不符")
    assert filed.state == "returned" and filed.due_on is not None
    assert Notice.objects.filter(user=firm_user, text__contains="研发费用与审计报告不符").exists()
    walk(firm_user, filed, "submit")
    walk(yubei_officer, filed, "accept")
    events = list(FilingEvent.objects.filter(filing=filed).values_list("action", "actor"))
    assert events == [("submit", "firm"), ("return", "district"), ("submit", "firm"), ("accept", "district")]


def test_a_filing_is_the_firms_own(yubei_officer, firms, scope_of, other_firm_user, filed):
    with pytest.raises(PermissionDenied):
        services.open_filing(scope=scope_of(yubei_officer), user=yubei_officer, enterprise_id=firms["yubei"][1].pk,
                             fiscal_year=2025, today=TODAY)
    with pytest.raises(AnnualFiling.DoesNotExist):
        services.filing(scope=scope_of(other_firm_user), pk=filed.pk)
    with pytest.raises(services.WorkflowError, match="尚未结束"):
        services.open_filing(scope=scope_of(other_firm_user), user=other_firm_user,
                             enterprise_id=firms["yubei"][0].pk, fiscal_year=2026, today=TODAY)


def test_missing_filers_per_unit_and_reminders(city_admin, yubei_officer, firms, firm_user, other_firm_user, filed,
                                               scope_of, mailoutbox):
    for f in (*firms["yubei"], *firms["nanan"]):  # every firm is in the 科技型企业 registry
        Qualification.objects.create(enterprise=f, kind="cq_tech", number=f"X{f.pk}", valid_from=dt.date(2024, 1, 1))
    other_firm_user.email = "b@example.com"
    other_firm_user.save()
    services.set_filing_window(scope=scope_of(city_admin), user=city_admin, fiscal_year=2025,
                               opens_on=dt.date(2026, 1, 5), closes_on=dt.date(2026, 2, 15))
    city = services.missing_filings(scope=scope_of(city_admin), fiscal_year=2025, today=TODAY)
    assert city.overdue
    assert {r["unit"]: (r["expected"], r["missing"]) for r in city.by_unit} == {"渝北区": (3, 2), "南岸区": (1, 1)}
    district = services.missing_filings(scope=scope_of(yubei_officer), fiscal_year=2025, today=TODAY)
    assert [r["unit"] for r in district.by_unit] == ["渝北区"] and district.firms.count() == 2
    assert services.remind(scope=scope_of(yubei_officer), fiscal_year=2025, today=TODAY) == 1  # firm-b's user
    assert Notice.objects.filter(user=other_firm_user, text__contains="2025年度").exists()
    assert not Notice.objects.filter(user=firm_user, text__contains="尚未提交").exists()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["b@example.com"]
    with pytest.raises(PermissionDenied):
        services.missing_filings(scope=scope_of(firm_user), fiscal_year=2025, today=TODAY)
    with pytest.raises(PermissionDenied):
        services.set_filing_window(scope=scope_of(yubei_officer), user=yubei_officer, fiscal_year=2025,
                                   opens_on=dt.date(2026, 1, 5), closes_on=dt.date(2026, 2, 15))


def test_self_evaluation_follows_the_typed_figures(firm_user, scope_of, firms):
    scope = scope_of(firm_user)
    firm = firms["yubei"][1]
    filing = services.open_filing(scope=scope, user=firm_user, enterprise_id=firm.pk, fiscal_year=2025, today=TODAY)
    low, _ = services.check_entries(enterprise=firm, fiscal_year=2025, today=TODAY,
                                    entries={**filing.entries, "tech_staff": "1", "senior_tech_staff": "0"})
    high, _ = services.check_entries(enterprise=firm, fiscal_year=2025, today=TODAY,
                                     entries={**filing.entries, "tech_staff": "20"})
    v_low = {v["edition"]: v for v in services.self_evaluation(scope=scope, enterprise=firm, fiscal_year=2025,
                                                               values=low.values, today=TODAY, families=["cq-tech"])}
    v_high = {v["edition"]: v for v in services.self_evaluation(scope=scope, enterprise=firm, fiscal_year=2025,
                                                                values=high.values, today=TODAY, families=["cq-tech"])}
    assert v_low["cq-tech-2022"]["verdict"] != "eligible"
    assert v_high["cq-tech-2022"]["verdict"] == "eligible"
    assert AnnualReport.objects.get(enterprise=firm, fiscal_year=2025).tech_staff == 10  # nothing was written
