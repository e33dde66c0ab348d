"""Credit pages for every role: a bank records a loan, a repayment and a default and sees the shares."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from keqi.accounts.scope import scope_for
from keqi.credit import services
from keqi.credit.models import Loan, Repayment

from .helpers import DAY, codes, stored_grades

pytestmark = pytest.mark.django_db


def grant(user, code, amount=1_000_000):
    return services.grant_loan(scope=scope_for(user), uscc=code, amount=amount, annual_rate=Decimal("0.031"),
                               granted_on=DAY, due_on=dt.date(2026, 2, 28))


def test_a_bank_officer_records_a_loan_a_repayment_and_a_default(client_for, firms, bank_a):
    a = codes(firms[0])[0]
    stored_grades({a: "C"})
    client = client_for(bank_a)
    page = client.get(reverse("credit:loan_new"), {"uscc": a}).content.decode()
    assert "300" in page.split('id="standing"')[1].split("</p>")[0]  # grade C: 300万元
    response = client.post(reverse("credit:loan_new"), {  # typed in 万元 and %, as the pages show them
        "uscc": a, "amount": "200.0001", "annual_rate": "3.10", "granted_on": "2025-03-01", "due_on": "2026-02-28"})
    loan = Loan.objects.get()
    assert response["Location"] == reverse("credit:loan_detail", args=[loan.pk])
    client.post(reverse("credit:loan_action", args=[loan.pk, "repay"]),
                {"principal": "0.0001", "interest": "0.5", "paid_on": "2025-06-01"})
    assert Repayment.objects.get().interest == 5000
    client.post(reverse("credit:loan_action", args=[loan.pk, "default"]), {"on": "2026-03-10"})
    html = client.get(reverse("credit:loan_detail", args=[loan.pk])).content.decode()
    # 2,000,000 overdue → fund 1,600,000, city 640,000, district 960,000, bank 400,000
    assert ">160 万元<" in html and ">64 万元<" in html and 'id="district-share">96 万元<' in html
    assert ">40 万元<" in html and "3.10%" in html


def test_a_loan_above_the_line_is_refused_with_the_reason(client_for, firms, bank_a):
    a = codes(firms[0])[0]
    stored_grades({a: "E"})
    response = client_for(bank_a).post(reverse("credit:loan_new"), {
        "uscc": a, "amount": "80.0001", "annual_rate": "3.10", "granted_on": "2025-03-01", "due_on": "2026-02-28"})
    assert "贷款金额80.0001 万元超过可用授信额度80 万元" in response.content.decode() and Loan.objects.count() == 0


def test_a_bank_officer_sees_only_its_banks_loans(client_for, firms, bank_a, bank_b):
    a, b = codes(firms[0])[:2]
    mine, theirs = grant(bank_a, a), grant(bank_b, b)
    html = client_for(bank_a).get(reverse("credit:index")).content.decode()
    assert mine.enterprise.name in html and theirs.enterprise.name not in html
    assert client_for(bank_a).get(reverse("credit:loan_detail", args=[theirs.pk])).status_code == 404
    client_for(bank_a).post(reverse("credit:loan_action", args=[theirs.pk, "default"]), {"on": "2026-03-10"})
    theirs.refresh_from_db()
    assert theirs.status == Loan.Status.ACTIVE


def test_district_officers_see_their_units_loans_and_fund(client_for, firms, bank_a, yubei_officer,
                                                          nanan_officer):
    a, nanan = codes(firms[0])[0], codes(firms[0])[4]
    grant(bank_a, a)
    grant(bank_a, nanan, 500_000)
    html = client_for(yubei_officer).get(reverse("credit:index")).content.decode()
    assert "渝北区" in html and "南岸测试" not in html
    funds = client_for(nanan_officer).get(reverse("credit:funds")).content.decode()
    assert "南岸区" in funds and "渝北区" not in funds
    assert client_for(yubei_officer).get(reverse("credit:loan_new")).status_code == 403


def test_city_admin_contributes_and_sets_the_breaker(client_for, firms, city_admin):
    client = client_for(city_admin)
    from keqi.registry.models import ReportingUnit

    unit = ReportingUnit.objects.get(name="渝北区")
    client.post(reverse("credit:funds"), {"unit": unit.pk, "amount": "1000", "on": "2025-01-10"})
    assert services.fund(scope=scope_for(city_admin), unit_id=unit.pk).balance == 10_000_000
    client.post(reverse("credit:policy"), {"lpr_one_year": "3.00", "breaker_loss_ratio": "8.00"})
    assert services.policy().breaker_loss_ratio == Decimal("0.0800")


@pytest.mark.parametrize("name", ["credit:policy", "credit:funds"])
def test_non_city_users_cannot_change_the_scheme(client_for, firms, bank_a, yubei_officer, name):
    assert client_for(bank_a).post(reverse(name), {"lpr_one_year": "0.5", "breaker_loss_ratio": "0.9",
                                                  "amount": 1, "on": "2025-01-01"}).status_code == 403
    assert client_for(yubei_officer).get(reverse("credit:policy")).status_code == 403


def test_the_enterprise_page_is_scoped(client_for, firms, bank_a, yubei_officer, nanan_officer, registrar,
                                       make_user):
    a = codes(firms[0])[0]
    stored_grades({a: "B"})
    grant(bank_a, a)
    url = reverse("credit:enterprise", args=[a])
    html = client_for(yubei_officer).get(url).content.decode()
    assert 'id="grade">B<' in html and 'id="line">400<' in html and "重庆银行" in html
    assert client_for(nanan_officer).get(url).status_code == 404
    assert client_for(registrar).get(url).status_code == 403
    owner = make_user("owner", "enterprise_user", uscc=a)
    assert 'id="grade">B<' in client_for(owner).get(url).content.decode()
    other = make_user("other", "enterprise_user", uscc=codes(firms[0])[1])
    assert client_for(other).get(url).status_code == 404


def test_a_firm_without_registration_shows_as_not_eligible(client_for, firms, city_admin):
    html = client_for(city_admin).get(reverse("credit:enterprise", args=[codes(firms[0])[3]])).content.decode()
    assert 'id="grade">—<' in html and 'id="line">0<' in html


def test_a_contract_registrar_sees_no_credit_page(client_for, registrar):
    for name in ("credit:index", "credit:funds", "credit:loan_new"):
        assert client_for(registrar).get(reverse(name)).status_code == 403


def test_the_menu_offers_each_role_its_pages(client_for, bank_a, registrar, yubei_officer):
    def menu(user):
        html = client_for(user).get(reverse("web:home")).content.decode()
        return html.split("<nav>")[1].split("</nav>")[0]

    assert reverse("credit:index") in menu(bank_a) and reverse("contracts:list") not in menu(bank_a)
    assert reverse("contracts:list") in menu(registrar) and reverse("credit:index") not in menu(registrar)
    assert reverse("contracts:list") in menu(yubei_officer) and reverse("credit:index") in menu(yubei_officer)


YUAN = re.compile(r"(?<![万亿])元")


def test_every_money_refusal_on_the_pages_is_in_the_unit_typed(client_for, firms, bank_a):
    """Money is typed in 万元 and rates in % on every credit form (issue 15.2): a refusal quotes the amounts
    in 万元, to the yuan as typed, and the rate as a percentage — never in 元 or as a fraction."""
    a = codes(firms[0])[0]
    stored_grades({a: "E"})  # 80万元
    client = client_for(bank_a)

    def loan_refusal(**typed):
        body = {"uscc": a, "amount": "10", "annual_rate": "3.10", "granted_on": "2025-03-01", "due_on": "2026-02-28"}
        html = client.post(reverse("credit:loan_new"), body | typed).content.decode()
        return html.split('class="errorlist')[1].split("</ul>")[0]

    def action_refusal(loan, action, typed):
        response = client.post(reverse("credit:loan_action", args=[loan.pk, action]), typed, follow=True)
        return " ".join(str(m) for m in response.context["messages"])

    refusals = {
        "line": (loan_refusal(amount="80.0001"), "贷款金额80.0001 万元超过可用授信额度80 万元（E级额度80 万元，未还本金0 万元）"),
        "rate": (loan_refusal(annual_rate="30"), "年利率应大于0且不超过24.00%"),
    }
    loan = grant(bank_a, a, 600_000)
    refusals["owed"] = (action_refusal(loan, "repay", {"principal": "60.0001", "interest": "0", "paid_on": "2025-06-01"}),
                        "还款本金60.0001 万元超过未还本金60 万元")
    client.post(reverse("credit:loan_action", args=[loan.pk, "default"]), {"on": "2026-03-10"})
    refusals["recovery"] = (action_refusal(loan, "recover", {"amount": "48.0001", "on": "2026-04-01"}),
                            "追偿金额应大于0且不超过尚未收回的代偿款48 万元")
    for what, (shown, expected) in refusals.items():
        assert expected in shown, (what, shown)
        assert not YUAN.search(shown) and not re.search(r"\b0\.\d{3,}", shown), (what, shown)
