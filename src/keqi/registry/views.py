"""Registry pages. Views translate HTTP to service calls and back; the rules live in the services."""

from __future__ import annotations

import tempfile
from dataclasses import asdict, replace
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy

from keqi.accounts.scope import scope_for

from . import exporting, listing, services, tasks, tiers
from .downloads import xlsx_response
from .forms import EnterpriseFilterForm
from .models import ExportFile, ImportBatch
from .upload_views import UploadPages

PAGE_SIZE = 50
# Up to this many enterprises an export streams at once; larger ones are written by the worker.
EXPORT_INLINE_LIMIT = 5000


def _filters(request, scope, tiers=None):
    form = EnterpriseFilterForm(request.GET or None, units=services.units_visible(scope=scope),
                                tiers=tiers.tiers if tiers else None)
    f = services.EnterpriseFilter()
    if form.is_valid():
        d = form.cleaned_data
        f = services.EnterpriseFilter(q=d["q"].strip(), unit_id=d["unit"].pk if d["unit"] else None,
                                      hitech_field=d["hitech_field"], status=d["status"],
                                      qualification=d["qualification"], industry=d["industry"],
                                      tier=d.get("tier", ""))
    return form, f


LIST_HEADERS = (
    services.ENTERPRISE_SORTS["name"], services.ENTERPRISE_SORTS["uscc"], services.ENTERPRISE_SORTS["unit"],
    services.ENTERPRISE_SORTS["tier"], services.ENTERPRISE_SORTS["registered_on"], "高新技术领域", "经营状态",
    services.ENTERPRISE_SORTS["latest_year"], services.ENTERPRISE_SORTS["qualifications"],
)


@login_required
def enterprise_list(request):
    scope = scope_for(request.user)
    scope.require_read()
    today = timezone.localdate()
    form, f = _filters(request, scope, tiers.column(on=today))
    try:  # a sort key the list does not have: by name (the API answers 422)
        found = services.enterprise_list(scope=scope, filters=replace(f, sort=request.GET.get("sort", "")), on=today)
    except ValidationError:
        found = services.enterprise_list(scope=scope, filters=f, on=today)
    page = listing.paged(found.firms, request.GET)
    rows = [(e, found.tier_label(e)) for e in page.object_list]
    return render(request, "registry/enterprise_list.html", {
        "form": form, "page": page, "rows": rows, "query": page.query, "total": page.paginator.count,
        "headers": listing.headers(LIST_HEADERS, found.sort, request.GET), "sort": found.sort.text,
        "size": page.paginator.per_page, "today": today,
    })


@login_required
def enterprise_export(request):
    scope = scope_for(request.user)
    scope.require_read()
    today = timezone.localdate()
    _, f = _filters(request, scope, tiers.column(on=today))
    firms = services.enterprise_list(scope=scope, filters=f, on=today).firms  # the list's firms, as filtered
    if firms.count() > EXPORT_INLINE_LIMIT:
        export = ExportFile.objects.create(requested_by=request.user, filters=asdict(f))
        transaction.on_commit(lambda: tasks.write_export.enqueue(export.pk))
        return redirect("registry:export_detail", pk=export.pk)
    frames = services.export_frames(scope=scope, queryset=firms)
    tmp = Path(tempfile.mkdtemp()) / "export.xlsx"
    exporting.write_export(tmp, frames)
    return xlsx_response(tmp, f"企业名录-{timezone.localdate():%Y%m%d}.xlsx")


def _exports_visible(request):
    scope = scope_for(request.user)
    scope.require_read()
    qs = ExportFile.objects.all()
    return scope.own_requests(qs, "requested_by")


@login_required
def export_detail(request, pk: int):
    export = get_object_or_404(_exports_visible(request), pk=pk)
    running = export.status in (ExportFile.Status.PENDING, ExportFile.Status.RUNNING)
    return render(request, "registry/export_detail.html", {"export": export, "running": running})


@login_required
def export_download(request, pk: int):
    export = get_object_or_404(_exports_visible(request), pk=pk, status=ExportFile.Status.DONE)
    return xlsx_response(Path(export.file.path), Path(export.file.name).name)


@login_required
def template_download(request):
    tmp = Path(tempfile.mkdtemp()) / "template.xlsx"
    exporting.write_template(tmp)
    return xlsx_response(tmp, "企业年报导入模板.xlsx")


# The upload lifecycle's pages (upload_views.py): history, upload, detail, confirm, check again.
uploads = UploadPages(
    model=ImportBatch, namespace="registry", list_title=_lazy("Import history"),
    upload_title=_lazy("Import enterprise data"),
    intro=_lazy("Fill in the template (one row per enterprise and fiscal year) and upload it. The file is first "
                "checked without changing anything; you then see every error with its row and column, or what "
                "the import will create and update, and confirm."),
    template_url="registry:template", done_links=((_lazy("See the enterprises"), "registry:enterprise_list"),),
)
