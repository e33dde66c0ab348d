"""Application and filing verbs: ``keqi applications …``, ``keqi filings …``, ``keqi publicity …``,
``keqi calendar …`` and ``keqi workflows``.

Thin over :mod:`keqi.applications.services` with the same role rules as the pages: ``--as USER`` acts
as that user (a firm's user, a district officer, the city administrator); without it the trusted
operator acts as the city. Dates YYYY-MM-DD. Exit status 0 on success, 1 when a rule or a role
refuses (or another user changed the case first), 2 for a bad argument.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import typer
from rich.table import Table

from .django_setup import setup
from .registry import console, err, scope_of

DATE = ["%Y-%m-%d"]
AS_USER = "Act as this user (default: the city, as the trusted operator)."


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


def _refusals(action: Callable):
    from django.core.exceptions import PermissionDenied

    from keqi.applications import services
    from keqi.applications.attachments import AttachmentRefused
    from keqi.applications.models import AnnualFiling, Application, PublicityBatch
    from keqi.registry.models import Enterprise

    try:
        return action()
    except (services.WorkflowError, AttachmentRefused, PermissionDenied) as exc:
        err.print(f"[red]{exc or '您无权办理该事项。'}[/red]")
    except (Application.DoesNotExist, AnnualFiling.DoesNotExist, Enterprise.DoesNotExist,
            PublicityBatch.DoesNotExist):
        err.print("[red]没有该记录，或不在您的权限范围内。[/red]")
    raise typer.Exit(1)


def _user(scope, user):
    """The acting user (the city's first administrator when the operator acts as the city)."""
    if user is not None:
        return user
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if admin is None:
        err.print("[red]没有可用的市科技局管理员账号，请用 --as 指定用户。[/red]")
        raise typer.Exit(2)
    return admin


def _print_app(app) -> None:
    from keqi.applications import services

    st = services.standing(app)
    console.print(f"申报 {app.pk}：{app.enterprise.name}（{app.enterprise.uscc}）· {app.title} · {app.reporting_unit.name}"
                  f" · {st.label}" + (f" · 待{st.waiting_label}" if st.open else "")
                  + (f" · 期限 {app.due_on:%Y-%m-%d}" if app.due_on else "") + (f" · 编号 {app.number}" if app.number
                                                                                else ""))


def register(app: typer.Typer) -> None:  # noqa: C901 - one place that lists the verbs
    apps = typer.Typer(help="Applications (申报): list, show, start, take a step, bulk steps, attach files.",
                       no_args_is_help=True)
    filings = typer.Typer(help="Annual filings (年度填报): list, fill from a file, submit, missing filers, "
                               "reminders, the filing window.", no_args_is_help=True)
    publicity = typer.Typer(help="公示 batches: open, list, conclude.", no_args_is_help=True)
    calendar = typer.Typer(help="The working-day calendar: show a year, sync the shipped arrangements.",
                           no_args_is_help=True)
    app.add_typer(apps, name="applications")
    app.add_typer(filings, name="filings")
    app.add_typer(publicity, name="publicity")
    app.add_typer(calendar, name="calendar")

    @apps.command("list")
    def app_list(
        programme: str = typer.Option("", help="cq-tech, tsme, hnte, srdi, little-giant"),
        phase: str = typer.Option("", help="district, city, site_check, publicity, objection, closed …"),
        overdue: bool = typer.Option(False, help="Only those past their deadline."),
        limit: int = typer.Option(50, min=1, max=10_000),
        as_user: str = typer.Option(None, "--as", help=AS_USER),
    ) -> None:
        """Applications the user may read, newest change first."""
        setup()
        from keqi.applications import services

        scope, _ = scope_of(as_user)
        f = services.ApplicationFilter(programme=programme, phase=phase, overdue=overdue)
        qs = services.applications(scope=scope, filters=f).order_by("-updated_at", "-id")
        table = Table(title=f"申报（共 {qs.count()} 件）")
        for col in ("编号", "企业", "统一社会信用代码", "项目", "区县", "状态", "待办方", "期限"):
            table.add_column(col)
        for a in qs[:limit]:
            st = services.standing(a)
            table.add_row(str(a.pk), a.enterprise.name, a.enterprise.uscc, a.title, a.reporting_unit.name, st.label,
                          st.waiting_label if st.open else "—", f"{a.due_on:%Y-%m-%d}" if a.due_on else "—")
        console.print(table)

    @apps.command("show")
    def app_show(application_id: int, as_user: str = typer.Option(None, "--as", help=AS_USER)) -> None:
        """One application with its history and the steps the user may take now."""
        setup()
        from keqi.applications import services

        scope, _ = scope_of(as_user)
        a = _refusals(lambda: services.application(scope=scope, pk=application_id))
        _print_app(a)
        for e in services.events(case=a):
            console.print(f"  {e.at:%Y-%m-%d %H:%M} {e.user or '系统'} {e.action} {e.from_state or '—'} → "
                          f"{e.to_state} {e.reason}")
        acts = services.actions_for(scope=scope, case=a)
        if acts:
            console.print("可办理：" + "、".join(f"{t.key}（{t.label}）" for t in acts))

    @apps.command("start")
    def app_start(
        programme: str,
        uscc: str = typer.Option(None, help="The firm (default: the user's own firm)."),
        as_user: str = typer.Option(..., "--as", help="The firm's user (or an officer for a tracked programme)."),
    ) -> None:
        """Open an application (a draft)."""
        setup()
        from django.utils import timezone

        from keqi.applications import services
        from keqi.registry.models import Enterprise

        scope, user = scope_of(as_user)

        def start():
            firm_id = (scope.enterprises(Enterprise.objects.all()).get(uscc=uscc.upper()).pk if uscc
                       else scope.enterprise_id)
            if not firm_id:
                raise services.WorkflowError("请用 --uscc 指定企业。")
            return services.start_application(scope=scope, user=user, enterprise_id=firm_id, programme=programme,
                                              today=timezone.localdate())

        _print_app(_refusals(start))

    @apps.command("act")
    def app_act(
        application_id: int,
        action: str,
        reason: str = typer.Option("", help="The reason (required to return, refuse, revoke …)."),
        number: str = typer.Option(None, help="Certificate or registration number (recording an outcome)."),
        valid_from: dt.datetime = typer.Option(None, formats=DATE),
        valid_to: dt.datetime = typer.Option(None, formats=DATE),
        batch: int = typer.Option(None, help="公示 batch id (action publish)."),
        as_user: str = typer.Option(None, "--as", help=AS_USER),
    ) -> None:
        """Take one step (ACTION is a transition key: see ``keqi workflows``)."""
        setup()
        from keqi.applications import flows, services
        from keqi.applications.models import PublicityBatch

        scope, user = scope_of(as_user)
        user = _user(scope, user)
        inputs = {k: v for k, v in {"number": number, "valid_from": _day(valid_from), "valid_to": _day(valid_to)}
                  .items() if v}

        def step():
            a = services.application(scope=scope, pk=application_id)
            if batch:
                inputs["batch"] = PublicityBatch.objects.get(pk=batch)
            if action == "object":
                flows.record_objection(scope=scope, user=user, application=a, received_on=dt.date.today(),
                                          content=reason)
            elif action in ("dismiss_objection", "uphold_objection"):
                flows.resolve_objection(scope=scope, user=user, application=a,
                                           upheld=action == "uphold_objection", resolution=reason)
            else:
                flows.act(scope=scope, user=user, case=a, action=action, reason=reason, inputs=inputs)
            return services.application(scope=scope, pk=application_id)

        _print_app(_refusals(step))

    @apps.command("bulk")
    def app_bulk(
        programme: str,
        action: str,
        ids: list[int] = typer.Argument(None, help="Application ids (or --in-batch)."),
        in_batch: int = typer.Option(None, help="Every application of this 公示 batch."),
        batch: int = typer.Option(None, help="The 公示 batch to list them in (action publish)."),
        reason: str = typer.Option(""),
        as_user: str = typer.Option(None, "--as", help=AS_USER),
    ) -> None:
        """One step for many applications at once."""
        setup()
        from keqi.applications import flows
        from keqi.applications.models import PublicityBatch

        scope, user = scope_of(as_user)
        user = _user(scope, user)
        if not ids and not in_batch:
            err.print("[red]请给出申报编号，或用 --in-batch 指定公示批次。[/red]")
            raise typer.Exit(2)

        def run():
            inputs = {"batch": PublicityBatch.objects.get(pk=batch)} if batch else {}
            target = PublicityBatch.objects.get(pk=in_batch) if in_batch else None
            return flows.bulk_act(scope=scope, user=user, programme=programme, action=action, ids=ids or None,
                                     batch=target, reason=reason, inputs=inputs)

        result = _refusals(run)
        console.print(f"已办理 {len(result.done)} 件。" + "".join(result.reasons))

    @apps.command("attach")
    def app_attach(
        application_id: int,
        path: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
        label: str = typer.Option(..., help="材料名称"),
        as_user: str = typer.Option(..., "--as", help="The firm's user."),
    ) -> None:
        """Attach a PDF or PNG/JPEG image (checked by content and size)."""
        setup()
        from django.core.files import File

        from keqi.applications import services

        scope, user = scope_of(as_user)
        with path.open("rb") as fh:
            upload = File(fh, name=path.name)
            att = _refusals(lambda: services.add_attachment(scope=scope, user=user, application=services.application(
                scope=scope, pk=application_id), uploaded=upload, label=label))
        console.print(f"已上传：{att.label}（{att.content_type}，{att.size} 字节）")

    # ---------------------------------------------------------------- filings

    @filings.command("list")
    def filing_list(year: int = typer.Option(None), state: str = typer.Option(""),
                    limit: int = typer.Option(50, min=1, max=10_000),
                    as_user: str = typer.Option(None, "--as", help=AS_USER)) -> None:
        """Filings the user may read."""
        setup()
        from keqi.applications import services

        scope, _ = scope_of(as_user)
        qs = services.filings(scope=scope, fiscal_year=year, state=state).order_by("-fiscal_year", "-updated_at")
        table = Table(title=f"年度填报（共 {qs.count()} 份）")
        for col in ("编号", "企业", "区县", "年度", "状态"):
            table.add_column(col)
        for f in qs[:limit]:
            table.add_row(str(f.pk), f.enterprise.name, f.reporting_unit.name, str(f.fiscal_year), f.state_label)
        console.print(table)

    @filings.command("fill")
    def filing_fill(
        year: int,
        entries: Path = typer.Argument(..., exists=True, dir_okay=False, help="JSON: field → value as typed (万元)."),
        submit: bool = typer.Option(False, help="Submit when the figures pass the checks."),
        as_user: str = typer.Option(..., "--as", help="The firm's user."),
    ) -> None:
        """Fill (and with --submit, submit) the firm's filing for YEAR from a JSON file of typed entries."""
        setup()
        from django.utils import timezone

        from keqi.applications import flows, services

        scope, user = scope_of(as_user)
        try:
            data = json.loads(entries.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError
        except (ValueError, UnicodeDecodeError):
            err.print("[red]文件应为 JSON 对象：栏目 → 填写值。[/red]")
            raise typer.Exit(2) from None

        def fill():
            filing = services.open_filing(scope=scope, user=user, enterprise_id=scope.enterprise_id or 0,
                                          fiscal_year=year, today=timezone.localdate())
            filing, check = services.save_entries(scope=scope, user=user, filing=filing,
                                                  entries={k: str(v) for k, v in data.items()})
            return filing, check

        filing, check = _refusals(fill)
        for field_name, reasons in check.errors.items():
            err.print(f"[red]{field_name}：{'；'.join(reasons)}[/red]")
        if check.errors:
            raise typer.Exit(1)
        if submit:
            _refusals(lambda: flows.act(scope=scope, user=user, case=filing, action="submit"))
        console.print(f"{year}年度填报：{filing.state_label}")

    @filings.command("act")
    def filing_act(filing_id: int, action: str, reason: str = typer.Option(""),
                   as_user: str = typer.Option(None, "--as", help=AS_USER)) -> None:
        """A step on a filing: submit (the firm), return (with a reason) or accept (district or city)."""
        setup()
        from keqi.applications import flows, services

        scope, user = scope_of(as_user)
        user = _user(scope, user)
        f = _refusals(lambda: flows.act(scope=scope, user=user, case=services.filing(scope=scope, pk=filing_id),
                                           action=action, reason=reason))
        console.print(f"{f.fiscal_year}年度填报（{f.enterprise.name}）：{f.state_label}")

    @filings.command("missing")
    def filing_missing(year: int, remind: bool = typer.Option(False, help="Also remind them (in KeQi and by e-mail)."),
                       as_user: str = typer.Option(None, "--as", help=AS_USER)) -> None:
        """Firms that must file YEAR and have not, per unit."""
        setup()
        from django.utils import timezone

        from keqi.applications import services

        scope, _ = scope_of(as_user)
        m = _refusals(lambda: services.missing_filings(scope=scope, fiscal_year=year, today=timezone.localdate()))
        table = Table(title=f"{year}年度未填报企业" + ("（已截止）" if m.overdue else ""))
        for col in ("区县", "应填报", "已提交", "未填报"):
            table.add_column(col)
        for r in m.by_unit:
            table.add_row(r["unit"], str(r["expected"]), str(r["filed"]), str(r["missing"]))
        console.print(table)
        if remind:
            n = services.remind(scope=scope, fiscal_year=year, today=timezone.localdate())
            console.print(f"已提醒 {n} 位企业用户。")

    @filings.command("window")
    def filing_window(year: int, opens_on: dt.datetime = typer.Option(..., formats=DATE),
                      closes_on: dt.datetime = typer.Option(..., formats=DATE),
                      as_user: str = typer.Option(None, "--as", help=AS_USER)) -> None:
        """Set the filing window of YEAR (the city administrator)."""
        setup()
        from keqi.applications import services

        scope, user = scope_of(as_user)
        w = _refusals(lambda: services.set_filing_window(scope=scope, user=user, fiscal_year=year,
                                                         opens_on=opens_on.date(), closes_on=closes_on.date()))
        console.print(str(w))

    # ---------------------------------------------------------------- 公示 batches

    @publicity.command("open")
    def batch_open(opens_on: dt.datetime = typer.Option(..., formats=DATE),
                   days: int = typer.Option(None, help="Working days (default: the definition's)."),
                   programme: str = typer.Option("cq-tech"), title: str = typer.Option(""),
                   as_user: str = typer.Option(None, "--as", help=AS_USER)) -> None:
        """Open a 公示 batch."""
        setup()
        from keqi.applications import services

        scope, user = scope_of(as_user)
        user = _user(scope, user)
        b = _refusals(lambda: services.open_batch(scope=scope, user=user, programme=programme,
                                                  opens_on=opens_on.date(), working_days=days, title=title))
        console.print(f"批次 {b.pk}：{b.title}，{b.opens_on:%Y-%m-%d} 至 {b.closes_on:%Y-%m-%d}（{b.working_days}个工作日）"
                      + (f"。{b.calendar_note}" if b.calendar_note else ""))

    @publicity.command("list")
    def batch_list(as_user: str = typer.Option(None, "--as", help=AS_USER)) -> None:
        setup()
        from keqi.applications import services

        scope, _ = scope_of(as_user)
        for b in _refusals(lambda: list(services.batches(scope=scope)[:200])):
            console.print(f"{b.pk}  {b.title}  {b.opens_on:%Y-%m-%d}–{b.closes_on:%Y-%m-%d}  {b.n} 家  "
                          f"{b.get_status_display()}")

    @publicity.command("conclude")
    def batch_conclude(batch_id: int, as_user: str = typer.Option(None, "--as", help=AS_USER)) -> None:
        """After the window: register the batch's firms without objection (numbers issued)."""
        setup()
        from django.utils import timezone

        from keqi.applications import flows, services

        scope, user = scope_of(as_user)
        user = _user(scope, user)
        result = _refusals(lambda: flows.conclude_batch(scope=scope, user=user,
                                                           batch=services.batches(scope=scope).get(pk=batch_id),
                                                           today=timezone.localdate()))
        console.print(f"{len(result.done)} 家企业入库。" + "".join(result.reasons))

    # ---------------------------------------------------------------- calendar and definitions

    @calendar.command("show")
    def calendar_show(year: int) -> None:
        """A year's holidays and adjusted working days, and whether they are confirmed."""
        setup()
        from keqi.applications.models import CalendarYear

        cy = CalendarYear.objects.filter(year=year).first()
        if cy is None:
            console.print(f"{year}年：无安排（按双休日计算）")
            return
        console.print(f"{year}年：{'已核实' if cy.confirmed else '未核实'} · {cy.document or '—'}")
        for d in cy.days.all():
            console.print(f"  {d.day:%Y-%m-%d} {d.get_kind_display()} {d.name}")

    @calendar.command("sync")
    def calendar_sync(replace_edited: bool = typer.Option(False, help="Also overwrite years the city edited.")) -> None:
        """Copy the arrangements shipped with KeQi into the database (new years; edited years are kept)."""
        setup()
        from keqi.applications import services

        console.print(f"已写入 {services.sync_calendar(replace_edited=replace_edited)} 个年度。")

    @app.command("workflows")
    def workflows_show(workflow_id: str = typer.Argument(None, help="One definition (default: list them).")) -> None:
        """The workflow definitions (states, steps, who acts, deadlines, sources) as JSON."""
        from keqi.policy import workflows

        if workflow_id is None:
            for w in workflows.all_workflows():
                console.print(f"{w.id}  {w.title}  {'KeQi 审核' if w.decided_in_keqi else '外部认定，平台跟踪'}")
            return
        try:
            console.print_json(json.dumps(workflows.get(workflow_id).describe(), ensure_ascii=False))
        except KeyError as exc:
            err.print(f"[red]{exc.args[0]}[/red]")
            raise typer.Exit(2) from None
