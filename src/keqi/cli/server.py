"""Running KeQi: migrate, serve (web server + task worker), worker, demo, manage."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import typer
from rich.console import Console

from .django_setup import setup

console = Console()

DEMO_ACCOUNTS = (
    # username, role, unit, organisation, description
    ("city-admin", "city_admin", None, "", "市科技局管理员（全市）"),
    ("yubei-officer", "district_officer", "渝北区", "", "渝北区科技部门工作人员"),
    ("enterprise-user", "enterprise_user", None, "", "企业用户（渝北区的一家企业）"),
    ("bank-officer", "bank_officer", None, "示例合作银行", "合作银行工作人员（演示用的虚构银行）"),
    ("yubei-registrar", "contract_registrar", "渝北区", "渝北区技术合同登记点", "渝北区技术合同登记员"),
)
DEMO_PASSWORD = "keqi-demo-2026"


def _migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def _start_worker() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "keqi.cli.main", "worker"])


def _prepare_evaluation() -> None:
    """Compile and prepare the firm evaluation page's statements while the server starts."""
    from django.utils import timezone

    from keqi.screening import services

    try:
        services.prepare_evaluation(day=timezone.localdate())
    except Exception as exc:  # the pages still work, only slower the first time
        console.print(f"[yellow]预编译企业评价查询失败：{exc}[/yellow]")


def _serve(host: str, port: int, worker: bool) -> None:
    from waitress import serve as waitress_serve

    from keqi.wsgi import application

    proc = _start_worker() if worker else None
    threading.Thread(target=_prepare_evaluation, name="keqi-prepare", daemon=True).start()
    # A plain `kill` (SIGTERM) must also stop the worker: turn it into SystemExit so `finally` runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    console.print(f"KeQi 已启动：[bold]http://{host}:{port}/[/bold]（Ctrl+C 停止）")
    try:
        waitress_serve(application, host=host, port=port, threads=8, ident="keqi")
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _queue_demo_screening() -> None:
    """Queue a city-wide screening for the worker, unless one is complete or queued already."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from keqi.accounts.scope import SYSTEM
    from keqi.screening import flows, tasks
    from keqi.screening.models import ScreeningRun

    if ScreeningRun.objects.filter(reporting_unit__isnull=True).exclude(status=ScreeningRun.Status.FAILED).exists():
        return
    admin = get_user_model().objects.get(username=DEMO_ACCOUNTS[0][0])
    run = flows.request_screening(scope=SYSTEM, user=admin, assess_on=timezone.localdate(), unit_id=None)
    tasks.run_screening.enqueue(run.pk)
    console.print("已排队全市筛选，服务器的后台任务进程启动后约半分钟完成（见“筛选”页面）。")


def register(app: typer.Typer) -> None:
    @app.command()
    def migrate() -> None:
        """Create or upgrade the database (SQLite by default, or KEQI_DATABASE_URL)."""
        setup()
        _migrate(verbosity=1)

    @app.command()
    def worker() -> None:
        """Run the background task worker (imports, screenings)."""
        setup()
        from django.core.management import call_command

        call_command("db_worker", interval=0.5)

    @app.command()
    def serve(
        port: int = typer.Option(8000, help="Port to listen on."),
        host: str = typer.Option("127.0.0.1", help="Address to listen on."),
        worker: bool = typer.Option(True, help="Also run the task worker in a child process."),
    ) -> None:
        """Serve the web app (waitress) and its task worker."""
        setup()
        _serve(host, port, worker)

    @app.command()
    def demo(
        firms: int = typer.Option(10_000, help="Size of the synthetic population."),
        seed: int = typer.Option(2022, help="Seed of the synthetic population."),
        port: int = typer.Option(8000, help="Port to serve on."),
        serve_: bool = typer.Option(True, "--serve/--no-serve", help="Start the server when ready."),
    ) -> None:
        """Set up a demo on SQLite: migrate, generate and import a population, create logins, serve."""
        setup()
        from django.conf import settings

        from keqi.accounts.services import ensure_user
        from keqi.registry.models import Enterprise
        from keqi.synth import population as synth

        from .registry import import_file, print_result

        started = time.monotonic()
        with console.status("迁移数据库…"):
            _migrate()
        path = Path(settings.KEQI_HOME) / "demo" / f"population-{firms}-{seed}.xlsx"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            with console.status(f"生成 {firms} 家企业的模拟数据…"):
                tmp = path.with_suffix(".tmp.xlsx")
                synth.write(synth.generate(firms=firms, seed=seed), tmp)
                tmp.replace(path)
        result = import_file(path)
        print_result(result, path, dry_run=False)
        if result.errors:
            raise typer.Exit(1)
        firm = Enterprise.objects.filter(reporting_unit__name="渝北区", reports__isnull=False).order_by("uscc").first()
        lines = []
        for username, role, unit, organisation, label in DEMO_ACCOUNTS:
            uscc = firm.uscc if role == "enterprise_user" and firm else None
            ensure_user(username=username, password=DEMO_PASSWORD, role=role, unit=unit, uscc=uscc,
                        organisation=organisation)
            lines.append(f"  {username:<16} {DEMO_PASSWORD}  {label}" + (f"：{firm.name}" if uscc else ""))
        _queue_demo_screening()
        console.print(f"演示数据已就绪（{time.monotonic() - started:.0f} 秒）。登录账号：")
        for line in lines:
            console.print(line, soft_wrap=True)
        if serve_:
            _serve("127.0.0.1", port, worker=True)

    @app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
    def manage(ctx: typer.Context) -> None:
        """Run a Django management command (e.g. ``keqi manage createsuperuser``)."""
        setup()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["keqi manage", *ctx.args])
