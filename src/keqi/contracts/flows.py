"""Importing a contract file: read, check, plan and write in one transaction, all or nothing.

``run_import`` is the one path (CLI, web upload, background task). Uploads up to
:data:`INLINE_ROWS` rows are checked and imported in the request; larger ones by the worker.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from keqi.accounts.scope import Scope
from keqi.registry.flows import ImportResult
from keqi.registry.parsing import CellError, parse_sheet
from keqi.registry.reading import UnreadableFile, read_tables
from keqi.registry.services import unit_lookup

from . import access, services
from .columns import COLUMNS, SHEET
from .models import ContractImport

INLINE_ROWS = 5000
MAX_STORED_ERRORS = 1000


def run_import(*, path: Path | str, scope: Scope, user=None, dry_run: bool = False,
               today: dt.date | None = None) -> ImportResult:
    access.require_write(scope)
    path = Path(path)
    today = today or timezone.localdate()
    try:
        raw = read_tables(path)
    except UnreadableFile as exc:
        return ImportResult(services.ContractPlan(errors=[CellError(SHEET, 0, "", path.name, str(exc))]), False)
    parsed = parse_sheet(raw.reports, COLUMNS, SHEET, unit_lookup())
    services.check_sheet(parsed, today)
    with transaction.atomic():
        plan = services.plan_import(scope=scope, parsed=parsed)
        if dry_run or not plan.ok:
            return ImportResult(plan, False)
        services.apply_plan(plan=plan, user=user, reason=f"导入 {path.name}")
    return ImportResult(plan, True)


def count_rows(path: Path | str) -> int:
    try:
        return read_tables(path).reports.height
    except UnreadableFile:
        return 0


def process_upload(*, upload_id: int, scope: Scope) -> ContractImport:
    """Run a stored upload through :func:`run_import` and record the outcome on it."""
    upload = ContractImport.objects.get(pk=upload_id)
    try:
        result = run_import(path=upload.file.path, scope=scope, user=upload.uploaded_by, dry_run=upload.dry_run)
    except Exception as exc:
        upload.status = ContractImport.Status.FAILED
        upload.errors = [{"sheet": SHEET, "row": 0, "column": "", "value": None,
                          "reason": f"导入失败，未做任何修改：{exc}"}]
        upload.error_count = 1
    else:
        upload.errors = [e.as_dict() for e in result.errors[:MAX_STORED_ERRORS]]
        upload.error_count = len(result.errors)
        upload.summary = result.summary()
        if result.errors:
            upload.status = ContractImport.Status.INVALID
        else:
            upload.status = ContractImport.Status.IMPORTED if result.applied else ContractImport.Status.CHECKED
    upload.save()
    return upload
