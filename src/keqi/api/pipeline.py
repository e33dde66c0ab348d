"""Cultivation tasks: list (mine, overdue, upcoming, all), plan one, change its status or outcome;
scoped like the pages (an officer works on its own unit's firms)."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from keqi.accounts.scope import scope_for
from keqi.pipeline import services
from keqi.pipeline.models import CultivationTask
from keqi.registry.models import Enterprise

router = Router(tags=["cultivation work"])


def _write_scope(request):
    scope = scope_for(request.auth)
    try:
        scope.require_write()
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
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
    view: str = "all"  # all, mine, overdue, upcoming


@router.get("", response=list[TaskOut])
@paginate(PageNumberPagination, page_size=50)
def tasks(request, q: Query[TaskQuery]):
    scope = _write_scope(request)
    if q.view not in ("all", "mine", "overdue", "upcoming"):
        raise HttpError(422, f"view must be all, mine, overdue or upcoming, not {q.view!r}")
    return services.tasks(scope=scope, view=q.view, today=timezone.localdate(), user=request.auth).select_related(
        "enterprise__reporting_unit")


class TaskIn(Schema):
    uscc: str
    kind: str
    title: str
    assigned_to: str  # user name
    due_on: dt.date
    target_tier: str = ""
    notes: str = ""


@router.post("", response={201: TaskOut})
def create(request, body: TaskIn):
    """Plan work on a firm of the caller's scope, assigned to an officer of the firm's unit."""
    scope = _write_scope(request)
    assignee = get_user_model().objects.filter(username=body.assigned_to, is_active=True).first()
    if assignee is None:
        raise HttpError(422, f"no active user named {body.assigned_to!r}")
    try:
        task = services.create_task(scope=scope, user=request.auth, uscc=body.uscc.strip().upper(), kind=body.kind,
                                    title=body.title, assigned_to=assignee, due_on=body.due_on,
                                    target_tier=body.target_tier, notes=body.notes)
    except Enterprise.DoesNotExist:
        raise HttpError(404, "No such enterprise in your scope.") from None
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    except ValidationError as exc:
        raise HttpError(422, "; ".join(exc.messages)) from None
    return Status(201, task)


class TaskPatch(Schema):
    status: str | None = None
    outcome: str | None = None
    notes: str | None = None


@router.patch("/{task_id}", response=TaskOut)
def update(request, task_id: int, body: TaskPatch):
    """Change a task's status, the application's outcome (guidance only) or its notes."""
    scope = _write_scope(request)
    try:
        return services.update_task(scope=scope, task_id=task_id, **body.dict())
    except CultivationTask.DoesNotExist:
        raise HttpError(404, "No such task in your scope.") from None
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    except ValidationError as exc:
        raise HttpError(422, "; ".join(exc.messages)) from None
