"""Background work that survives (issue 13): work left running by a dead process is marked, imports on
PostgreSQL wait for each other instead of failing with a duplicate key."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading

import pytest
from django.db import connection, connections
from django.test import override_settings
from django.urls import reverse

from keqi.accounts.scope import SYSTEM
from keqi.contracts.models import ContractImport
from keqi.registry import background, flows, uploads
from keqi.registry.models import Enterprise, ExportFile, ImportBatch
from keqi.screening.models import ScreeningRun

from support import report_rows, write_file


def dead_runner() -> str:
    """The name of a process of this host that has ended."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return background.runner_id(proc.pid)


@pytest.mark.django_db
def test_work_left_running_by_a_dead_process_is_interrupted_at_the_next_start(yubei_officer, client_for):
    dead = dead_runner()
    batch = ImportBatch.objects.create(uploaded_by=yubei_officer, file="imports/a.xlsx", original_name="a.xlsx",
                                       sha256="0", status=ImportBatch.Status.IMPORTING, runner=dead, progress=60)
    legacy = ContractImport.objects.create(file="contract-imports/b.xlsx", original_name="b.xlsx",
                                           status=ContractImport.Status.CHECKING)  # no runner: from before
    run = ScreeningRun.objects.create(assess_on=dt.date(2026, 6, 1), status=ScreeningRun.Status.RUNNING,
                                      runner=dead)
    export = ExportFile.objects.create(requested_by=yubei_officer, status=ExportFile.Status.RUNNING, runner=dead)
    alive = ExportFile.objects.create(requested_by=yubei_officer, status=ExportFile.Status.RUNNING,
                                      runner=background.runner_id())
    elsewhere = ImportBatch.objects.create(file="imports/c.xlsx", original_name="c.xlsx", sha256="0",
                                           status=ImportBatch.Status.CHECKING, runner="another-host:1")
    waiting = ImportBatch.objects.create(file="imports/d.xlsx", original_name="d.xlsx", sha256="0")

    marked = background.stop_abandoned()

    assert sorted(marked.values()) == [1, 1, 1, 1]
    for row in (batch, legacy, run, export):
        row.refresh_from_db()
        assert row.status == "interrupted" and row.finished_at is not None
        assert "已中断" in row.message and "重新" in row.message
    # still working (this process, another host) or not yet started: untouched
    for row, status in ((alive, "running"), (elsewhere, "checking"), (waiting, "pending")):
        row.refresh_from_db()
        assert row.status == status and row.message == ""
    # the uploader sees it in Chinese on the batch's page
    html = client_for(yubei_officer).get(reverse("registry:import_detail", args=[batch.pk])).content.decode()
    assert "已中断" in html and "重新上传该文件" in html and 'http-equiv="refresh"' not in html
    assert "重新检查文件" in html  # the kept file can be checked again
    html = client_for(yubei_officer).get(reverse("registry:export_detail", args=[export.pk])).content.decode()
    assert "已中断" in html and "请重新导出" in html
    assert background.stop_abandoned() == {}  # once only


@pytest.mark.django_db
def test_the_work_of_a_worker_that_died_is_failed_with_a_message():
    dead = dead_runner()
    mine = ImportBatch.objects.create(file="imports/a.xlsx", original_name="a.xlsx", sha256="0",
                                      status=ImportBatch.Status.CHECKING, runner=dead)
    other = ImportBatch.objects.create(file="imports/b.xlsx", original_name="b.xlsx", sha256="0",
                                       status=ImportBatch.Status.CHECKING, runner=background.runner_id())
    assert background.stop_abandoned(runner=dead) == {"导入": 1}
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.status == "failed" and "意外退出" in mine.message and "未做任何修改" in mine.message
    assert other.status == "checking"


@pytest.mark.django_db
def test_an_interrupted_screening_run_loses_its_partial_standings_and_can_run_again(city_admin, tmp_path):
    from keqi.accounts.scope import scope_for
    from keqi.screening import flows as screening
    from keqi.screening.models import Standing

    flows.run_import(path=write_file(tmp_path / "firms.xlsx", report_rows(3)), scope=SYSTEM)
    day = dt.date(2025, 6, 1)
    done = screening.run_screening(scope=scope_for(city_admin), assess_on=day, user=city_admin)
    assert Standing.objects.filter(run=done).count() == 3
    ScreeningRun.objects.filter(pk=done.pk).update(status=ScreeningRun.Status.RUNNING, runner=dead_runner())
    background.stop_abandoned()
    done.refresh_from_db()
    assert done.status == ScreeningRun.Status.INTERRUPTED and not Standing.objects.filter(run=done).exists()
    again = screening.run_screening(scope=scope_for(city_admin), assess_on=day, user=city_admin)
    assert again.status == ScreeningRun.Status.COMPLETE and Standing.objects.filter(run=again).count() == 3


# ---------------------------------------------------------------- two imports on PostgreSQL

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="the import lock is PostgreSQL's (SQLite lets one writer at a time)")


def _hold_the_lock(held: threading.Event, release: threading.Event) -> None:
    """Another import, in another connection, inside its transaction."""
    from django.db import transaction

    try:
        with transaction.atomic():
            background.import_lock()
            held.set()
            release.wait(30)
    finally:
        connections.close_all()


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the units are migration data
def test_a_second_import_waits_for_the_first_then_writes(tmp_path):
    path = write_file(tmp_path / "f.xlsx", report_rows(4))
    results, failures = [], []

    def run():
        try:
            results.append(flows.run_import(path=path, scope=SYSTEM))
        except Exception as exc:  # noqa: BLE001 - the test reports it
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert failures == [] and all(r.applied for r in results) and len(results) == 3
    assert Enterprise.objects.count() == 4
    assert sorted(r.summary()["enterprises"]["created"] for r in results) == [0, 0, 4]


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the units are migration data
def test_an_import_that_waits_too_long_is_refused_in_chinese(tmp_path, yubei_officer):
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_the_lock, args=(held, release))
    holder.start()
    try:
        assert held.wait(30)
        path = write_file(tmp_path / "f.xlsx", report_rows(2))
        with override_settings(KEQI_IMPORT_LOCK_SECONDS=1):
            with pytest.raises(background.ImportBusy, match="另一个导入正在写入数据"):
                flows.run_import(path=path, scope=SYSTEM)
            assert flows.run_import(path=path, scope=SYSTEM, dry_run=True).errors == []  # checking never waits
            from django.core.files.uploadedfile import SimpleUploadedFile

            from keqi.accounts.scope import scope_for

            batch = uploads.record_upload(model=ImportBatch, scope=scope_for(yubei_officer), user=yubei_officer,
                                          uploaded=SimpleUploadedFile("f.xlsx", path.read_bytes()))
            batch = uploads.process_upload(model=ImportBatch, upload_id=batch.pk, scope=scope_for(yubei_officer),
                                           apply=True)
        assert batch.status == ImportBatch.Status.FAILED
        assert "另一个导入正在写入数据" in batch.message and "未做任何修改" in batch.message
        assert Enterprise.objects.count() == 0
    finally:
        release.set()
        holder.join(30)
