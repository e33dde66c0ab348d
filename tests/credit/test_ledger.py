"""Property test of the risk fund: over any sequence of contributions, loans, repayments, defaults and
recoveries, each action is accepted or refused exactly as the scheme's rules say (a model of them
below, written from chongqing.md §3 and the kv-credit edition, not from the services), a refused
action changes nothing, and after every step:

- each unit's fund holds contributions − compensations + recoveries, at each level;
- every fund amount is split city 4 : district 6 (the city's 40 % rounded half up, the district the
  rest), whichever path wrote it: a contribution, a compensation or a recovery;
- every default compensates exactly 80 % of the overdue principal (half up), the bank the rest;
- no loan has more principal repaid than it lent, nor a firm more outstanding than its line.

The run counts the paths it went through and fails if one was never taken (a scripted example
takes each of them; the generated ones vary the order and the amounts).
"""

import datetime as dt
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from keqi.accounts.scope import SYSTEM, scope_for
from keqi.credit import services
from keqi.credit.models import Default, FundEntry, Loan, Repayment
from keqi.credit.services import CreditError
from keqi.policy.formats import wan_unit
from keqi.registry.models import Enterprise

from .helpers import DAY, codes, stored_grades
from cases import examples

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 30)
GRADES = ("A", "C", "E", "B")  # of the borrowers a, b, c (渝北区) and nanan (南岸区)
LINES = {"A": 5_000_000, "B": 4_000_000, "C": 3_000_000, "D": 1_600_000, "E": 800_000}  # kv-credit, official
BREAKER = Fraction(5, 100)  # the bureau's default loss ratio (a setting)

operation = st.one_of(
    st.tuples(st.just("contribute"), st.integers(0, 1), st.integers(1, 3_000_000), st.just(True)),
    st.tuples(st.just("grant"), st.integers(0, 3), st.integers(1, 3_000_000), st.just(False)),
    st.tuples(st.just("repay"), st.integers(0, 20), st.integers(1, 2_000_000), st.booleans()),
    st.tuples(st.just("default"), st.integers(0, 20), st.just(0), st.booleans()),
    st.tuples(st.just("recover"), st.integers(0, 20), st.integers(1, 1_000_000), st.booleans()),
)

# every path once: grants within and beyond the line, a repayment in part, in full and beyond what is
# owed, defaults of a fresh and of a part-repaid loan (by the bank and by the city), recoveries by
# both within and beyond what the fund paid, actions on a settled loan, and a tripped breaker
SCRIPTED = [
    ("contribute", 0, 1_000_003, True),
    ("grant", 0, 1_000_003, False),     # loan 0: a, 渝北区
    ("grant", 1, 200_000, False),       # loan 1: b, 渝北区
    ("grant", 2, 800_001, False),       # beyond E's line of 800,000
    ("grant", 3, 2_500_007, False),     # loan 2: nanan, 南岸区
    ("repay", 1, 200_000, False),       # loan 1 repaid in full
    ("repay", 1, 1, True),              # … and settled
    ("default", 1, 0, False),
    ("repay", 0, 1, False),
    ("default", 0, 0, False),           # 1,000,002 overdue → 800,002 from the fund
    ("repay", 0, 5, False),             # a compensated loan takes no repayment
    ("recover", 0, 300_001, False),
    ("recover", 0, 500_002, True),      # 800,002 − 300,001 = 500,001 left
    ("recover", 0, 500_001, True),
    ("recover", 2, 7, False),           # loan 2 is not compensated
    ("grant", 1, 100_000, False),       # 渝北区: 800,002 / 1,200,003 lost > 5 %: the breaker
    ("repay", 2, 2_500_008, True),      # beyond what is owed
    ("repay", 2, 1_000_000, True),
    ("default", 2, 0, True),            # 1,500,007 overdue → 1,200,006
    ("default", 2, 0, False),           # already compensated
    ("contribute", 1, 9, True),
    ("grant", 3, 1, False),             # 南岸区's breaker too
]


def half_up(amount: int, share: str) -> int:
    return int((Decimal(amount) * Decimal(share)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def split(amount: int) -> tuple[int, int]:
    city = half_up(amount, "0.4")
    return city, amount - city


def test_fund_ledger_follows_the_rules_on_every_path(firms, bank_a, city_admin):
    seen: Counter = Counter()

    @settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(ops=st.lists(operation, min_size=5, max_size=30))
    @example(ops=SCRIPTED)
    def check(ops):
        with transaction.atomic():
            _run(ops, firms, bank_a, city_admin, seen)
            transaction.set_rollback(True)

    check()
    paths = {"contribute", "grant", "grant refused: line", "grant refused: breaker", "repay", "repay in full",
             "repay refused: owed", "repay refused: settled", "default", "default by city",
             "default refused: settled", "recover", "recover by city", "recover refused: left",
             "recover refused: not compensated"}
    assert not paths - set(seen), f"never taken: {sorted(paths - set(seen))}"


class Model:
    """What the scheme's rules say the fund and the loans hold."""

    def __init__(self, units, borrowers):
        self.units = units
        self.borrowers = borrowers  # code → (grade, unit)
        self.fund = {u: Counter() for u in units}  # contribution, compensation, recovery, city, district
        self.granted = Counter()
        self.compensated = Counter()
        self.loans = []  # dicts: pk, code, unit, amount, repaid, status, compensation, recovered

    def outstanding(self, code):
        return sum(x["amount"] - x["repaid"] for x in self.loans if x["code"] == code and x["status"] == "active")

    def tripped(self, unit):
        return bool(self.granted[unit]) and Fraction(self.compensated[unit], self.granted[unit]) > BREAKER

    def enter(self, unit, kind, amount):
        city, district = split(amount)
        self.fund[unit][kind] += amount
        sign = -1 if kind == "compensation" else 1
        self.fund[unit]["city"] += sign * city
        self.fund[unit]["district"] += sign * district


def _counts():
    return (Loan.objects.count(), Repayment.objects.count(), Default.objects.count(), FundEntry.objects.count(),
            list(Loan.objects.order_by("pk").values_list("status", flat=True)))


def _run(ops, firms, bank_a, city_admin, seen):
    a, b, c, _n4, nanan = codes(firms[0])
    borrowers = [a, b, c, nanan]
    stored_grades(dict(zip(borrowers, GRADES, strict=True)))
    unit_of = {x: Enterprise.objects.get(uscc=x).reporting_unit_id for x in borrowers}
    units = sorted(set(unit_of.values()))
    model = Model(units, {x: (g, unit_of[x]) for x, g in zip(borrowers, GRADES, strict=True)})
    bank, city = scope_for(bank_a), scope_for(city_admin)
    for kind, index, amount, by_city in ops:
        loan = model.loans[index % len(model.loans)] if model.loans and kind in ("repay", "default",
                                                                                "recover") else None
        if kind in ("repay", "default", "recover") and loan is None:
            continue
        before = _counts()
        refusal = _expected_refusal(model, kind, index, amount, loan, borrowers)
        try:
            _act(kind, index, amount, by_city, loan, model, borrowers, bank, city, seen)
        except CreditError as e:
            assert refusal, f"{kind} {amount} refused ({e}) though the rules allow it"
            assert refusal[1] in str(e), f"{kind} {amount} refused for «{e}», the rules say «{refusal[1]}»"
            assert _counts() == before, f"a refused {kind} changed the ledger"
            seen[f"{kind} refused: {refusal[0]}"] += 1
        else:
            assert not refusal, f"{kind} {amount} accepted though the rules refuse it ({refusal})"
        _check(model)


def _expected_refusal(model, kind, index, amount, loan, borrowers):
    if kind == "grant":
        code = borrowers[index]
        grade, unit = model.borrowers[code]
        available = max(LINES[grade] - model.outstanding(code), 0)
        if amount > available:
            return ("line", f"超过可用授信额度{wan_unit(available, places=4)}")
        if model.tripped(unit):
            return ("breaker", "熔断")
    elif kind == "repay":
        if loan["status"] != "active":
            return ("settled", "已结清或已代偿")
        if amount > loan["amount"] - loan["repaid"]:
            return ("owed", f"超过未还本金{wan_unit(loan['amount'] - loan['repaid'], places=4)}")
    elif kind == "default":
        if loan["status"] != "active":
            return ("settled", "已结清或已代偿")
    elif kind == "recover":
        if loan["status"] != "compensated":
            return ("not compensated", "只有已代偿的贷款")
        left = loan["compensation"] - loan["recovered"]
        if amount > left:
            return ("left", f"不超过尚未收回的代偿款{wan_unit(left, places=4)}")
    return None


def _act(kind, index, amount, by_city, loan, model, borrowers, bank, city, seen):
    actor = city if by_city else bank
    if kind == "contribute":
        unit = model.units[index % len(model.units)]
        entry = services.contribute(scope=city, unit_id=unit, amount=amount, on=DAY)
        assert (entry.amount, entry.city_part, entry.district_part) == (amount, *split(amount))
        model.enter(unit, "contribution", amount)
        seen["contribute"] += 1
    elif kind == "grant":
        code = borrowers[index]
        created = services.grant_loan(scope=bank, uscc=code, amount=amount, annual_rate=Decimal("0.031"),
                                      granted_on=DAY, due_on=dt.date(2026, 2, 28), today=TODAY)
        unit = model.borrowers[code][1]
        model.loans.append({"pk": created.pk, "code": code, "unit": unit, "amount": amount, "repaid": 0,
                            "status": "active", "compensation": 0, "recovered": 0})
        model.granted[unit] += amount
        seen["grant"] += 1
    elif kind == "repay":
        services.record_repayment(scope=actor, loan_id=loan["pk"], principal=amount, interest=0,
                                  paid_on=dt.date(2025, 6, 1), today=TODAY)
        loan["repaid"] += amount
        if loan["repaid"] == loan["amount"]:
            loan["status"] = "repaid"
            seen["repay in full"] += 1
        seen["repay"] += 1
    elif kind == "default":
        owed = loan["amount"] - loan["repaid"]
        d = services.record_default(scope=actor, loan_id=loan["pk"], on=dt.date(2026, 3, 15), today=TODAY)
        fund_part = half_up(owed, "0.8")
        assert (d.overdue_principal, d.compensation, d.bank_share) == (owed, fund_part, owed - fund_part), (
            f"overdue {owed}: 80 % is {fund_part}, the bank bears {owed - fund_part}")
        assert (d.city_share, d.district_share) == split(fund_part)
        loan.update(status="compensated", compensation=fund_part)
        model.compensated[loan["unit"]] += fund_part
        model.enter(loan["unit"], "compensation", fund_part)
        seen["default by city" if by_city else "default"] += 1
    elif kind == "recover":
        entry = services.record_recovery(scope=actor, loan_id=loan["pk"], amount=amount, on=dt.date(2026, 4, 1),
                                         today=TODAY)
        assert (entry.kind, entry.amount, entry.city_part, entry.district_part) == (
            FundEntry.Kind.RECOVERY, amount, *split(amount)), f"a recovery of {amount} is split {split(amount)}"
        loan["recovered"] += amount
        model.enter(loan["unit"], "recovery", amount)
        seen["recover by city" if by_city else "recover"] += 1


def _check(model):
    for unit in model.units:
        f = services.fund(scope=SYSTEM, unit_id=unit)
        e = model.fund[unit]
        assert (f.contributions, f.compensations, f.recoveries) == (e["contribution"], e["compensation"],
                                                                    e["recovery"])
        assert f.balance == e["contribution"] - e["compensation"] + e["recovery"]
        assert (f.city_balance, f.district_balance) == (e["city"], e["district"])
        assert (f.granted, f.compensated) == (model.granted[unit], model.compensated[unit])
        assert f.loss_ratio == (Fraction(f.compensated, f.granted) if f.granted else 0)
        assert services.breaker_tripped(unit_id=unit) == model.tripped(unit)
    for entry in FundEntry.objects.all():
        assert (entry.city_part, entry.district_part) == split(entry.amount) and entry.amount > 0
    for x in model.loans:
        loan = Loan.objects.get(pk=x["pk"])
        status = {"active": Loan.Status.ACTIVE, "repaid": Loan.Status.REPAID,
                  "compensated": Loan.Status.COMPENSATED}[x["status"]]
        assert loan.status == status
        repaid = Repayment.objects.filter(loan=loan).aggregate(s=Sum("principal"))["s"] or 0
        assert repaid == x["repaid"] and 0 <= repaid <= loan.amount <= loan.credit_line
        assert services.outstanding(loan) == (loan.amount - repaid if x["status"] == "active" else 0)
        recovered = loan.fund_entries.filter(kind="recovery").aggregate(s=Sum("amount"))["s"] or 0
        assert recovered == x["recovered"] <= x["compensation"]
    for code, (grade, _unit) in model.borrowers.items():
        assert services.standing(scope=SYSTEM, uscc=code, on=DAY).outstanding == model.outstanding(code) <= LINES[grade]
