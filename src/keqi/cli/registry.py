"""Registry verbs: import, export, template, uscc, adduser."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from .django_setup import setup

console = Console()
err = Console(stderr=True)

STAGES = {"read": "读取文件", "check": "逐行校验", "plan": "比对现有数据", "write": "写入数据库"}


def scope_of(username: str | None):
    from keqi.accounts.scope import SYSTEM, scope_for

    if not username:
        return SYSTEM, None
    from django.contrib.auth import get_user_model

    try:
        user = get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        err.print(f"[red]没有用户 {username}[/red]")
        raise typer.Exit(2) from None
    return scope_for(user), user


def import_reason(path: Path) -> str:
    """Why the rows changed, for their history: the file, and who ran the command when no ``--as`` user is given."""
    import getpass

    try:
        account = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        account = "?"
    return f"命令行导入 {path.name}（系统账户 {account}）"


def import_file(path: Path, *, dry_run: bool = False, username: str | None = None, quiet: bool = False):
    """Import through the one import flow, with a progress bar; returns the result."""
    from keqi.registry import flows

    scope, user = scope_of(username)
    with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
                  console=err, disable=quiet, transient=True) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(STAGES[stage], total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        return flows.run_import(path=path, scope=scope, user=user, dry_run=dry_run, progress=progress,
                                reason=import_reason(path))


def print_errors(errors, path: Path, *, max_errors: int = 50) -> None:
    """The first errors of a file as a table: sheet, row, column, value, reason; a file refused as a
    whole (unreadable, over a limit: row 0) as one line."""
    if len(errors) == 1 and errors[0].row == 0:
        err.print(f"错误：{path.name}：{errors[0].reason}（未做任何修改）", soft_wrap=True, markup=False,
                  highlight=False)
        return
    table = Table(title=f"{path.name}：{len(errors)} 处错误，未做任何修改", show_lines=False)
    for col in ("工作表", "行", "列", "值", "原因"):
        table.add_column(col)
    for e in errors[:max_errors]:
        table.add_row(e.sheet, str(e.row), e.column, "" if e.value is None else str(e.value), e.reason)
    err.print(table)
    if len(errors) > max_errors:
        err.print(f"……另有 {len(errors) - max_errors} 处错误未列出")


def print_result(result, path: Path, *, dry_run: bool) -> None:
    s = result.summary()
    if result.errors:
        print_errors(result.errors, path)
        return
    verb = "将" if dry_run else "已"
    console.print(
        f"{path.name}：{s['rows']} 行。企业 {verb}新增 {s['enterprises']['created']}、{verb}更新 "
        f"{s['enterprises']['updated']}、未变 {s['enterprises']['unchanged']}；年报 {verb}新增 "
        f"{s['reports']['created']}、{verb}更新 {s['reports']['updated']}、未变 {s['reports']['unchanged']}；资质 "
        f"{verb}新增 {s['qualifications']['created']}、{verb}更新 {s['qualifications']['updated']}、未变 "
        f"{s['qualifications']['unchanged']}。" + ("（试运行，未写入）" if dry_run else "")
    )


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_(
        file: Path = typer.Argument(..., exists=True, dir_okay=False, help="An .xlsx, .csv or .parquet file in the template's format."),
        dry_run: bool = typer.Option(False, "--dry-run", help="Check and report what would change; write nothing."),
        as_user: str = typer.Option(None, "--as", help="Import with this user's rights (default: the whole city)."),
    ) -> None:
        """Import enterprises, annual reports and qualifications: all rows or none."""
        setup()
        result = import_file(file, dry_run=dry_run, username=as_user)
        print_result(result, file, dry_run=dry_run)
        raise typer.Exit(1 if result.errors else 0)

    @app.command()
    def export(
        output: Path = typer.Option(..., "-o", "--output", help="Where to write (.xlsx, .csv or .parquet)."),
        unit: str = typer.Option(None, help="Only this reporting unit (name or GB/T 2260 code)."),
        as_user: str = typer.Option(None, "--as", help="Export what this user may see (default: the whole city)."),
    ) -> None:
        """Export the registry in the import format (export → import changes nothing)."""
        setup()
        from keqi.registry import exporting, services

        scope, _ = scope_of(as_user)
        filters = services.EnterpriseFilter()
        if unit:
            unit_id = services.unit_lookup().get(unit)
            if unit_id is None:
                err.print(f"[red]未知的区县或功能区：{unit}[/red]")
                raise typer.Exit(2)
            filters = services.EnterpriseFilter(unit_id=unit_id)
        with console.status("导出中…"):
            frames = services.export_frames(scope=scope, queryset=services.enterprises(scope=scope, filters=filters))
            exporting.write_export(output, frames)
        rows = frames["企业年报"].height
        console.print(f"已导出 {rows} 行到 {output}")

    @app.command()
    def template(output: Path = typer.Option(Path("企业年报导入模板.xlsx"), "-o", "--output")) -> None:
        """Write the empty import template (.xlsx) with a sheet of instructions."""
        from keqi.registry import exporting

        exporting.write_template(output)
        console.print(f"模板已写入 {output}")

    @app.command()
    def uscc(codes: list[str] = typer.Argument(..., help="One or more 统一社会信用代码.")) -> None:
        """Check 统一社会信用代码 against GB 32100-2015 and GB 11714 (exit 1 if any is invalid)."""
        from keqi.policy.uscc import normalise, uscc_faults

        bad = 0
        for raw in codes:
            faults = uscc_faults(normalise(raw))
            if faults:
                bad += 1
                console.print(f"[red]✗[/red] {raw}：" + "；".join(f.message for f in faults))
            else:
                console.print(f"[green]✓[/green] {normalise(raw)}")
        raise typer.Exit(1 if bad else 0)

    @app.command()
    def adduser(
        username: str,
        role: str = typer.Option(..., help="city_admin, district_officer, enterprise_user, bank_officer or contract_registrar"),
        unit: str = typer.Option(None, help="Reporting unit (name or code), for district officers and registrars."),
        enterprise: str = typer.Option(None, help="USCC of the enterprise, for enterprise users."),
        organisation: str = typer.Option("", help="The bank (for bank officers) or registry office."),
        password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    ) -> None:
        """Create or update a user with a role."""
        setup()
        from keqi.accounts import services as accounts
        from keqi.registry import services as registry

        try:
            user = accounts.ensure_user(
                username=username, password=password, role=role, organisation=organisation,
                unit_id=registry.unit_id_of(unit) if unit else None,
                enterprise_id=registry.enterprise_id_of(enterprise) if enterprise else None)
        except ValueError as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from None
        console.print(f"用户 {user.username} 已就绪（{user.membership.get_role_display()}）")

    token_app = typer.Typer(help="API tokens (Authorization: Bearer …).", no_args_is_help=True)
    app.add_typer(token_app, name="token")

    @token_app.command("create")
    def token_create(username: str, name: str = typer.Option("cli", help="What the token is for.")) -> None:
        """Create an API token for a user and print it (it is shown only this once)."""
        setup()
        from django.contrib.auth import get_user_model

        from keqi.accounts.tokens import create_token

        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            err.print(f"[red]没有用户 {username}[/red]")
            raise typer.Exit(2)
        _, key = create_token(user=user, name=name)
        console.print(key, soft_wrap=True)

    @token_app.command("revoke")
    def token_revoke(username: str, prefix: str) -> None:
        """Revoke a user's token by the first characters shown after kq_."""
        setup()
        from django.contrib.auth import get_user_model

        from keqi.accounts.tokens import revoke

        user = get_user_model().objects.filter(username=username).first()
        n = revoke(user=user, prefix=prefix) if user else 0
        console.print(f"已撤销 {n} 个令牌")
        raise typer.Exit(0 if n else 1)

