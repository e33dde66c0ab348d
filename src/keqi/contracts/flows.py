"""Importing a contract file: read, check, plan and write in one transaction, all or nothing.

``run_import`` is the one path (CLI, web upload, background task, API). The web upload is the upload
lifecycle of every app (``keqi.registry.uploads``: ``ContractImport`` keeps the file, the worker checks
it, the uploader confirms, the worker imports), with the registry's reader, parser and ``CellError``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from keqi.accounts.scope import Scope
from keqi.registry.background import import_lock
from keqi.registry.parsing import CellError, parse_sheet
from keqi.registry.reading import UnreadableFile, read_tables
from keqi.registry.services import unit_lookup
from keqi.registry.uploads import ImportResult, Progress, no_progress

from . import services
from .columns import COLUMNS, SHEET


def run_import(*, path: Path | str, scope: Scope, user=None, dry_run: bool = False,
               today: dt.date | None = None, reason: str = "", progress: Progress = no_progress) -> ImportResult:
    scope.require("contracts.write")
    path = Path(path)
    today = today or timezone.localdate()
    progress("read", 0, 1)
    try:
        raw = read_tables(path)
    except UnreadableFile as exc:
        return ImportResult(services.ContractPlan(errors=[CellError(SHEET, 0, "", path.name, str(exc))]), False)
    progress("read", 1, 1)
    parsed = parse_sheet(raw.reports, COLUMNS, SHEET, unit_lookup())
    services.check_sheet(parsed, today)
    parsed.errors.extend(raw.formula_errors)  # formula cells without a saved value
    progress("check", 1, 1)
    with transaction.atomic():
        if not dry_run:  # one writing import at a time (PostgreSQL): this one plans after the other has written
            import_lock()
        plan = services.plan_import(scope=scope, parsed=parsed)
        progress("plan", 1, 1)
        if dry_run or not plan.ok:
            return ImportResult(plan, False)
        services.apply_plan(plan=plan, user=user, reason=reason or f"导入 {path.name}")
    return ImportResult(plan, True)
