"""Background work that survives a killed process.

Work done outside a web request (an upload checked or imported, an export written, a screening run)
is a row with a status. A process that takes it up writes its own name in ``runner``
(``host:pid``, :func:`runner_id`) with the running status. If the process dies before it writes the
outcome (killed, out of memory, ``os._exit``), the row would say "running" forever. So:

- ``keqi serve`` watches its worker; when the worker dies it marks what that worker was doing as
  failed (:func:`stop_abandoned` with ``runner``), then starts a new worker (cli/server.py).
- Every worker (and ``keqi serve``) marks, when it starts, the rows left running by a process of this
  host that no longer exists as interrupted (:func:`stop_abandoned`): the user sees 已中断 and a message
  to run it again. A row whose runner is on another host is left alone (it may still be working).
- Imports on PostgreSQL take one advisory lock for their transaction (:func:`import_lock`): a second
  import waits for the first and then plans against what it wrote; after ``KEQI_IMPORT_LOCK_SECONDS``
  it is refused with one Chinese sentence (:class:`ImportBusy`), never a duplicate-key traceback.

Every model of such work inherits :class:`BackgroundWork` and names its active statuses; this module
finds them through Django's app registry, so it needs to import no app above the registry.
"""

from __future__ import annotations

import os
import socket
from typing import ClassVar

from django.apps import apps
from django.conf import settings
from django.db import OperationalError, connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: the one advisory-lock key of imports (any 64-bit number no other code uses: "KEQI-IMP")
IMPORT_LOCK_KEY = 0x4B45_5149_494D_50

FAILED_MESSAGE = "后台任务进程在处理时意外退出（如文件过大、内存耗尽或进程被强制结束），未做任何修改。"
INTERRUPTED_MESSAGE = "处理过程中服务器或后台任务进程停止了，此项工作已中断，未做任何修改。"


def _host() -> str:
    return socket.gethostname()[:48]


def runner_id(pid: int | None = None) -> str:
    """A process's name in ``runner`` (this one's by default): ``host:pid``, at most 64 characters."""
    return f"{_host()}:{os.getpid() if pid is None else pid}"


def process_alive(runner: str) -> bool | None:
    """Whether the process named ``runner`` still exists: True/False on this host, None elsewhere (unknown).

    An empty name (a row from before runners were recorded) counts as gone.
    """
    host, _sep, pid = (runner or "").rpartition(":")
    if not runner or not pid.isdigit():
        return False
    if host != _host():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


class BackgroundWork(models.Model):
    """A row of work done by a background process: who is on it (``runner``) and what became of it."""

    runner = models.CharField(_("process"), max_length=100, blank=True, editable=False)
    message = models.CharField(_("message"), max_length=500, blank=True)

    #: the statuses that mean "a process is working on it now"
    ACTIVE_STATUSES: ClassVar[tuple[str, ...]] = ()
    FAILED_STATUS: ClassVar[str] = "failed"
    INTERRUPTED_STATUS: ClassVar[str] = "interrupted"
    #: what the user does next, after the message (in Chinese)
    RERUN_HINT: ClassVar[str] = "请重新运行。"

    class Meta:
        abstract = True

    @classmethod
    def stopped(cls, pks: list[int]) -> None:
        """Clean up what work stopped half-way left behind (nothing by default)."""


def work_models() -> list[type[BackgroundWork]]:
    return [m for m in apps.get_models() if issubclass(m, BackgroundWork)]


def stop_abandoned(*, runner: str | None = None) -> dict[str, int]:
    """Mark the work left running by dead processes; return how many rows per model (verbose name).

    With ``runner`` (the worker that ``keqi serve`` saw die): that process's rows become failed.
    Without: rows whose process is gone (on this host) become interrupted, at a process's start.
    """
    if runner is not None:
        status_attr, message = "FAILED_STATUS", FAILED_MESSAGE
    else:
        status_attr, message = "INTERRUPTED_STATUS", INTERRUPTED_MESSAGE
    done: dict[str, int] = {}
    for model in work_models():
        active = model.objects.filter(status__in=model.ACTIVE_STATUSES)
        names = set(active.values_list("runner", flat=True))
        gone = {runner} & names if runner is not None else {who for who in names if process_alive(who) is False}
        if not gone:
            continue
        # the runner in the condition too: a row taken up again meanwhile (a new runner) is left alone
        stale = active.filter(runner__in=gone)
        pks = list(stale.values_list("pk", flat=True))
        n = stale.filter(pk__in=pks).update(
            status=getattr(model, status_attr), message=(message + model.RERUN_HINT)[:500],
            finished_at=timezone.now(),
        )
        model.stopped(pks)
        if n:
            done[str(model._meta.verbose_name)] = n
    _fail_tasks(runner, message)
    return done


class WorkerDied(RuntimeError):
    """How the task queue records a task whose worker died under it."""


def _fail_tasks(runner: str | None, message: str) -> None:
    """The task queue's own rows (django-tasks-db): a task its dead worker claimed is failed, not running."""
    from django_tasks_db.models import DBTaskResult

    for result in DBTaskResult.objects.running():
        last = result.worker_ids[-1] if result.worker_ids else ""
        # only workers named by `keqi worker` (host:pid); one started otherwise is left to whoever started it
        if ":" in last and ((last == runner) if runner is not None else process_alive(last) is False):
            result.set_failed(WorkerDied(message))


class ImportBusy(ValueError):
    """Another import holds the lock for longer than ``KEQI_IMPORT_LOCK_SECONDS``."""

    def __init__(self) -> None:
        super().__init__("另一个导入正在写入数据，等待超时，本次未做任何修改。请稍后重新导入。")


def import_lock() -> None:
    """Inside an import's transaction: wait for any other import to finish (PostgreSQL).

    ``pg_advisory_xact_lock`` is released when the transaction ends. The wait is bounded by
    ``lock_timeout`` (``KEQI_IMPORT_LOCK_SECONDS``, for this transaction only); past it, :class:`ImportBusy`.
    SQLite needs nothing: it lets one writer at a time.
    """
    if connection.vendor != "postgresql":
        return
    seconds = int(getattr(settings, "KEQI_IMPORT_LOCK_SECONDS", 600))
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{seconds * 1000}ms"])
        try:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
        except OperationalError as exc:  # 55P03 lock_not_available
            raise ImportBusy() from exc
        cursor.execute("SELECT set_config('lock_timeout', '0', true)")
