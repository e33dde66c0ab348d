"""``keqi credit``: a bank records a loan, a repayment and a default; the city contributes; exit 1 on refusals."""

import datetime as dt

import pytest
from credit.helpers import codes, firm_rows, stored_grades, write_firms
from typer.testing import CliRunner

from keqi.accounts.scope import SYSTEM
from keqi.cli.main import app
from keqi.credit.models import FundEntry, Loan
from keqi.registry import flows

pytestmark = pytest.mark.django_db
runner = CliRunner()


@pytest.fixture
def firms(tmp_path, make_user):
    reports, quals = firm_rows()
    assert flows.run_import(path=write_firms(tmp_path / "firms.xlsx", reports, quals), scope=SYSTEM).applied
    a, b, c, d, nanan = codes(reports)
    stored_grades({a: "C", nanan: "E"})
    make_user("bank-a", "bank_officer", organisation="重庆银行")
    make_user("bank-b", "bank_officer", organisation="重庆农村商业银行")
    return a, b, c, d, nanan


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch):
    """Tables as wide as they need (the test terminal is 80 columns)."""
    from keqi.cli import registry

    for c in (registry.console, registry.err):
        monkeypatch.setattr(c, "width", 240)


def run(*args):
    return runner.invoke(app, ["credit", *map(str, args)])


def test_a_bank_records_a_loan_a_repayment_and_a_default(firms):
    a = firms[0]
    grade = run("grade", a, "--as", "bank-a")
    assert grade.exit_code == 0 and "C级" in grade.output and "授信额度 3000000 元" in grade.output
    made = run("loan", a, "--amount", 2_000_001, "--rate", "0.0310", "--granted", "2025-03-01",
               "--due", "2026-02-28", "--as", "bank-a")
    assert made.exit_code == 0, made.output
    loan = Loan.objects.get()
    assert loan.bank == "重庆银行" and "未还本金 2000001 元" in made.output
    repaid = run("repay", loan.pk, "--principal", 1, "--interest", 5000, "--on", "2025-06-01", "--as", "bank-a")
    assert repaid.exit_code == 0 and "未还本金 2000000 元" in repaid.output
    defaulted = run("default", loan.pk, "--on", "2026-03-10", "--as", "bank-a")
    assert defaulted.exit_code == 0, defaulted.output
    assert "代偿 1600000 元（市级 640000 元、区县 960000 元），银行承担 400000 元" in defaulted.output
    listed = run("loans", "--as", "bank-a")
    assert listed.exit_code == 0 and "共 1 笔" in listed.output
    assert "共 0 笔" in run("loans", "--as", "bank-b").output  # another bank sees none of it
    funds = run("funds")
    assert funds.exit_code == 0 and "渝北区" in funds.output and "-1600000" in funds.output


def test_refusals_exit_1_with_the_reason_and_write_nothing(firms):
    a, _b, _c, not_registered, _n = firms
    above = run("loan", a, "--amount", 3_000_001, "--rate", "0.031", "--granted", "2025-03-01", "--due",
                "2026-02-28", "--as", "bank-a")
    assert above.exit_code == 1 and "超过可用授信额度300 万元" in above.output
    long = run("loan", a, "--amount", 1000, "--rate", "0.031", "--granted", "2025-03-01", "--due", "2026-03-02",
               "--as", "bank-a")
    assert long.exit_code == 1 and "不得超过一年" in long.output
    ineligible = run("loan", not_registered, "--amount", 1000, "--rate", "0.031", "--granted", "2025-03-01",
                     "--due", "2026-02-28", "--as", "bank-a")
    assert ineligible.exit_code == 1 and "入库" in ineligible.output
    as_city = run("loan", a, "--amount", 1000, "--rate", "0.031", "--granted", "2025-03-01", "--due", "2026-02-28",
                  "--as", "city")
    assert as_city.exit_code == 2  # no such user
    bad_rate = run("loan", a, "--amount", 1000, "--rate", "three", "--granted", "2025-03-01", "--due", "2026-02-28",
                   "--as", "bank-a")
    assert bad_rate.exit_code == 2
    assert run("loan", a, "--amount", 1000, "--rate", "0.031", "--granted", "2025-13-01", "--due", "2026-02-28",
               "--as", "bank-a").exit_code == 2
    assert Loan.objects.count() == 0


def test_another_bank_cannot_touch_the_loan(firms):
    assert run("loan", firms[0], "--amount", 1000, "--rate", "0.031", "--granted", "2025-03-01", "--due",
               "2026-02-28", "--as", "bank-a").exit_code == 0
    loan = Loan.objects.get()
    other = run("default", loan.pk, "--on", "2026-03-10", "--as", "bank-b")
    assert other.exit_code == 1
    early = run("default", loan.pk, "--on", "2026-02-28", "--as", "bank-a")
    assert early.exit_code == 1 and "尚未逾期" in early.output
    loan.refresh_from_db()
    assert loan.status == Loan.Status.ACTIVE


def test_the_city_contributes_and_district_officers_may_not(firms, make_user):
    ok = run("contribute", "渝北区", "--amount", 10_000_001, "--on", "2025-01-10")
    assert ok.exit_code == 0 and "市级 4000000 元、区县 6000001 元" in ok.output
    make_user("yubei", "district_officer", unit="渝北区")
    refused = run("contribute", "渝北区", "--amount", 1, "--on", "2025-01-10", "--as", "yubei")
    assert refused.exit_code == 1
    assert run("contribute", "火星区", "--amount", 1, "--on", "2025-01-10").exit_code == 2
    assert FundEntry.objects.count() == 1
    mine = run("funds", "--as", "yubei")
    assert mine.exit_code == 0 and "10000001" in mine.output


def test_a_district_officer_lists_its_units_loans_only(firms, make_user):
    a, nanan = firms[0], firms[4]
    for code in (a, nanan):
        assert run("loan", code, "--amount", 1000, "--rate", "0.031", "--granted", "2025-03-01", "--due",
                   "2026-02-28", "--as", "bank-a").exit_code == 0
    make_user("nanan", "district_officer", unit="南岸区")
    listed = run("loans", "--as", "nanan")
    assert "共 1 笔" in listed.output and "南岸测试" in listed.output
    assert run("grade", a, "--as", "nanan").exit_code == 1  # another unit's firm
    make_user("reg", "contract_registrar", unit="渝北区")
    assert run("loans", "--as", "reg").exit_code == 1


def test_dates_are_checked(firms):
    today = dt.date.today()
    future = run("loan", firms[0], "--amount", 1000, "--rate", "0.031", "--granted",
                 (today + dt.timedelta(days=3)).isoformat(), "--due", (today + dt.timedelta(days=30)).isoformat(),
                 "--as", "bank-a")
    assert future.exit_code == 1 and "晚于今天" in future.output
