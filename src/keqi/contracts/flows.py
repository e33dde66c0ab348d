"""Importing a contract file: read, check, plan and write in one transaction, all or nothing.

``run_import`` is the one path (CLI, web upload, background task, API). The web upload follows the
registry's: the file is kept (:func:`record_upload`), checked by the worker, shown with its row
errors or its plan, and imported by the worker when the uploader confirms (:func:`process_upload`).

It reuses the registry's :class:`~keqi.registry.flows.ImportResult`, ``sha256_of``, reader and parser.
The two ``process_*`` functions still differ in their model (``ContractImport`` has no progress bar:
contract files are small) — merging them into one generic helper would touch the registry's
``ImportBatch``; left as is on purpose.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from keqi.accounts.scope import Scope
from keqi.registry.background import import_lock, runner_id
from keqi.registry.flows import MAX_STORED_ERRORS, ImportResult, sha256_of
from keqi.registry.parsing import CellError, parse_sheet
from keqi.registry.reading import UnreadableFile, read_tables
from keqi.registry.services import unit_lookup

from . import services
from .columns import COLUMNS, SHEET
from .models import ContractImport


def run_import(*, path: Path | str, scope: Scope, user=None, dry_run: bool = False,
               today: dt.date | None = None, reason: str = "") -> ImportResult:
    scope.require("contracts.write")
    path = Path(path)
    today = today or timezone.localdate()
    try:
        raw = read_tables(path)
    except UnreadableFile as exc:
        return ImportResult(services.ContractPlan(errors=[CellError(SHEET, 0, "", path.name, str(exc))]), False)
    parsed = parse_sheet(raw.reports, COLUMNS, SHEET, unit_lookup())
    services.check_sheet(parsed, today)
    parsed.errors.extend(raw.formula_errors)  # formula cells without a saved value
    with transaction.atomic():
        if not dry_run:  # one writing import at a time (PostgreSQL): this one plans after the other has written
            import_lock()
        plan = services.plan_import(scope=scope, parsed=parsed)
        if dry_run or not plan.ok:
            return ImportResult(plan, False)
        services.apply_plan(plan=plan, user=user, reason=reason or f"导入 {path.name}")
    return ImportResult(plan, True)


# ---------------------------------------------------------------- uploaded files (web): check, then import


def record_upload(*, scope: Scope, user, uploaded) -> ContractImport:
    """Keep the uploaded file (nothing a registrar sends is lost); the caller queues its check."""
    scope.require("contracts.write")
    upload = ContractImport(uploaded_by=user if user and user.is_authenticated else None,
                            original_name=Path(uploaded.name).name[:255], sha256=sha256_of(uploaded))
    uploaded.seek(0)
    upload.file.save(Path(uploaded.name).name, uploaded, save=False)
    upload.save()
    return upload


def process_upload(*, upload_id: int, scope: Scope, apply: bool) -> ContractImport:
    """Check (``apply=False``) or import (``apply=True``) a stored upload through :func:`run_import`.

    Importing checks the file again inside the import's transaction, so what is written is what was
    just checked, even if the registry changed since the first check.
    """
    upload = ContractImport.objects.get(pk=upload_id)
    upload.status = ContractImport.Status.IMPORTING if apply else ContractImport.Status.CHECKING
    upload.runner = runner_id()
    upload.save(update_fields=["status", "runner"])
    try:
        result = run_import(path=upload.file.path, scope=scope, user=upload.uploaded_by, dry_run=not apply,
                            reason=f"导入 {upload.original_name}")
    except Exception as exc:
        upload.status = ContractImport.Status.FAILED
        upload.errors = [{"sheet": SHEET, "row": 0, "column": "", "value": None,
                          "reason": f"导入失败，未做任何修改：{exc}"}]
        upload.error_count = 1
    else:
        upload.rows = result.plan.rows
        upload.errors = [e.as_dict() for e in result.errors[:MAX_STORED_ERRORS]]
        upload.error_count = len(result.errors)
        upload.summary = result.summary()
        if result.errors:
            upload.status = ContractImport.Status.INVALID
        else:
            upload.status = ContractImport.Status.IMPORTED if result.applied else ContractImport.Status.CHECKED
    upload.finished_at = timezone.now()
    upload.save()
    return upload
