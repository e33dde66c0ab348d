"""A CLI that speaks: every verb family's expected failures print one Chinese line and exit non-zero;
the traceback only with ``--debug`` (keqi.cli.main.KeqiGroup)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from keqi.cli.main import app

pytestmark = pytest.mark.django_db
runner = CliRunner()


def fails(args, *, code: int = 1, says: str) -> str:
    result = runner.invoke(app, [str(a) for a in args])
    text = result.output
    assert result.exit_code == code, (args, result.exit_code, text, result.exception)
    assert says in text, (args, text)
    assert "Traceback" not in text and "╭" not in text, text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)  # in Chinese
    return text


@pytest.mark.parametrize("args,code,says", [
    (["--nope"], 2, "没有选项 --nope"),
    (["nosuch"], 2, "没有命令 nosuch"),
    (["import"], 2, "缺少参数 FILE"),
    (["import", "/"], 2, "是文件夹"),
    (["credit", "loans", "--bogus"], 2, "没有选项 --bogus"),
    (["contracts", "turnover", "--year", "abc"], 2, "不是整数"),
])
def test_bad_arguments(args, code, says):
    fails(args, code=code, says=says)


def test_registry_family(tmp_path):
    fails(["import", tmp_path / "missing.xlsx"], code=2, says="不存在")
    fails(["export", "-o", tmp_path / "x.xlsx", "--as", "ghost"], code=2, says="没有用户 ghost")
    fails(["token", "create", "ghost"], code=2, says="没有用户 ghost")


def test_refusals_speak(tmp_path, make_user):
    make_user("bank", "bank_officer")
    fails(["export", "-o", tmp_path / "x.xlsx", "--as", "bank"], says="无权")


def test_contracts_and_credit_families(tmp_path, make_user):
    fails(["contracts", "import", tmp_path / "missing.xlsx"], code=2, says="不存在")
    fails(["credit", "contribute", "火星区", "--amount", "5", "--on", "2025-01-01"], code=2, says="未知的区县")
    fails(["credit", "contribute", "渝北区", "--amount", "0", "--on", "2025-01-01"], says="出资金额应大于0")


def test_policy_family(tmp_path):
    profile = tmp_path / "p.json"
    profile.write_text("{}", encoding="utf-8")
    result = runner.invoke(app, ["evaluate", "--edition", "no-such-edition", str(profile)])
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_debug_shows_the_traceback(tmp_path, make_user):
    make_user("bank", "bank_officer")
    result = runner.invoke(app, ["--debug", "export", "-o", str(tmp_path / "x.xlsx"), "--as", "bank"])
    assert result.exit_code != 0 and result.exception is not None
    assert type(result.exception).__name__ == "PermissionDenied"


def test_an_unexpected_error_is_one_line_too(monkeypatch):
    from keqi.cli import main

    message, code = main.explain(ZeroDivisionError("division by zero"))
    assert code == 1 and "意外错误（ZeroDivisionError）" in message and "--debug" in message
    assert "\n" not in message


@pytest.mark.django_db(transaction=False)
def test_an_unmigrated_database_says_what_to_run(tmp_path):
    """``keqi screen FILE`` in a folder where ``keqi migrate`` was never run (the issue: 100 lines)."""
    from support import report_rows, write_file

    path = write_file(tmp_path / "f.xlsx", report_rows(2))
    env = {**os.environ, "KEQI_HOME": str(tmp_path / "var"), "KEQI_DATABASE_URL": ""}
    done = subprocess.run([sys.executable, "-m", "keqi.cli.main", "screen", str(path), "-o", str(tmp_path / "o.xlsx")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert done.returncode == 1, done.stderr
    assert lines == ["错误：数据库尚未建立或版本过旧：请先运行 keqi migrate"], lines
    assert not Path(tmp_path / "o.xlsx").exists()
