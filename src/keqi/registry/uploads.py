"""One upload lifecycle for every spreadsheet a user sends: registry firms, technology contracts, reported
indicator values.

Upload → the file is kept (:func:`record_upload`, nothing a user sends is lost) → the worker checks it
(:func:`process_upload` with ``apply=False``: status ``checked`` or ``invalid`` with every row error) →
the uploader reads the errors or the plan and confirms → the worker imports it (``apply=True``: the
file is checked again inside the import's transaction, so what is written is what was just checked).
A check or an import stopped by a dead process is ``failed`` or ``interrupted`` (registry/background.py)
and can be checked again from its page (``tasks.recheck_upload``).

Each app has one concrete model (:class:`Upload` subclass: ``registry.ImportBatch``,
``contracts.ContractImport``, ``targets.ValueImport``) that says where its files go, which permission it
needs and which ``run_import`` it calls; the flow (here), the task and its queueing
(``registry.tasks``: ``run_upload``, ``queue_upload``, ``confirm_upload``, ``recheck_upload``), the progress,
the pages (``registry.upload_views``) and the templates (``uploads/``) are the same for all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .background import BackgroundWork, runner_id
from .parsing import CellError

MAX_STORED_ERRORS = 1000
#: ``progress(stage, done, total)``: stages read, check, plan, write
Progress = Callable[[str, int, int], None]
#: the share of the bar each stage fills (start, width), in percent
STAGES = {"read": (0, 30), "check": (30, 10), "plan": (40, 20), "write": (60, 40)}


def no_progress(stage: str, done: int, total: int) -> None:
    return None


class Plan(Protocol):
    """What an import plan offers its result: the errors found, the rows read and a summary of the changes."""

    errors: list[CellError]
    rows: int

    def summary(self) -> dict: ...


@dataclass
class ImportResult:
    """A plan (registry, contracts or reported values) and whether it was written."""

    plan: Plan
    applied: bool

    @property
    def errors(self) -> list[CellError]:
        return self.plan.errors

    def summary(self) -> dict:
        return {**self.plan.summary(), "applied": self.applied}


def upload_path(instance: Upload, filename: str) -> str:
    return f"{instance.UPLOAD_FOLDER}/{timezone.now():%Y/%m}/{filename}"


class Upload(BackgroundWork):
    """One uploaded file and what became of it (the file itself is kept)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be checked")
        CHECKING = "checking", _("Checking")
        INVALID = "invalid", _("Has errors")
        CHECKED = "checked", _("Checked, ready to import")
        IMPORTING = "importing", _("Importing")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Failed")
        INTERRUPTED = "interrupted", _("Interrupted")

    ACTIVE_STATUSES = (Status.CHECKING, Status.IMPORTING)
    RERUN_HINT = "可在本页重新检查，或重新上传该文件。"
    #: where the files go (under MEDIA_ROOT), and the permission (accounts.scope) uploading needs
    UPLOAD_FOLDER: ClassVar[str] = "uploads"
    PERMISSION: ClassVar[str] = "registry.write"
    #: the app's one import path, ``run_import(path, scope, user, dry_run, progress, reason) -> ImportResult``,
    #: named by its dotted path (the model does not import its app's flows: they import the model)
    IMPORTER: ClassVar[str] = ""

    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("uploaded by"))
    file = models.FileField(_("file"), upload_to=upload_path)
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("errors (first 1,000)"), default=list, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def running(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.CHECKING, self.Status.IMPORTING)

    @property
    def may_rerun(self) -> bool:
        """A check or an import stopped by a dead process: check the kept file again."""
        return self.status in (self.Status.FAILED, self.Status.INTERRUPTED)

    def run_import(self, *, scope, dry_run: bool, progress: Progress) -> ImportResult:
        """The app's one import path (``IMPORTER``), on this upload's file, for its uploader."""
        run = import_string(self.IMPORTER)
        return run(path=self.file.path, scope=scope, user=self.uploaded_by, dry_run=dry_run, progress=progress,
                   reason=f"导入 {self.original_name}")

    def summary_rows(self) -> list[tuple[str, dict]]:
        """The summary table of the page: (what, {created, updated, unchanged})."""
        return []


def sha256_of(fileobj) -> str:
    digest = hashlib.sha256()
    for chunk in fileobj.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def record_upload(*, model: type[Upload], scope, user, uploaded) -> Upload:
    """Keep the uploaded file (nothing a user sends is lost); the caller queues its check."""
    scope.require(model.PERMISSION)
    upload = model(uploaded_by=user if user is not None and user.is_authenticated else None,
                   original_name=Path(uploaded.name).name[:255], sha256=sha256_of(uploaded))
    uploaded.seek(0)
    upload.file.save(Path(uploaded.name).name, uploaded, save=False)
    upload.save()
    return upload


def process_upload(*, model: type[Upload], upload_id: int, scope, apply: bool) -> Upload:
    """Check (``apply=False``) or import (``apply=True``) a stored upload, recording the outcome and progress."""
    upload = model.objects.get(pk=upload_id)
    upload.status = model.Status.IMPORTING if apply else model.Status.CHECKING
    upload.progress = 0
    upload.runner = runner_id()
    upload.message = ""
    upload.save(update_fields=["status", "progress", "runner", "message"])

    def progress(stage: str, done: int, total: int) -> None:
        start, width = STAGES[stage]
        pct = start + (width * done // total if total else width)
        if pct >= upload.progress + 5:
            model.objects.filter(pk=upload.pk).update(progress=pct)
            upload.progress = pct

    try:
        result = upload.run_import(scope=scope, dry_run=not apply, progress=progress)
    except Exception as exc:  # noqa: BLE001 - any failure is the upload's outcome, in words
        upload.status = model.Status.FAILED
        upload.message = f"导入失败，未做任何修改：{exc}"[:500]
        upload.errors, upload.error_count = [], 0
    else:
        upload.rows = result.plan.rows
        upload.error_count = len(result.errors)
        upload.errors = [e.as_dict() for e in result.errors[:MAX_STORED_ERRORS]]
        upload.summary = result.summary()
        if result.errors:
            upload.status = model.Status.INVALID
        else:
            upload.status = model.Status.IMPORTED if result.applied else model.Status.CHECKED
    upload.progress = 100
    upload.finished_at = timezone.now()
    upload.save()
    return upload
