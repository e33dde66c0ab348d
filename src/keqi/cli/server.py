"""Running KeQi: migrate, serve (web server + task worker), worker, demo, manage."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import typer
from rich.console import Console

from .django_setup import setup

console = Console()
log = logging.getLogger("keqi.server")



def _migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


WORKER_COMMAND = (sys.executable, "-m", "keqi.cli.main", "worker")


def _how_it_ended(code: int) -> str:
    if code < 0:
        try:
            return f"被信号 {signal.Signals(-code).name} 终止"
        except ValueError:
            return f"被信号 {-code} 终止"
    return f"退出码 {code}"


def _worker_died(pid: int) -> dict[str, int]:
    """What the dead worker was doing is marked failed (registry/background.py); its database connection closed."""
    from django.db import connection

    from keqi.registry.background import runner_id, stop_abandoned

    try:
        return stop_abandoned(runner=runner_id(pid))
    finally:
        connection.close()


class WorkerSupervisor:
    """Runs the task worker in a child process and starts it again when it dies.

    A worker that dies (killed, out of memory, ``os._exit`` in a task) has what it was doing marked
    failed (``on_death``), and a new one starts after 1, 2, 4 … seconds (at most ``max_delay``; back to
    1 s once a worker has lived longer than ``healthy_after``). Everything is logged in Chinese.
    """

    def __init__(self, *, command: Sequence[str] = WORKER_COMMAND, max_delay: float = 60.0,
                 healthy_after: float = 60.0,
                 on_death: Callable[[int], dict[str, int]] = _worker_died) -> None:
        self.command = list(command)
        self.max_delay = max_delay
        self.healthy_after = healthy_after
        self.on_death = on_death
        self.proc: subprocess.Popen | None = None
        self.restarts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="keqi-worker-supervisor", daemon=True)
        self._thread.start()

    def _spawn(self) -> subprocess.Popen | None:
        with self._lock:
            if self._stopping.is_set():
                return None
            self.proc = subprocess.Popen(self.command)
            return self.proc

    def _run(self) -> None:
        delay = 1.0
        while True:
            proc = self._spawn()
            if proc is None:
                return
            started = time.monotonic()
            code = proc.wait()
            # Ctrl+C reaches the worker too, maybe before the server sets _stopping: a moment's grace
            if self._stopping.wait(0.5):
                return
            try:
                marked = self.on_death(proc.pid)
            except Exception as exc:  # the database may be down too: still restart the worker
                log.error("后台任务进程退出后，标记其未完成的工作时出错：%s", exc)
                marked = {}
            if time.monotonic() - started > self.healthy_after:
                delay = 1.0
            done = "；".join(f"{name} {n} 项标记为失败" for name, n in marked.items()) or "没有进行中的工作"
            log.warning("后台任务进程（pid %s）意外退出（%s），%s；%g 秒后重启。", proc.pid, _how_it_ended(code), done,
                        delay)
            if self._stopping.wait(delay):
                return
            self.restarts += 1
            delay = min(delay * 2, self.max_delay)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop supervising and end the worker (SIGTERM, then SIGKILL after ``timeout`` seconds)."""
        with self._lock:
            self._stopping.set()
            proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._thread is not None:
            self._thread.join(timeout=timeout)


def _interrupt_abandoned() -> None:
    """At a process's start: work left running by a process that no longer exists is marked interrupted."""
    from keqi.registry.background import stop_abandoned

    for name, n in stop_abandoned().items():
        log.warning("上次未完成的%s %s 项已标记为“已中断”，可重新运行。", name, n)


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

    _interrupt_abandoned()
    supervisor = None
    if worker:
        from django.conf import settings

        supervisor = WorkerSupervisor(max_delay=settings.KEQI_WORKER_RESTART_MAX_SECONDS)
        supervisor.start()
    threading.Thread(target=_prepare_evaluation, name="keqi-prepare", daemon=True).start()
    # A plain `kill` (SIGTERM) must also stop the worker: turn it into SystemExit so `finally` runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    console.print(f"KeQi 已启动：[bold]http://{host}:{port}/[/bold]（Ctrl+C 停止）")
    try:
        waitress_serve(application, host=host, port=port, threads=8, ident="keqi")
    finally:
        if supervisor is not None:
            supervisor.stop()


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

        from keqi.registry.background import runner_id

        _interrupt_abandoned()
        console.print(f"后台任务进程已启动（{runner_id()}），等待导入、导出和筛选任务。", highlight=False)
        # No auto-reloader (its default under KEQI_DEBUG): the tasks run in this process, the one `runner` names.
        # (The library's own log lines, for the operator, stay as they are: a task's outcome is on its row.)
        call_command("db_worker", interval=0.5, worker_id=runner_id(), reload=False)

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

        from keqi.policy.formats import count
        from keqi.synth import demo as demomod

        started = time.monotonic()
        with console.status("迁移数据库…"):
            _migrate()
        console.print(f"迁移完成（{time.monotonic() - started:.0f} 秒）")
        config = demomod.Demo(scale=settings.KEQI_DEMO_SCALE, seed=seed, today=timezone.localdate(),
                              home=Path(settings.KEQI_HOME))
        console.print(f"演示数据按实际规模的 {demomod.scale_label(config.scale)} 生成：{count(config.firms)} 家企业")
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
