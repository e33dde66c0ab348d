"""Registry pages. Views translate HTTP to service calls and back; the rules live in the services."""

from __future__ import annotations

import tempfile
from dataclasses import asdict
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keqi.accounts.scope import scope_for
from keqi.web.downloads import xlsx_response

from . import exporting, flows, marks, services, tasks
from .forms import EnterpriseFilterForm, UploadForm
from .models import AnnualReport, Enterprise, ExportFile, ImportBatch, Qualification

PAGE_SIZE = 50
# Up to this many enterprises an export streams at once; larger ones are written by the worker.
EXPORT_INLINE_LIMIT = 5000


def _filters(request, scope):
    form = EnterpriseFilterForm(request.GET or None, units=services.units_visible(scope=scope))
    f = services.EnterpriseFilter()
    if form.is_valid():
        d = form.cleaned_data
        f = services.EnterpriseFilter(q=d["q"].strip(), unit_id=d["unit"].pk if d["unit"] else None,
                                      hitech_field=d["hitech_field"], status=d["status"],
                                      qualification=d["qualification"])
    return form, f


@login_required
def enterprise_list(request):
    scope = scope_for(request.user)
    scope.require_read()
    form, f = _filters(request, scope)
    # Per-row figures as correlated subqueries: the database works them out for the rows of the page
    # only, not for every firm before paginating (a join + GROUP BY took ~1 s at 100,000 firms).
    latest = AnnualReport.objects.filter(enterprise=OuterRef("pk")).order_by("-fiscal_year").values("fiscal_year")
    held = (Qualification.objects.filter(enterprise=OuterRef("pk")).order_by().values("enterprise")
            .annotate(n=Count("pk")).values("n"))
    qs = services.enterprises(scope=scope, filters=f).annotate(
        latest_year=Subquery(latest[:1]), qualification_count=Coalesce(Subquery(held), 0)
    ).order_by("name", "pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "registry/enterprise_list.html",
                  {"form": form, "page": page, "query": query.urlencode(), "total": page.paginator.count})


@login_required
def enterprise_export(request):
    scope = scope_for(request.user)
    scope.require_read()
    _, f = _filters(request, scope)
    firms = services.enterprises(scope=scope, filters=f)
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
    return qs if scope.is_city else qs.filter(requested_by=request.user)


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
def enterprise_detail(request, uscc: str):
    scope = scope_for(request.user)
    scope.require_read()
    try:
        ent = services.enterprise(scope=scope, uscc=uscc)
    except Enterprise.DoesNotExist:
        raise Http404(_("No such enterprise in your scope.")) from None
    reports = list(ent.reports.order_by("-fiscal_year"))
    return render(request, "registry/enterprise_detail.html", {
        "enterprise": ent, "reports": reports, "qualifications": list(ent.qualifications.all()),
        "audit": _audit(ent), **_tiers_and_verdicts(scope, ent), **_money(scope, ent),
        "cases": marks.for_firms(scope=scope, enterprise_ids=[ent.pk], every=True).get(ent.pk, []),
    })


def _money(scope, ent: Enterprise) -> dict:
    """The firm's technology contracts and knowledge-value credit, from their apps' read services."""
    from keqi.contracts import services as contracts
    from keqi.credit import services as credit

    return {"firm_contracts": contracts.firm_contracts(scope=scope, uscc=ent.uscc),
            "firm_credit": credit.firm_credit(scope=scope, enterprise=ent)}


AUDIT_ROWS = 50
AUDIT_SKIP = {"id", "enterprise", "created_at", "updated_at"}


def _audit(ent: Enterprise) -> list[dict]:
    """Who changed what, when: the enterprise, its reports and its qualifications, newest first.

    Each change lists the fields that differ from the object's previous history row."""
    from .models import AnnualReport, Qualification

    rows = []
    for label, model, qs in (
        (_("Enterprise"), Enterprise, ent.history.all()),
        (_("Annual report"), AnnualReport, AnnualReport.history.filter(enterprise_id=ent.pk)),
        (_("Qualification"), Qualification, Qualification.history.filter(enterprise_id=ent.pk)),
    ):
        fields = [f for f in model._meta.concrete_fields if f.name not in AUDIT_SKIP]
        previous: dict[int, object] = {}
        for h in qs.select_related("history_user").order_by("history_date", "history_id"):
            old = previous.get(h.id)
            changes = [] if old is None else [
                {"field": f.verbose_name, "old": getattr(old, f.attname), "new": getattr(h, f.attname)}
                for f in fields if getattr(old, f.attname) != getattr(h, f.attname)]
            previous[h.id] = h
            what = label
            if model is AnnualReport:
                what = f"{label} {h.fiscal_year}"
            elif model is Qualification:
                what = f"{label} {h.get_kind_display()}"
            rows.append({"when": h.history_date, "who": h.history_user, "what": what,
                         "type": h.get_history_type_display(), "changes": changes,
                         "reason": h.history_change_reason})
    rows.sort(key=lambda r: r["when"], reverse=True)
    return rows[:AUDIT_ROWS]


def _tiers_and_verdicts(scope, ent: Enterprise) -> dict:
    """The firm page's tier history, latest screening and live verdicts for the editions deciding its next tier."""
    from keqi.pipeline import services as pipeline
    from keqi.screening import services as screening

    today = timezone.localdate()
    ladder = pipeline.current_ladder()
    held = {q.kind for q in ent.qualifications.all() if q.is_valid_on(today)}
    tier = ladder.tier_of(held)
    next_editions = ladder.next_editions(tier, today)
    verdicts = screening.explained(screening.evaluate_enterprise(
        scope=scope, uscc=ent.uscc, assess_on=today, edition_ids=next_editions)) if next_editions else []
    run, standing, results = screening.firm_standing(scope=scope, enterprise=ent)
    return {"tier_history": pipeline.tier_history(scope=scope, enterprise_id=ent.pk), "tier": tier,
            "next_tier": ladder.next_of(tier), "next_verdicts": verdicts, "today": today,
            "run": run, "standing": standing, "run_results": results, "tier_labels": ladder.labels()}


@login_required
def template_download(request):
    tmp = Path(tempfile.mkdtemp()) / "template.xlsx"
    exporting.write_template(tmp)
    return xlsx_response(tmp, "企业年报导入模板.xlsx")


def _batches_visible(request):
    scope = scope_for(request.user)
    scope.require_write()
    qs = ImportBatch.objects.select_related("uploaded_by")
    return qs if scope.is_city else qs.filter(uploaded_by=request.user)


@login_required
def import_list(request):
    page = Paginator(_batches_visible(request), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "registry/import_list.html", {"page": page})


@login_required
def import_upload(request):
    scope = scope_for(request.user)
    scope.require_write()
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        batch = flows.record_upload(scope=scope, user=request.user, uploaded=form.cleaned_data["file"])
        transaction.on_commit(lambda: tasks.check_batch.enqueue(batch.pk))
        return redirect("registry:import_detail", pk=batch.pk)
    return render(request, "registry/import_upload.html", {"form": form})


@login_required
def import_detail(request, pk: int):
    batch = get_object_or_404(_batches_visible(request), pk=pk)
    errors = Paginator(batch.errors, 100).get_page(request.GET.get("page"))
    running = batch.status in (ImportBatch.Status.PENDING, ImportBatch.Status.CHECKING, ImportBatch.Status.IMPORTING)
    return render(request, "registry/import_detail.html", {"batch": batch, "errors": errors, "running": running})


@login_required
@require_POST
def import_apply(request, pk: int):
    batch = get_object_or_404(_batches_visible(request), pk=pk)
    if batch.status != ImportBatch.Status.VALID:
        raise PermissionDenied(_("Only a checked file without errors can be imported."))
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.PENDING, progress=0)
    transaction.on_commit(lambda: tasks.import_batch.enqueue(batch.pk))
    messages.info(request, _("The import has started; this page updates by itself."))
    return redirect("registry:import_detail", pk=batch.pk)
