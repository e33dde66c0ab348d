"""Loans within the credit line, repayments, defaults, compensation, recovery and the circuit breaker."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from keqi.accounts.scope import SYSTEM, scope_for
from keqi.credit import services
from keqi.credit.models import FundEntry, Loan
from keqi.credit.services import CreditError
from keqi.registry.models import Enterprise, ReportingUnit

from .helpers import DAY, codes, stored_grades

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 30)
RATE = Decimal("0.0310")


def grant(user, code, amount, *, on=DAY, due=dt.date(2026, 2, 28), rate=RATE):
    return services.grant_loan(scope=scope_for(user), uscc=code, amount=amount, annual_rate=rate, granted_on=on,
                               due_on=due, user=user, today=TODAY)


def test_only_registered_tech_firms_are_eligible(firms):
    a, _b, _c, not_registered, nanan = codes(firms[0])
    assert services.standing(scope=SYSTEM, uscc=a, on=DAY).eligible
    s = services.standing(scope=SYSTEM, uscc=not_registered, on=DAY)
    assert (s.eligible, s.grade, s.credit_line) == (False, None, 0)
    assert not services.standing(scope=SYSTEM, uscc=a, on=dt.date(2022, 6, 1)).eligible  # before 入库


def test_the_grade_comes_from_the_latest_complete_screening_when_there_is_one(firms):
    a = codes(firms[0])[0]
    assert services.standing(scope=SYSTEM, uscc=a, on=DAY).source == "live"
    run = stored_grades({a: "D"})
    s = services.standing(scope=SYSTEM, uscc=a, on=DAY)
    assert (s.grade, s.credit_line, s.source) == ("D", 1_600_000, f"run:{run.pk}")


def test_a_loan_up_to_the_line_is_recorded_for_the_officers_bank(firms, bank_a):
    a = codes(firms[0])[0]
    stored_grades({a: "D"})
    loan = grant(bank_a, a, 1_600_000)
    assert (loan.bank, loan.grade, loan.credit_line, loan.lpr_at_grant) == ("重庆银行", "D", 1_600_000,
                                                                            Decimal("0.0300"))
    assert loan.reporting_unit.name == "渝北区"


def test_the_line_counts_what_is_outstanding_at_every_bank(firms, bank_a, bank_b):
    a = codes(firms[0])[0]
    stored_grades({a: "E"})  # 80万元
    grant(bank_a, a, 500_000)
    with pytest.raises(CreditError, match="超过可用授信额度30 万元"):
        grant(bank_b, a, 300_001)
    loan = grant(bank_b, a, 300_000)
    services.record_repayment(scope=scope_for(bank_b), loan_id=loan.pk, principal=100_000, interest=0,
                              paid_on=dt.date(2025, 5, 1), today=TODAY)
    grant(bank_a, a, 100_000)  # repaid principal frees the line again


@pytest.mark.parametrize("due,message", [
    (dt.date(2026, 3, 2), "不得超过一年"),
    (dt.date(2025, 3, 1), "到期日应晚于放款日期"),
])
def test_term_is_at_most_one_year(firms, bank_a, due, message):
    with pytest.raises(CreditError, match=message):
        grant(bank_a, codes(firms[0])[0], 100_000, due=due)
    grant(bank_a, codes(firms[0])[0], 100_000, due=dt.date(2026, 3, 1))  # exactly one year is allowed


def test_refusals_of_amount_rate_date_and_eligibility(firms, bank_a):
    a, _b, _c, not_registered, _n = codes(firms[0])
    with pytest.raises(CreditError, match="贷款金额应大于0且小于100,000,000,000 万元"):
        grant(bank_a, a, 0)
    with pytest.raises(CreditError, match="年利率"):
        grant(bank_a, a, 100_000, rate=Decimal("0"))
    with pytest.raises(CreditError, match="晚于今天"):
        grant(bank_a, a, 100_000, on=dt.date(2026, 7, 1), due=dt.date(2026, 12, 1))
    with pytest.raises(CreditError, match="入库"):
        grant(bank_a, not_registered, 100_000)
    assert Loan.objects.count() == 0


def test_only_bank_officers_record_loans(firms, city_admin, yubei_officer, registrar):
    for user in (city_admin, yubei_officer, registrar):
        with pytest.raises(PermissionDenied):
            grant(user, codes(firms[0])[0], 100_000)


def test_repayments_never_exceed_the_outstanding_principal(firms, bank_a):
    loan = grant(bank_a, codes(firms[0])[0], 1_000_000)
    scope = scope_for(bank_a)
    services.record_repayment(scope=scope, loan_id=loan.pk, principal=400_000, interest=12_000,
                              paid_on=dt.date(2025, 9, 1), today=TODAY)
    with pytest.raises(CreditError, match="还款本金60.0001 万元超过未还本金60 万元"):
        services.record_repayment(scope=scope, loan_id=loan.pk, principal=600_001, interest=0,
                                  paid_on=dt.date(2025, 10, 1), today=TODAY)
    services.record_repayment(scope=scope, loan_id=loan.pk, principal=600_000, interest=9_000,
                              paid_on=dt.date(2025, 10, 1), today=TODAY)
    loan.refresh_from_db()
    assert loan.status == Loan.Status.REPAID
    with pytest.raises(CreditError, match="已结清"):
        services.record_repayment(scope=scope, loan_id=loan.pk, principal=0, interest=1,
                                  paid_on=dt.date(2025, 10, 2), today=TODAY)


def test_a_bank_cannot_touch_another_banks_loan(firms, bank_a, bank_b):
    loan = grant(bank_a, codes(firms[0])[0], 100_000)
    with pytest.raises(PermissionDenied):
        services.record_repayment(scope=scope_for(bank_b), loan_id=loan.pk, principal=1, interest=0,
                                  paid_on=dt.date(2025, 4, 1), today=TODAY)
    with pytest.raises(PermissionDenied):
        services.record_default(scope=scope_for(bank_b), loan_id=loan.pk, on=dt.date(2026, 3, 5), today=TODAY)
    assert list(services.loans(scope=scope_for(bank_b))) == []
    assert list(services.loans(scope=scope_for(bank_a))) == [loan]


def test_default_compensates_80_percent_split_city_4_district_6(firms, bank_a):
    loan = grant(bank_a, codes(firms[0])[0], 1_000_003)
    scope = scope_for(bank_a)
    with pytest.raises(CreditError, match="尚未逾期"):
        services.record_default(scope=scope, loan_id=loan.pk, on=dt.date(2026, 2, 28), today=TODAY)
    services.record_repayment(scope=scope, loan_id=loan.pk, principal=1, interest=0, paid_on=dt.date(2025, 4, 1),
                              today=TODAY)
    d = services.record_default(scope=scope, loan_id=loan.pk, on=dt.date(2026, 3, 10), today=TODAY)
    # 1,000,002 overdue: 80% = 800,001.6 → 800,002; bank 200,000; city 40% = 320,000.8 → 320,001.
    assert (d.overdue_principal, d.compensation, d.bank_share) == (1_000_002, 800_002, 200_000)
    assert (d.city_share, d.district_share) == (320_001, 480_001)
    entry = FundEntry.objects.get(kind=FundEntry.Kind.COMPENSATION)
    assert (entry.amount, entry.city_part, entry.district_part) == (800_002, 320_001, 480_001)
    with pytest.raises(CreditError, match="已代偿"):
        services.record_default(scope=scope, loan_id=loan.pk, on=dt.date(2026, 3, 11), today=TODAY)


def test_recoveries_flow_back_up_to_what_the_fund_paid(firms, bank_a):
    loan = grant(bank_a, codes(firms[0])[0], 100_000)
    scope = scope_for(bank_a)
    services.record_default(scope=scope, loan_id=loan.pk, on=dt.date(2026, 3, 10), today=TODAY)
    services.record_recovery(scope=scope, loan_id=loan.pk, amount=50_000, on=dt.date(2026, 4, 1), today=TODAY)
    with pytest.raises(CreditError, match="不超过尚未收回的代偿款3 万元"):
        services.record_recovery(scope=scope, loan_id=loan.pk, amount=30_001, on=dt.date(2026, 4, 2), today=TODAY)
    unit = ReportingUnit.objects.get(name="渝北区")
    summary = services.fund(scope=SYSTEM, unit_id=unit.pk)
    assert (summary.compensations, summary.recoveries, summary.balance) == (80_000, 50_000, -30_000)


def test_the_circuit_breaker_stops_new_loans_in_the_unit_only(firms, bank_a, city_admin):
    a, b, c, _n4, nanan = codes(firms[0])
    services.set_policy(scope=scope_for(city_admin), lpr_one_year=Decimal("0.0300"),
                        breaker_loss_ratio=Decimal("0.1000"))
    bad = grant(bank_a, a, 800_000)
    grant(bank_a, b, 4_200_000)  # granted 5,000,000 in 渝北区
    services.record_default(scope=scope_for(bank_a), loan_id=bad.pk, on=dt.date(2026, 3, 10), today=TODAY)
    # compensated 640,000 / granted 5,000,000 = 0.128 > 0.10
    yubei = Enterprise.objects.get(uscc=a).reporting_unit_id
    assert services.fund(scope=SYSTEM, unit_id=yubei).loss_ratio == pytest.approx(0.128)
    assert services.breaker_tripped(unit_id=yubei)
    with pytest.raises(CreditError, match="熔断"):
        grant(bank_a, c, 100_000)
    grant(bank_a, nanan, 100_000)  # another unit is not affected


def test_the_breaker_compares_exactly_at_the_threshold(firms, bank_a, city_admin):
    a, b, c, _n4, _nanan = codes(firms[0])
    bad = grant(bank_a, a, 625_000)  # 80% = 500,000
    grant(bank_a, b, 5_000_000)
    grant(bank_a, c, 4_375_000)  # granted 10,000,000: loss ratio exactly 0.05
    services.record_default(scope=scope_for(bank_a), loan_id=bad.pk, on=dt.date(2026, 3, 10), today=TODAY)
    yubei = Enterprise.objects.get(uscc=a).reporting_unit_id
    assert not services.breaker_tripped(unit_id=yubei)  # 0.05 does not pass 0.05
    services.set_policy(scope=scope_for(city_admin), lpr_one_year=Decimal("0.03"),
                        breaker_loss_ratio=Decimal("0.0499"))
    assert services.breaker_tripped(unit_id=yubei)


def test_only_the_city_sets_the_scheme_and_contributes(firms, yubei_officer, bank_a, city_admin):
    unit = ReportingUnit.objects.get(name="渝北区").pk
    for user in (yubei_officer, bank_a):
        with pytest.raises(PermissionDenied):
            services.set_policy(scope=scope_for(user), lpr_one_year=Decimal("0.03"),
                                breaker_loss_ratio=Decimal("0.5"))
        with pytest.raises(PermissionDenied):
            services.contribute(scope=scope_for(user), unit_id=unit, amount=1, on=DAY)
    entry = services.contribute(scope=scope_for(city_admin), unit_id=unit, amount=10_000_001, on=DAY)
    assert (entry.city_part, entry.district_part) == (4_000_000, 6_000_001)
    with pytest.raises(CreditError):
        services.set_policy(scope=scope_for(city_admin), lpr_one_year=Decimal("3.1"),
                            breaker_loss_ratio=Decimal("0.05"))


def test_who_sees_which_loans_and_funds(firms, bank_a, yubei_officer, nanan_officer, registrar, make_user):
    a, _b, _c, _n4, nanan = codes(firms[0])
    yubei_loan, nanan_loan = grant(bank_a, a, 100_000), grant(bank_a, nanan, 100_000)
    assert list(services.loans(scope=scope_for(yubei_officer))) == [yubei_loan]
    assert list(services.loans(scope=scope_for(nanan_officer))) == [nanan_loan]
    firm_user = make_user("firm", "enterprise_user", uscc=a)
    assert list(services.loans(scope=scope_for(firm_user))) == [yubei_loan]
    with pytest.raises(PermissionDenied):
        services.loans(scope=scope_for(registrar))
    nanan_unit = ReportingUnit.objects.get(name="南岸区").pk
    with pytest.raises(PermissionDenied):
        services.fund(scope=scope_for(yubei_officer), unit_id=nanan_unit)
    assert [f.unit.name for f in services.funds(scope=scope_for(yubei_officer))] == ["渝北区"]
    with pytest.raises(Enterprise.DoesNotExist):
        services.standing(scope=scope_for(yubei_officer), uscc=nanan)
    assert services.standing(scope=scope_for(bank_a), uscc=nanan).grade  # banks look up any firm to lend
