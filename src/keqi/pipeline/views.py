"""Cultivation work pages: lists of tasks (mine, overdue, upcoming), planning one, recording its result."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from keqi.accounts.scope import scope_for
from keqi.registry import services as registry
from keqi.registry.models import Enterprise

from . import services
from .forms import TaskForm, TaskUpdateForm
from .models import CultivationTask

VIEWS = ("mine", "overdue", "upcoming", "all")


@login_required
def task_list(request):
    scope = scope_for(request.user)
    scope.require_write()
    view = request.GET.get("view") if request.GET.get("view") in VIEWS else "mine"
    qs = services.tasks(scope=scope, view=view, today=timezone.localdate(), user=request.user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "pipeline/task_list.html", {"page": page, "view": view, "query": f"view={view}",
                                                       "today": timezone.localdate()})


@login_required
def task_new(request):
    scope = scope_for(request.user)
    scope.require_write()
    uscc = (request.POST.get("uscc") or request.GET.get("uscc") or "").strip().upper()
    firm = registry.enterprises(scope=scope).filter(uscc=uscc).first() if uscc else None
    users = services.assignable_users(scope=scope, unit_id=firm.reporting_unit_id) if firm else None
    initial = {"uscc": uscc, "assigned_to": request.user.pk, "kind": request.GET.get("kind", "visit"),
               "title": request.GET.get("title", "")}
    form = TaskForm(request.POST or None, initial=initial, users=users)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.create_task(scope=scope, user=request.user, uscc=d["uscc"], kind=d["kind"], title=d["title"],
                                 assigned_to=d["assigned_to"], due_on=d["due_on"], notes=d["notes"])
        except Enterprise.DoesNotExist:
            form.add_error("uscc", _("No such enterprise in your scope."))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The task has been planned."))
            return redirect("pipeline:task_list")
    return render(request, "pipeline/task_form.html", {"form": form, "firm": firm})


@login_required
def task_detail(request, pk: int):
    scope = scope_for(request.user)
    scope.require_write()
    try:
        task = services.tasks(scope=scope, today=timezone.localdate()).get(pk=pk)
    except CultivationTask.DoesNotExist:
        raise Http404(_("No such task in your scope.")) from None
    form = TaskUpdateForm(request.POST or None, initial={"status": task.status, "outcome": task.outcome,
                                                         "notes": task.notes})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_task(scope=scope, task_id=task.pk, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("pipeline:task_detail", pk=task.pk)
    return render(request, "pipeline/task_detail.html", {"task": task, "form": form})
