"""Pages of applications, annual filings, 公示 batches and the working-day calendar.

Views translate HTTP to service calls and back; every rule (who may act, on what, when) is in the
services and the workflow definitions. A refused step comes back as one Chinese message on the page.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from keqi.accounts.scope import scope_for
from keqi.policy import workflows
from keqi.registry import services as registry
from keqi.registry.downloads import xlsx_response
from keqi.registry.models import Enterprise

from . import exporting, flows, services
from .attachments import AttachmentRefused
from .forms import (
    ApplicationFilterForm,
    AttachmentForm,
    BatchForm,
    CalendarForm,
    ObjectionForm,
    StartForm,
    WindowForm,
)
from .models import AnnualFiling, Application, Attachment, CalendarYear, Objection, PublicityBatch

PAGE_SIZE = 50
FILING_GROUPS = (
    ("人员", ("staff_total", "tech_staff", "senior_tech_staff", "rd_staff")),
    ("收入与研发（万元）", ("revenue", "main_revenue", "rd_expense", "rd_expense_domestic", "cost_total",
                           "hitech_revenue", "net_profit", "total_assets", "net_assets", "equity_financing")),
    ("知识产权与成果", ("ip_class1", "ip_class2", "ip_self_developed", "conversions_3y", "sme_ip_class1_in_use",
                       "sme_ip_class1_high_value", "star_invention_patents")),
    ("诚信情况", ("flag_major_incident", "flag_research_misconduct", "flag_credit_blacklisted",
                  "flag_abnormal_operation", "flag_prohibited_industry")),
)


def _refusal(request, exc) -> None:
    messages.error(request, str(exc) if not isinstance(exc, PermissionDenied) or str(exc) else "您无权办理该事项。")


def _today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------- applications


@login_required
def application_list(request):
    scope = scope_for(request.user)
    if not (scope.can_review or scope.enterprise_id):
        raise PermissionDenied("您的角色不办理申报。")
    form = ApplicationFilterForm(request.GET or None, units=registry.units_visible(scope=scope) if scope.can_review
                                 else None)
    f = services.ApplicationFilter()
    if form.is_valid():
        d = form.cleaned_data
        unit = d.get("unit")
        f = services.ApplicationFilter(programme=d["programme"], phase=d["phase"], q=d["q"].strip(),
                                       overdue=d["overdue"], unit_id=unit.pk if unit else None)
    qs = services.applications(scope=scope, filters=f, today=_today()).order_by("-updated_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = _today()
    rows, steps = [], set()
    for a in page:  # plain values: the template only prints them (50 rows render in a few ms)
        st = services.standing(a, today=today)
        acts = services.actions_for(scope=scope, case=a)
        steps.update((t.key, t.label) for t in acts if t.bulk and not t.inputs)
        rows.append({"pk": a.pk, "name": a.enterprise.name, "uscc": a.enterprise.uscc, "title": a.definition.title,
                     "unit": a.reporting_unit.name, "label": st.label, "open": st.open,
                     "site_check": a.site_check_required and st.open, "waiting": st.waiting_label if st.open else "—",
                     "due": f"{a.due_on:%Y-%m-%d}" if a.due_on else "—", "overdue": st.overdue,
                     "updated": timezone.localtime(a.updated_at).strftime("%Y-%m-%d %H:%M"), "selectable": bool(acts)})
    bulk = sorted(steps)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "applications/application_list.html", {
        "form": form, "page": page, "rows": rows, "query": query.urlencode(), "total": page.paginator.count,
        "bulk": bulk, "programme": f.programme, "phases": services.phase_counts(scope=scope, programme=f.programme),
        "phase_labels": workflows.PHASES, "programmes": workflows.application_programmes(),
        "can_start": bool(scope.enterprise_id)})


@login_required
def application_new(request):
    scope = scope_for(request.user)
    if not scope.enterprise_id:
        raise PermissionDenied("申报由企业发起。")
    filings = AnnualFiling.objects.filter(enterprise_id=scope.enterprise_id).order_by("-fiscal_year")
    form = StartForm(request.POST or None, filings=filings, initial={"programme": request.GET.get("programme")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            app = services.start_application(scope=scope, user=request.user, enterprise_id=scope.enterprise_id,
                                             programme=d["programme"], today=_today(),
                                             filing_id=d["filing"].pk if d["filing"] else None)
        except (services.WorkflowError, PermissionDenied) as exc:
            _refusal(request, exc)
        else:
            messages.success(request, "已创建申报草稿：请上传材料，确认后提交。")
            return redirect("applications:detail", pk=app.pk)
    return render(request, "applications/application_new.html", {"form": form, "filings": filings})


def _application(request, pk: int) -> Application:
    try:
        return services.application(scope=scope_for(request.user), pk=pk)
    except Application.DoesNotExist:
        raise Http404("没有该申报，或不在您的权限范围内。") from None


@login_required
def application_detail(request, pk: int):
    scope = scope_for(request.user)
    app = _application(request, pk)
    actions = services.actions_for(scope=scope, case=app)
    open_batches = (PublicityBatch.objects.filter(programme=app.programme, status=PublicityBatch.Status.OPEN)
                    if any("batch" in t.inputs for t in actions) else [])
    return render(request, "applications/application_detail.html", {
        "app": app, "standing": services.standing(app, today=_today()), "actions": actions,
        "events": services.events(case=app), "attachments": app.attachments.all(),
        "objections": app.objections.all(), "open_batches": open_batches, "wf": app.definition,
        "may_upload": services.scope_for_upload(scope, app), "attachment_form": AttachmentForm(),
        "objection_form": ObjectionForm(initial={"received_on": _today()}),
        "actor_labels": workflows.ACTOR_LABELS, "today": _today()})


def _inputs(request) -> dict:
    out: dict = {}
    if request.POST.get("number"):
        out["number"] = request.POST["number"].strip()[:64]
    for name in ("valid_from", "valid_to"):
        if request.POST.get(name):
            try:
                out[name] = dt.date.fromisoformat(request.POST[name])
            except ValueError:
                raise services.WorkflowError("日期格式应为 YYYY-MM-DD。") from None
    if request.POST.get("batch"):
        batch = PublicityBatch.objects.filter(pk=request.POST["batch"]).first() if request.POST["batch"].isdigit() \
            else None
        if batch is None:
            raise services.WorkflowError("请选择公示批次。")
        out["batch"] = batch
    return out


def _version(request) -> int | None:
    v = request.POST.get("version", "")
    return int(v) if v.isdigit() else None


@login_required
@require_POST
def application_act(request, pk: int):
    scope = scope_for(request.user)
    app = _application(request, pk)
    action = request.POST.get("action", "")
    try:
        if action == "object":
            form = ObjectionForm(request.POST)
            if not form.is_valid():
                raise services.WorkflowError("请填写异议内容和收到日期（YYYY-MM-DD）。")
            flows.record_objection(scope=scope, user=request.user, application=app,
                                      received_on=form.cleaned_data["received_on"],
                                      content=form.cleaned_data["content"], expected_version=_version(request))
        elif action in ("dismiss_objection", "uphold_objection"):
            flows.resolve_objection(scope=scope, user=request.user, application=app,
                                       upheld=action == "uphold_objection", resolution=request.POST.get("reason", ""),
                                       expected_version=_version(request))
        else:
            flows.act(scope=scope, user=request.user, case=app, action=action,
                         reason=request.POST.get("reason", "")[:2000], inputs=_inputs(request),
                         expected_version=_version(request))
    except (services.WorkflowError, PermissionDenied) as exc:
        _refusal(request, exc)
    else:
        messages.success(request, f"已办理：{app.definition.state(app.state).label}")
    return redirect("applications:detail", pk=app.pk)


@login_required
@require_POST
def application_bulk(request):
    scope = scope_for(request.user)
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    programme = request.POST.get("programme", "")
    action = request.POST.get("action", "")
    batch = None
    if request.POST.get("in_batch", "").isdigit():
        batch = get_object_or_404(PublicityBatch, pk=request.POST["in_batch"])
    everything = request.POST.get("all") == "1"  # e.g. every approved application into a 公示 batch
    if not ids and batch is None and not everything:
        messages.error(request, "请先勾选要办理的申报。")
        return redirect(request.POST.get("next") or "applications:list")
    try:
        result = flows.bulk_act(scope=scope, user=request.user, programme=programme, action=action,
                                   ids=None if everything else ids, batch=batch, reason=request.POST.get("reason", "")[:2000],
                                   inputs=_inputs(request))
    except (services.WorkflowError, PermissionDenied) as exc:
        _refusal(request, exc)
    else:
        messages.success(request, f"已批量办理 {len(result.done)} 件。" + "".join(result.reasons))
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith("/applications/") else "applications:list")


@login_required
@require_POST
def attachment_upload(request, pk: int):
    scope = scope_for(request.user)
    app = _application(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请填写材料名称并选择文件。")
    else:
        try:
            services.add_attachment(scope=scope, user=request.user, application=app,
                                    uploaded=form.cleaned_data["file"], label=form.cleaned_data["label"])
        except (AttachmentRefused, services.WorkflowError, PermissionDenied) as exc:
            _refusal(request, exc)
        else:
            messages.success(request, "材料已上传。")
    return redirect("applications:detail", pk=app.pk)


@login_required
def attachment_download(request, pk: int):
    try:
        att = services.attachment(scope=scope_for(request.user), pk=pk)
    except Attachment.DoesNotExist:
        raise Http404("没有该材料，或不在您的权限范围内。") from None
    ext = att.file.name.rsplit(".", 1)[-1]
    response = FileResponse(att.file.open("rb"), as_attachment=True, content_type=att.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'{att.label}.{ext}')}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def attachment_delete(request, pk: int):
    scope = scope_for(request.user)
    try:
        att = services.attachment(scope=scope, pk=pk)
        services.delete_attachment(scope=scope, att=att)
    except Attachment.DoesNotExist:
        raise Http404("没有该材料，或不在您的权限范围内。") from None
    except PermissionDenied as exc:
        _refusal(request, exc)
        return redirect("applications:detail", pk=att.application_id)
    messages.success(request, "材料已删除。")
    return redirect("applications:detail", pk=att.application_id)


# ---------------------------------------------------------------- annual filings


@login_required
def filing_list(request):
    scope = scope_for(request.user)
    today = _today()
    window = services.current_window(today=today)
    if scope.enterprise_id:
        return render(request, "applications/filing_list_firm.html", {
            "filings": services.filings(scope=scope).order_by("-fiscal_year"), "window": window, "today": today,
            "year": window.fiscal_year if window else today.year - 1})
    if not scope.can_review:
        raise PermissionDenied("您的角色不办理年度填报。")
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else (
        window.fiscal_year if window else today.year - 1)
    state = request.GET.get("state", "")
    qs = services.filings(scope=scope, fiscal_year=year, state=state if state in ("draft", "submitted", "returned",
                                                                                  "accepted") else "")
    page = Paginator(qs.order_by("-updated_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = dict(services.filings(scope=scope, fiscal_year=year).order_by().values("state")
                  .annotate(n=Count("pk")).values_list("state", "n"))
    return render(request, "applications/filing_list.html", {
        "page": page, "year": year, "state": state, "counts": counts, "window": window,
        "labels": {s.key: s.label for s in workflows.get("annual-filing-2022").states}, "today": today,
        "query": f"year={year}&state={state}"})


@login_required
@require_POST
def filing_start(request):
    scope = scope_for(request.user)
    year = request.POST.get("year", "")
    if not year.isdigit():
        return HttpResponseBadRequest("年度应为数字")
    try:
        filing = services.open_filing(scope=scope, user=request.user, enterprise_id=scope.enterprise_id or 0,
                                      fiscal_year=int(year), today=_today())
    except (services.WorkflowError, PermissionDenied) as exc:
        _refusal(request, exc)
        return redirect("applications:filings")
    except Enterprise.DoesNotExist:
        raise PermissionDenied("年度填报由企业本身填写。") from None
    return redirect("applications:filing", pk=filing.pk)


def _filing(request, pk: int) -> AnnualFiling:
    try:
        return services.filing(scope=scope_for(request.user), pk=pk)
    except AnnualFiling.DoesNotExist:
        raise Http404("没有该年度填报，或不在您的权限范围内。") from None


def _field_groups(entries: dict, errors: dict) -> list[tuple[str, list[dict]]]:
    by_field = {c.field: c for c in services.FILING_COLUMNS}
    grouped = {f for _, fs in FILING_GROUPS for f in fs}
    groups = [*FILING_GROUPS, ("其他（专精特新、科创属性等，按需填写）",
                               tuple(c.field for c in services.FILING_COLUMNS if c.field not in grouped))]
    return [(title, [{"col": by_field[f], "value": entries.get(f, ""), "errors": errors.get(f, [])}
                     for f in fields if f in by_field]) for title, fields in groups]


@login_required
def filing_detail(request, pk: int):
    scope = scope_for(request.user)
    filing = _filing(request, pk)
    today = _today()
    editable = scope.actor_for(unit_id=filing.reporting_unit_id, enterprise_id=filing.enterprise_id) == "firm" \
        and filing.state in ("draft", "returned")
    entries = dict(filing.entries)
    errors: dict = {}
    if request.method == "POST" and editable:
        entries = {c.field: request.POST.get(c.field, "") for c in services.FILING_COLUMNS}
        try:
            filing, check = services.save_entries(scope=scope, user=request.user, filing=filing, entries=entries,
                                                  expected_version=_version(request), today=today)
            errors = check.errors
            if request.POST.get("action") == "submit":
                if errors:
                    messages.error(request, f"有 {sum(map(len, errors.values()))} 处需要改正，已保存草稿，请改正后再提交。")
                else:
                    flows.act(scope=scope, user=request.user, case=filing, action="submit", today=today)
                    messages.success(request, f"{filing.fiscal_year}年度填报已提交，数据已进入企业库。")
                    return redirect("applications:filing", pk=filing.pk)
            else:
                messages.success(request, "草稿已保存。" if not errors else "草稿已保存，有需要改正的项目（见标红处）。")
        except (services.WorkflowError, PermissionDenied) as exc:
            _refusal(request, exc)
        entries = dict(filing.entries)
    elif editable and filing.entries:
        errors = services.check_entries(enterprise=filing.enterprise, fiscal_year=filing.fiscal_year,
                                        entries=filing.entries, today=today)[0].errors
    return render(request, "applications/filing_detail.html", {
        "filing": filing, "editable": editable, "groups": _field_groups(entries, errors),
        "standing": services.standing(filing, today=today), "actions": services.actions_for(scope=scope, case=filing),
        "events": services.events(case=filing), "error_count": sum(map(len, errors.values())),
        "window": services.filing_window(fiscal_year=filing.fiscal_year), "today": today})


@login_required
@require_POST
def filing_evaluate(request, pk: int):
    """The live self-evaluation (自评) of the figures being typed: an HTML fragment for the filing page."""
    scope = scope_for(request.user)
    filing = _filing(request, pk)
    entries = {c.field: request.POST.get(c.field, "") for c in services.FILING_COLUMNS}
    entries = {k: v for k, v in entries.items() if v.strip()}
    check, _ = services.check_entries(enterprise=filing.enterprise, fiscal_year=filing.fiscal_year, entries=entries,
                                      today=_today())
    verdicts = services.self_evaluation(scope=scope, enterprise=filing.enterprise, fiscal_year=filing.fiscal_year,
                                        values=check.values, today=_today())
    return render(request, "applications/_self_evaluation.html", {"verdicts": verdicts, "errors": check.errors,
                                                                  "labels": {c.field: c.header for c in
                                                                             services.FILING_COLUMNS}})


@login_required
@require_POST
def filing_act(request, pk: int):
    scope = scope_for(request.user)
    filing = _filing(request, pk)
    try:
        flows.act(scope=scope, user=request.user, case=filing, action=request.POST.get("action", ""),
                     reason=request.POST.get("reason", "")[:2000], expected_version=_version(request))
    except (services.WorkflowError, PermissionDenied) as exc:
        _refusal(request, exc)
    else:
        messages.success(request, f"已办理：{filing.state_label}")
    return redirect("applications:filing", pk=filing.pk)


@login_required
def filing_missing(request):
    scope = scope_for(request.user)
    today = _today()
    window = services.current_window(today=today)
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else (
        window.fiscal_year if window else today.year - 1)
    if request.method == "POST":
        n = services.remind(scope=scope, fiscal_year=year, today=today)
        messages.success(request, f"已向 {n} 位企业用户发送站内提醒和邮件提醒。")
        return redirect(f"{request.path}?year={year}")
    missing = services.missing_filings(scope=scope, fiscal_year=year, today=today)
    page = Paginator(missing.firms, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "applications/filing_missing.html", {"missing": missing, "page": page, "year": year,
                                                                "query": f"year={year}"})


@login_required
def filing_window(request):
    scope = scope_for(request.user)
    if not scope.is_city:
        raise PermissionDenied("只有市科技局管理员可以设置年度填报期。")
    form = WindowForm(request.POST or None, initial={"fiscal_year": _today().year - 1})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_filing_window(scope=scope, user=request.user, **form.cleaned_data)
        except services.WorkflowError as exc:
            _refusal(request, exc)
        else:
            messages.success(request, "年度填报期已设置。")
            return redirect("applications:filing_window")
    from .models import FilingWindow

    return render(request, "applications/filing_window.html", {"form": form, "windows": FilingWindow.objects.all()})


# ---------------------------------------------------------------- 公示 batches


@login_required
def batch_list(request):
    scope = scope_for(request.user)
    try:
        batches = services.batches(scope=scope)
    except PermissionDenied:
        raise
    form = BatchForm(request.POST or None, initial={"opens_on": _today(), "programme": "cq-tech"})
    if request.method == "POST":
        if form.is_valid():
            try:
                batch = services.open_batch(scope=scope, user=request.user, **form.cleaned_data)
            except (services.WorkflowError, PermissionDenied) as exc:
                _refusal(request, exc)
            else:
                messages.success(request, f"已开启“{batch.title}”，公示期至 {batch.closes_on:%Y-%m-%d}。")
                return redirect("applications:batch", pk=batch.pk)
    defaults = {w.programme: w.publicity for w in workflows.all_workflows() if w.decided_in_keqi and w.publicity}
    return render(request, "applications/batch_list.html", {"batches": batches, "form": form, "defaults": defaults,
                                                            "is_city": scope.is_city})


def _batch(request, pk: int) -> PublicityBatch:
    scope = scope_for(request.user)
    return get_object_or_404(services.batches(scope=scope), pk=pk)


@login_required
def batch_detail(request, pk: int):
    scope = scope_for(request.user)
    batch = _batch(request, pk)
    today = _today()
    if request.method == "POST" and request.POST.get("action") == "conclude":
        try:
            result = flows.conclude_batch(scope=scope, user=request.user, batch=batch, today=today)
        except (services.WorkflowError, PermissionDenied) as exc:
            _refusal(request, exc)
        else:
            messages.success(request, f"已办结：{len(result.done)} 家企业入库。" + "".join(result.reasons))
        return redirect("applications:batch", pk=batch.pk)
    apps = services.applications(scope=scope, filters=services.ApplicationFilter(batch_id=batch.pk)).order_by(
        "reporting_unit__code", "enterprise__name")
    ready = services.applications(scope=scope, filters=services.ApplicationFilter(
        programme=batch.programme, state="city_approved")).order_by("reporting_unit__code", "enterprise__name")
    page = Paginator(apps, PAGE_SIZE).get_page(request.GET.get("page"))
    if request.GET.get("print"):
        return render(request, "applications/batch_print.html", {
            "batch": batch, "rows": apps.iterator(chunk_size=2000),
            "wf": workflows.resolve(batch.programme, batch.opens_on)})
    return render(request, "applications/batch_detail.html", {
        "batch": batch, "page": page, "ready": ready[:PAGE_SIZE], "ready_count": ready.count(), "today": today,
        "objections": Objection.objects.filter(batch=batch).select_related("application__enterprise"),
        "is_city": scope.is_city, "ended": batch.closes_on < today, "wf": workflows.resolve(batch.programme,
                                                                                           batch.opens_on)})


@login_required
def batch_export(request, pk: int):
    scope = scope_for(request.user)
    batch = _batch(request, pk)
    tmp = Path(tempfile.mkdtemp()) / "batch.xlsx"
    exporting.write_batch(tmp, batch=batch, applications=services.applications(
        scope=scope, filters=services.ApplicationFilter(batch_id=batch.pk)).order_by("reporting_unit__code",
                                                                                    "enterprise__name"))
    return xlsx_response(tmp, f"{batch.title}.xlsx")


# ---------------------------------------------------------------- the working-day calendar


@login_required
def calendar_list(request):
    scope = scope_for(request.user)
    if not scope.can_review:
        raise PermissionDenied("只有区县和市级工作人员可以查看工作日历。")
    if request.GET.get("year", "").isdigit() and 2000 <= int(request.GET["year"]) <= 2100:
        return redirect("applications:calendar_year", year=int(request.GET["year"]))
    years = CalendarYear.objects.annotate(n=Count("days")).order_by("year")
    return render(request, "applications/calendar_list.html", {"years": years, "is_city": scope.is_city})


_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\s*(?:至|到|~|-{2})\s*(\d{4}-\d{2}-\d{2}))?\s*(.*)$")


def _parse_days(text: str, *, named: bool) -> list:
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        m = _RANGE.match(line)
        if not m:
            raise services.WorkflowError(f"第{n}行格式不对：“{line[:40]}”（应为 YYYY-MM-DD）。")
        try:
            first = dt.date.fromisoformat(m.group(1))
            last = dt.date.fromisoformat(m.group(2)) if m.group(2) else first
        except ValueError:
            raise services.WorkflowError(f"第{n}行不是有效日期：“{line[:40]}”。") from None
        if last < first or (last - first).days > 31:
            raise services.WorkflowError(f"第{n}行的日期范围不对。")
        for i in range((last - first).days + 1):
            day = first + dt.timedelta(days=i)
            out.append((day, (m.group(3).strip() or "放假")[:20]) if named else day)
    return out


@login_required
def calendar_year(request, year: int):
    scope = scope_for(request.user)
    if not scope.can_review:
        raise PermissionDenied("只有区县和市级工作人员可以查看工作日历。")
    cy = CalendarYear.objects.filter(year=year).first()
    days = list(cy.days.all()) if cy else []
    holidays = "\n".join(f"{d.day:%Y-%m-%d} {d.name}" for d in days if d.kind == "holiday")
    workdays = "\n".join(f"{d.day:%Y-%m-%d}" for d in days if d.kind == "workday")
    form = CalendarForm(request.POST or None, initial={
        "confirmed": cy.confirmed if cy else False, "document": cy.document if cy else "",
        "source": cy.source if cy else "", "note": cy.note if cy else "", "holidays": holidays,
        "workdays": workdays})
    if request.method == "POST":
        if not scope.is_city:
            raise PermissionDenied("只有市科技局管理员可以修改工作日历。")
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.set_calendar_year(scope=scope, year=year, confirmed=d["confirmed"], document=d["document"],
                                           source=d["source"], note=d["note"],
                                           holidays=_parse_days(d["holidays"], named=True),
                                           workdays=_parse_days(d["workdays"], named=False))
            except services.WorkflowError as exc:
                _refusal(request, exc)
            else:
                messages.success(request, f"{year}年工作日历已保存。")
                return redirect("applications:calendar_year", year=year)
    return render(request, "applications/calendar_year.html", {"cy": cy, "year": year, "days": days, "form": form,
                                                               "is_city": scope.is_city})


# ---------------------------------------------------------------- notices


@login_required
def notice_list(request):
    if request.method == "POST":
        services.mark_read(user=request.user)
        return redirect("applications:notices")
    page = Paginator(services.notices(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "applications/notice_list.html", {"page": page})
