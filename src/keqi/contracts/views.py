"""Contract pages. Views translate HTTP to service calls and back; the rules live in the services."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keqi.accounts.scope import scope_for
from keqi.registry.downloads import xlsx_response
from keqi.registry.models import Enterprise

from . import exporting, flows, services, tasks
from .forms import ContractFilterForm, ContractUploadForm, StatsForm
from .models import ContractImport

PAGE_SIZE = 50


def _filters(request, scope):
    form = ContractFilterForm(request.GET or None, units=services.units_visible(scope=scope))
    f = services.ContractFilter()
    if form.is_valid():
        d = form.cleaned_data
        f = services.ContractFilter(q=d["q"].strip(), unit_id=d["unit"].pk if d["unit"] else None,
                                    category=d["category"], hitech_field=d["hitech_field"], status=d["status"],
                                    year=d["year"])
    return form, f


@login_required
def contract_list(request):
    scope = scope_for(request.user)
    form, f = _filters(request, scope)
    qs = services.contracts(scope=scope, filters=f).order_by("-registered_on", "number")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "contracts/contract_list.html", {
        "form": form, "page": page, "query": query.urlencode(), "total": page.paginator.count,
        "can_write": scope.may("contracts.write"),
    })


@login_required
def contract_export(request):
    scope = scope_for(request.user)
    _form, f = _filters(request, scope)
    frame = services.export_frame(scope=scope, queryset=services.contracts(scope=scope, filters=f))
    tmp = Path(tempfile.mkdtemp()) / "contracts.xlsx"
    exporting.write_export(tmp, frame)
    return xlsx_response(tmp, f"技术合同-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def template_download(request):
    scope_for(request.user).require("contracts.read")
    tmp = Path(tempfile.mkdtemp()) / "template.xlsx"
    exporting.write_template(tmp)
    return xlsx_response(tmp, "技术合同导入模板.xlsx")


def _uploads_visible(request):
    scope = scope_for(request.user)
    scope.require("contracts.write")
    qs = ContractImport.objects.select_related("uploaded_by")
    return scope.own_requests(qs, "uploaded_by")


@login_required
def import_list(request):
    page = Paginator(_uploads_visible(request), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "contracts/import_list.html", {"page": page})


@login_required
def import_upload(request):
    """Upload → the worker checks it → the page shows the row errors or the plan → confirm → the worker imports."""
    scope = scope_for(request.user)
    scope.require("contracts.write")
    form = ContractUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = flows.record_upload(scope=scope, user=request.user, uploaded=form.cleaned_data["file"])
        transaction.on_commit(lambda: tasks.check_upload.enqueue(upload.pk))
        return redirect("contracts:import_detail", pk=upload.pk)
    return render(request, "contracts/import_upload.html", {"form": form})


@login_required
def import_detail(request, pk: int):
    upload = get_object_or_404(_uploads_visible(request), pk=pk)
    errors = Paginator(upload.errors, 100).get_page(request.GET.get("page"))
    return render(request, "contracts/import_detail.html", {"upload": upload, "errors": errors,
                                                            "running": upload.running})


@login_required
@require_POST
def import_apply(request, pk: int):
    upload = get_object_or_404(_uploads_visible(request), pk=pk)
    if upload.status != ContractImport.Status.CHECKED:
        raise PermissionDenied(_("Only a checked file without errors can be imported."))
    ContractImport.objects.filter(pk=upload.pk).update(status=ContractImport.Status.IMPORTING)
    transaction.on_commit(lambda: tasks.import_upload.enqueue(upload.pk))
    messages.info(request, _("The import has started; this page updates by itself."))
    return redirect("contracts:import_detail", pk=upload.pk)


@login_required
def statistics(request):
    scope = scope_for(request.user)
    years = services.years_with_contracts(scope=scope)
    default_year = years[0] if years else timezone.localdate().year
    form = StatsForm(request.GET or {"year": default_year}, units=services.units_visible(scope=scope))
    year, unit_id = default_year, None
    if form.is_valid():
        year = form.cleaned_data["year"]
        unit_id = form.cleaned_data["unit"].pk if form.cleaned_data["unit"] else None
    tables = {by: services.turnover_by(scope=scope, year=year, by=by, unit_id=unit_id)
              for by in services.BREAKDOWNS}
    return render(request, "contracts/statistics.html", {
        "form": form, "year": year, "tables": tables, "years": years,
        "turnover": services.turnover(scope=scope, year=year, unit_id=unit_id),
        "technical": services.technical_turnover(scope=scope, year=year, unit_id=unit_id),
        "titles": {"month": _("By month"), "unit": _("By registering unit"), "category": _("By category"),
                   "field": _("By high-tech field")},
    })


@login_required
def enterprise_contracts(request, uscc: str):
    """A firm's contracts as seller or buyer (linked from the firm's page)."""
    scope = scope_for(request.user)
    qs = services.enterprise_contracts(scope=scope, uscc=uscc).order_by("-registered_on", "number")
    # The registry's record only for who may read it; otherwise the page is the contracts the caller may
    # read, and a code with none of them is a 404 (whether it exists or not: nothing to tell). An enterprise
    # user sees its own firm's page only.
    firm = scope.enterprises(Enterprise.objects.all()).filter(uscc=uscc.strip().upper()).first()
    if firm is None and (not scope.may_see_firm_contracts(None) or not qs.exists()):
        raise Http404(_("No such enterprise in your scope."))
    return render(request, "contracts/enterprise.html", {"uscc": uscc.upper(), "firm": firm, "contracts": qs})
