"""Multi-step registry work with side effects: importing a file, writing a large export.

``run_import`` is the one import path: the CLI, the web upload (the upload lifecycle, uploads.py,
through a background task) and the demo all call it, so a file gets the same checks and the same
result whichever door it uses.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from keqi.accounts.scope import Scope

from . import exporting, services, signals
from .background import import_lock, runner_id
from .columns import QUALIFICATION_COLUMNS, QUALIFICATION_SHEET, REPORT_COLUMNS, REPORT_SHEET
from .models import ExportFile
from .parsing import CellError, check_qualifications, check_reports, parse_sheet
from .reading import UnreadableFile, read_tables
from .uploads import ImportResult, Progress, no_progress

__all__ = ["ImportResult", "run_import", "write_export_file"]


def run_import(
    *,
    path: Path | str,
    scope: Scope,
    user=None,
    dry_run: bool = False,
    today: dt.date | None = None,
    progress: Progress = no_progress,
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
