"""List pages make a fixed number of queries whatever their length (issue 5: "list pages make a fixed
number of queries whatever their length"): each page is rendered with n rows and with 3n rows."""

import datetime as dt
import itertools
import random
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from keqi.accounts.scope import SYSTEM, scope_for
from keqi.contracts.categories import CATEGORIES
from keqi.contracts.models import TechContract
from keqi.credit.models import Loan, Repayment
from keqi.pipeline import services as pipeline
from keqi.policy.uscc import make_uscc
from keqi.registry import flows as registry_flows
from keqi.registry.models import Enterprise, Qualification, ReportingUnit
from keqi.screening import flows as screening_flows
from keqi.screening.models import ScreeningRun
from keqi.targets.models import Indicator, Target

from support import assert_fixed_queries, qualification_rows, report_rows, table_rows, write_file

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 6, 30)


@pytest.fixture
def add_firms(tmp_path):
    """add_firms(k): k more firms of 渝北区 (every other one a certified 高企), imported as an officer would."""
    seeds = itertools.count(100)

    def add(k: int) -> list[Enterprise]:
        seed = next(seeds)
        rows = report_rows(k, unit="渝北区", years=(2022, 2023, 2024), seed=seed)
        quals = qualification_rows(rows)[::2]
        registry_flows.run_import(path=write_file(tmp_path / f"f{seed}.xlsx", rows, quals), scope=SYSTEM)
        return list(Enterprise.objects.filter(uscc__in=rows["uscc"].unique().to_list()))

    return add


def test_enterprise_list(client_for, yubei_officer, add_firms):
    assert_fixed_queries(client_for(yubei_officer), reverse("registry:enterprise_list"), add_firms)


def test_candidate_list(client_for, yubei_officer, add_firms):
    def grow(k):
        add_firms(k)
        screening_flows.run_screening(scope=SYSTEM, assess_on=DAY)

    def shown(response):  # not every firm is a candidate: the page lists every one the screening found
        rows = table_rows(response.content.decode())
        assert rows == response.context["total"], (rows, response.context["total"])
        return rows

    assert_fixed_queries(client_for(yubei_officer), reverse("screening:candidate_list") + "?include_unranked=1", grow,
                         shows=shown, per_row=None)


def test_screening_runs(client_for, city_admin, yubei_officer):
    unit = ReportingUnit.objects.get(name="渝北区")

    def grow(k):
        for i in range(k):
            ScreeningRun.objects.create(requested_by=yubei_officer, assess_on=DAY - dt.timedelta(days=i),
                                        reporting_unit=unit if i % 2 else None, status=ScreeningRun.Status.COMPLETE)

    assert_fixed_queries(client_for(city_admin), reverse("screening:index"), grow)


def test_tasks(client_for, yubei_officer, add_firms):
    scope = scope_for(yubei_officer)

    def grow(k):
        for firm in add_firms(k):
            pipeline.create_task(scope=scope, user=yubei_officer, uscc=firm.uscc, kind="visit", title="走访",
                                 assigned_to=yubei_officer, due_on=DAY)

    assert_fixed_queries(client_for(yubei_officer), reverse("pipeline:task_list") + "?view=all", grow)


def test_contracts_list(client_for, city_admin, add_firms):
    unit = ReportingUnit.objects.get(name="渝北区")
    rng = random.Random(5)
    numbers = itertools.count(1)
    category, subs = next(iter(CATEGORIES.items()))

    def grow(k):
        for firm in add_firms(k):
            TechContract.objects.create(
                number=f"2025500112{next(numbers):06d}", title="技术开发合同", category=category, sub_kind=subs[0],
                seller_uscc=firm.uscc, seller_name=firm.name, seller=firm, buyer_uscc=make_uscc(rng, region="500112"),
                buyer_name="买方", signed_on=DAY, registered_on=DAY, contract_amount=1_000_000,
                technical_amount=800_000, reporting_unit=unit)

    assert_fixed_queries(client_for(city_admin), reverse("contracts:list"), grow)


def test_loans_list(client_for, city_admin, add_firms):
    def grow(k):
        for firm in add_firms(k):
            loan = Loan.objects.create(
                enterprise=firm, reporting_unit_id=firm.reporting_unit_id, bank="测试银行", amount=1_000_000,
                annual_rate=Decimal("0.0400"), lpr_at_grant=Decimal("0.0345"), granted_on=DAY,
                due_on=DAY + dt.timedelta(days=365), grade="B", credit_line=2_000_000)
            Repayment.objects.create(loan=loan, paid_on=DAY + dt.timedelta(days=30), principal=100_000)

    assert_fixed_queries(client_for(city_admin), reverse("credit:index"), grow)


def test_targets(client_for, city_admin):
    units = iter(ReportingUnit.objects.order_by("pk"))

    def grow(k):
        for _ in range(k):
            unit = next(units)
            for indicator in (Indicator.HNTE_COUNT, Indicator.TECH_COUNT):
                Target.objects.create(indicator=indicator, year=2027, scope_key=f"unit:{unit.pk}", value=100,
                                      source="测试")

    # a row per unit and indicator
    assert_fixed_queries(client_for(city_admin), reverse("targets:overview") + "?year=2027", grow, per_row=2)


def test_firm_page(client_for, city_admin, add_firms):
    """The firm page (web/firm.py, #14): as many queries for a firm with nine certificates over nine years
    as for three, and it shows what it read: the firm, each certificate with its state, each year of the
    tier history, its reports and the live verdicts for its next tier."""
    firm = add_firms(1)[0]
    screening_flows.run_screening(scope=SYSTEM, assess_on=DAY)
    years = itertools.count(2011)

    def grow(k):
        for _ in range(k):
            year = next(years)
            Qualification.objects.create(enterprise=firm, kind="cq_tech", number=f"Q{year}", source="测试",
                                         valid_from=dt.date(year, 1, 1), valid_to=dt.date(year, 12, 31))

    def shown(response):  # called after both renders: what each showed is read from its own html
        html = response.content.decode()
        assert firm.name in html and firm.uscc in html
        certificates = html.split('<tbody id="qualifications">')[1].split("</tbody>")[0]
        rows = [row for row in certificates.split("</tr>") if "<td>Q" in row]
        added = [re.search(r"<td>Q(\d{4})</td>", row)[1] for row in rows]
        assert added and all("已过期" in row for row in rows)  # each ended at its year's end
        history = html.split('id="tiers"')[1].split("</table>")[0]
        assert all(f"<tr><td>{year}</td>" in history for year in added), "a year of the tier history is missing"
        assert response.context["reports"] and response.context["next_verdicts"]
        return len(added)

    assert_fixed_queries(client_for(city_admin), reverse("web:enterprise_detail", args=[firm.uscc]), grow, shows=shown)
