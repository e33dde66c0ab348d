"""The credit endpoints: a bank records a loan, a repayment and a default and sees the fund's shares;
every endpoint keeps the pages' role scoping (other bank, other unit, enterprise user, anonymous, token)."""

import datetime as dt

import pytest
from credit.helpers import codes, firm_rows, stored_grades, write_firms
from django.utils import timezone

from keqi.accounts.scope import SYSTEM, scope_for
from keqi.accounts.tokens import create_token
from keqi.credit import services
from keqi.credit.models import FundEntry, Loan, Repayment
from keqi.registry import flows
from keqi.registry.models import ReportingUnit

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
GRANTED = TODAY - dt.timedelta(days=400)
DUE = GRANTED + dt.timedelta(days=300)
OVERDUE = DUE + dt.timedelta(days=10)


def bearer(user):
    _, key = create_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def post(client, url, body, user):
    return client.post(url, body, content_type="application/json", **bearer(user))


@pytest.fixture
def firms(tmp_path):
    """渝北区: a, b, c with 科技型企业入库, a fourth without; 南岸区: one with 入库. Grades stored: a C, b E."""
    reports, quals = firm_rows()
    assert flows.run_import(path=write_firms(tmp_path / "firms.xlsx", reports, quals), scope=SYSTEM).applied
    a, b, c, d, nanan = codes(reports)
    stored_grades({a: "C", b: "E", c: "A", d: "A", nanan: "B"})
    return a, b, c, d, nanan




def loan_body(code, amount=1_000_000, **changes):
    return {"uscc": code, "amount": amount, "annual_rate": "0.0310", "granted_on": GRANTED.isoformat(),
            "due_on": DUE.isoformat(), **changes}


def grant(user, code, amount=1_000_000):
    return services.grant_loan(scope=scope_for(user), uscc=code, amount=amount, annual_rate=services.Decimal("0.031"),
                               granted_on=GRANTED, due_on=DUE)


# ---------------------------------------------------------------- the bank's journey


def test_a_bank_records_a_loan_a_repayment_and_a_default_and_sees_the_shares(client, firms, bank_a):
    a = firms[0]
    created = post(client, "/api/credit/loans", loan_body(a, 2_000_001), bank_a)
    assert created.status_code == 201, created.content
    loan = created.json()
    assert (loan["bank"], loan["grade"], loan["credit_line"], loan["outstanding"]) == ("重庆银行", "C", 3_000_000,
                                                                                    2_000_001)
    repaid = post(client, f"/api/credit/loans/{loan['id']}/repayments",
                  {"principal": 1, "interest": 5000, "paid_on": (GRANTED + dt.timedelta(days=30)).isoformat()}, bank_a)
    assert repaid.status_code == 201 and repaid.json()["outstanding"] == 2_000_000
    assert repaid.json()["repayments"] == [{"paid_on": (GRANTED + dt.timedelta(days=30)).isoformat(), "principal": 1,
                                            "interest": 5000}]
    defaulted = post(client, f"/api/credit/loans/{loan['id']}/default", {"on": OVERDUE.isoformat()}, bank_a).json()
    # 2,000,000 overdue → fund 1,600,000 (city 640,000, district 960,000), bank 400,000
    assert defaulted["status"] == "compensated" and defaulted["outstanding"] == 0
    assert defaulted["default"] == {"recorded_on": OVERDUE.isoformat(), "overdue_principal": 2_000_000,
                                    "compensation": 1_600_000, "bank_share": 400_000, "city_share": 640_000,
                                    "district_share": 960_000, "recovered": 0}
    recovered = post(client, f"/api/credit/loans/{loan['id']}/recoveries",
                     {"amount": 100_000, "on": TODAY.isoformat()}, bank_a)
    assert recovered.status_code == 201 and recovered.json()["default"]["recovered"] == 100_000
    listed = client.get("/api/credit/loans", **bearer(bank_a)).json()
    assert listed["count"] == 1 and listed["items"][0]["status"] == "compensated"


def test_the_loan_rules_are_422_with_the_reason_and_write_nothing(client, firms, bank_a):
    a, _b, _c, not_registered, _n = firms
    cases = [
        (loan_body(a, 3_000_001), "超过可用授信额度300 万元"),
        (loan_body(a, 0), "贷款金额"),
        (loan_body(a, annual_rate="0"), "年利率"),
        (loan_body(a, due_on=(GRANTED + dt.timedelta(days=367)).isoformat()), "不得超过一年"),
        (loan_body(a, due_on=GRANTED.isoformat()), "到期日应晚于放款日期"),
        (loan_body(a, granted_on=(TODAY + dt.timedelta(days=1)).isoformat(),
                   due_on=(TODAY + dt.timedelta(days=100)).isoformat()), "晚于今天"),
        (loan_body(not_registered), "入库"),
    ]
    for body, reason in cases:
        response = post(client, "/api/credit/loans", body, bank_a)
        assert response.status_code == 422 and reason in response.json()["detail"], (body, response.content)
    assert post(client, "/api/credit/loans", loan_body(a, 3_000_000), bank_a).status_code == 201  # the whole line
    assert post(client, "/api/credit/loans", loan_body("91500000202833449G"), bank_a).status_code == 404
    assert post(client, "/api/credit/loans", loan_body(a, "much"), bank_a).status_code == 422  # not an integer
    assert Loan.objects.count() == 1


def test_repayment_and_default_refusals(client, firms, bank_a):
    loan = grant(bank_a, firms[0])
    url = f"/api/credit/loans/{loan.pk}"
    too_much = post(client, f"{url}/repayments", {"principal": 1_000_001, "paid_on": TODAY.isoformat()}, bank_a)
    assert too_much.status_code == 422 and "超过未还本金100 万元" in too_much.json()["detail"]
    nothing = post(client, f"{url}/repayments", {"paid_on": TODAY.isoformat()}, bank_a)
    assert nothing.status_code == 422
    early = post(client, f"{url}/default", {"on": DUE.isoformat()}, bank_a)
    assert early.status_code == 422 and "尚未逾期" in early.json()["detail"]
    not_yet = post(client, f"{url}/recoveries", {"amount": 1, "on": TODAY.isoformat()}, bank_a)
    assert not_yet.status_code == 422 and "已代偿" in not_yet.json()["detail"]
    assert Repayment.objects.count() == 0 and FundEntry.objects.count() == 0


# ---------------------------------------------------------------- role scoping


def test_a_bank_sees_and_touches_only_its_own_banks_loans(client, firms, bank_a, bank_b):
    mine, theirs = grant(bank_a, firms[0]), grant(bank_b, firms[1], 500_000)
    assert [x["id"] for x in client.get("/api/credit/loans", **bearer(bank_a)).json()["items"]] == [mine.pk]
    assert client.get(f"/api/credit/loans/{theirs.pk}", **bearer(bank_a)).status_code == 404
    for action, body in (("repayments", {"principal": 1, "paid_on": TODAY.isoformat()}),
                         ("default", {"on": OVERDUE.isoformat()}), ("recoveries", {"amount": 1, "on": TODAY.isoformat()})):
        assert post(client, f"/api/credit/loans/{theirs.pk}/{action}", body, bank_a).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Loan.Status.ACTIVE and not theirs.repayments.exists()


def test_only_bank_officers_record_loans(client, firms, city_admin, yubei_officer, make_user):
    registrar = make_user("registrar", "contract_registrar", unit="渝北区")
    firm_user = make_user("firm", "enterprise_user", uscc=firms[0])
    for user in (city_admin, yubei_officer, registrar, firm_user):
        assert post(client, "/api/credit/loans", loan_body(firms[0]), user).status_code == 403
    loan = grant(make_user("bank-c", "bank_officer"), firms[0])
    for user in (yubei_officer, firm_user):  # they see the loan but may not change it
        assert post(client, f"/api/credit/loans/{loan.pk}/default", {"on": OVERDUE.isoformat()}, user).status_code == 403
    assert Loan.objects.get().status == Loan.Status.ACTIVE


def test_district_officers_and_firms_see_their_own_loans(client, firms, bank_a, yubei_officer, nanan_officer,
                                                         make_user):
    a, _b, _c, _d, nanan = firms
    yubei_loan, nanan_loan = grant(bank_a, a), grant(bank_a, nanan, 500_000)

    def ids(user):
        return {x["id"] for x in client.get("/api/credit/loans", **bearer(user)).json()["items"]}

    assert ids(yubei_officer) == {yubei_loan.pk} and ids(nanan_officer) == {nanan_loan.pk}
    assert ids(make_user("firm", "enterprise_user", uscc=a)) == {yubei_loan.pk}
    assert client.get(f"/api/credit/loans/{nanan_loan.pk}", **bearer(yubei_officer)).status_code == 404


def test_anonymous_wrong_token_and_registrar(client, firms, make_user):
    for url in ("/api/credit/loans", "/api/credit/funds", "/api/credit/grades", "/api/credit/breaker",
                f"/api/credit/grades/{firms[0]}"):
        assert client.get(url).status_code == 401
        assert client.get(url, HTTP_AUTHORIZATION="Bearer kq_nope").status_code == 401
        registrar = make_user("registrar", "contract_registrar", unit="渝北区")
        assert client.get(url, **bearer(registrar)).status_code == 403


# ---------------------------------------------------------------- grades


def test_grades_list_is_scoped_and_only_registered_firms_get_a_line(client, firms, bank_a, yubei_officer, make_user):
    a, b, c, not_registered, nanan = firms
    every = client.get("/api/credit/grades", **bearer(bank_a)).json()  # banks see every firm, to lend
    assert every["count"] == 5
    rows = {r["uscc"]: r for r in every["items"]}
    assert (rows[a]["grade"], rows[a]["credit_line"]) == ("C", 3_000_000)
    assert (rows[not_registered]["eligible"], rows[not_registered]["grade"], rows[not_registered]["credit_line"]) == (
        False, None, 0)
    assert [r["grade"] for r in every["items"]] == ["A", "B", "C", "E", None]  # eligible firms first, best first
    mine = client.get("/api/credit/grades", **bearer(yubei_officer)).json()
    assert mine["count"] == 4 and nanan not in {r["uscc"] for r in mine["items"]}
    firm = client.get("/api/credit/grades", **bearer(make_user("firm", "enterprise_user", uscc=b))).json()
    assert [r["uscc"] for r in firm["items"]] == [b]


def test_a_firms_standing(client, firms, bank_a, yubei_officer):
    a, nanan = firms[0], firms[4]
    grant(bank_a, a, 1_000_000)
    body = client.get(f"/api/credit/grades/{a}", **bearer(bank_a)).json()
    assert (body["grade"], body["credit_line"], body["outstanding"], body["available"]) == ("C", 3_000_000,
                                                                                           1_000_000, 2_000_000)
    assert body["source"].startswith("run:")
    assert client.get(f"/api/credit/grades/{nanan}", **bearer(yubei_officer)).status_code == 404
    assert client.get(f"/api/credit/grades/{nanan}", **bearer(bank_a)).status_code == 200


# ---------------------------------------------------------------- funds and the breaker


def test_fund_ledger_balances_with_city_and_district_parts(client, firms, bank_a, city_admin):
    yubei = ReportingUnit.objects.get(name="渝北区").pk
    response = post(client, f"/api/credit/funds/{yubei}/contributions", {"amount": 10_000_001,
                                                                        "on": GRANTED.isoformat()}, city_admin)
    assert response.status_code == 201
    loan = grant(bank_a, firms[0], 1_000_003)
    services.record_default(scope=scope_for(bank_a), loan_id=loan.pk, on=OVERDUE)
    fund = client.get(f"/api/credit/funds/{yubei}", **bearer(city_admin)).json()
    # compensation 800,002 = city 320,001 + district 480,001; contribution 10,000,001 = 4,000,000 + 6,000,001
    assert (fund["contributions"], fund["compensations"], fund["balance"]) == (10_000_001, 800_002, 9_199_999)
    assert (fund["city_balance"], fund["district_balance"]) == (4_000_000 - 320_001, 6_000_001 - 480_001)
    assert fund["city_balance"] + fund["district_balance"] == fund["balance"]
    assert [(e["kind"], e["amount"], e["city_part"], e["district_part"]) for e in fund["entries"]] == [
        ("contribution", 10_000_001, 4_000_000, 6_000_001), ("compensation", 800_002, 320_001, 480_001)]
    bad = post(client, f"/api/credit/funds/{yubei}/contributions", {"amount": 0, "on": TODAY.isoformat()}, city_admin)
    assert bad.status_code == 422
    assert client.get("/api/credit/funds/999999", **bearer(city_admin)).status_code == 404
    assert post(client, "/api/credit/funds/999999/contributions", {"amount": 1, "on": TODAY.isoformat()},
                city_admin).status_code == 404


def test_funds_are_scoped(client, firms, bank_a, yubei_officer, city_admin):
    grant(bank_a, firms[0])
    grant(bank_a, firms[4], 500_000)
    yubei, nanan = (ReportingUnit.objects.get(name=n).pk for n in ("渝北区", "南岸区"))
    assert [f["unit"] for f in client.get("/api/credit/funds", **bearer(yubei_officer)).json()] == ["渝北区"]
    assert {f["unit"] for f in client.get("/api/credit/funds", **bearer(city_admin)).json()} == {"渝北区", "南岸区"}
    assert client.get(f"/api/credit/funds/{nanan}", **bearer(yubei_officer)).status_code == 403
    assert client.get(f"/api/credit/funds/{yubei}", **bearer(yubei_officer)).status_code == 200
    assert client.get("/api/credit/funds", **bearer(bank_a)).json() == []  # a bank sees shares on its loans only
    for user in (yubei_officer, bank_a):
        assert post(client, f"/api/credit/funds/{yubei}/contributions", {"amount": 1, "on": TODAY.isoformat()},
                    user).status_code == 403
    assert FundEntry.objects.count() == 0


def test_the_breaker_state_and_refusal(client, firms, bank_a, city_admin):
    a, b, c, _d, nanan = firms
    services.set_policy(scope=scope_for(city_admin), lpr_one_year=services.Decimal("0.03"),
                        breaker_loss_ratio=services.Decimal("0.1000"))
    bad = grant(bank_a, a, 800_000)
    grant(bank_a, b, 800_000)
    grant(bank_a, c, 3_400_000)  # granted 5,000,000 in 渝北区
    state = client.get("/api/credit/breaker", **bearer(city_admin)).json()
    assert state["threshold"] == "0.1000" and not any(u["tripped"] for u in state["units"])
    services.record_default(scope=scope_for(bank_a), loan_id=bad.pk, on=OVERDUE)  # 640,000 / 5,000,000 = 0.128
    state = client.get("/api/credit/breaker", **bearer(city_admin)).json()
    yubei = next(u for u in state["units"] if u["unit"] == "渝北区")
    assert yubei["tripped"] and yubei["loss_ratio"] == pytest.approx(0.128)
    refused = post(client, "/api/credit/loans", loan_body(c, 100_000), bank_a)
    assert refused.status_code == 422 and "熔断" in refused.json()["detail"]
    assert post(client, "/api/credit/loans", loan_body(nanan, 100_000), bank_a).status_code == 201
    fund = next(f for f in client.get("/api/credit/funds", **bearer(city_admin)).json() if f["unit"] == "渝北区")
    assert fund["breaker_tripped"] and fund["breaker_threshold"] == "0.1000"


def test_session_login_works(client_for, firms, bank_a):
    grant(bank_a, firms[0])
    assert client_for(bank_a).get("/api/credit/loans").json()["count"] == 1
