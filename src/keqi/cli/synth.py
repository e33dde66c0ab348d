"""``keqi synth``: write a synthetic Chongqing population in the import format (no Django needed)."""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

err = Console(stderr=True)
out = Console(highlight=False, soft_wrap=True)


class Format(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    parquet = "parquet"


def output_path(output: Path, fmt: Format | None) -> Path:
    """The file to write: ``--format`` adds a missing suffix and must agree with a given one."""
    suffix = output.suffix.lower().lstrip(".")
    if fmt is None:
        if suffix not in {f.value for f in Format}:
            raise typer.BadParameter(
                "无法从文件后缀判断格式，请使用 .xlsx、.csv 或 .parquet，或指定 --format", param_hint="-o"
            )
        return output
    if not suffix:
        return output.with_suffix(f".{fmt.value}")
    if suffix != fmt.value:
        raise typer.BadParameter(f"文件后缀 .{suffix} 与 --format {fmt.value} 不一致", param_hint="--format")
    return output


def register(app: typer.Typer) -> None:
    @app.command("synth")
    def synth(
        output: Annotated[
            Path, typer.Option("-o", "--output", help="Output file (.xlsx, .csv or .parquet).")
        ],
        firms: Annotated[int, typer.Option("--firms", min=1, help="Number of enterprises.")] = 1000,
        seed: Annotated[
            int, typer.Option("--seed", help="Random seed: the same seed gives the same data.")
        ] = 0,
        years: Annotated[
            int, typer.Option("--years", min=1, max=10, help="Fiscal years per enterprise.")
        ] = 3,
        last_year: Annotated[
            int, typer.Option("--last-year", min=1990, max=2100, help="Last fiscal year.")
        ] = 2025,
        fmt: Annotated[
            Format | None, typer.Option("--format", help="xlsx, csv or parquet; default: the suffix of -o.")
        ] = None,
    ) -> None:
        """Generate a synthetic population of Chongqing enterprises (calibrated to the 2022 base)."""
        from keqi.synth import population as synthmod

        path = output_path(output, fmt)
        started = time.perf_counter()
        with err.status(f"正在生成 {firms} 家企业的合成数据…"):
            population = synthmod.generate(firms, seed, years=years, last_year=last_year)
        with err.status(f"正在写入 {path.name}…"):
            path.parent.mkdir(parents=True, exist_ok=True)
            synthmod.write(population, path)
        elapsed = time.perf_counter() - started
        quals = f"、{population.qualifications.height} 条资质" if path.suffix.lower() == ".xlsx" else ""
        out.print(
            f"已生成 {population.firms} 家企业、{population.reports.height} 行年报{quals} → {path}（{elapsed:.1f} 秒）"
        )
