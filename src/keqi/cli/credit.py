"""Knowledge-value credit verbs: ``keqi credit grade|loan|repay|default|recover|loans|funds|contribute``.

Thin over :mod:`keqi.credit.services`, with the same role rules as the pages: loans, repayments,
defaults and recoveries are recorded ``--as`` a bank officer (the loan's bank is the officer's);
contributions by the city (the default operator). Money in integer yuan; dates YYYY-MM-DD.
Exit status 0 on success, 1 when a rule or a role refuses, 2 for a bad argument.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

import typer

from .django_setup import setup
from .registry import console, err, scope_of

DATE = ["%Y-%m-%d"]
AS_BANK = "Act as this user (a bank officer records loans of its own bank)."
AS_USER = "With this user's rights (default: the whole city)."


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


def _refusals(action: Callable):
    """Run a service call; a rule's or a role's refusal exits 1 with the reason."""
    from django.core.exceptions import PermissionDenied

    from keqi.credit.services import CreditError
    from keqi.registry.models import Enterprise

    try:
        return action()
    except CreditError as exc:
        err.print(f"[red]{exc}[/red]")
    except PermissionDenied as exc:
        err.print(f"[red]{exc}[/red]")
    except Enterprise.DoesNotExist:
        err.print("[red]登记库中没有该统一社会信用代码的企业（或不在您的权限范围内）[/red]")
    raise typer.Exit(1)


def _unit_id(unit: str) -> int:
    from keqi.registry.services import unit_lookup

    unit_id = unit_lookup().get(unit)
    if unit_id is None:
        err.print(f"[red]未知的区县或功能区：{unit}[/red]")
        raise typer.Exit(2)
    return unit_id


def _print_loan(loan_id: int, scope) -> None:
    from keqi.credit import services
    from keqi.policy.formats import wan

    loan = services.with_outstanding(services.loans(scope=scope)).get(pk=loan_id)
    console.print(f"贷款 {loan.pk}：{loan.enterprise.name}（{loan.enterprise.uscc}）· {loan.bank} · "
                  f"{loan.grade}级 · 本金 {loan.amount} 元（{wan(loan.amount)} 万元）· 未还本金 {loan.owed} 元 · "
                  f"{loan.granted_on:%Y-%m-%d} 至 {loan.due_on:%Y-%m-%d} · {loan.get_status_display()}")
    default = getattr(loan, "default", None) if loan.status == loan.Status.COMPENSATED else None
    if default is not None:
        console.print(f"逾期本金 {default.overdue_principal} 元：风险补偿基金代偿 {default.compensation} 元"
                      f"（市级 {default.city_share} 元、区县 {default.district_share} 元），银行承担 "
                      f"{default.bank_share} 元；已追回 {services.recovered(loan)} 元")


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Knowledge-value credit loans (知识价值信用贷款): grades, loans, repayments, "
                             "defaults, risk funds.", no_args_is_help=True)
    app.add_typer(group, name="credit")

    @group.command()
    def grade(
        uscc: str = typer.Argument(..., help="The firm's 统一社会信用代码."),
        on: dt.datetime = typer.Option(None, formats=DATE, help="Day of the look-up (default today)."),
        as_user: str = typer.Option(None, "--as", help=AS_USER),
    ) -> None:
        """A firm's eligibility, grade, credit line, outstanding principal and available line."""
        setup()
        from keqi.credit import services

        scope, _ = scope_of(as_user)
        s = _refusals(lambda: services.standing(scope=scope, uscc=uscc, on=_day(on)))
        if not s.eligible:
            console.print(f"{s.enterprise.name}：没有有效的科技型企业入库登记，不能申请知识价值信用贷款")
            return
        grade_text = f"{s.grade}级" if s.grade else "未达E级"
        console.print(f"{s.enterprise.name}（{s.enterprise.reporting_unit.name}）：{grade_text}，"
                      f"授信额度 {s.credit_line} 元，未还本金 {s.outstanding} 元，可用 {s.available} 元")

    @group.command()
    def loan(
        uscc: str = typer.Argument(..., help="The borrower's 统一社会信用代码."),
        amount: int = typer.Option(..., help="Principal in yuan."),
        rate: str = typer.Option(..., help="Annual rate as a decimal, e.g. 0.0310."),
        granted: dt.datetime = typer.Option(..., formats=DATE, help="Grant day."),
        due: dt.datetime = typer.Option(..., formats=DATE, help="Due day (at most one year after the grant)."),
        as_user: str = typer.Option(..., "--as", help=AS_BANK),
    ) -> None:
        """Record a loan of the officer's bank, within the firm's line and the unit's circuit breaker."""
        setup()
        from keqi.credit import services

        try:
            annual_rate = Decimal(rate)
        except InvalidOperation:
            err.print(f"[red]年利率应为小数，如 0.0310：{rate}[/red]")
            raise typer.Exit(2) from None
        scope, user = scope_of(as_user)
        created = _refusals(lambda: services.grant_loan(scope=scope, uscc=uscc, amount=amount,
                                                        annual_rate=annual_rate, granted_on=granted.date(),
                                                        due_on=due.date(), user=user))
        _print_loan(created.pk, scope)

    @group.command()
    def repay(
        loan_id: int = typer.Argument(..., help="The loan's number (keqi credit loans)."),
        principal: int = typer.Option(0, help="Principal repaid, yuan."),
        interest: int = typer.Option(0, help="Interest paid, yuan."),
        on: dt.datetime = typer.Option(..., formats=DATE, help="Day paid."),
        as_user: str = typer.Option(..., "--as", help=AS_BANK),
    ) -> None:
        """Record a repayment; the loan is repaid when no principal is left."""
        setup()
        from keqi.credit import services

        scope, user = scope_of(as_user)
        _refusals(lambda: services.record_repayment(scope=scope, loan_id=loan_id, principal=principal,
                                                    interest=interest, paid_on=on.date(), user=user))
        _print_loan(loan_id, scope)

    @group.command("default")
    def default_(
        loan_id: int = typer.Argument(..., help="The loan's number."),
        on: dt.datetime = typer.Option(..., formats=DATE, help="Day the loan is recorded overdue (after its due day)."),
        as_user: str = typer.Option(..., "--as", help=AS_BANK),
    ) -> None:
        """Record an overdue loan: the unit's fund compensates 80% of the overdue principal, city 4 : district 6."""
        setup()
        from keqi.credit import services

        scope, user = scope_of(as_user)
        _refusals(lambda: services.record_default(scope=scope, loan_id=loan_id, on=on.date(), user=user))
        _print_loan(loan_id, scope)

    @group.command()
    def recover(
        loan_id: int = typer.Argument(..., help="The loan's number."),
        amount: int = typer.Option(..., help="Recovered, yuan (at most what the fund paid)."),
        on: dt.datetime = typer.Option(..., formats=DATE, help="Day recovered."),
        as_user: str = typer.Option(..., "--as", help=AS_BANK),
    ) -> None:
        """Record money recovered after compensation; it flows back to the fund."""
        setup()
        from keqi.credit import services

        scope, user = scope_of(as_user)
        _refusals(lambda: services.record_recovery(scope=scope, loan_id=loan_id, amount=amount, on=on.date(),
                                                   user=user))
        _print_loan(loan_id, scope)

    @group.command()
    def loans(
        status: str = typer.Option(None, help="active, repaid or compensated."),
        unit: str = typer.Option(None, help="Only this reporting unit (name or GB/T 2260 code)."),
        as_user: str = typer.Option(None, "--as", help=AS_USER),
    ) -> None:
        """The loans this user may see (a bank officer: its own bank's), newest first."""
        setup()
        from rich.table import Table

        from keqi.credit import services

        scope, _ = scope_of(as_user)
        qs = services.with_outstanding(_refusals(lambda: services.loans(scope=scope)))
        if status:
            qs = qs.filter(status=status)
        if unit:
            qs = qs.filter(reporting_unit_id=_unit_id(unit))
        table = Table(title="知识价值信用贷款（元）")
        for col in ("编号", "企业", "区县", "银行", "等级", "本金", "未还本金", "放款日", "到期日", "状态"):
            table.add_column(col)
        count = 0
        for x in qs:
            count += 1
            table.add_row(str(x.pk), x.enterprise.name, x.reporting_unit.name, x.bank, x.grade, str(x.amount),
                          str(x.owed), f"{x.granted_on:%Y-%m-%d}", f"{x.due_on:%Y-%m-%d}", x.get_status_display())
        console.print(table)
        console.print(f"共 {count} 笔")

    @group.command()
    def funds(as_user: str = typer.Option(None, "--as", help=AS_USER)) -> None:
        """Each visible unit's risk fund: balance with the city's and the district's parts, loss ratio, breaker."""
        setup()
        from rich.table import Table

        from keqi.credit import services
        from keqi.policy.formats import percent

        scope, _ = scope_of(as_user)
        summaries = _refusals(lambda: services.funds(scope=scope))
        states = {s.unit.pk: s for s in services.breaker_states(scope=scope)}
        table = Table(title=f"风险补偿基金（元）· 熔断阈值 {percent(services.policy().breaker_loss_ratio)}（非官方设置）")
        for col in ("区县", "出资", "代偿", "追偿", "余额", "其中市级", "其中区县", "放款本金", "代偿损失率", "熔断"):
            table.add_column(col)
        for s in summaries:
            tripped = states[s.unit.pk].tripped
            table.add_row(s.unit.name, str(s.contributions), str(s.compensations), str(s.recoveries), str(s.balance),
                          str(s.city_balance), str(s.district_balance), str(s.granted), percent(s.loss_ratio),
                          "已熔断" if tripped else "正常")
        console.print(table)

    @group.command()
    def contribute(
        unit: str = typer.Argument(..., help="The reporting unit (name or GB/T 2260 code)."),
        amount: int = typer.Option(..., help="Contribution, yuan (split city 4 : district 6)."),
        on: dt.datetime = typer.Option(..., formats=DATE, help="Day paid in."),
        memo: str = typer.Option("", help="A note kept with the entry."),
        as_user: str = typer.Option(None, "--as", help=AS_USER),
    ) -> None:
        """Record money paid into a unit's risk fund (the city administrator)."""
        setup()
        from keqi.credit import services

        scope, user = scope_of(as_user)
        entry = _refusals(lambda: services.contribute(scope=scope, unit_id=_unit_id(unit), amount=amount,
                                                      on=on.date(), user=user, memo=memo))
        console.print(f"已记入 {unit} 风险补偿基金 {entry.amount} 元（市级 {entry.city_part} 元、区县 "
                      f"{entry.district_part} 元）")
