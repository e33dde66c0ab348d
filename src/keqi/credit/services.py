"""Knowledge-value credit: grades, loans, repayments, defaults and the risk fund.

Keyword-only arguments and a scope everywhere. Roles:

- bank officer: looks up any eligible firm's grade (to lend), records loans of its own bank
  (``Membership.organisation``) and their repayments, defaults and recoveries; sees only them;
- district officer: reads its unit's loans and fund; enterprise user: its own firm's grade and loans;
- city administrator: everything, plus fund contributions and the bureau's settings;
- contract registrar and users without a role: nothing.

Rule violations raise :class:`CreditError` with a Chinese message the pages show as is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, Exists, F, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value, When
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from keqi.accounts.scope import SYSTEM, Scope
from keqi.policy.editions.kv_credit import CREDIT_LINES
from keqi.policy.formats import percent, wan_unit
from keqi.registry.models import Enterprise, Qualification, ReportingUnit
from keqi.screening import services as screening
from keqi.screening.models import Standing

from .models import CreditPolicy, Default, FundEntry, Loan, Repayment
from .money import city_district, compensation_for, one_year_after

EDITION = "kv-credit"
MAX_YUAN = 10**15  # an amount above this is a typing error (as the import's MAX_YUAN), and sums stay in int64
MAX_RATE = Decimal("0.2400")  # a typing guard (24% a year), not a policy figure


def _money(yuan: int) -> str:
    """An amount quoted in a message: in 万元, the unit the forms take money in, to the yuan (80.0001 万元)."""
    return wan_unit(yuan, places=4)


class CreditError(ValueError):
    """A rule of the scheme refuses the action; the message (Chinese) says which."""


# ---------------------------------------------------------------- access


def _require_read(scope: Scope) -> None:
    scope.require("credit.read")


def loans(*, scope: Scope) -> QuerySet:
    """The loans this scope may read."""
    _require_read(scope)
    return scope.loans(Loan.objects.select_related("enterprise", "reporting_unit"))


DUE_SOON_DAYS = 30


def loans_due(*, scope: Scope, today: dt.date, days: int = DUE_SOON_DAYS) -> QuerySet:
    """Outstanding loans the scope may read that fall due within ``days`` of ``today`` or are past due,
    soonest first, each with ``owed`` (principal still owed)."""
    qs = loans(scope=scope).filter(status=Loan.Status.ACTIVE, due_on__lte=today + dt.timedelta(days=days))
    return with_outstanding(qs).order_by("due_on", "pk")


def _own_loan(scope: Scope, loan_id: int) -> Loan:
    """A loan the scope's bank granted, locked for the change (city admin: any)."""
    scope.require("credit.change_loans")
    try:
        return loans(scope=scope).select_for_update().get(pk=loan_id)
    except Loan.DoesNotExist:
        raise PermissionDenied(_("This loan is not one of your bank's.")) from None


def units_visible(*, scope: Scope) -> QuerySet:
    _require_read(scope)
    return scope.units(ReportingUnit.objects.all())


# ---------------------------------------------------------------- settings


def policy() -> CreditPolicy:
    return CreditPolicy.objects.get_or_create(pk=1)[0]


def set_policy(*, scope: Scope, lpr_one_year: Decimal, breaker_loss_ratio: Decimal, user=None) -> CreditPolicy:
    scope.require("credit.settings")
    if not (Decimal(0) < lpr_one_year < Decimal(1)) or not (Decimal(0) < breaker_loss_ratio <= Decimal(1)):
        raise CreditError("LPR 应大于0%且小于100%，熔断损失率应大于0%且不超过100%")
    p = policy()
    p.lpr_one_year, p.breaker_loss_ratio = lpr_one_year, breaker_loss_ratio
    p._history_user = user
    p.save()
    return p


# ---------------------------------------------------------------- grades


@dataclass(frozen=True)
class CreditStanding:
    """A firm's place in the scheme on a day."""

    enterprise: Enterprise
    eligible: bool  # holds a valid 科技型企业入库 registration
    grade: str | None
    credit_line: int  # yuan; 0 when not eligible or below grade E
    source: str  # "run:<id>" (a complete screening) or "live"
    outstanding: int  # principal outstanding across all banks

    @property
    def available(self) -> int:
        return max(self.credit_line - self.outstanding, 0) if self.eligible else 0


def _firm_for(scope: Scope, uscc: str) -> Enterprise:
    _require_read(scope)
    code = uscc.strip().upper()
    firm = scope.credit_firms(Enterprise.objects.select_related("reporting_unit").filter(uscc=code)).first()
    if firm is None:
        raise Enterprise.DoesNotExist(code)
    return firm


def _grade(firm: Enterprise, on: dt.date) -> tuple[str | None, str]:
    run = screening.latest_run(scope=SYSTEM, unit_id=firm.reporting_unit_id)
    if run is not None:
        screened = Standing.objects.filter(run=run, enterprise=firm).first()
        result = screened.result(EDITION) if screened is not None else None
        if result is not None:
            return result.extras.get("grade"), f"run:{run.pk}"
    verdict = screening.evaluate_enterprise(scope=SYSTEM, uscc=firm.uscc, assess_on=on, edition_ids=(EDITION,))[0]
    return verdict.get("grade"), "live"


def outstanding(loan: Loan) -> int:
    """Principal still owed on a loan (0 once it is compensated: the fund and the bank took it)."""
    if loan.status == Loan.Status.COMPENSATED:
        return 0
    repaid = loan.repayments.aggregate(s=Sum("principal"))["s"] or 0
    return loan.amount - repaid


def with_outstanding(qs: QuerySet) -> QuerySet:
    """Loans annotated with ``owed`` (principal still owed, as :func:`outstanding`) in the same query."""
    repaid = (Repayment.objects.filter(loan=OuterRef("pk")).order_by().values("loan")
              .annotate(s=Sum("principal")).values("s"))
    return qs.annotate(owed=Case(
        When(status=Loan.Status.COMPENSATED, then=Value(0)),
        default=F("amount") - Coalesce(Subquery(repaid, output_field=IntegerField()), Value(0)),
        output_field=IntegerField(),
    ))


def _outstanding_of_firm(firm: Enterprise) -> int:
    """Principal outstanding on the firm's active loans at every bank (two queries, whatever the loans)."""
    active = Loan.objects.filter(enterprise=firm, status=Loan.Status.ACTIVE)
    granted = active.aggregate(s=Sum("amount"))["s"] or 0
    repaid = Repayment.objects.filter(loan__in=active).aggregate(s=Sum("principal"))["s"] or 0
    return granted - repaid


def standing(*, scope: Scope, uscc: str, on: dt.date | None = None) -> CreditStanding:
    """Grade and credit line of a firm (a bank officer may look up any firm; others within their scope)."""
    on = on or timezone.localdate()
    firm = _firm_for(scope, uscc)
    eligible = Qualification.objects.held_on(on).filter(enterprise=firm, kind="cq_tech").exists()
    grade, source = _grade(firm, on) if eligible else (None, "")
    line = CREDIT_LINES.get(grade or "", 0)
    return CreditStanding(firm, eligible, grade if eligible else None, line, source, _outstanding_of_firm(firm))


@dataclass(frozen=True)
class GradeRow:
    uscc: str
    name: str
    reporting_unit: str
    grade: str | None
    eligible: bool
    credit_line: int


def grades(*, scope: Scope, unit_id: int | None = None, on: dt.date | None = None, offset: int = 0,
           limit: int = 100) -> tuple[int, list[GradeRow]]:
    """Grades of the latest complete screening (``kv-credit``) for the firms the scope may see.

    A bank officer sees every firm (to lend); the others their own firms. Only a firm holding a valid
    科技型企业入库 registration on ``on`` (default today) is eligible and gets the grade's credit line.
    Returns the total count and one page of rows, best grade first.
    """
    _require_read(scope)
    on = on or timezone.localdate()
    if scope.unit_bound:
        unit_id = scope.unit_id
    run = screening.latest_run(scope=SYSTEM, unit_id=unit_id)
    if run is None:
        return 0, []
    firms = scope.credit_firms(Enterprise.objects.all())
    if unit_id is not None:
        firms = firms.filter(reporting_unit_id=unit_id)
    valid = Qualification.objects.held_on(on).filter(enterprise=OuterRef("enterprise"), kind="cq_tech")
    # the kv-credit result of each firm in the run (packed in its screening standing)
    graded = KeyTextTransform("grade", KeyTransform("x", KeyTransform(EDITION, "results")))
    results = (Standing.objects.filter(run=run, results__has_key=EDITION, enterprise__in=firms.values("pk"))
               .annotate(eligible=Exists(valid), grade=graded).defer("results")
               .select_related("enterprise__reporting_unit")
               .order_by(F("eligible").desc(), F("grade").asc(nulls_last=True), "enterprise__name", "pk"))
    rows = []
    for r in results[offset : offset + limit]:
        grade = r.grade if r.eligible else None
        rows.append(GradeRow(r.enterprise.uscc, r.enterprise.name, r.enterprise.reporting_unit.name, grade,
                             r.eligible, CREDIT_LINES.get(grade or "", 0)))
    return results.count(), rows


@dataclass(frozen=True)
class FirmCredit:
    """What a firm's page shows of the scheme: its standing and the loans the reader may see."""

    standing: CreditStanding
    loans: list[Loan]  # annotated with ``owed``


def firm_credit(*, scope: Scope, enterprise: Enterprise, on: dt.date | None = None) -> FirmCredit | None:
    """A firm's grade, line and loans for its page; ``None`` when the reader's role sees no credit."""
    try:
        _require_read(scope)
        s = standing(scope=scope, uscc=enterprise.uscc, on=on)
    except (PermissionDenied, Enterprise.DoesNotExist):
        return None
    visible = with_outstanding(loans(scope=scope).filter(enterprise=enterprise))
    return FirmCredit(s, list(visible))


# ---------------------------------------------------------------- the fund and the circuit breaker


@dataclass(frozen=True)
class FundSummary:
    unit: ReportingUnit
    contributions: int
    compensations: int
    recoveries: int
    city_balance: int
    district_balance: int
    granted: int  # principal of every loan granted in the unit
    compensated: int  # compensation paid for the unit's loans

    @property
    def balance(self) -> int:
        return self.contributions - self.compensations + self.recoveries

    @property
    def loss_ratio(self) -> Fraction:
        return Fraction(self.compensated, self.granted) if self.granted else Fraction(0)


def _sum_by_kind(unit_id: int) -> dict[str, tuple[int, int, int]]:
    rows = FundEntry.objects.filter(reporting_unit_id=unit_id).values("kind").annotate(
        a=Sum("amount"), c=Sum("city_part"), d=Sum("district_part"))
    return {r["kind"]: (r["a"] or 0, r["c"] or 0, r["d"] or 0) for r in rows}


def _summary(unit: ReportingUnit) -> FundSummary:
    k = _sum_by_kind(unit.pk)
    zero = (0, 0, 0)
    con, com, rec = (k.get(x, zero) for x in FundEntry.Kind.values)
    granted = Loan.objects.filter(reporting_unit=unit).aggregate(s=Sum("amount"))["s"] or 0
    return FundSummary(unit, con[0], com[0], rec[0], con[1] - com[1] + rec[1], con[2] - com[2] + rec[2],
                       granted, com[0])


def fund(*, scope: Scope, unit_id: int) -> FundSummary:
    """A unit's fund: contributions, compensations, recoveries, balance (and each level's part)."""
    unit = units_visible(scope=scope).filter(pk=unit_id).first()
    if unit is None:
        raise PermissionDenied(_("You may only see your own unit's fund."))
    return _summary(unit)


def funds(*, scope: Scope) -> list[FundSummary]:
    """Every visible unit that has a fund entry or a loan."""
    active = set(FundEntry.objects.values_list("reporting_unit_id", flat=True)) | set(
        Loan.objects.values_list("reporting_unit_id", flat=True))
    return [_summary(u) for u in units_visible(scope=scope).filter(pk__in=active)]


def breaker_tripped(*, unit_id: int) -> bool:
    """熔断: the unit's loss ratio (compensated ÷ granted principal) passes the bureau's threshold."""
    unit = ReportingUnit.objects.get(pk=unit_id)
    return _summary(unit).loss_ratio > Fraction(policy().breaker_loss_ratio)


@dataclass(frozen=True)
class BreakerState:
    """The circuit breaker of one unit: its loss ratio against the bureau's threshold."""

    unit: ReportingUnit
    loss_ratio: Fraction
    threshold: Decimal
    granted: int
    compensated: int

    @property
    def tripped(self) -> bool:
        return self.loss_ratio > Fraction(self.threshold)


def breaker_states(*, scope: Scope, unit_id: int | None = None) -> list[BreakerState]:
    """The breaker of every visible unit with a loan or a fund entry (or of one visible unit)."""
    threshold = policy().breaker_loss_ratio
    summaries = [fund(scope=scope, unit_id=unit_id)] if unit_id is not None else funds(scope=scope)
    return [BreakerState(s.unit, s.loss_ratio, threshold, s.granted, s.compensated) for s in summaries]


def ledger(*, scope: Scope, unit_id: int) -> QuerySet:
    """The fund entries of a unit the scope may see, oldest first."""
    fund(scope=scope, unit_id=unit_id)  # refuses another unit's fund
    return FundEntry.objects.filter(reporting_unit_id=unit_id).select_related("loan__enterprise").order_by(
        "entry_on", "pk")


def contribute(*, scope: Scope, unit_id: int, amount: int, on: dt.date, user=None, memo: str = "") -> FundEntry:
    """Money paid into a unit's fund by the two levels of government, split city 4 : district 6."""
    scope.require("credit.contribute")
    if amount <= 0 or amount >= MAX_YUAN:
        raise CreditError(f"出资金额应大于0且小于{_money(MAX_YUAN)}")
    city, district = city_district(amount)
    return FundEntry.objects.create(reporting_unit_id=unit_id, kind=FundEntry.Kind.CONTRIBUTION, amount=amount,
                                    city_part=city, district_part=district, entry_on=on, memo=memo[:200],
                                    recorded_by=user)


# ---------------------------------------------------------------- loans


def _check_day(day: dt.date, today: dt.date, what: str) -> None:
    if day > today:
        raise CreditError(f"{what}晚于今天")


@transaction.atomic
def grant_loan(*, scope: Scope, uscc: str, amount: int, annual_rate: Decimal, granted_on: dt.date,
               due_on: dt.date, user=None, today: dt.date | None = None) -> Loan:
    """Record a loan by the officer's bank, within the firm's available line and the unit's breaker."""
    scope.require("credit.lend")
    bank = scope.bank
    today = today or timezone.localdate()
    if not isinstance(amount, int) or amount <= 0 or amount >= MAX_YUAN:
        raise CreditError(f"贷款金额应大于0且小于{_money(MAX_YUAN)}")
    if not (Decimal(0) < annual_rate <= MAX_RATE):
        raise CreditError(f"年利率应大于0且不超过{percent(MAX_RATE)}")
    _check_day(granted_on, today, "放款日期")
    if due_on <= granted_on:
        raise CreditError("到期日应晚于放款日期")
    if due_on > one_year_after(granted_on):
        raise CreditError(f"贷款期限不得超过一年（到期日最晚为{one_year_after(granted_on):%Y-%m-%d}）")
    firm = Enterprise.objects.select_for_update().get(pk=_firm_for(scope, uscc).pk)
    s = standing(scope=scope, uscc=firm.uscc, on=granted_on)
    if not s.eligible:
        raise CreditError("该企业在放款日没有有效的重庆市科技型企业入库登记，不能申请知识价值信用贷款")
    if not s.grade:
        raise CreditError("该企业未达到知识价值信用评价E级，没有授信额度")
    if amount > s.available:
        raise CreditError(f"贷款金额{_money(amount)}超过可用授信额度{_money(s.available)}"
                          f"（{s.grade}级额度{_money(s.credit_line)}，未还本金{_money(s.outstanding)}）")
    if breaker_tripped(unit_id=firm.reporting_unit_id):
        raise CreditError(f"{firm.reporting_unit.name}风险补偿基金已触发熔断（代偿损失率超过"
                          f"{percent(policy().breaker_loss_ratio)}），暂停新增贷款")
    return Loan.objects.create(
        enterprise=firm, reporting_unit_id=firm.reporting_unit_id, bank=bank, amount=amount,
        annual_rate=annual_rate, lpr_at_grant=policy().lpr_one_year, granted_on=granted_on, due_on=due_on,
        grade=s.grade, credit_line=s.credit_line, recorded_by=user,
    )


@transaction.atomic
def record_repayment(*, scope: Scope, loan_id: int, principal: int, interest: int, paid_on: dt.date, user=None,
                     today: dt.date | None = None) -> Repayment:
    loan = _own_loan(scope, loan_id)
    today = today or timezone.localdate()
    if loan.status != Loan.Status.ACTIVE:
        raise CreditError("该贷款已结清或已代偿，不能再登记还款")
    if principal < 0 or interest < 0 or principal + interest == 0:
        raise CreditError("还款本金和利息不能为负数，且不能都为0")
    if interest >= MAX_YUAN:
        raise CreditError(f"还款利息应小于{_money(MAX_YUAN)}")
    _check_day(paid_on, today, "还款日期")
    if paid_on < loan.granted_on:
        raise CreditError("还款日期早于放款日期")
    owed = outstanding(loan)
    if principal > owed:
        raise CreditError(f"还款本金{_money(principal)}超过未还本金{_money(owed)}")
    repayment = Repayment.objects.create(loan=loan, paid_on=paid_on, principal=principal, interest=interest,
                                         recorded_by=user)
    if principal == owed:
        loan.status = Loan.Status.REPAID
        loan._history_user = user
        loan.save(update_fields=["status"])
    return repayment


@transaction.atomic
def record_default(*, scope: Scope, loan_id: int, on: dt.date, user=None, today: dt.date | None = None) -> Default:
    """An overdue loan: the unit's fund compensates 80% of the overdue principal, split city 4 : district 6."""
    loan = _own_loan(scope, loan_id)
    today = today or timezone.localdate()
    _check_day(on, today, "登记日期")
    if loan.status != Loan.Status.ACTIVE:
        raise CreditError("该贷款已结清或已代偿")
    if on <= loan.due_on:
        raise CreditError(f"贷款到期日为{loan.due_on:%Y-%m-%d}，尚未逾期")
    owed = outstanding(loan)
    fund_part, bank_part = compensation_for(owed)
    city, district = city_district(fund_part)
    default = Default.objects.create(loan=loan, recorded_on=on, overdue_principal=owed, compensation=fund_part,
                                     bank_share=bank_part, city_share=city, district_share=district,
                                     recorded_by=user)
    if fund_part:
        FundEntry.objects.create(reporting_unit_id=loan.reporting_unit_id, kind=FundEntry.Kind.COMPENSATION,
                                 amount=fund_part, city_part=city, district_part=district, entry_on=on, loan=loan,
                                 memo=f"代偿 {loan.enterprise.name}", recorded_by=user)
    loan.status = Loan.Status.COMPENSATED
    loan._history_user = user
    loan.save(update_fields=["status"])
    return default


def recovered(loan: Loan) -> int:
    return loan.fund_entries.filter(kind=FundEntry.Kind.RECOVERY).aggregate(s=Sum("amount"))["s"] or 0


@transaction.atomic
def record_recovery(*, scope: Scope, loan_id: int, amount: int, on: dt.date, user=None,
                    today: dt.date | None = None) -> FundEntry:
    """Money recovered after a compensation flows back to the fund, at most what the fund paid."""
    loan = _own_loan(scope, loan_id)
    today = today or timezone.localdate()
    _check_day(on, today, "追偿日期")
    if loan.status != Loan.Status.COMPENSATED:
        raise CreditError("只有已代偿的贷款才能登记追偿")
    left = loan.default.compensation - recovered(loan)
    if amount <= 0 or amount > left:  # (left is at most what the fund paid: within the columns)
        raise CreditError(f"追偿金额应大于0且不超过尚未收回的代偿款{_money(left)}")
    city, district = city_district(amount)
    return FundEntry.objects.create(reporting_unit_id=loan.reporting_unit_id, kind=FundEntry.Kind.RECOVERY,
                                    amount=amount, city_part=city, district_part=district, entry_on=on, loan=loan,
                                    memo=f"追偿 {loan.enterprise.name}", recorded_by=user)
