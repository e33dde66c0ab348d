"""Background tasks (django-tasks, run by ``keqi worker``): checking and importing uploaded contract files."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django_tasks import task

from keqi.accounts.scope import scope_for

from . import flows
from .models import ContractImport


def _scope(upload_id: int):
    upload = ContractImport.objects.select_related("uploaded_by").get(pk=upload_id)
    return scope_for(upload.uploaded_by or get_user_model()(is_active=False))


@task()
def check_upload(upload_id: int) -> str:
    return flows.process_upload(upload_id=upload_id, scope=_scope(upload_id), apply=False).status


@task()
def import_upload(upload_id: int) -> str:
    return flows.process_upload(upload_id=upload_id, scope=_scope(upload_id), apply=True).status
