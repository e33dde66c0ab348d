"""Cultivation tasks: list (mine, overdue, upcoming, all), plan one, change its status or outcome;
scoped like the pages (an officer works on its own unit's firms)."""

import datetime as dt
from typing import Annotated, Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from keqi.pipeline import services
from keqi.pipeline.models import CultivationTask

from .auth import scope_of
from .params import Day, Id, NoNul, Pages, Plain

router = Router(tags=["cultivation work"])

Kind = Literal[tuple(CultivationTask.Kind.values)]
TaskStatus = Literal[tuple(CultivationTask.Status.values)]
Outcome = Literal[tuple(CultivationTask.Outcome.values)]
Notes = Annotated[str, Field(max_length=5000), NoNul]


def _write_scope(request):
    scope = scope_of(request)
    scope.require_write()
    return scope


class TaskOut(Schema):
    id: int
    uscc: str
    enterprise: str
    reporting_unit: str
    kind: str
    title: str
    target_tier: str
    assigned_to: str
    due_on: dt.date
    status: str
    outcome: str
    notes: str
    overdue: bool

    @staticmethod
    def resolve_uscc(obj) -> str:
        return obj.enterprise.uscc

    @staticmethod
    def resolve_enterprise(obj) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_reporting_unit(obj) -> str:
        return obj.enterprise.reporting_unit.name

    @staticmethod
    def resolve_assigned_to(obj) -> str:
        return obj.assigned_to.get_username()

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.status == CultivationTask.Status.OPEN and obj.due_on < timezone.localdate()


class TaskQuery(Schema):
    view: Literal["all", "mine", "overdue", "upcoming"] = "all"


@router.get("", response=list[TaskOut])
@paginate(Pages)
def tasks(request, q: Query[TaskQuery]):
    scope = _write_scope(request)
    return services.tasks(scope=scope, view=q.view, today=timezone.localdate(), user=request.auth).select_related(
        "enterprise__reporting_unit")


class TaskIn(Schema):
    uscc: Plain = Field(max_length=18)
    kind: Kind
    title: Plain = Field(min_length=1, max_length=200)
    assigned_to: Plain = Field(max_length=150, description="user name")
    due_on: Day
    target_tier: Plain = Field("", max_length=12)
    notes: Notes = ""


@router.post("", response={201: TaskOut})
def create(request, body: TaskIn):
    """Plan work on a firm of the caller's scope, assigned to an officer of the firm's unit."""
    scope = _write_scope(request)
    assignee = get_user_model().objects.filter(username=body.assigned_to, is_active=True).first()
    if assignee is None:
        raise ValidationError({"assigned_to": f"没有名为 {body.assigned_to} 的在用账号"})
    task = services.create_task(scope=scope, user=request.auth, uscc=body.uscc.strip().upper(), kind=body.kind,
                                title=body.title, assigned_to=assignee, due_on=body.due_on,
                                target_tier=body.target_tier, notes=body.notes)
    return Status(201, task)


class TaskPatch(Schema):
    status: TaskStatus | None = None
    outcome: Outcome | None = None
    notes: Notes | None = None


@router.patch("/{task_id}", response=TaskOut)
def update(request, task_id: Id, body: TaskPatch):
    """Change a task's status, the application's outcome (guidance only) or its notes."""
    return services.update_task(scope=_write_scope(request), task_id=task_id, **body.dict())
