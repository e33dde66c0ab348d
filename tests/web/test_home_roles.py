"""A start page per role (issue 15, item 6): what each role starts its day with, and only its own."""

import datetime as dt
import re
from decimal import Decimal

import polars as pl
import pytest
from django.urls import reverse
from django.utils import timezone

from keqi.accounts.scope import SYSTEM, scope_for
from keqi.registry import flows
from keqi.registry.models import Enterprise, ReportingUnit
from keqi.screening import flows as screening_flows

from support import report_rows, write_file

pytestmark = pytest.mark.django_db

NO_PAGE = "当前版本暂无您的角色可用的页面"


@pytest.fixture
def world(tmp_path):
    yubei = report_rows(4, unit="渝北区", years=(2023, 2024), seed=71)
    nanan = report_rows(2, unit="南岸区", years=(2023, 2024), seed=72).with_columns(
        pl.col("name").str.replace("测试", "南岸测试"))  # names of their own: a name on a page is that firm's
    flows.run_import(path=write_file(tmp_path / "f.xlsx", pl.concat([yubei, nanan])), scope=SYSTEM)
    return yubei["uscc"].unique(maintain_order=True).to_list(), nanan["uscc"].unique(maintain_order=True).to_list()


def section(html: str, table_id: str) -> str:
    found = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    return found.group(0) if found else ""


def unit(name):
    return ReportingUnit.objects.get(name=name).pk


def test_every_role_has_a_start_page(client_for, make_user, world, city_admin, yubei_officer, bank_officer,
                                     registrar):
    firm = make_user("f", "enterprise_user", uscc=world[0][0])
    for user in (city_admin, yubei_officer, firm, bank_officer, registrar):
        response = client_for(user).get(reverse("web:home"))
        assert response.status_code == 200
        assert NO_PAGE not in response.content.decode() and response.context["role_part"]


def test_city_sees_the_targets_at_a_glance_and_the_lagging_units(client_for, city_admin, world):
    from keqi.targets.models import Target

    year = timezone.localdate().year
    Target.objects.create(indicator="hnte_count", year=year, scope_key="city", value=500, source="测试")
    Target.objects.create(indicator="hnte_count", year=year, scope_key=f"unit:{unit('渝北区')}", value=300,
                          source="测试")  # no firm holds a 高企 certificate: behind
    Target.objects.create(indicator="tech_count", year=year, scope_key=f"unit:{unit('渝北区')}", value=300,
                          source="测试")  # behind on a second indicator: still one unit
    Target.objects.create(indicator="hnte_count", year=year, scope_key=f"unit:{unit('南岸区')}", value=0,
                          source="测试")  # nothing to do: not behind
    html = client_for(city_admin).get(reverse("web:home")).content.decode()
    glance = section(html, "glance")
    assert "全市" in glance and "高新技术企业" in glance and "500" in glance
    lagging = section(html, "lagging")
    assert "渝北区" in lagging and "南岸区" not in lagging and lagging.count("<tr>") == 1 + 2
    assert "进度滞后的区县" in html and "（1 个）" in html  # units, not rows: 渝北区 lags on two indicators


def test_district_officer_sees_its_standing_tasks_of_the_week_and_new_candidates(client_for, yubei_officer,
                                                                                 nanan_officer, world, tmp_path):
    from keqi.pipeline.services import create_task
    from keqi.targets.models import Target

    yubei, nanan = world
    today = timezone.localdate()
    year = today.year
    Target.objects.create(indicator="tech_count", year=year, scope_key=f"unit:{unit('渝北区')}", value=40,
                          source="测试")
    Target.objects.create(indicator="tech_count", year=year, scope_key=f"unit:{unit('南岸区')}", value=7,
                          source="测试")
    scope = scope_for(yubei_officer)
    sunday = today + dt.timedelta(days=6 - today.weekday())
    for title, due in [("本周走访", sunday), ("下月培训", today + dt.timedelta(days=40)),
                       ("逾期辅导", today - dt.timedelta(days=3))]:
        create_task(scope=scope, user=yubei_officer, uscc=yubei[0], kind="visit", title=title,
                    assigned_to=yubei_officer, due_on=due)
    create_task(scope=scope_for(nanan_officer), user=nanan_officer, uscc=nanan[0], kind="visit", title="南岸走访",
                assigned_to=nanan_officer, due_on=today)
    # two screenings: the second finds the firms added in between
    screening_flows.run_screening(scope=SYSTEM, assess_on=dt.date(2025, 6, 30))
    added = report_rows(3, unit="渝北区", years=(2023, 2024), seed=73).with_columns(
        pl.col("name").str.replace("测试", "新增"))
    flows.run_import(path=write_file(tmp_path / "more.xlsx", added), scope=SYSTEM)
    run = screening_flows.run_screening(scope=SYSTEM, assess_on=dt.date(2025, 6, 30))

    response = client_for(yubei_officer).get(reverse("web:home"))
    html = response.content.decode()
    standing = section(html, "standing")
    assert "渝北区" in standing and "科技型企业" in standing and "40" in standing and "南岸区" not in standing
    week = section(html, "week-tasks")
    assert "本周走访" in week and "下月培训" not in week and "南岸走访" not in week
    assert "逾期辅导" in section(html, "overdue-tasks")
    from keqi.screening.models import Standing

    expected = set(Standing.objects.filter(run=run, next_verdict__in=("eligible", "uncertain"),
                                           reporting_unit__name="渝北区").values_list("enterprise__uscc", flat=True))
    expected &= set(added["uscc"].to_list())  # only the firms the previous screening did not find ready
    new = section(html, "new-candidates")
    shown = {e.uscc for e in Enterprise.objects.all() if e.name in new and e.uscc in set(yubei) | set(added["uscc"])}
    assert response.context["new"].count == len(expected)
    assert {s.enterprise.uscc for s in response.context["new_rows"]} == expected
    assert not set(yubei) & {s.enterprise.uscc for s in response.context["new_rows"]}
    assert shown <= expected | set(yubei)


def test_enterprise_user_sees_its_verdicts_and_next_step(client_for, make_user, world):
    screening_flows.run_screening(scope=SYSTEM, assess_on=dt.date(2025, 6, 30))
    me = world[0][1]
    response = client_for(make_user("f", "enterprise_user", uscc=me)).get(reverse("web:home"))
    html = response.content.decode()
    standing = response.context["standing"]
    assert standing.enterprise.uscc == me
    assert "下一步" in html and 'id="next-step"' in html
    if standing.next_verdict == "eligible":
        assert "可以准备申报" in html
    elif response.context["steps"]:
        assert all(step in html for step in response.context["steps"])
    verdicts = section(html, "verdicts")
    assert "高新技术企业认定" in verdicts and "科技型中小企业评价" in verdicts
    for other in world[0][2:] + world[1]:
        firm = Enterprise.objects.get(uscc=other)
        assert other not in html and (firm.name not in html or firm.name == standing.enterprise.name)


def test_bank_officer_sees_graded_firms_and_its_loans_due(client_for, bank_officer, make_user, world):
    from keqi.credit.models import Loan

    screening_flows.run_screening(scope=SYSTEM, assess_on=dt.date(2025, 6, 30))
    today = timezone.localdate()
    firms = {e.uscc: e for e in Enterprise.objects.all()}

    def loan(uscc, bank, due):
        f = firms[uscc]
        return Loan.objects.create(enterprise=f, reporting_unit_id=f.reporting_unit_id, bank=bank, amount=500_000,
                                   annual_rate=Decimal("0.0345"), lpr_at_grant=Decimal("0.0310"),
                                   granted_on=today - dt.timedelta(days=300), due_on=due, grade="C",
                                   credit_line=1_000_000)

    soon = loan(world[0][0], "重庆农村商业银行", today + dt.timedelta(days=10))
    late = loan(world[0][1], "重庆农村商业银行", today - dt.timedelta(days=2))
    far = loan(world[0][2], "重庆农村商业银行", today + dt.timedelta(days=200))
    other = loan(world[1][0], "重庆银行", today + dt.timedelta(days=5))
    html = client_for(bank_officer).get(reverse("web:home")).content.decode()
    due = section(html, "due-loans")
    assert soon.enterprise.name in due and late.enterprise.name in due and "已逾期" in due
    assert far.enterprise.name not in due and other.enterprise.name not in due
    assert due.index(late.enterprise.name) < due.index(soon.enterprise.name)  # the most pressing first
    assert "50" in due  # 500,000 yuan in 万元
    assert section(html, "graded") and "已有知识价值信用评价结果的企业" in html


def test_registrar_sees_its_contract_files_awaiting_registration(client_for, registrar, nanan_registrar, world):
    from keqi.contracts.models import ContractImport

    def upload(user, name, status):
        return ContractImport.objects.create(uploaded_by=user, file="contract-imports/x.xlsx", original_name=name,
                                             status=status, rows=12)

    upload(registrar, "待确认.xlsx", ContractImport.Status.CHECKED)
    upload(registrar, "有错误.xlsx", ContractImport.Status.INVALID)
    upload(registrar, "已登记.xlsx", ContractImport.Status.IMPORTED)
    upload(nanan_registrar, "南岸的.xlsx", ContractImport.Status.CHECKED)
    html = client_for(registrar).get(reverse("web:home")).content.decode()
    awaiting = section(html, "awaiting")
    assert "待确认.xlsx" in awaiting and "已检查，待确认登记" in awaiting
    assert "有错误.xlsx" in awaiting and "请改正" in awaiting
    assert "已登记.xlsx" not in awaiting and "南岸的.xlsx" not in html
    assert "已登记技术合同成交额（万元）" in html
