"""Background tasks (django-tasks, run by ``keqi worker``): long imports never run in a web request."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django_tasks import task

from keqi.accounts.scope import scope_for

from . import flows
from .models import ExportFile, ImportBatch


def _scope(batch: ImportBatch):
    user = batch.uploaded_by or get_user_model()(is_active=False)
    return scope_for(user)


@task()
def check_batch(batch_id: int) -> str:
    batch = ImportBatch.objects.select_related("uploaded_by").get(pk=batch_id)
    return flows.process_batch(batch_id=batch_id, scope=_scope(batch), apply=False).status


@task()
def import_batch(batch_id: int) -> str:
    batch = ImportBatch.objects.select_related("uploaded_by").get(pk=batch_id)
    return flows.process_batch(batch_id=batch_id, scope=_scope(batch), apply=True).status


@task()
def write_export(export_id: int) -> str:
    export = ExportFile.objects.select_related("requested_by").get(pk=export_id)
    return flows.write_export_file(export_id=export_id, scope=scope_for(export.requested_by)).status
