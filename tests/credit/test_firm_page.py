"""The firm page shows the firm's contracts, its grade, credit line and loans, scoped, in a fixed number of queries."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.urls import reverse

from keqi.accounts.scope import scope_for
from keqi.contracts.models import TechContract
from keqi.credit import services
from keqi.registry.models import Enterprise, ReportingUnit

from .helpers import DAY, codes, stored_grades
from support import assert_fixed_queries

pytestmark = pytest.mark.django_db
BUYER = "91110108MA00000009"  # a valid code outside Chongqing
numbers = itertools.count(1)


def add_contract(firm: Enterprise, *, unit: str = "渝北区", amount: int = 1_000_000, as_buyer: bool = False,
                 status: str = "已登记") -> TechContract:
    n = next(numbers)
    seller, buyer = (BUYER, firm.uscc) if as_buyer else (firm.uscc, BUYER)
    return TechContract.objects.create(
        number=f"FP{n:06d}", title=f"合同{n}", category="技术开发", sub_kind="委托开发", seller_uscc=seller,
        seller_name="卖方", buyer_uscc=buyer, buyer_name="买方", signed_on=dt.date(2025, 1, 2),
        registered_on=dt.date(2025, 1, 5), contract_amount=amount, technical_amount=amount // 2,
        reporting_unit=ReportingUnit.objects.get(name=unit), status=status)


def grant(bank, code, amount=100_000):
    return services.grant_loan(scope=scope_for(bank), uscc=code, amount=amount, annual_rate=Decimal("0.031"),
                               granted_on=DAY, due_on=dt.date(2026, 2, 28), today=dt.date(2026, 6, 30))


def page(client, code) -> str:
    response = client.get(reverse("web:enterprise_detail", args=[code]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_contracts_as_seller_and_buyer_grade_line_and_loans(client_for, firms, city_admin, bank_a,
                                                                           bank_b):
    a = codes(firms[0])[0]
    stored_grades({a: "C"})
    firm = Enterprise.objects.get(uscc=a)
    sold = add_contract(firm, amount=1_230_000)
    add_contract(firm, amount=450_000, as_buyer=True)
    add_contract(firm, amount=9_990_000, status="已撤销")  # listed, but not counted in the totals
    loan = grant(bank_a, a, 1_000_000)
    services.record_repayment(scope=scope_for(bank_a), loan_id=loan.pk, principal=400_000, interest=0,
                              paid_on=dt.date(2025, 6, 1), today=dt.date(2026, 6, 30))
    grant(bank_b, a, 500_000)
    html = page(client_for(city_admin), a)
    totals = html.split('id="contract-totals"')[1].split("</table>")[0]
    assert 'id="sold-amount">123<' in totals and 'id="bought-amount">45<' in totals
    assert sold.number in html and "已撤销" not in totals
    standing = html.split('id="credit-standing"')[1].split("</table>")[0]
    assert 'id="credit-grade">C<' in standing and 'id="credit-line">300<' in standing
    loans = html.split('id="firm-loans"')[1].split("</table>")[0]
    assert "重庆银行" in loans and "重庆农村商业银行" in loans and ">60<" in loans  # 100 − 40 outstanding


def test_the_page_is_scoped(client_for, firms, bank_a, yubei_officer, make_user):
    a = codes(firms[0])[0]
    firm = Enterprise.objects.get(uscc=a)
    own = add_contract(firm)
    elsewhere = add_contract(firm, unit="南岸区")  # registered in another unit: not the 渝北区 officer's
    grant(bank_a, a)
    html = page(client_for(yubei_officer), a)
    assert own.number in html and elsewhere.number not in html and "重庆银行" in html
    firm_user = make_user("firm", "enterprise_user", uscc=a)
    html = page(client_for(firm_user), a)  # the firm sees every contract it is party to
    assert own.number in html and elsewhere.number in html and "重庆银行" in html


def test_a_firm_without_contracts_or_loans(client_for, firms, city_admin):
    not_registered = codes(firms[0])[3]
    html = page(client_for(city_admin), not_registered)
    assert 'id="credit-grade">—<' in html and 'id="credit-line">0<' in html
    assert 'id="firm-contract-list"' not in html


def test_the_page_makes_as_many_queries_for_many_contracts_and_loans_as_for_few(client_for, firms, city_admin,
                                                                                 bank_a, bank_b):
    a = codes(firms[0])[0]
    stored_grades({a: "A"})
    firm = Enterprise.objects.get(uscc=a)

    def grow(k: int) -> None:
        for i in range(k):
            add_contract(firm, as_buyer=bool(i % 2))
            loan = grant(bank_a if i % 2 else bank_b, a, 10_000)
            services.record_repayment(scope=scope_for(bank_a if i % 2 else bank_b), loan_id=loan.pk,
                                      principal=1_000, interest=10, paid_on=dt.date(2025, 4, 1),
                                      today=dt.date(2026, 6, 30))

    # each step adds a contract and a loan: two rows of the page
    assert_fixed_queries(client_for(city_admin), reverse("web:enterprise_detail", args=[a]), grow, per_row=2)


def test_the_firm_summary_shows_a_bank_only_its_own_loans(firms, bank_a, bank_b, registrar):
    a = codes(firms[0])[0]
    mine, _theirs = grant(bank_a, a), grant(bank_b, a)
    firm = Enterprise.objects.get(uscc=a)
    summary = services.firm_credit(scope=scope_for(bank_a), enterprise=firm)
    assert [loan.pk for loan in summary.loans] == [mine.pk] and summary.loans[0].owed == 100_000
    assert summary.standing.outstanding == 200_000  # the line counts every bank's outstanding principal
    assert services.firm_credit(scope=scope_for(registrar), enterprise=firm) is None  # no credit for this role


@pytest.mark.parametrize("registered", [True, False])
def test_the_screenings_kv_credit_row_agrees_with_the_credit_standing(client_for, firms, city_admin, registered):
    """Graded A by the evaluation; only a firm holding 科技型企业入库 today may borrow (#14.1): the page
    says one thing of the scheme, in the screening's table and in the credit section alike."""
    code = codes(firms[0])[0 if registered else 3]  # the fourth 渝北区 firm is not 入库
    stored_grades({code: "A"})
    html = page(client_for(city_admin), code)
    row = html.split('id="verdicts"')[1].split("知识价值信用")[1].split("</tr>")[0]
    standing = html.split('id="credit-standing"')[1].split("</table>")[0]
    if registered:
        assert "不符合申请条件" not in row and "等级 A · 授信额度 500 万元" in row
        assert 'id="credit-grade">A<' in standing
    else:
        assert "不符合申请条件" in row and "verdict-eligible" not in row and "授信额度" not in row
        assert 'id="credit-grade">—<' in standing
