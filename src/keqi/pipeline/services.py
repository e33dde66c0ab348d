"""Cultivation tasks (reads and writes; keyword-only; scoped like the registry).

A district officer plans work on its own unit's firms and assigns it to an officer of the same
unit; the city administrator may do so anywhere. Overdue = open and due before today; upcoming =
open and due within the next 14 days.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet

from keqi.accounts.models import Role
from keqi.accounts.scope import Scope
from keqi.registry import services as registry

from .models import CultivationTask

UPCOMING_DAYS = 14


def tasks(*, scope: Scope, view: str = "all", today: dt.date, user=None) -> QuerySet:
    """Tasks on firms the scope may read: ``all``, ``mine``, ``overdue`` or ``upcoming``."""
    firms = registry.enterprises(scope=scope).values("pk")
    qs = CultivationTask.objects.filter(enterprise__in=firms).select_related("enterprise", "assigned_to")
    if view == "mine" and user is not None:
        qs = qs.filter(assigned_to=user)
    elif view == "overdue":
        qs = qs.filter(status=CultivationTask.Status.OPEN, due_on__lt=today)
    elif view == "upcoming":
        qs = qs.filter(status=CultivationTask.Status.OPEN, due_on__gte=today,
                       due_on__lte=today + dt.timedelta(days=UPCOMING_DAYS))
    return qs.order_by("due_on", "pk")


def assignable_users(*, scope: Scope, unit_id: int) -> QuerySet:
    """Officers who may be given work on firms of ``unit_id``: that unit's officers (and city admins)."""
    users = get_user_model().objects.filter(is_active=True)
    return users.filter(membership__role=Role.DISTRICT_OFFICER, membership__reporting_unit_id=unit_id) | users.filter(
        membership__role=Role.CITY_ADMIN)


def create_task(*, scope: Scope, user, uscc: str, kind: str, title: str, assigned_to, due_on: dt.date,
                target_tier: str = "", notes: str = "") -> CultivationTask:
    scope.require_write()
    firm = registry.enterprise(scope=scope, uscc=uscc)
    scope.require_write_unit(firm.reporting_unit_id)
    if not assignable_users(scope=scope, unit_id=firm.reporting_unit_id).filter(pk=assigned_to.pk).exists():
        raise ValidationError("只能指派给该企业所属区县的工作人员")
    if kind not in CultivationTask.Kind.values:
        raise ValidationError(f"未知的工作类型：{kind}")
    return CultivationTask.objects.create(enterprise=firm, kind=kind, title=title, assigned_to=assigned_to,
                                          due_on=due_on, target_tier=target_tier, notes=notes, created_by=user)


def update_task(*, scope: Scope, task_id: int, status: str | None = None, outcome: str | None = None,
                notes: str | None = None) -> CultivationTask:
    scope.require_write()
    task = tasks(scope=scope, today=dt.date.today()).get(pk=task_id)
    scope.require_write_unit(task.enterprise.reporting_unit_id)
    if status is not None:
        if status not in CultivationTask.Status.values:
            raise ValidationError(f"未知的状态：{status}")
        task.status = status
    if outcome is not None:
        if outcome not in CultivationTask.Outcome.values:
            raise ValidationError(f"未知的结果：{outcome}")
        if outcome and task.kind != CultivationTask.Kind.GUIDANCE:
            raise PermissionDenied("只有申报辅导类工作才记录申报结果")
        task.outcome = outcome
    if notes is not None:
        task.notes = notes
    task.save()
    return task
