"""Screening verbs: keqi screen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .django_setup import setup

console = Console()
err = Console(stderr=True)


def _day(text: str | None) -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        err.print(f"[red]日期格式应为 YYYY-MM-DD：{text}[/red]")
        raise typer.Exit(2) from None


@contextmanager
def _file_screen_errors(name: str) -> Iterator[None]:
    """A file screen's refusal (exit 2) or interruption (exit 130): said once, and no result file written."""
    from keqi.screening.flatfile import FileError

    try:
        yield
    except FileError as exc:
        err.print(f"[red]{name}：{exc}[/red]")
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        err.print("[yellow]已中断：未写入结果文件。[/yellow]")
        raise typer.Exit(130) from None


def register(app: typer.Typer) -> None:
    @app.command()
    def screen(
        file: str = typer.Argument(None, help="Screen this file (import format, or a Parquet file of flat rows) instead "
                                              "of the registry; with --engine spark also a folder of flat Parquet "
                                              "files or a URL Spark reads (hdfs://…, s3a://…)."),
        output: str = typer.Option(None, "-o", "--output",
                                   help="Write the results (.xlsx, .csv or .parquet; with --engine spark and flat "
                                        "rows also a folder or a URL)."),
        on: str = typer.Option(None, "--on", help="Assessment day YYYY-MM-DD (default: today)."),
        unit: str = typer.Option(None, help="Only this reporting unit (name or GB/T 2260 code)."),
        as_user: str = typer.Option(None, "--as", help="Screen with this user's rights (default: the whole city)."),
        engine: str = typer.Option("duckdb", help="duckdb (in-process) or spark (local, or KEQI_SPARK_MASTER)."),
        all_gaps: bool = typer.Option(False, "--all-gaps",
                                      help="Search gap plans for every edition, not only the one deciding the next tier."),
    ) -> None:
        """Judge every firm against every edition and rank the candidates for the next tier.

        Without FILE it screens the registry and stores the results for the web app (a run that is
        interrupted leaves the previous results in place); with FILE it screens the file only.
        """
        setup()
        assess_on = _day(on)
        from keqi.screening.screens import ENGINES

        if engine not in ENGINES:
            err.print(f"[red]未知的计算引擎：{engine}（可选 duckdb、spark）[/red]")
            raise typer.Exit(2)
        if file is not None:
            _screen_file(file, output, assess_on, engine, all_gaps)
            return
        _screen_registry(Path(output) if output else None, assess_on, unit, as_user, engine, all_gaps)

    @app.command()
    def flatten(
        file: str = typer.Argument(..., help="A file in the import format (.xlsx, .csv or .parquet)."),
        output: str = typer.Option(..., "-o", "--output", help="The flat rows as Parquet (.parquet)."),
        on: str = typer.Option(None, "--on", help="Assessment day YYYY-MM-DD the rows describe (default: today)."),
    ) -> None:
        """Write the flat rows of a file in the import format (one row per firm, as judged on the day, with
        the qualifications held that day), which `keqi screen FLAT.parquet --on DAY` screens fastest."""
        setup()
        _flatten(file, output, on)


def _flatten(source: str, target: str, on: str | None) -> None:
    from keqi.screening.files import flatten_file
    from keqi.screening.flatfile import FileError

    from .registry import print_errors

    assess_on = _day(on)
    file = Path(source)
    try:
        with console.status(f"展平 {file.name} …"):
            firms, errors = flatten_file(file, target, assess_on=assess_on)
    except FileError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        err.print("[yellow]已中断：未写入结果文件。[/yellow]")
        raise typer.Exit(130) from None
    if errors:
        print_errors(errors, file)
        raise typer.Exit(1)
    console.print(f"{file.name}：{firms} 家企业，评价日 {assess_on}，逐行宽表已写入 {target}"
                  f"（可用 keqi screen {Path(target).name} --on {assess_on} 筛选）")


def _screen_flat(file: Path, output: Path | None, assess_on: dt.date, all_gaps: bool) -> None:
    """A Parquet file of flat rows: streamed through the engine, the editions in force on the day, each
    firm's tier and next-tier candidacy, gap plans for the next tier's editions (all with --all-gaps)."""
    import pyarrow.parquet as pq

    from keqi.screening import flatfile

    ladder = _ladder_or_exit()
    _arrow_memory_for_batches()
    total = pq.ParquetFile(file).metadata.num_rows
    with Progress(TextColumn("筛选"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                  transient=True) as bar:
        task = bar.add_task("screen", total=total)
        with _file_screen_errors(file.name):
            summary = flatfile.screen_flat_parquet(file, output, assess_on=assess_on, ladder=ladder,
                                                   all_gaps=all_gaps,
                                                   progress=lambda done: bar.update(task, completed=done))
    _print_flat_summary(file.name, summary, output, assess_on)


def _arrow_memory_for_batches() -> None:
    """This process screens one file: Arrow's memory comes from jemalloc and freed pages are kept for 10 s.

    Arrow's default allocator (mimalloc) hands freed 4 MiB segments back to the kernel at once, and the
    next batch faults them in again, zeroed as huge pages: screening 1,000,000 firms spent 2.3–2.6 s of
    system time so, against 1.1–1.2 s. ``ARROW_DEFAULT_MEMORY_POOL``, when set, is left as it is."""
    import os

    import pyarrow as pa

    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    try:
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:  # an Arrow built without jemalloc keeps its default
        return
    pa.set_memory_pool(pool)
    pa.jemalloc_set_decay_ms(10_000)


def _ladder_or_exit():
    """The city's tiers, as the registry screen uses them. A database never migrated is the CLI's one
    line (keqi.cli.main.explain: 数据库尚未建立或版本过旧); a migrated one without tiers says so here."""
    from keqi.pipeline.models import LadderTier
    from keqi.pipeline.services import current_ladder

    try:
        return current_ladder()
    except LadderTier.DoesNotExist:
        err.print("[red]错误：没有梯次设置：请先运行 keqi migrate（数据库见 KEQI_HOME / KEQI_DATABASE_URL）[/red]")
        raise typer.Exit(1) from None


def _print_flat_summary(name: str, summary, output, assess_on: dt.date) -> None:
    table = Table(title=f"{name}：{summary.firms} 家企业，评价日 {assess_on}"
                        + (f"，结果已写入 {output}" if output else ""))
    table.add_column("评价标准")
    for label in ("符合", "待定", "不符合"):
        table.add_column(label, justify="right")
    for edition, counts in summary.counts.items():
        table.add_row(edition, *(str(counts.get(v, 0)) for v in ("eligible", "uncertain", "ineligible")))
    console.print(table)
    basis = {"qualifications": "资质列（qualifications）", "certificate_fields": "宽表中的证书字段",
             "none": "无资质信息（列为储备）"}
    console.print("当前梯次依据：" + "；".join(f"{basis[k]} {n} 家" for k, n in summary.tier_from.items() if n))


def _screen_file(source: str, target: str | None, assess_on: dt.date, engine: str, all_gaps: bool = False) -> None:
    from keqi.screening import screens
    from keqi.screening.flatfile import FileError

    try:
        kind = screens.kind_of(source, engine=engine)
        screens.check_output(kind, target)
    except FileError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    if kind == "spark":
        _screen_flat_spark(source, target, assess_on, all_gaps)
        return
    output = Path(target) if target else None
    file = Path(source)
    if kind == "flat":
        _screen_flat(file, output, assess_on, all_gaps)
        return
    from keqi.screening.files import screen_file, write_result

    from .registry import print_errors

    with console.status(f"筛选 {file.name} …"):
        _arrow_memory_for_batches()
        with _file_screen_errors(file.name):
            frame, errors = screen_file(file, assess_on=assess_on, engine=engine, all_gaps=all_gaps,
                                        ladder=_ladder_or_exit())
    if errors:
        print_errors(errors, file)
        raise typer.Exit(1)
    if output:
        write_result(output, frame)
    console.print(f"{file.name}：{frame.height} 家企业，评价日 {assess_on}" + (f"，结果已写入 {output}" if output else ""))


def _screen_flat_spark(source: str, output: str | None, assess_on: dt.date, all_gaps: bool) -> None:
    """Flat Parquet rows read, judged and written by Spark (master: KEQI_SPARK_MASTER, else local[*]):
    a ….parquet file with a local master, else a Parquet folder (a path or a URL of the cluster's storage)."""
    from keqi.policy.spark import session
    from keqi.screening import sparkfile

    ladder = _ladder_or_exit()
    with console.status(f"Spark 筛选 {source} …"):
        spark = session()
        spark.sparkContext.setLogLevel("ERROR")
        with _file_screen_errors(source):
            summary = sparkfile.screen_flat_spark(source, output, assess_on=assess_on, ladder=ladder,
                                                  all_gaps=all_gaps, spark=spark)
    _print_flat_summary(Path(source).name or source, summary, output, assess_on)


def _screen_registry(output: Path | None, assess_on: dt.date, unit: str | None, as_user: str | None,
                     engine: str, all_gaps: bool) -> None:
    from keqi.registry import services as registry
    from keqi.screening import exporting, flows, services

    from .registry import scope_of

    scope, user = scope_of(as_user)
    unit_id = None
    if unit:
        unit_id = registry.unit_lookup().get(unit)
        if unit_id is None:
            err.print(f"[red]未知的区县或功能区：{unit}[/red]")
            raise typer.Exit(2)
    with Progress(TextColumn("筛选"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                  transient=True) as bar:
        task = bar.add_task("screen", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            run = flows.run_screening(scope=scope, assess_on=assess_on, unit_id=unit_id, user=user, progress=progress,
                                      engine=engine, all_gaps=all_gaps)
        except KeyboardInterrupt:
            err.print("[yellow]已中断：本次结果已丢弃，之前的筛选结果保持不变。[/yellow]")
            raise typer.Exit(130) from None
    table = Table(title=f"筛选完成：{run.firms} 家企业，评价日 {run.assess_on}（第 {run.pk} 次）")
    table.add_column("评价标准")
    for label in ("符合", "待定", "不符合"):
        table.add_column(label, justify="right")
    for edition, counts in services.verdict_counts(run=run).items():
        table.add_row(edition, *(str(counts.get(v, 0)) for v in ("eligible", "uncertain", "ineligible")))
    console.print(table)
    if output:
        found = services.candidate_list(scope=scope, filters=services.CandidateFilter(unit_id=unit_id), run=run)
        frame = exporting.candidate_frame(found.rows(found.standings))
        exporting.write_candidates(output, frame)
        console.print(f"候选企业 {frame.height} 家，已按接近程度排序写入 {output}")
