"""Multi-step registry work with side effects: importing a file, checking an uploaded batch.

``run_import`` is the one import path: the CLI, the web upload (through a background task) and
the demo all call it, so a file gets the same checks and the same result whichever door it uses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from keqi.accounts.scope import Scope

from . import exporting, services, signals
from .background import import_lock, runner_id
from .columns import QUALIFICATION_COLUMNS, QUALIFICATION_SHEET, REPORT_COLUMNS, REPORT_SHEET
from .models import ExportFile, ImportBatch
from .parsing import CellError, check_qualifications, check_reports, parse_sheet
from .reading import UnreadableFile, read_tables

MAX_STORED_ERRORS = 1000


class Plan(Protocol):
    """What an import plan offers its result: the errors found and a summary of the changes."""

    errors: list[CellError]

    def summary(self) -> dict: ...


@dataclass
class ImportResult:
    """A plan (registry or contracts) and whether it was written."""

    plan: Plan
    applied: bool

    @property
    def errors(self) -> list[CellError]:
        return self.plan.errors

    def summary(self) -> dict:
        return {**self.plan.summary(), "applied": self.applied}


def run_import(
    *,
    path: Path | str,
    scope: Scope,
    user=None,
    dry_run: bool = False,
    today: dt.date | None = None,
    progress: services.Progress = services._no_progress,
    reason: str = "",
) -> ImportResult:
    """Read, check and (unless ``dry_run`` or any error) write a file, all or nothing.

    Every row written gets a history row saying who (``user``), when, and why (``reason``, by default
    "导入 <file name>").
    """
    scope.require_write()
    path = Path(path)
    today = today or timezone.localdate()
    progress("read", 0, 1)
    try:
        raw = read_tables(path)
    except UnreadableFile as exc:
        return ImportResult(services.ImportPlan(errors=[CellError(REPORT_SHEET, 0, "", path.name, str(exc))]), False)
    progress("read", 1, 1)
    units = services.unit_lookup()
    reports = parse_sheet(raw.reports, REPORT_COLUMNS, REPORT_SHEET, units)
    check_reports(reports, today)
    reports.errors.extend(raw.formula_errors)  # formula cells without a saved value
    quals = None
    if raw.qualifications is not None and raw.qualifications.height:
        quals = parse_sheet(raw.qualifications, QUALIFICATION_COLUMNS, QUALIFICATION_SHEET, units)
        check_qualifications(quals)
    progress("check", 1, 1)
    with transaction.atomic():
        if not dry_run:  # one writing import at a time (PostgreSQL): this one plans after the other has written
            import_lock()
        # Planning inside the transaction means the plan that is written is the one just checked.
        plan = services.plan_import(scope=scope, reports=reports, qualifications=quals, progress=progress)
        if dry_run or not plan.ok:
            return ImportResult(plan, False)
        services.apply_plan(plan=plan, user=user, reason=reason or f"导入 {path.name}",
                             progress=progress)
        # the apps above rewrite what depends on the qualifications (the pipeline: each firm's tier history)
        signals.qualifications_imported.send(sender=run_import, plan=plan, today=today)
    return ImportResult(plan, True)


# ---------------------------------------------------------------- uploaded batches (web)


def sha256_of(fileobj) -> str:
    digest = hashlib.sha256()
    for chunk in fileobj.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def record_upload(*, scope: Scope, user, uploaded) -> ImportBatch:
    """Keep the uploaded file (nothing a user sends is lost) and queue its check."""
    scope.require_write()
    batch = ImportBatch(uploaded_by=user if user and user.is_authenticated else None,
                        original_name=Path(uploaded.name).name[:255], sha256=sha256_of(uploaded))
    uploaded.seek(0)
    batch.file.save(Path(uploaded.name).name, uploaded, save=False)
    batch.save()
    return batch


def process_batch(*, batch_id: int, scope: Scope, apply: bool) -> ImportBatch:
    """Check (``apply=False``) or import (``apply=True``) a stored upload, recording the outcome."""
    batch = ImportBatch.objects.get(pk=batch_id)
    batch.status = ImportBatch.Status.IMPORTING if apply else ImportBatch.Status.CHECKING
    batch.progress = 0
    batch.runner = runner_id()
    batch.save(update_fields=["status", "progress", "runner"])

    def progress(stage: str, done: int, total: int) -> None:
        share = {"read": (0, 30), "check": (30, 10), "plan": (40, 20), "write": (60, 40)}[stage]
        pct = share[0] + (share[1] * done // total if total else share[1])
        if pct >= batch.progress + 5:
            ImportBatch.objects.filter(pk=batch.pk).update(progress=pct)
            batch.progress = pct

    try:
        result = run_import(path=batch.file.path, scope=scope, user=batch.uploaded_by, dry_run=not apply,
                            progress=progress, reason=f"导入 {batch.original_name}")
    except Exception as exc:
        batch.status = ImportBatch.Status.FAILED
        batch.errors = [{"sheet": "", "row": 0, "column": "", "value": None, "reason": f"导入失败，未做任何修改：{exc}"}]
        batch.error_count = 1
    else:
        batch.rows = result.plan.rows
        batch.error_count = len(result.errors)
        batch.errors = [e.as_dict() for e in result.errors[:MAX_STORED_ERRORS]]
        batch.summary = result.summary()
        if result.errors:
            batch.status = ImportBatch.Status.INVALID
        else:
            batch.status = ImportBatch.Status.IMPORTED if result.applied else ImportBatch.Status.VALID
    batch.progress = 100
    batch.finished_at = timezone.now()
    batch.save()
    return batch


# ---------------------------------------------------------------- large exports (web)


def write_export_file(*, export_id: int, scope: Scope) -> ExportFile:
    """Write a requested export with the requester's scope and attach the file."""
    export = ExportFile.objects.get(pk=export_id)
    ExportFile.objects.filter(pk=export.pk).update(status=ExportFile.Status.RUNNING, runner=runner_id())
    try:
        filters = services.EnterpriseFilter(**export.filters)
        firms = services.enterprise_list(scope=scope, filters=filters).firms  # as the list filtered them
        frames = services.export_frames(scope=scope, queryset=firms)
        with tempfile.TemporaryDirectory() as tmp:
            path = exporting.write_export(Path(tmp) / "export.xlsx", frames)
            with path.open("rb") as fh:
                export.file.save(f"企业名录-{timezone.localdate():%Y%m%d}-{export.pk}.xlsx", File(fh), save=False)
        export.enterprises = frames[REPORT_SHEET]["uscc"].n_unique()
        export.rows = frames[REPORT_SHEET].height
        export.status = ExportFile.Status.DONE
    except Exception as exc:
        export.status = ExportFile.Status.FAILED
        export.message = str(exc)[:500]
    export.finished_at = timezone.now()
    export.save()
    return export
