"""Applications, annual filings, 公示 batches, the working-day calendar and the workflow definitions.

The same services and role rules as the pages: a firm reads and acts on its own cases, a district
officer on its unit's, the city administrator on every one. A refused step answers 403 (the role)
or 422 (a rule), a step on a case changed since the caller read it 409, with the reason in Chinese.
Money in integer yuan; dates YYYY-MM-DD.
"""

import datetime as dt
from contextlib import contextmanager
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from keqi.accounts.scope import scope_for
from keqi.applications import flows, services
from keqi.applications.attachments import AttachmentRefused
from keqi.applications.models import AnnualFiling, Application, Attachment, PublicityBatch
from keqi.policy import workflows
from keqi.registry.models import Enterprise

from .params import Day, Id, Pages, Plain, Text, Version, Whole, Year

router = Router(tags=["applications"])
filings_router = Router(tags=["annual filings"])
publicity_router = Router(tags=["publicity"])
calendar_router = Router(tags=["working-day calendar"])
workflows_router = Router(tags=["workflow definitions"])


@contextmanager
def refusals():
    try:
        yield
    except services.Conflict as exc:
        raise HttpError(409, str(exc)) from None
    except (services.WorkflowError, AttachmentRefused) as exc:
        raise HttpError(422, str(exc)) from None
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "您无权办理该事项。") from None
    except (Application.DoesNotExist, AnnualFiling.DoesNotExist, Attachment.DoesNotExist, Enterprise.DoesNotExist,
            PublicityBatch.DoesNotExist):
        raise HttpError(404, "没有该记录，或不在您的权限范围内。") from None


def _today() -> dt.date:
    return timezone.localdate()


class CaseStandingOut(Schema):
    state: str
    label: str
    phase: str
    phase_label: str
    waiting_for: list[str]
    due_on: dt.date | None
    overdue: bool
    open: bool


class ApplicationOut(Schema):
    id: int
    uscc: str
    enterprise: str
    reporting_unit: str
    programme: str
    title: str
    workflow: str
    year: int
    version: int
    standing: CaseStandingOut
    site_check_required: bool
    site_check_reasons: list[str]
    site_check_result: str
    batch: str | None
    number: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_uscc(obj) -> str:
        return obj.enterprise.uscc

    @staticmethod
    def resolve_enterprise(obj) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_reporting_unit(obj) -> str:
        return obj.reporting_unit.name

    @staticmethod
    def resolve_standing(obj) -> dict:
        return services.standing(obj).__dict__

    @staticmethod
    def resolve_batch(obj) -> str | None:
        return obj.batch.title if obj.batch_id else None


class EventOut(Schema):
    at: dt.datetime
    user: str | None
    actor: str
    action: str
    from_state: str
    to_state: str
    reason: str

    @staticmethod
    def resolve_user(obj) -> str | None:
        return obj.user.get_username() if obj.user_id else None


class AttachmentOut(Schema):
    id: int
    label: str
    content_type: str
    size: int
    uploaded_at: dt.datetime


class ActionOut(Schema):
    key: str
    label: str
    reason_required: bool
    inputs: list[str]


class ApplicationDetailOut(ApplicationOut):
    events: list[EventOut]
    attachments: list[AttachmentOut]
    actions: list[ActionOut]
    evaluation: dict[str, Any]
    filing_id: int | None

    @staticmethod
    def resolve_events(obj):
        return list(services.events(case=obj))

    @staticmethod
    def resolve_attachments(obj):
        return list(obj.attachments.all())

    @staticmethod
    def resolve_actions(obj):
        return obj.actions_for_caller


class ApplicationQuery(Schema):
    programme: Plain = ""
    phase: Plain = ""
    state: Plain = ""
    unit_id: Id | None = None
    year: Year | None = None
    q: Plain = ""
    batch_id: Id | None = None
    overdue: bool = False


def _filters(q: ApplicationQuery) -> services.ApplicationFilter:
    # (NUL characters are gone already: params.Plain)
    q = q.model_copy(update={"programme": q.programme[:24], "phase": q.phase[:24], "state": q.state[:24],
                             "q": q.q[:100]})
    if q.programme and q.programme not in workflows.application_programmes():
        raise HttpError(422, f"未知的项目：{q.programme}")
    if q.phase and q.phase not in workflows.PHASES:
        raise HttpError(422, f"未知的环节：{q.phase}")
    return services.ApplicationFilter(programme=q.programme, phase=q.phase, state=q.state[:24], unit_id=q.unit_id,
                                      year=q.year, q=q.q[:100], batch_id=q.batch_id, overdue=q.overdue)


@router.get("", response=list[ApplicationOut])
@paginate(Pages)
def application_list(request, q: Query[ApplicationQuery]):
    """Applications the caller may read, newest change first."""
    return services.applications(scope=scope_for(request.auth), filters=_filters(q)).order_by("-updated_at", "-id")


class BulkIn(Schema):
    programme: Plain
    action: Plain
    ids: list[Id] = []
    batch_id: Id | None = None  # the 公示 batch to list the applications in (action ``publish``)
    in_batch_id: Id | None = None  # act on every application of this batch instead of ``ids``
    reason: Plain = ""


class BulkOut(Schema):
    done: list[int]
    skipped: int
    reasons: list[str]


@router.post("/bulk", response=BulkOut)
def application_bulk(request, body: BulkIn):
    """One step for many applications of a programme (at most 20,000 ids a call)."""
    if len(body.ids) > 20_000:
        raise HttpError(422, "一次最多办理20000件。")
    if not body.ids and not body.in_batch_id:
        raise HttpError(422, "请指定要办理的申报（ids）或公示批次（in_batch_id）。")
    scope = scope_for(request.auth)
    with refusals():
        batch = services.batches(scope=scope).get(pk=body.in_batch_id) if body.in_batch_id else None
        result = flows.bulk_act(scope=scope, user=request.auth, programme=body.programme, action=body.action,
                                   ids=body.ids or None, batch=batch, reason=body.reason[:2000], inputs=_inputs(body))
    return result.__dict__


class StartIn(Schema):
    programme: Plain
    filing_id: Id | None = None
    uscc: Text | None = None  # officers open tracked applications for a firm of their unit


@router.post("", response={201: ApplicationDetailOut})
def application_start(request, body: StartIn):
    """Open an application (a draft) for the caller's firm (or, for tracked programmes, a firm of the officer's unit)."""
    scope = scope_for(request.auth)
    with refusals():
        if body.uscc:
            firm_id = scope.enterprises(Enterprise.objects.all()).get(uscc=body.uscc.strip().upper()).pk
        elif scope.enterprise_id:
            firm_id = scope.enterprise_id
        else:
            raise services.WorkflowError("请指定企业（uscc）。")
        app = services.start_application(scope=scope, user=request.auth, enterprise_id=firm_id,
                                         programme=body.programme, today=_today(), filing_id=body.filing_id)
    return Status(201, _detail(request, app))


def _detail(request, app: Application) -> Application:
    scope = scope_for(request.auth)
    app.actions_for_caller = [{"key": t.key, "label": t.label, "reason_required": t.reason_required,
                               "inputs": list(t.inputs)} for t in services.actions_for(scope=scope, case=app)]
    return app


@router.get("/{application_id}", response=ApplicationDetailOut)
def application_detail(request, application_id: Id):
    with refusals():
        app = services.application(scope=scope_for(request.auth), pk=application_id)
    return _detail(request, app)


class ActIn(Schema):
    action: Plain
    reason: Plain = ""
    version: Version | None = None
    number: Text | None = None
    valid_from: Day | None = None
    valid_to: Day | None = None
    batch_id: Id | None = None
    received_on: Day | None = None  # an objection's


def _inputs(body) -> dict:
    inputs: dict = {}
    if getattr(body, "number", None):
        inputs["number"] = body.number.strip()[:64]
    if getattr(body, "valid_from", None):
        inputs["valid_from"] = body.valid_from
    if getattr(body, "valid_to", None):
        inputs["valid_to"] = body.valid_to
    if getattr(body, "batch_id", None):
        batch = PublicityBatch.objects.filter(pk=body.batch_id).first()
        if batch is None:
            raise HttpError(422, "没有该公示批次。")
        inputs["batch"] = batch
    return inputs


@router.post("/{application_id}/actions", response=ApplicationDetailOut)
def application_act(request, application_id: Id, body: ActIn):
    """Take one step (``action`` is a transition key of the application's workflow; see ``/api/workflows``).
    Send the ``version`` you read: a case changed since answers 409 and nothing is done."""
    scope = scope_for(request.auth)
    with refusals():
        app = services.application(scope=scope, pk=application_id)
        if body.action == "object":
            flows.record_objection(scope=scope, user=request.auth, application=app,
                                      received_on=body.received_on or _today(), content=body.reason,
                                      expected_version=body.version)
        elif body.action in ("dismiss_objection", "uphold_objection"):
            flows.resolve_objection(scope=scope, user=request.auth, application=app,
                                       upheld=body.action == "uphold_objection", resolution=body.reason,
                                       expected_version=body.version)
        else:
            flows.act(scope=scope, user=request.auth, case=app, action=body.action, reason=body.reason[:2000],
                         inputs=_inputs(body), expected_version=body.version)
        app = services.application(scope=scope, pk=application_id)
    return _detail(request, app)


@router.post("/{application_id}/attachments", response={201: AttachmentOut})
def attachment_upload(request, application_id: Id, label: Form[str], file: File[UploadedFile]):
    """Attach a PDF or a PNG/JPEG image (checked by content and size; stored outside the web root)."""
    scope = scope_for(request.auth)
    with refusals():
        app = services.application(scope=scope, pk=application_id)
        att = services.add_attachment(scope=scope, user=request.auth, application=app, uploaded=file, label=label)
    return Status(201, att)


@router.get("/attachments/{attachment_id}")
def attachment_download(request, attachment_id: Id):
    with refusals():
        att = services.attachment(scope=scope_for(request.auth), pk=attachment_id)
    response = FileResponse(att.file.open("rb"), as_attachment=True, content_type=att.content_type,
                            filename=f"attachment-{att.pk}{att.file.name[att.file.name.rfind('.'):]}")
    response["X-Content-Type-Options"] = "nosniff"
    return response


class PipelineOut(Schema):
    reporting_unit_id: int
    phases: dict[str, int]


@router.get("/pipeline/counts", response=list[PipelineOut])
def pipeline(request, programme: Plain = ""):
    """Open applications per reporting unit and phase (what the targets' forecast counts)."""
    scope = scope_for(request.auth)
    if not scope.can_review:
        raise HttpError(403, "只有区县和市级工作人员可以查看。")
    counts = services.pipeline_counts(scope=scope, programme=programme or None)
    return [{"reporting_unit_id": u, "phases": dict(c)} for u, c in sorted(counts.items())]


# ---------------------------------------------------------------- annual filings


class FilingOut(Schema):
    id: int
    uscc: str
    enterprise: str
    reporting_unit: str
    fiscal_year: int
    version: int
    standing: CaseStandingOut
    entries: dict[str, str]
    submitted_at: dt.datetime | None

    @staticmethod
    def resolve_uscc(obj) -> str:
        return obj.enterprise.uscc

    @staticmethod
    def resolve_enterprise(obj) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_reporting_unit(obj) -> str:
        return obj.reporting_unit.name

    @staticmethod
    def resolve_standing(obj) -> dict:
        return services.standing(obj).__dict__


class FilingQuery(Schema):
    fiscal_year: Year | None = None
    state: Plain = ""


@filings_router.get("", response=list[FilingOut])
@paginate(Pages)
def filing_list(request, q: Query[FilingQuery]):
    return services.filings(scope=scope_for(request.auth), fiscal_year=q.fiscal_year, state=q.state[:24]).order_by(
        "-fiscal_year", "-updated_at", "-pk")


class FilingStartIn(Schema):
    fiscal_year: Year


@filings_router.post("", response={201: FilingOut})
def filing_start(request, body: FilingStartIn):
    """The caller's firm's filing for a year (a draft prefilled from the registry, or the existing one)."""
    scope = scope_for(request.auth)
    if not scope.enterprise_id:
        raise HttpError(403, "年度填报由企业本身填写。")
    with refusals():
        filing = services.open_filing(scope=scope, user=request.auth, enterprise_id=scope.enterprise_id,
                                      fiscal_year=body.fiscal_year, today=_today())
    return Status(201, filing)


@filings_router.get("/{filing_id}", response=FilingOut)
def filing_detail(request, filing_id: Id):
    with refusals():
        return services.filing(scope=scope_for(request.auth), pk=filing_id)


class EntriesIn(Schema):
    entries: dict[Plain, Plain]
    version: Version | None = None


class EntriesOut(Schema):
    filing: FilingOut
    errors: dict[str, list[str]]


@filings_router.put("/{filing_id}/entries", response=EntriesOut)
def filing_entries(request, filing_id: Id, body: EntriesIn):
    """Save the typed figures (the import template's fields and units, money in 万元 as text); the
    answer lists every cell's faults (kept in the draft until corrected)."""
    scope = scope_for(request.auth)
    if len(body.entries) > 200:
        raise HttpError(422, "栏目过多。")
    with refusals():
        filing = services.filing(scope=scope, pk=filing_id)
        filing, check = services.save_entries(scope=scope, user=request.auth, filing=filing, entries=body.entries,
                                              expected_version=body.version)
    return {"filing": filing, "errors": check.errors}


class EvaluationOut(Schema):
    errors: dict[str, list[str]]
    verdicts: list[dict[str, Any]]


@filings_router.post("/{filing_id}/evaluate", response=EvaluationOut)
def filing_evaluate(request, filing_id: Id, body: EntriesIn):
    """The self-evaluation of figures as typed (nothing is saved): each programme's verdict and gap plan."""
    scope = scope_for(request.auth)
    with refusals():
        filing = services.filing(scope=scope, pk=filing_id)
        check, _ = services.check_entries(enterprise=filing.enterprise, fiscal_year=filing.fiscal_year,
                                          entries={k: v for k, v in body.entries.items() if v}, today=_today())
        verdicts = services.self_evaluation(scope=scope, enterprise=filing.enterprise, fiscal_year=filing.fiscal_year,
                                            values=check.values, today=_today())
    return {"errors": check.errors, "verdicts": verdicts}


class FilingActIn(Schema):
    action: Plain
    reason: Plain = ""
    version: Version | None = None


@filings_router.post("/{filing_id}/actions", response=FilingOut)
def filing_act(request, filing_id: Id, body: FilingActIn):
    scope = scope_for(request.auth)
    with refusals():
        filing = services.filing(scope=scope, pk=filing_id)
        return flows.act(scope=scope, user=request.auth, case=filing, action=body.action,
                            reason=body.reason[:2000], expected_version=body.version)


class MissingOut(Schema):
    fiscal_year: int
    overdue: bool
    by_unit: list[dict[str, Any]]
    firms: list[dict[str, str]]


@filings_router.get("/missing/{fiscal_year}", response=MissingOut)
def filing_missing(request, fiscal_year: Year):
    """Firms expected to file that year and how many have not, per unit (the first 1,000 firms listed)."""
    with refusals():
        m = services.missing_filings(scope=scope_for(request.auth), fiscal_year=fiscal_year, today=_today())
    firms = [{"uscc": u, "name": n, "reporting_unit": r}
             for u, n, r in m.firms.values_list("uscc", "name", "reporting_unit__name")[:1000]]
    return {"fiscal_year": fiscal_year, "overdue": m.overdue, "by_unit": m.by_unit, "firms": firms}


# ---------------------------------------------------------------- 公示 batches


class BatchOut(Schema):
    id: int
    programme: str
    title: str
    opens_on: dt.date
    working_days: int
    closes_on: dt.date
    calendar_note: str
    status: str


@publicity_router.get("/batches", response=list[BatchOut])
def batch_list(request):
    with refusals():
        return list(services.batches(scope=scope_for(request.auth))[:500])


class BatchIn(Schema):
    programme: Plain = "cq-tech"
    opens_on: Day
    working_days: Annotated[int, Whole, Field(ge=1, le=60)] | None = None
    title: Plain = ""


@publicity_router.post("/batches", response={201: BatchOut})
def batch_open(request, body: BatchIn):
    with refusals():
        batch = services.open_batch(scope=scope_for(request.auth), user=request.auth, programme=body.programme,
                                    opens_on=body.opens_on, working_days=body.working_days, title=body.title[:120])
    return Status(201, batch)


@publicity_router.get("/batches/{batch_id}", response=BatchOut)
def batch_detail(request, batch_id: Id):
    with refusals():
        return services.batches(scope=scope_for(request.auth)).get(pk=batch_id)


@publicity_router.post("/batches/{batch_id}/conclude", response=BulkOut)
def batch_conclude(request, batch_id: Id):
    """After the window: the batch's applications without objection are registered (numbers issued)."""
    scope = scope_for(request.auth)
    with refusals():
        batch = services.batches(scope=scope).get(pk=batch_id)
        return flows.conclude_batch(scope=scope, user=request.auth, batch=batch, today=_today()).__dict__


# ---------------------------------------------------------------- calendar and definitions


class CalendarDayOut(Schema):
    day: dt.date
    kind: str
    name: str


class CalendarYearOut(Schema):
    year: int
    confirmed: bool
    document: str
    source: str
    note: str
    edited: bool
    days: list[CalendarDayOut]

    @staticmethod
    def resolve_days(obj):
        return list(obj.days.all())


@calendar_router.get("", response=list[CalendarYearOut])
def calendar(request):
    from keqi.applications.models import CalendarYear

    if not scope_for(request.auth).can_review:
        raise HttpError(403, "只有区县和市级工作人员可以查看工作日历。")
    return list(CalendarYear.objects.prefetch_related("days"))


class CalendarIn(Schema):
    confirmed: bool
    document: Plain = ""
    source: Plain = ""
    note: Plain = ""
    holidays: list[CalendarDayOut] = Field([], max_length=400)
    workdays: list[Day] = Field([], max_length=400)


@calendar_router.put("/{year}", response=CalendarYearOut)
def calendar_set(request, year: Year, body: CalendarIn):
    """The city administrator enters or corrects a year's arrangement."""
    if not 2000 <= year <= 2100:
        raise HttpError(422, "年份应在2000–2100之间。")
    with refusals():
        return services.set_calendar_year(
            scope=scope_for(request.auth), year=year, confirmed=body.confirmed, document=body.document[:200],
            source=body.source[:300], note=body.note[:500], holidays=[(d.day, d.name[:20]) for d in body.holidays],
            workdays=body.workdays)


@workflows_router.get("", response=list[dict[str, Any]])
def workflow_definitions(request):
    """Every workflow definition: states, transitions, actors, deadlines, sources."""
    return [w.describe() for w in workflows.all_workflows()]
