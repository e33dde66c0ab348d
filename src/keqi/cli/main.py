"""The ``keqi`` command: thin fronts over the services, one module per group of verbs.

Exit status is 0 only on full success, so scripts can rely on it. Every expected failure — a bad
argument (2), a refusal, a rule or integrity error, a missing file, a database that is not migrated
or not reachable (1), an interruption (130) — prints one line in Chinese on standard error;
``keqi --debug VERB …`` prints the Python traceback instead. :class:`KeqiGroup` is the one place
where that happens.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from contextlib import suppress

# numpy's OpenBLAS starts a thread per core that spins while idle; no verb does linear algebra, and the
# screens run their own threads (1.3 % of a million-firm file screen's CPU went to that spinning).
# Set before anything imports numpy; a value given in the environment is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import typer  # noqa: E402
from typer._click import exceptions as click  # noqa: E402  (typer's own copy of click's exceptions)
from typer.core import TyperGroup  # noqa: E402

# Each verb, in the order of ``keqi --help``, and the module that registers it (``register(app)``). A
# verb's module is imported when the verb runs: ``keqi evaluate`` does not import the rich tables,
# progress bars and Django helpers of the other verbs, nor build their commands (~0.1 s of its start).
VERBS = {
    "migrate": "server", "worker": "server", "serve": "server", "demo": "server", "manage": "server",
    "import": "registry", "export": "registry", "template": "registry", "uscc": "registry",
    "adduser": "registry", "counts": "counts", "synth": "synth", "schema": "policy", "evaluate": "policy",
    "screen": "screening", "flatten": "screening", "workflows": "applications", "token": "registry",
    "editions": "policy", "contracts": "contracts", "credit": "credit", "applications": "applications",
    "filings": "applications", "publicity": "applications", "calendar": "applications",
}


def _usage(exc: click.UsageError) -> str:
    """A command-line mistake in Chinese (click's own words are English)."""
    import re

    hint = getattr(exc, "param_hint", None)
    param = getattr(exc, "param", None)
    if not hint and param is not None:
        hint = "/".join(getattr(param, "opts", None) or []) or getattr(param, "name", "") or ""
        hint = hint.upper() if hint and not hint.startswith("-") else hint
    if isinstance(hint, (list, tuple)):
        hint = "/".join(hint)
    hint = str(hint).replace("'", "").replace('"', "") if hint else ""
    command = exc.ctx.command_path if exc.ctx else "keqi"
    if isinstance(exc, click.NoSuchOption):
        near = f"（是否想用 {'、'.join(exc.possibilities)}？）" if exc.possibilities else ""
        text = f"没有选项 {exc.option_name}{near}"
    elif isinstance(exc, click.MissingParameter):
        text = f"缺少参数 {hint}" if hint else "缺少参数"
    elif isinstance(exc, click.BadParameter):
        message = exc.message
        for pattern, zh in ((r"valid integer", "不是整数"), (r"valid float|valid number", "不是数字"),
                            (r"valid date|datetime", "日期应写作 YYYY-MM-DD"),
                            (r"does not match the format", "日期应写作 YYYY-MM-DD"),
                            (r"does not exist", "不存在"), (r"is a directory", "是文件夹，不是文件"),
                            (r"is not one of|is not a valid choice", "不是可选值之一"),
                            (r"is not readable", "无法读取"), (r"is not writable", "无法写入")):
            if re.search(pattern, message):
                message = f"{zh}（{message}）" if "'" in message else zh
                break
        text = f"参数 {hint} 的值无效：{message}" if hint else f"参数的值无效：{message}"
    elif (m := re.match(r"No such command '(.+)'", exc.message)):
        text = f"没有命令 {m.group(1)}"
    elif (m := re.match(r"Got unexpected extra arguments? \((.+)\)", exc.message)):
        text = f"多余的参数：{m.group(1)}"
    elif "Missing command" in exc.message:
        text = "缺少命令"
    else:
        text = exc.message
    return f"{text}。用法见 {command} --help"


def explain(exc: BaseException) -> tuple[str, int]:
    """One line in Chinese for an expected failure, and the exit status."""
    text = " ".join(str(exc).split())
    name = type(exc).__name__
    if isinstance(exc, KeyboardInterrupt):
        return "已中断", 130
    if isinstance(exc, click.UsageError):
        return _usage(exc), 2
    if "django" in sys.modules:
        from django.core.exceptions import (
            ImproperlyConfigured,
            ObjectDoesNotExist,
            PermissionDenied,
            ValidationError,
        )
        from django.db import DatabaseError, IntegrityError

        if isinstance(exc, PermissionDenied):
            return f"无权执行：{text or '当前用户的角色不允许此操作'}", 1
        if isinstance(exc, ValidationError):
            return "数据不符合规则，未做任何修改：" + "；".join(exc.messages), 1
        if isinstance(exc, IntegrityError):
            return f"数据冲突，未做任何修改（可能另一个操作同时写入了同样的数据）：{text[:200]}", 1
        if isinstance(exc, DatabaseError):
            low = text.lower()
            if "no such table" in low or ("relation" in low and "does not exist" in low) or "no such column" in low:
                return "数据库尚未建立或版本过旧：请先运行 keqi migrate", 1
            if "database is locked" in low:
                return "数据库正忙（另一个进程正在写入），请稍后重试", 1
            if "connect" in low or "connection" in low:
                return f"无法连接数据库（KEQI_DATABASE_URL）：{text[:200]}", 1
            return f"数据库出错，未做任何修改：{text[:200]}", 1
        if isinstance(exc, ImproperlyConfigured):
            return f"配置有误：{text}", 1
        if isinstance(exc, ObjectDoesNotExist):
            return "没有找到要操作的对象（企业、贷款、用户……）", 1
    if isinstance(exc, FileNotFoundError):
        return f"找不到文件：{exc.filename or text}", 1
    if isinstance(exc, IsADirectoryError):
        return f"这是一个文件夹，不是文件：{exc.filename or text}", 1
    if isinstance(exc, PermissionError):
        return f"没有读写权限：{exc.filename or text}", 1
    if isinstance(exc, UnicodeError):
        return "文件不是 UTF-8 编码的文本（CSV 请另存为 UTF-8），或含有无法识别的字符", 1
    if isinstance(exc, MemoryError):
        return "内存不足：文件过大", 1
    if isinstance(exc, OSError):
        return f"读写文件出错：{exc.strerror or text}{'：' + str(exc.filename) if exc.filename else ''}", 1
    if isinstance(exc, ValueError) and type(exc).__module__.startswith("keqi.") and text:
        return text, 1  # the services' own rule errors (CreditError, ContractError, FileError …) speak Chinese
    return f"意外错误（{name}）：{text[:200]}。加 --debug 查看详细信息", 1


class KeqiGroup(TyperGroup):
    """Runs a verb; an exception becomes one Chinese line on standard error and a non-zero exit status
    (the traceback only with ``--debug``). The verbs' modules are imported on demand (``VERBS``): the
    one of the verb that runs, or all of them for the list of verbs (``keqi --help``)."""

    def _load(self, module: str) -> None:
        import importlib

        verbs = typer.Typer()

        @verbs.callback()
        def _group() -> None:  # a group of the module's verbs, whatever their number
            """The verbs of one module."""

        importlib.import_module(f"{__package__}.{module}").register(verbs)
        loaded = typer.main.get_group(verbs).commands
        expected = {name for name, owner in VERBS.items() if owner == module}
        if set(loaded) != expected:  # a verb added to a module but not to VERBS
            raise RuntimeError(f"keqi.cli.{module} registers {sorted(loaded)}, VERBS says {sorted(expected)}")
        for name, command in loaded.items():
            self.commands.setdefault(name, command)

    def get_command(self, ctx, cmd_name):
        if cmd_name not in self.commands and cmd_name in VERBS:
            self._load(VERBS[cmd_name])
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx):
        for module in dict.fromkeys(VERBS.values()):
            if any(self.commands.get(name) is None for name, owner in VERBS.items() if owner == module):
                self._load(module)
        self.commands = {name: self.commands[name] for name in VERBS}  # in VERBS' order whatever ran first
        return super().list_commands(ctx)

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            if "--debug" in args:
                raise
            self._fail(exc)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, click.NoArgsIsHelpError):
            raise
        except (Exception, KeyboardInterrupt) as exc:
            if ctx.params.get("debug"):
                raise
            self._fail(exc)

    @staticmethod
    def _fail(exc: BaseException):
        from rich.console import Console

        message, code = explain(exc)
        Console(stderr=True, soft_wrap=True).print(f"[red]错误：[/red]{message}", markup=True, highlight=False)
        raise typer.Exit(code) from None


app = typer.Typer(
    cls=KeqiGroup,
    name="keqi",
    help="KeQi 科企: the enterprise registry, the official criteria and the screening of technology enterprises.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)



@app.callback()
def _options(debug: bool = typer.Option(False, "--debug", help="出错时显示 Python 调用栈（给开发者）。")) -> None:
    """KeQi 科企: the enterprise registry, the official criteria and the screening of technology enterprises."""


def _before_exit() -> None:
    """At exit, once the other exit handlers have run: close Django's database connections, then spare
    the interpreter its search for reference cycles among the objects the libraries made (~140,000
    after a screen; it searched them while tearing the modules down, ~0.3 s of a short command). The
    output is complete and the files closed by then; the memory goes back with the process."""
    if "django.db" in sys.modules:
        from django.conf import settings

        if settings.configured:
            from django.db import connections

            with suppress(Exception):  # closing is a courtesy to the server; the process ends anyway
                connections.close_all()
    gc.freeze()


atexit.register(_before_exit)  # run after the handlers registered later (those of the libraries a verb imports)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
