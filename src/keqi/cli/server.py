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


def require_secret_key() -> None:
    """Production runs on a secret key of its own: without KEQI_SECRET_KEY (and not in KEQI_DEBUG) refuse."""
    from django.conf import settings

    if settings.INSECURE_KEY and not settings.DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("未设置 KEQI_SECRET_KEY：生产环境必须设置自己的密钥（如 python -c "
                                 "\"import secrets; print(secrets.token_urlsafe(50))\"），开发调试时可设 KEQI_DEBUG=1。"
                                 "见 docs/security.md")


def demo_secret_key(home: Path) -> str:
    """The demo's own key: random, kept in KEQI_HOME/demo/secret-key, and labelled as the demo's (it guards
    a demo on 127.0.0.1 with public passwords, nothing else)."""
    import secrets

    path = home / "demo" / "secret-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("keqi-demo-" + secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def _serve(host: str, port: int, worker: bool) -> None:
    from django.core.wsgi import get_wsgi_application
    from waitress import serve as waitress_serve

    application = get_wsgi_application()  # what keqi.wsgi gives other servers (Django is set up already)

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
        """Serve the web app (waitress) and its task worker (needs KEQI_SECRET_KEY unless KEQI_DEBUG=1)."""
        setup()
        require_secret_key()
        _serve(host, port, worker)

    @app.command()
    def demo(
        scale: str = typer.Option("", help="Share of the real city, e.g. 1/10 (default: KEQI_DEMO_SCALE, else 1/10)."),
        seed: int = typer.Option(2022, help="Seed of the synthetic population."),
        port: int = typer.Option(8000, help="Port to serve on."),
        serve_: bool = typer.Option(True, "--serve/--no-serve", help="Start the server when ready."),
    ) -> None:
        """Set up a demo on SQLite calibrated to Chongqing at a scale: migrate, run the demo's steps, serve."""
        import os
        from fractions import Fraction

        if scale:
            try:
                value = Fraction(scale.strip())
            except (ValueError, ZeroDivisionError):
                value = Fraction(0)
            if not 0 < value <= 1:
                raise typer.BadParameter("规模应为 0 到 1 之间的比例，如 1/10 或 0.1", param_hint="--scale")
            os.environ["KEQI_DEMO_SCALE"] = str(value)
        elif not os.environ.get("KEQI_DEMO_SCALE", "").strip():
            os.environ["KEQI_DEMO_SCALE"] = "1/10"  # every page then says the data are a tenth of the city
        if not os.environ.get("KEQI_SECRET_KEY"):  # the demo's own key (a demo key, labelled so), not the default
            home = Path(os.environ.get("KEQI_HOME", Path.cwd() / "var")).resolve()
            os.environ["KEQI_SECRET_KEY"] = demo_secret_key(home)
            console.print(f"演示用密钥：{home / 'demo' / 'secret-key'}（仅供演示，生产环境请设置 KEQI_SECRET_KEY）")
        setup()
        from django.conf import settings
        from django.utils import timezone

        from keqi.synth import demo as demomod

        started = time.monotonic()
        with console.status("迁移数据库…"):
            _migrate()
        console.print(f"迁移完成（{time.monotonic() - started:.0f} 秒）")
        config = demomod.Demo(scale=settings.KEQI_DEMO_SCALE, seed=seed, today=timezone.localdate(),
                              home=Path(settings.KEQI_HOME))
        console.print(f"演示数据按实际规模的 {demomod.scale_label(config.scale)} 生成：{config.firms} 家企业")
        done = {}
        for name, step in demomod.STEPS:
            step_started = time.monotonic()
            with console.status(demomod.STEP_LABELS[name] + "…") as status:
                try:
                    done[name] = step(config, lambda text, status=status: status.update(text))
                except demomod.DemoError as exc:
                    console.print(f"[red]{demomod.STEP_LABELS[name]}失败：{exc}[/red]")
                    raise typer.Exit(1) from None
            console.print(f"{demomod.STEP_LABELS[name]}：完成（{time.monotonic() - step_started:.0f} 秒）")
        console.print(f"演示数据已就绪（{time.monotonic() - started:.0f} 秒）。登录账号：")
        for line in done["accounts"]:
            console.print("  " + line, soft_wrap=True)
        if serve_:
            _serve("127.0.0.1", port, worker=True)

    @app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
    def manage(ctx: typer.Context) -> None:
        """Run a Django management command (e.g. ``keqi manage createsuperuser``)."""
        setup()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["keqi manage", *ctx.args])
