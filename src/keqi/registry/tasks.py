"""Background tasks (django-tasks, run by ``keqi worker``): long imports and exports never run in a web request.

``run_upload`` checks or imports an upload of any app (the upload lifecycle, uploads.py); the three
functions beside it queue it.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django_tasks import task

from keqi.accounts.scope import scope_for

from . import flows, uploads
from .models import ExportFile


@task()
def run_upload(model_label: str, upload_id: int, apply: bool) -> str:
    """Check (or, confirmed, import) an upload of any app: ``model_label`` names its model (``contracts.ContractImport``)."""
    model = apps.get_model(model_label)
    if not issubclass(model, uploads.Upload):
        raise ValueError(f"不是上传文件的模型：{model_label}")
    upload = model.objects.select_related("uploaded_by").get(pk=upload_id)
    scope = scope_for(upload.uploaded_by or get_user_model()(is_active=False))
    return uploads.process_upload(model=model, upload_id=upload_id, scope=scope, apply=apply).status


def queue_upload(upload: uploads.Upload, *, apply: bool) -> None:
    """Queue the check (or the import) of ``upload``, once the current transaction commits."""
    label = upload._meta.label
    transaction.on_commit(lambda: run_upload.enqueue(label, upload.pk, apply))


def confirm_upload(upload: uploads.Upload) -> bool:
    """The uploader confirms a checked file: the worker imports it (checking it again in its transaction).

    False when the file is no longer ``checked`` (a second click, another tab): nothing is queued twice.
    """
    Status = uploads.Upload.Status
    moved = type(upload).objects.filter(pk=upload.pk, status=Status.CHECKED).update(
        status=Status.PENDING, progress=0, message="")
    if moved:
        queue_upload(upload, apply=True)
    return bool(moved)


def recheck_upload(upload: uploads.Upload) -> bool:
    """A failed or interrupted upload is checked again from its kept file (False when it is neither)."""
    Status = uploads.Upload.Status
    moved = type(upload).objects.filter(pk=upload.pk, status__in=(Status.FAILED, Status.INTERRUPTED)).update(
        status=Status.PENDING, progress=0, message="", errors=[], error_count=0, summary={}, finished_at=None)
    if moved:
        queue_upload(upload, apply=False)
    return bool(moved)


@task()
def write_export(export_id: int) -> str:
    export = ExportFile.objects.select_related("requested_by").get(pk=export_id)
    return flows.write_export_file(export_id=export_id, scope=scope_for(export.requested_by)).status
