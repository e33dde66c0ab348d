"""`keqi serve` keeps its task worker alive (issue 13): a worker that dies is started again, and what it
was doing is marked failed on its batch — with a real worker process killed by a task."""

from __future__ import annotations

import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from keqi.cli.server import WorkerSupervisor


def _wait(condition, seconds: float = 60.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_killed_worker_is_started_again_with_a_growing_delay_and_a_chinese_log(caplog):
    died: list[int] = []
    supervisor = WorkerSupervisor(command=[sys.executable, "-c", "import time; time.sleep(120)"], max_delay=0.3,
                                  on_death=lambda pid: died.append(pid) or {"导入": 1})
    caplog.set_level(logging.WARNING, logger="keqi.server")
    supervisor.start()
    try:
        assert _wait(lambda: supervisor.proc is not None)
        for n in (1, 2):
            first = supervisor.proc
            os.kill(first.pid, signal.SIGKILL)
            assert _wait(lambda n=n, first=first: supervisor.restarts == n and supervisor.proc is not first)
            assert died[-1] == first.pid and supervisor.proc.poll() is None
        messages = [r.getMessage() for r in caplog.records]
        assert "意外退出（被信号 SIGKILL 终止），导入 1 项标记为失败；1 秒后重启" in messages[0]
        assert "0.3 秒后重启" in messages[1]  # 1 s, then at most max_delay
    finally:
        supervisor.stop()
    assert supervisor.proc.poll() is not None  # stopping the server ends its worker
    assert supervisor.restarts == 2


def test_a_worker_that_keeps_dying_is_restarted_even_when_marking_fails(caplog):
    def broken(pid):
        raise RuntimeError("数据库不可用")

    supervisor = WorkerSupervisor(command=[sys.executable, "-c", "raise SystemExit(3)"], max_delay=0.1,
                                  on_death=broken)
    caplog.set_level(logging.WARNING, logger="keqi.server")
    supervisor.start()
    try:
        assert _wait(lambda: supervisor.restarts >= 2)
    finally:
        supervisor.stop()
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "退出码 3" in text and "标记其未完成的工作时出错：数据库不可用" in text


# ---------------------------------------------------------------- a task that kills its worker, end to end

HARNESS = """
import json, sys, time
from keqi.cli.django_setup import setup
setup()
from keqi.cli.server import WorkerSupervisor
worker = [sys.executable, "-c", {worker!r}]
supervisor = WorkerSupervisor(command=worker, max_delay=1)
supervisor.start()
end = time.monotonic() + 120
while supervisor.restarts < 1 and time.monotonic() < end:
    time.sleep(0.1)
supervisor.stop()
from keqi.registry.models import ImportBatch
from django_tasks_db.models import DBTaskResult
batch = ImportBatch.objects.get()
task = DBTaskResult.objects.get()
print(json.dumps({{"restarts": supervisor.restarts, "status": batch.status, "message": batch.message,
                  "task": task.status}}))
"""
# the worker `keqi serve` starts, with the registry's reader replaced by a crash (as a hostile file could)
KILLING_WORKER = (
    "import os, sys\n"
    "from keqi.cli.django_setup import setup\n"
    "setup()\n"
    "import keqi.registry.flows as flows\n"
    "flows.read_tables = lambda path: os._exit(9)\n"
    "sys.argv = ['keqi', 'worker']\n"
    "from keqi.cli.main import main\n"
    "main()\n"
)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_task_that_kills_its_worker_leaves_its_batch_failed_in_chinese(tmp_path, yubei_officer):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import override_settings

    from keqi.accounts.scope import scope_for
    from keqi.registry import tasks, uploads
    from keqi.registry.models import ImportBatch

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                              "QUEUES": ["default"]}}):
        batch = uploads.record_upload(model=ImportBatch, scope=scope_for(yubei_officer), user=yubei_officer,
                                      uploaded=SimpleUploadedFile("firms.xlsx", b"PK\x03\x04 not read"))
        tasks.run_upload.enqueue("registry.ImportBatch", batch.pk, False)
    env = {**os.environ, "KEQI_HOME": str(tmp_path), "KEQI_DEBUG": "1", "KEQI_LOG_LEVEL": "WARNING"}
    if connection.vendor == "sqlite":  # the test database lives in memory: the processes get a copy
        copy = tmp_path / "keqi.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(copy) as target:
            connection.connection.backup(target)
        env["KEQI_DATABASE_URL"] = f"sqlite:///{copy}"
    else:
        s = connection.settings_dict
        env["KEQI_DATABASE_URL"] = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    done = subprocess.run([sys.executable, "-c", HARNESS.format(worker=KILLING_WORKER)], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome == {"restarts": 1, "status": "failed", "task": "FAILED", "message": outcome["message"]}
    assert "后台任务进程在处理时意外退出" in outcome["message"] and "重新上传该文件" in outcome["message"]
    assert "意外退出（退出码 9），导入 1 项标记为失败" in done.stderr
    assert Path(tmp_path / "media").exists()
