"""Background task (django-tasks, run by ``keqi worker``) for contract files too large for a request."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django_tasks import task

from keqi.accounts.scope import scope_for

from . import flows
from .models import ContractImport


@task()
def import_upload(upload_id: int) -> str:
    upload = ContractImport.objects.select_related("uploaded_by").get(pk=upload_id)
    user = upload.uploaded_by or get_user_model()(is_active=False)
    return flows.process_upload(upload_id=upload_id, scope=scope_for(user)).status
