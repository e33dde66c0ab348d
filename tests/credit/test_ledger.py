"""Property tests: over any sequence of contributions, loans, repayments, defaults and recoveries,
each unit's fund balance equals contributions − compensations + recoveries, every split adds up,
and no loan ever has more principal repaid than it lent."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keqi.accounts.scope import SYSTEM, scope_for
from keqi.credit import services
from keqi.credit.models import Default, FundEntry, Loan, Repayment
from keqi.credit.services import CreditError
from keqi.registry.models import Enterprise

from .helpers import DAY, codes, stored_grades

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 30)

amounts = st.integers(min_value=1, max_value=6_000_000)
operation = st.one_of(
    st.tuples(st.just("contribute"), st.integers(0, 1), amounts),
    st.tuples(st.just("grant"), st.integers(0, 3), amounts),
    st.tuples(st.just("repay"), st.integers(0, 20), amounts),
    st.tuples(st.just("default"), st.integers(0, 20), st.just(0)),
    st.tuples(st.just("recover"), st.integers(0, 20), amounts),
)


def eighty_percent(principal: int) -> int:
    return int((Decimal(principal) * Decimal("0.8")).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation, max_size=25))
def test_fund_ledger_invariants(firms, bank_a, city_admin, ops):
    with transaction.atomic():
        _run(ops, firms, bank_a, city_admin)
        transaction.set_rollback(True)


def _run(ops, firms, bank_a, city_admin):
    a, b, c, _n4, nanan = codes(firms[0])
    stored_grades({a: "A", b: "C", c: "E", nanan: "B"})
    borrowers = [a, b, c, nanan]
    units = sorted({Enterprise.objects.get(uscc=x).reporting_unit_id for x in borrowers})
    bank, city = scope_for(bank_a), scope_for(city_admin)
    expected = {u: {"contribution": 0, "compensation": 0, "recovery": 0} for u in units}
    loans: list[int] = []
    for kind, index, amount in ops:
        try:
            if kind == "contribute":
                services.contribute(scope=city, unit_id=units[index], amount=amount, on=DAY)
                expected[units[index]]["contribution"] += amount
            elif kind == "grant":
                loan = services.grant_loan(scope=bank, uscc=borrowers[index], amount=amount,
                                           annual_rate=Decimal("0.031"), granted_on=DAY,
                                           due_on=dt.date(2026, 2, 28), today=TODAY)
                loans.append(loan.pk)
            elif loans and kind == "repay":
                services.record_repayment(scope=bank, loan_id=loans[index % len(loans)], principal=amount,
                                          interest=0, paid_on=dt.date(2025, 6, 1), today=TODAY)
            elif loans and kind == "default":
                loan = Loan.objects.get(pk=loans[index % len(loans)])
                owed = services.outstanding(loan)
                d = services.record_default(scope=bank, loan_id=loan.pk, on=dt.date(2026, 3, 15), today=TODAY)
                assert d.overdue_principal == owed and d.compensation == eighty_percent(owed)
                expected[loan.reporting_unit_id]["compensation"] += d.compensation
            elif loans and kind == "recover":
                loan = Loan.objects.get(pk=loans[index % len(loans)])
                services.record_recovery(scope=bank, loan_id=loan.pk, amount=amount, on=dt.date(2026, 4, 1),
                                         today=TODAY)
                expected[loan.reporting_unit_id]["recovery"] += amount
        except CreditError:
            pass  # a refused action changes nothing; the invariants below must still hold
        _check(units, expected)


def _check(units, expected):
    for unit in units:
        f = services.fund(scope=SYSTEM, unit_id=unit)
        e = expected[unit]
        assert (f.contributions, f.compensations, f.recoveries) == (
            e["contribution"], e["compensation"], e["recovery"])
        assert f.balance == e["contribution"] - e["compensation"] + e["recovery"]
        assert f.city_balance + f.district_balance == f.balance
        assert f.loss_ratio == (Fraction(f.compensated, f.granted) if f.granted else 0)
    for entry in FundEntry.objects.all():
        assert entry.city_part + entry.district_part == entry.amount > 0
    for d in Default.objects.all():
        assert d.compensation + d.bank_share == d.overdue_principal
        assert d.city_share + d.district_share == d.compensation
        recovered = d.loan.fund_entries.filter(kind="recovery").aggregate(s=Sum("amount"))["s"] or 0
        assert recovered <= d.compensation
    for loan in Loan.objects.all():
        repaid = Repayment.objects.filter(loan=loan).aggregate(s=Sum("principal"))["s"] or 0
        assert 0 <= repaid <= loan.amount <= loan.credit_line
        assert (loan.status == Loan.Status.REPAID) == (repaid == loan.amount)
    for firm in Enterprise.objects.filter(kv_loans__isnull=False).distinct():
        line = max(loan.credit_line for loan in firm.kv_loans.all())
        active = sum(services.outstanding(loan) for loan in firm.kv_loans.filter(status="active"))
        assert active <= line
