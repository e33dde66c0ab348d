"""Background screening (django-tasks, run by ``keqi worker``): never inside a web request."""

from __future__ import annotations

from django_tasks import task

from keqi.accounts.scope import scope_for

from . import flows
from .models import ScreeningRun


@task()
def run_screening(run_id: int) -> str:
    run = ScreeningRun.objects.select_related("requested_by").get(pk=run_id)
    done = flows.run_screening(scope=scope_for(run.requested_by), assess_on=run.assess_on,
                               unit_id=run.reporting_unit_id, user=run.requested_by, run=run)
    return done.status
