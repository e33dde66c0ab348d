"""What the credit services answer, for the lists a bank and the bureau read: the graded firms (a bank's
start page, the API's grade list), the loans falling due, a unit's fund ledger and the circuit
breakers of every unit — each checked row by row against the rules (who may see them, in what order,
which firm is eligible, which run the grade comes from), in the service itself."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from keqi.accounts.scope import SYSTEM, scope_for
from keqi.credit import services
from keqi.credit.models import FundEntry, Loan
from keqi.credit.services import GradeRow
from keqi.registry.models import Enterprise, ReportingUnit
from keqi.screening.models import EditionResult, ScreeningRun, Standing

from .helpers import DAY, codes, stored_grades

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 30)
LINES = {"A": 5_000_000, "B": 4_000_000, "C": 3_000_000, "D": 1_600_000, "E": 800_000}  # kv-credit, official


def unit(name):
    return ReportingUnit.objects.get(name=name)


def row(code, grade, eligible=True):
    firm = Enterprise.objects.select_related("reporting_unit").get(uscc=code)
    return GradeRow(code, firm.name, firm.reporting_unit.name, grade if eligible else None, eligible,
                    LINES.get(grade, 0) if eligible else 0)


def screened(run, code, grade=None, *, kv=True):
    """A firm's standing in ``run``: with a kv-credit result of ``grade`` (None: below E), or none at all."""
    firm = Enterprise.objects.get(uscc=code)
    results = {}
    if kv:
        extras = {"grade": grade, "credit_line": LINES[grade]} if grade else {}
        results["kv-credit"] = EditionResult("kv-credit", "eligible" if grade else "ineligible", extras=extras).pack()
    Standing.objects.create(run=run, enterprise=firm, reporting_unit_id=firm.reporting_unit_id, name=firm.name,
                            current_tier="tech", results=results)


@pytest.fixture
def graded(firms):
    """The city's run: a C, b A, c below E, d (not 入库) A, nanan B."""
    a, b, c, d, n = codes(firms[0])
    run = stored_grades({a: "C", b: "A", d: "A", n: "B"})
    screened(run, c)
    return a, b, c, d, n


def test_no_complete_screening_no_grades(firms, bank_a):
    assert services.grades(scope=scope_for(bank_a), on=DAY) == (0, [])


def test_a_bank_sees_every_graded_firm_eligible_first_best_grade_first(graded, bank_a):
    a, b, c, d, n = graded
    count, rows = services.grades(scope=scope_for(bank_a), on=DAY)
    # eligible first; among them A before B before C, a firm below E (no grade) last; the firm without
    # 入库 keeps no grade and no line even though the run graded it A
    assert count == 5
    assert rows == [row(b, "A"), row(n, "B"), row(a, "C"), row(c, None), row(d, "A", eligible=False)]


def test_eligibility_is_on_the_day_asked(graded, bank_a):
    a, b, c, d, n = graded
    from keqi.registry.models import Qualification

    # another qualification (科技型中小企业) does not stand for the 科技型企业入库 the scheme asks for
    Qualification.objects.create(enterprise=Enterprise.objects.get(uscc=d), kind="tsme", number="2024500112A0001",
                                 valid_from=dt.date(2024, 1, 1))
    assert services.grades(scope=scope_for(bank_a), on=DAY)[1][-1] == row(d, "A", eligible=False)
    _count, rows = services.grades(scope=scope_for(bank_a), on=dt.date(2022, 12, 31))  # before every 入库
    assert {r.uscc for r in rows} == {a, b, c, d, n}
    assert all(r.grade is None and not r.eligible and r.credit_line == 0 for r in rows)


def test_a_page_of_grades_keeps_the_total(graded, bank_a):
    a, b, c, d, n = graded
    assert services.grades(scope=scope_for(bank_a), on=DAY, offset=1, limit=2) == (5, [row(n, "B"), row(a, "C")])
    assert services.grades(scope=scope_for(bank_a), on=DAY, offset=4) == (5, [row(d, "A", eligible=False)])


def test_the_grades_of_one_unit(graded, bank_a, city_admin):
    a, b, c, d, n = graded
    assert services.grades(scope=scope_for(city_admin), unit_id=unit("南岸区").pk, on=DAY) == (1, [row(n, "B")])
    count, rows = services.grades(scope=scope_for(bank_a), unit_id=unit("渝北区").pk, on=DAY)
    assert count == 4 and [r.uscc for r in rows] == [b, a, c, d]


def test_a_district_officer_sees_its_own_units_grades_whatever_unit_it_asks(graded, yubei_officer, make_user,
                                                                             registrar):
    a, b, c, d, n = graded
    for asked in (None, unit("南岸区").pk):
        count, rows = services.grades(scope=scope_for(yubei_officer), unit_id=asked, on=DAY)
        assert count == 4 and [r.uscc for r in rows] == [b, a, c, d]
    firm = make_user("firm", "enterprise_user", uscc=a)
    assert services.grades(scope=scope_for(firm), on=DAY) == (1, [row(a, "C")])
    with pytest.raises(PermissionDenied):
        services.grades(scope=scope_for(registrar), on=DAY)


def test_a_units_own_newer_run_gives_its_grades(graded, bank_a, yubei_officer):
    """A complete run of 渝北区 after the city's: its grades for 渝北区; a firm it screened without a
    kv-credit result is not listed; the city-wide list still reads the city's run."""
    a, b, c, d, n = graded
    run = ScreeningRun.objects.create(assess_on=DAY, status=ScreeningRun.Status.COMPLETE, reporting_unit=unit("渝北区"),
                                      finished_at=timezone.now() + dt.timedelta(minutes=1))
    screened(run, a, "A")
    screened(run, b, kv=False)
    assert services.grades(scope=scope_for(yubei_officer), on=DAY) == (1, [row(a, "A")])
    assert services.grades(scope=scope_for(bank_a), unit_id=unit("渝北区").pk, on=DAY) == (1, [row(a, "A")])
    count, rows = services.grades(scope=scope_for(bank_a), on=DAY)
    assert count == 5 and rows[2] == row(a, "C")


# ---------------------------------------------------------------- loans falling due


def loan(code, bank, due, *, amount=500_000, status=Loan.Status.ACTIVE):
    firm = Enterprise.objects.get(uscc=code)
    return Loan.objects.create(enterprise=firm, reporting_unit_id=firm.reporting_unit_id, bank=bank, amount=amount,
                               annual_rate=Decimal("0.0345"), lpr_at_grant=Decimal("0.0300"),
                               granted_on=TODAY - dt.timedelta(days=300), due_on=due, grade="C",
                               credit_line=3_000_000, status=status)


def test_loans_due_within_30_days_or_past_due_soonest_first_with_what_is_owed(firms, bank_a, yubei_officer):
    a, b, c, _d, n = codes(firms[0])
    bank = "重庆银行"  # bank_a's
    late = loan(a, bank, TODAY - dt.timedelta(days=2))
    edge = loan(b, bank, TODAY + dt.timedelta(days=30))
    soon = loan(c, bank, TODAY + dt.timedelta(days=10), amount=700_000)
    loan(n, bank, TODAY + dt.timedelta(days=31))  # not yet
    loan(a, bank, TODAY + dt.timedelta(days=5), status=Loan.Status.REPAID)  # settled
    loan(b, bank, TODAY - dt.timedelta(days=40), status=Loan.Status.COMPENSATED)
    other = loan(c, "重庆农村商业银行", TODAY + dt.timedelta(days=1))
    services.record_repayment(scope=scope_for(bank_a), loan_id=soon.pk, principal=200_001, interest=0,
                              paid_on=TODAY - dt.timedelta(days=1), today=TODAY)
    due = services.loans_due(scope=scope_for(bank_a), today=TODAY)
    assert [(x.pk, x.owed) for x in due] == [(late.pk, 500_000), (soon.pk, 499_999), (edge.pk, 500_000)]
    assert [x.pk for x in services.loans_due(scope=scope_for(bank_a), today=TODAY, days=9)] == [late.pk]
    # the district sees every bank's loans of its unit
    assert [x.pk for x in services.loans_due(scope=scope_for(yubei_officer), today=TODAY)] == [
        late.pk, other.pk, soon.pk, edge.pk]


def test_two_loans_due_the_same_day_in_the_order_recorded(firms, bank_a):
    a, b, *_ = codes(firms[0])
    first, second = loan(b, "重庆银行", TODAY), loan(a, "重庆银行", TODAY)
    assert [x.pk for x in services.loans_due(scope=scope_for(bank_a), today=TODAY)] == [first.pk, second.pk]


# ---------------------------------------------------------------- the fund's ledger and the breakers


def test_a_units_ledger_oldest_first_and_only_for_those_who_see_its_fund(firms, city_admin, yubei_officer,
                                                                          bank_a):
    yubei, nanan = unit("渝北区").pk, unit("南岸区").pk
    city = scope_for(city_admin)
    later = services.contribute(scope=city, unit_id=yubei, amount=300, on=dt.date(2025, 5, 1))
    earlier = services.contribute(scope=city, unit_id=yubei, amount=100, on=dt.date(2025, 4, 1))
    same_day = services.contribute(scope=city, unit_id=yubei, amount=200, on=dt.date(2025, 5, 1))
    services.contribute(scope=city, unit_id=nanan, amount=999, on=dt.date(2025, 4, 1))
    expected = [earlier.pk, later.pk, same_day.pk]
    assert [e.pk for e in services.ledger(scope=city, unit_id=yubei)] == expected
    assert [e.pk for e in services.ledger(scope=scope_for(yubei_officer), unit_id=yubei)] == expected
    for scope in (scope_for(yubei_officer), scope_for(bank_a)):
        with pytest.raises(PermissionDenied):
            services.ledger(scope=scope, unit_id=nanan)


def test_each_units_breaker_against_the_bureaus_threshold(firms, bank_a, city_admin, yubei_officer):
    a, b, _c, _d, n = codes(firms[0])
    stored_grades({a: "C", b: "C", n: "C"})
    grant = dict(scope=scope_for(bank_a), annual_rate=Decimal("0.031"), granted_on=DAY, due_on=dt.date(2026, 2, 28),
                 today=TODAY)
    bad = services.grant_loan(uscc=a, amount=1_000_000, **grant)
    services.grant_loan(uscc=b, amount=3_000_000, **grant)  # 渝北区 granted 4,000,000
    services.grant_loan(uscc=n, amount=2_000_000, **grant)  # 南岸区 granted 2,000,000, nothing lost
    services.record_default(scope=scope_for(bank_a), loan_id=bad.pk, on=dt.date(2026, 3, 10), today=TODAY)
    yubei, nanan = unit("渝北区"), unit("南岸区")
    threshold = services.policy().breaker_loss_ratio  # the bureau's default, 5 %
    states = {s.unit.name: s for s in services.breaker_states(scope=scope_for(city_admin))}
    assert set(states) == {"渝北区", "南岸区"}
    y, s = states["渝北区"], states["南岸区"]
    assert (y.loss_ratio, y.threshold, y.granted, y.compensated, y.tripped) == (
        Fraction(800_000, 4_000_000), threshold, 4_000_000, 800_000, True)
    assert (s.loss_ratio, s.granted, s.compensated, s.tripped) == (Fraction(0), 2_000_000, 0, False)
    one = services.breaker_states(scope=scope_for(city_admin), unit_id=nanan.pk)
    assert [(x.unit, x.granted) for x in one] == [(nanan, 2_000_000)]
    assert [x.unit for x in services.breaker_states(scope=scope_for(yubei_officer))] == [yubei]
    with pytest.raises(PermissionDenied):
        services.breaker_states(scope=scope_for(yubei_officer), unit_id=nanan.pk)
    services.set_policy(scope=scope_for(city_admin), lpr_one_year=Decimal("0.03"), breaker_loss_ratio=Decimal("0.2"))
    (y,) = services.breaker_states(scope=SYSTEM, unit_id=yubei.pk)
    assert (y.threshold, y.tripped) == (Decimal("0.2000"), False)  # 20 % does not pass 20 %
    assert FundEntry.objects.filter(kind=FundEntry.Kind.COMPENSATION).count() == 1


# ---------------------------------------------------------------- the bureau's settings and contributions


@pytest.mark.parametrize(("lpr", "breaker", "accepted"), [
    ("0.0001", "0.0001", True), ("0.9999", "1", True),  # the bounds that are allowed
    ("0", "0.05", False), ("1", "0.05", False), ("1.5", "0.05", False),  # LPR above 0 %, below 100 %
    ("0.03", "0", False), ("0.03", "1.0001", False), ("0.03", "1.5", False),  # breaker above 0 %, at most 100 %
])
def test_the_settings_accept_an_lpr_and_a_breaker_within_their_ranges(db, city_admin, lpr, breaker, accepted):
    def set_it():
        return services.set_policy(scope=scope_for(city_admin), lpr_one_year=Decimal(lpr),
                                   breaker_loss_ratio=Decimal(breaker), user=city_admin)

    if accepted:
        p = set_it()
        p.refresh_from_db()
        assert (p.lpr_one_year, p.breaker_loss_ratio) == (Decimal(lpr), Decimal(breaker))
        assert p.history.latest().history_user == city_admin  # who changed it, in the history
        return
    before = services.policy()
    with pytest.raises(services.CreditError) as refused:
        set_it()
    assert str(refused.value) == "LPR 应大于0%且小于100%，熔断损失率应大于0%且不超过100%"
    after = services.policy()
    assert (after.lpr_one_year, after.breaker_loss_ratio) == (before.lpr_one_year, before.breaker_loss_ratio)


def test_a_contribution_is_recorded_as_typed_and_refused_out_of_range(firms, city_admin):
    yubei = unit("渝北区").pk
    city = scope_for(city_admin)
    plain = services.contribute(scope=city, unit_id=yubei, amount=1, on=DAY, user=city_admin)
    assert (plain.amount, plain.city_part, plain.district_part, plain.memo, plain.recorded_by) == (
        1, 0, 1, "", city_admin)
    long = services.contribute(scope=city, unit_id=yubei, amount=10, on=DAY, memo="拨" * 250)
    assert long.memo == "拨" * 200
    noted = services.contribute(scope=city, unit_id=yubei, amount=10, on=DAY, memo="2025年第一批")
    assert FundEntry.objects.get(pk=noted.pk).memo == "2025年第一批"
    for amount in (0, -5, services.MAX_YUAN):
        with pytest.raises(services.CreditError) as refused:
            services.contribute(scope=city, unit_id=yubei, amount=amount, on=DAY)
        assert str(refused.value) == "出资金额应大于0且小于100,000,000,000 万元"
    services.contribute(scope=city, unit_id=yubei, amount=services.MAX_YUAN - 1, on=DAY)
    assert FundEntry.objects.count() == 4


def test_the_funds_list_every_unit_with_a_contribution_or_a_loan(firms, city_admin):
    a, *_ = codes(firms[0])
    services.contribute(scope=scope_for(city_admin), unit_id=unit("南岸区").pk, amount=1_000, on=DAY)  # no loan
    loan(a, "重庆银行", TODAY)  # 渝北区: a loan, no contribution
    got = {f.unit.name: (f.contributions, f.granted) for f in services.funds(scope=scope_for(city_admin))}
    assert got == {"南岸区": (1_000, 0), "渝北区": (0, 500_000)}
