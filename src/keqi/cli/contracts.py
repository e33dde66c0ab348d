"""Contract verbs: ``keqi contracts import|export|template|turnover`` (one Typer group)."""

from __future__ import annotations

from pathlib import Path

import typer

from .django_setup import setup
from .registry import console, err, import_reason, print_errors, scope_of


def _unit_id(unit: str | None) -> int | None:
    if not unit:
        return None
    from keqi.registry.services import unit_lookup

    unit_id = unit_lookup().get(unit)
    if unit_id is None:
        err.print(f"[red]未知的区县或功能区：{unit}[/red]")
        raise typer.Exit(2)
    return unit_id


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Technology contracts (技术合同认定登记): import, export, template, turnover.",
                        no_args_is_help=True)
    app.add_typer(group, name="contracts")

    @group.command("import")
    def import_(
        file: Path = typer.Argument(..., exists=True, dir_okay=False, help="An .xlsx or .csv file in the contract template's format."),
        dry_run: bool = typer.Option(False, "--dry-run", help="Check and report what would change; write nothing."),
        as_user: str = typer.Option(None, "--as", help="Import with this user's rights (default: the whole city)."),
    ) -> None:
        """Import registered contracts: all rows or none; the registration number is the key."""
        setup()
        from keqi.contracts import flows

        scope, user = scope_of(as_user)
        result = flows.run_import(path=file, scope=scope, user=user, dry_run=dry_run, reason=import_reason(file))
        if result.errors:
            print_errors(result.errors, file)
            raise typer.Exit(1)
        s = result.summary()
        verb = "将" if dry_run else "已"
        console.print(f"{file.name}：{s['rows']} 行。合同{verb}新增 {s['created']}、{verb}更新 {s['updated']}、"
                      f"未变 {s['unchanged']}。" + ("（试运行，未写入）" if dry_run else ""))

    @group.command()
    def export(
        output: Path = typer.Option(..., "-o", "--output", help="Where to write (.xlsx, .csv or .parquet)."),
        year: int = typer.Option(None, help="Only contracts registered in this year."),
        unit: str = typer.Option(None, help="Only this registering unit (name or GB/T 2260 code)."),
        as_user: str = typer.Option(None, "--as", help="Export what this user may see (default: the whole city)."),
    ) -> None:
        """Export contracts in the import format (export → import changes nothing)."""
        setup()
        from keqi.contracts import exporting, services

        scope, _ = scope_of(as_user)
        filters = services.ContractFilter(year=year, unit_id=_unit_id(unit))
        frame = services.export_frame(scope=scope, queryset=services.contracts(scope=scope, filters=filters))
        exporting.write_export(output, frame)
        console.print(f"已导出 {frame.height} 份合同到 {output}")

    @group.command()
    def template(output: Path = typer.Option(Path("技术合同导入模板.xlsx"), "-o", "--output")) -> None:
        """Write the empty contract template (.xlsx) with a sheet of instructions."""
        from keqi.contracts import exporting

        exporting.write_template(output)
        console.print(f"模板已写入 {output}")

    @group.command()
    def turnover(
        year: int = typer.Option(..., help="Registration year."),
        by: str = typer.Option("unit", help="month, unit, category or field."),
        unit: str = typer.Option(None, help="Only this registering unit."),
        as_user: str = typer.Option(None, "--as", help="With this user's rights (default: the whole city)."),
    ) -> None:
        """技术合同成交额 of a year (registered contracts), broken down, in 万元."""
        setup()
        from rich.table import Table

        from keqi.contracts import services
        from keqi.policy.formats import wan

        scope, _ = scope_of(as_user)
        unit_id = _unit_id(unit)
        try:
            rows = services.turnover_by(scope=scope, year=year, by=by, unit_id=unit_id)
        except ValueError as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from None
        table = Table(title=f"{year} 年技术合同成交额（万元）")
        for col in (by, "合同数", "合同成交额", "技术交易额"):
            table.add_column(col)
        for r in rows:
            table.add_row(str(r["key"] or "—"), str(r["contracts"]), wan(r["contract_amount"]),
                          wan(r["technical_amount"]))
        console.print(table)
        console.print(f"合计：{wan(services.turnover(scope=scope, year=year, unit_id=unit_id))} 万元")
