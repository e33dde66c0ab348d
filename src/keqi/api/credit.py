"""Knowledge-value credit endpoints: grades, loans (record, repay, default, recover), risk funds, breaker.

The same services and role rules as the pages (``keqi.credit.services``): a bank officer records
and sees only its own bank's loans and may look up any firm's grade; a district officer reads its
unit's loans and fund; an enterprise user its firm's grade and loans; the city administrator
everything, and records fund contributions. A rule of the scheme that refuses an action gives a
422 with the reason; a role that may not act, a 403. Money in integer yuan.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from keqi.credit import services
from keqi.credit.models import Loan
from keqi.registry.models import ReportingUnit

from .auth import scope_of
from .params import Day, Id, PageNumber, Pages, Plain, Rate, Text, Yuan

router = Router(tags=["credit"])
GRADE_PAGE = 50


# ---------------------------------------------------------------- shapes


class StandingOut(Schema):
    uscc: str
    name: str
    reporting_unit: str
    eligible: bool
    grade: str | None
    credit_line: int
    outstanding: int
    available: int
    source: str


class GradeOut(Schema):
    uscc: str
    name: str
    reporting_unit: str
    grade: str | None
    eligible: bool
    credit_line: int


class GradePage(Schema):
    count: int
    items: list[GradeOut]


class RepaymentOut(Schema):
    paid_on: dt.date
    principal: int
    interest: int


class DefaultOut(Schema):
    recorded_on: dt.date
    overdue_principal: int
    compensation: int
    bank_share: int
    city_share: int
    district_share: int
    recovered: int


class LoanOut(Schema):
    """A loan (from :func:`keqi.credit.services.with_outstanding`, so ``owed`` is at hand)."""

    id: int
    uscc: str
    enterprise: str
    reporting_unit: str
    bank: str
    amount: int
    outstanding: int
    annual_rate: Decimal
    lpr_at_grant: Decimal
    granted_on: dt.date
    due_on: dt.date
    grade: str
    credit_line: int
    status: str

    @staticmethod
    def resolve_uscc(obj) -> str:
        return obj.enterprise.uscc

    @staticmethod
    def resolve_enterprise(obj) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_reporting_unit(obj) -> str:
        return obj.reporting_unit.name

    @staticmethod
    def resolve_outstanding(obj) -> int:
        return obj.owed


class LoanDetailOut(LoanOut):
    repayments: list[RepaymentOut]
    default: DefaultOut | None

    @staticmethod
    def resolve_repayments(obj):
        return list(obj.repayments.all())

    @staticmethod
    def resolve_default(obj):
        if obj.status != Loan.Status.COMPENSATED:
            return None
        d = obj.default
        return {"recorded_on": d.recorded_on, "overdue_principal": d.overdue_principal,
                "compensation": d.compensation, "bank_share": d.bank_share, "city_share": d.city_share,
                "district_share": d.district_share, "recovered": services.recovered(obj)}


class LoanIn(Schema):
    uscc: Plain = Field(max_length=18)
    amount: Yuan
    annual_rate: Rate
    granted_on: Day
    due_on: Day


class RepaymentIn(Schema):
    principal: Yuan = 0
    interest: Yuan = 0
    paid_on: Day


class DefaultIn(Schema):
    on: Day


class RecoveryIn(Schema):
    amount: Yuan
    on: Day


class FundOut(Schema):
    unit_id: int
    unit: str
    contributions: int
    compensations: int
    recoveries: int
    balance: int
    city_balance: int
    district_balance: int
    granted: int
    compensated: int
    loss_ratio: float
    breaker_threshold: Decimal
    breaker_tripped: bool


class FundEntryOut(Schema):
    entry_on: dt.date
    kind: str
    amount: int
    city_part: int
    district_part: int
    loan_id: int | None
    memo: str


class FundDetailOut(FundOut):
    entries: list[FundEntryOut]


class ContributionIn(Schema):
    amount: Yuan
    on: Day
    memo: Text = ""


class BreakerUnitOut(Schema):
    unit_id: int
    unit: str
    granted: int
    compensated: int
    loss_ratio: float
    tripped: bool


class BreakerOut(Schema):
    threshold: Decimal
    lpr_one_year: Decimal
    units: list[BreakerUnitOut]


# ---------------------------------------------------------------- helpers


def _standing(s: services.CreditStanding) -> dict:
    e = s.enterprise
    return {"uscc": e.uscc, "name": e.name, "reporting_unit": e.reporting_unit.name, "eligible": s.eligible,
            "grade": s.grade, "credit_line": s.credit_line, "outstanding": s.outstanding, "available": s.available,
            "source": s.source}


def _visible_loan(scope, loan_id: int) -> Loan:
    return services.with_outstanding(services.loans(scope=scope)).get(pk=loan_id)


def _unit_exists(unit_id: int) -> None:
    if not ReportingUnit.objects.filter(pk=unit_id).exists():
        raise ObjectDoesNotExist("No such reporting unit.")


def _fund(s: services.FundSummary, threshold: Decimal) -> dict:
    state = services.BreakerState(s.unit, s.loss_ratio, threshold, s.granted, s.compensated)
    return {"unit_id": s.unit.pk, "unit": s.unit.name, "contributions": s.contributions,
            "compensations": s.compensations, "recoveries": s.recoveries, "balance": s.balance,
            "city_balance": s.city_balance, "district_balance": s.district_balance, "granted": s.granted,
            "compensated": s.compensated, "loss_ratio": float(s.loss_ratio), "breaker_threshold": threshold,
            "breaker_tripped": state.tripped}


# ---------------------------------------------------------------- grades


@router.get("/grades", response=GradePage)
def grades(request, unit: Id | None = None, on: Day | None = None, page: PageNumber = 1):
    """Grades and credit lines from the latest complete screening, best first (50 a page)."""
    count, rows = services.grades(scope=scope_of(request), unit_id=unit, on=on,
                                  offset=(page - 1) * GRADE_PAGE, limit=GRADE_PAGE)
    return {"count": count, "items": rows}


@router.get("/grades/{uscc}", response=StandingOut)
def grade(request, uscc: Text, on: Day | None = None):
    """A firm's standing on a day (default today): eligibility, grade, credit line, outstanding, available."""
    return _standing(services.standing(scope=scope_of(request), uscc=uscc, on=on))


# ---------------------------------------------------------------- loans


class LoanQuery(Schema):
    status: Text = ""
    unit: Id | None = None
    uscc: Text = ""


@router.get("/loans", response=list[LoanOut])
@paginate(Pages)
def loan_list(request, filters: Query[LoanQuery]):
    """The loans the caller may see (a bank officer: its own bank's), newest first."""
    qs = services.with_outstanding(services.loans(scope=scope_of(request)))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.unit:
        qs = qs.filter(reporting_unit_id=filters.unit)
    if filters.uscc:
        qs = qs.filter(enterprise__uscc=filters.uscc.strip().upper())
    return qs


@router.get("/loans/{loan_id}", response=LoanDetailOut)
def loan_detail(request, loan_id: Id):
    """A loan with its repayments and, once overdue, the compensation and the city's and district's shares."""
    return _visible_loan(scope_of(request), loan_id)


@router.post("/loans", response={201: LoanDetailOut})
def loan_create(request, payload: LoanIn):
    """Record a loan of the officer's bank, within the firm's available line and the unit's circuit breaker."""
    scope = scope_of(request)
    loan = services.grant_loan(scope=scope, uscc=payload.uscc, amount=payload.amount,
                               annual_rate=payload.annual_rate, granted_on=payload.granted_on,
                               due_on=payload.due_on, user=request.auth)
    return Status(201, _visible_loan(scope, loan.pk))


def _act(request, loan_id: int, action) -> Status:
    scope = scope_of(request)
    _visible_loan(scope, loan_id)
    action(scope)
    return Status(201, _visible_loan(scope, loan_id))


@router.post("/loans/{loan_id}/repayments", response={201: LoanDetailOut})
def loan_repay(request, loan_id: Id, payload: RepaymentIn):
    """Record a repayment (principal and/or interest) by the bank that granted the loan."""
    return _act(request, loan_id, lambda scope: services.record_repayment(
        scope=scope, loan_id=loan_id, principal=payload.principal, interest=payload.interest,
        paid_on=payload.paid_on, user=request.auth))


@router.post("/loans/{loan_id}/default", response={201: LoanDetailOut})
def loan_default(request, loan_id: Id, payload: DefaultIn):
    """Record the loan as overdue: the unit's fund compensates 80% of the overdue principal, city 4 : district 6."""
    return _act(request, loan_id, lambda scope: services.record_default(
        scope=scope, loan_id=loan_id, on=payload.on, user=request.auth))


@router.post("/loans/{loan_id}/recoveries", response={201: LoanDetailOut})
def loan_recover(request, loan_id: Id, payload: RecoveryIn):
    """Money recovered after compensation flows back to the fund, at most what the fund paid."""
    return _act(request, loan_id, lambda scope: services.record_recovery(
        scope=scope, loan_id=loan_id, amount=payload.amount, on=payload.on, user=request.auth))


# ---------------------------------------------------------------- funds and the breaker


@router.get("/funds", response=list[FundOut])
def fund_list(request):
    """Each visible unit's risk fund (city: every unit with a loan or an entry; district officer: its own)."""
    summaries = services.funds(scope=scope_of(request))
    threshold = services.policy().breaker_loss_ratio
    return [_fund(s, threshold) for s in summaries]


@router.get("/funds/{unit_id}", response=FundDetailOut)
def fund_detail(request, unit_id: Id):
    """A unit's fund with its ledger: every contribution, compensation and recovery with its city and district part."""
    scope = scope_of(request)
    _unit_exists(unit_id)
    summary = services.fund(scope=scope, unit_id=unit_id)
    entries = list(services.ledger(scope=scope, unit_id=unit_id))
    return {**_fund(summary, services.policy().breaker_loss_ratio),
            "entries": [{"entry_on": e.entry_on, "kind": e.kind, "amount": e.amount, "city_part": e.city_part,
                         "district_part": e.district_part, "loan_id": e.loan_id, "memo": e.memo} for e in entries]}


@router.post("/funds/{unit_id}/contributions", response={201: FundDetailOut})
def fund_contribute(request, unit_id: Id, payload: ContributionIn):
    """A contribution to a unit's fund, split city 4 : district 6 (city administrator only)."""
    scope = scope_of(request)
    _unit_exists(unit_id)
    services.fund(scope=scope, unit_id=unit_id)  # 403 for another unit or role
    services.contribute(scope=scope, unit_id=unit_id, amount=payload.amount, on=payload.on,
                        user=request.auth, memo=payload.memo)
    return Status(201, fund_detail(request, unit_id))


@router.get("/breaker", response=BreakerOut)
def breaker(request):
    """The circuit breaker (熔断) of every visible unit: loss ratio against the bureau's threshold (not official)."""
    states = services.breaker_states(scope=scope_of(request))
    p = services.policy()
    return {"threshold": p.breaker_loss_ratio, "lpr_one_year": p.lpr_one_year, "units": [
        {"unit_id": s.unit.pk, "unit": s.unit.name, "granted": s.granted, "compensated": s.compensated,
         "loss_ratio": float(s.loss_ratio), "tripped": s.tripped} for s in states]}
