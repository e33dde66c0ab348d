"""Reads and writes of filings, applications, 公示 batches and the working-day calendar.

Keyword-only arguments, always with a :class:`~keqi.accounts.scope.Scope`. Here are the reads, the
writes of one row (a draft's entries, a batch, a window, the calendar) and the workflow's checks
(who acts, the guards, the deadlines); taking a step — the state change, its event and its effects in
one transaction — is :mod:`.flows`' (``act``, ``bulk_act``), which builds on these. A refusal raises
:class:`WorkflowError` (a rule) or ``PermissionDenied`` (a role), with a Chinese message.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from keqi.accounts.models import Membership, Role
from keqi.accounts.scope import Scope
from keqi.policy import workflows
from keqi.policy.workdays import ARRANGEMENTS, WorkCalendar
from keqi.policy.workflows import Transition, Workflow
from keqi.registry import measures
from keqi.registry.columns import HEADER_TO_COLUMN, REPORT_COLUMNS, REPORT_SHEET
from keqi.registry.models import AnnualReport, Enterprise, Qualification, held_on

from .models import (
    AnnualFiling,
    Application,
    ApplicationEvent,
    CalendarDay,
    CalendarYear,
    FilingEvent,
    FilingWindow,
    Notice,
    PublicityBatch,
)

CHUNK = 1000
FILING_COLUMNS = tuple(c for c in REPORT_COLUMNS if c.level == "report" and c.field != "fiscal_year")
FILED_STATES = ("submitted", "accepted")


class WorkflowError(Exception):
    """A rule of the workflow refuses the step; the message says why, in Chinese."""


class Conflict(WorkflowError):
    """Someone changed the case since it was read: nothing was done."""


# ---------------------------------------------------------------- the working-day calendar


def sync_calendar(*, replace_edited: bool = False) -> int:
    """Copy the shipped arrangements (``keqi.policy.workdays``) into the database; a year the city has
    edited is kept unless ``replace_edited``. Returns the years written."""
    written = 0
    with transaction.atomic():
        for a in ARRANGEMENTS:
            year = CalendarYear.objects.filter(year=a.year).first()
            if year is not None and (year.edited and not replace_edited):
                continue
            if year is not None and year.confirmed and not a.confirmed and not replace_edited:
                continue  # never replace a confirmed year by a shipped placeholder
            year, _ = CalendarYear.objects.update_or_create(
                year=a.year, defaults={"confirmed": a.confirmed, "document": a.document, "source": a.source,
                                       "note": a.note, "edited": False})
            year.days.all().delete()
            CalendarDay.objects.bulk_create(
                [CalendarDay(year=year, day=d, kind=CalendarDay.Kind.HOLIDAY, name=h.name)
                 for h in a.holidays for d in h.days()]
                + [CalendarDay(year=year, day=d, kind=CalendarDay.Kind.WORKDAY, name="调休上班") for d in a.workdays])
            written += 1
    return written


def work_calendar() -> WorkCalendar:
    """The calendar as the city keeps it (the shipped arrangements where the database has none)."""
    rows = list(CalendarDay.objects.values_list("day", "kind", "name"))
    if not rows and not CalendarYear.objects.exists():
        from keqi.policy.workdays import shipped

        return shipped()
    holidays = frozenset(d for d, k, _ in rows if k == CalendarDay.Kind.HOLIDAY)
    work = frozenset(d for d, k, _ in rows if k == CalendarDay.Kind.WORKDAY)
    confirmed = frozenset(CalendarYear.objects.filter(confirmed=True).values_list("year", flat=True))
    names = {d: n for d, k, n in rows if k == CalendarDay.Kind.HOLIDAY}
    return WorkCalendar(holidays, work, confirmed, names)


def set_calendar_year(*, scope: Scope, year: int, confirmed: bool, document: str, source: str, note: str,
                      holidays: Sequence[tuple[dt.date, str]], workdays: Sequence[dt.date]) -> CalendarYear:
    """The city administrator enters or corrects a year's arrangement (kept with history)."""
    if not scope.is_city:
        raise PermissionDenied("只有市科技局管理员可以修改工作日历。")
    bad = [d for d, _ in holidays if d.year != year] + [d for d in workdays if d.year != year]
    if bad:
        raise WorkflowError(f"日期不在{year}年内：{'、'.join(str(d) for d in bad)}")
    clash = {d for d, _ in holidays} & set(workdays)
    if clash:
        raise WorkflowError(f"同一天不能既放假又上班：{'、'.join(sorted(str(d) for d in clash))}")
    weekdays = [d for d in workdays if d.weekday() < 5]
    if weekdays:
        raise WorkflowError(f"调休上班日应为周六或周日：{'、'.join(str(d) for d in weekdays)}")
    if confirmed and not document.strip():
        raise WorkflowError("标为已核实时，请填写所依据的通知。")
    with transaction.atomic():
        cy, _ = CalendarYear.objects.update_or_create(
            year=year, defaults={"confirmed": confirmed, "document": document.strip(), "source": source.strip(),
                                 "note": note.strip(), "edited": True})
        cy.days.all().delete()
        CalendarDay.objects.bulk_create(
            [CalendarDay(year=cy, day=d, kind=CalendarDay.Kind.HOLIDAY, name=name or "放假") for d, name in holidays]
            + [CalendarDay(year=cy, day=d, kind=CalendarDay.Kind.WORKDAY, name="调休上班") for d in workdays])
    return cy


def calendar_note(cal: WorkCalendar, start: dt.date, end: dt.date) -> str:
    years = cal.unconfirmed_years(start, end)
    if not years:
        return ""
    return f"{'、'.join(str(y) for y in years)}年的节假日安排未核实，暂按双休日计算；通知发布后请在工作日历中录入。"


# ---------------------------------------------------------------- who acts, where a case stands


def actor(scope: Scope, case) -> str:
    """As whom the scope acts on this case; ``PermissionDenied`` when it may not act at all."""
    who = scope.actor_for(unit_id=case.reporting_unit_id, enterprise_id=case.enterprise_id)
    if who is None:
        raise PermissionDenied("您无权办理该事项。")
    return who


@dataclass(frozen=True)
class Standing:
    """Where a case stands, as every side reads it."""

    state: str
    label: str
    phase: str
    phase_label: str
    waiting_for: tuple[str, ...]
    due_on: dt.date | None
    overdue: bool
    open: bool

    @property
    def waiting_label(self) -> str:
        return "、".join(workflows.ACTOR_LABELS[a] for a in self.waiting_for if a != "system") or "—"


def standing(case, *, today: dt.date | None = None) -> Standing:
    wf = case.definition
    s = wf.state(case.state)
    today = today or timezone.localdate()
    return Standing(case.state, s.label, s.phase, workflows.PHASES[s.phase], wf.waiting_for(case.state), case.due_on,
                    bool(s.open and case.due_on and case.due_on < today), s.open)


def actions_for(*, scope: Scope, case) -> tuple[Transition, ...]:
    """The steps this user may take on this case now (the page's buttons)."""
    who = scope.actor_for(unit_id=case.reporting_unit_id, enterprise_id=case.enterprise_id)
    if who is None:
        return ()
    return case.definition.available(case.state, who)


# ---------------------------------------------------------------- the one transition path


def deadline(wf: Workflow, state: str, today: dt.date, cal: WorkCalendar | None) -> dt.date | None:
    d = wf.deadlines.get(state)
    if d is None:
        return None
    return (cal or work_calendar()).add_working_days(today, d.working_days)


def check_step(wf: Workflow, t: Transition, reason: str, inputs: dict) -> None:
    if t.reason_required and not reason.strip():
        raise WorkflowError(f"“{t.label}”需要填写原因。")
    for name in t.inputs:
        if name in ("number", "valid_from", "batch") and not inputs.get(name):
            raise WorkflowError(f"“{t.label}”需要填写{workflows.INPUTS[name]}。")
    if inputs.get("valid_to") and inputs.get("valid_from") and inputs["valid_to"] < inputs["valid_from"]:
        raise WorkflowError("有效期止早于有效期起。")
    number = inputs.get("number")
    if number is not None and (len(str(number).strip()) > 64 or not str(number).strip()):
        raise WorkflowError("证书编号应为1–64个字符。")


def guard(name: str, case, today: dt.date, inputs: dict) -> str | None:
    """Why the guard refuses (Chinese), or None when it holds."""
    if name == "filing_submitted":
        filing = case.filing
        if filing is None or filing.enterprise_id != case.enterprise_id or filing.state not in FILED_STATES:
            return "请先提交年度填报，再提交申请。"
    elif name == "site_check_cleared":
        if case.site_check_required and case.site_check_result != Application.SiteCheck.PASSED:
            return "该企业需实地核查，核查通过后才能审核通过。"
    elif name == "in_open_batch":
        if case.batch_id is None or case.batch.status != PublicityBatch.Status.OPEN:
            return "该申报不在进行中的公示批次里。"
    elif name == "window_ended":
        if case.batch_id is None or case.batch.closes_on >= today:
            end = case.batch.closes_on if case.batch_id else None
            return f"公示期至 {end:%Y-%m-%d} 止，期满后才能办结。" if end else "尚未公示。"
    return None


def guard_q(name: str, today: dt.date) -> Q:
    """The same guard as a query condition (for bulk steps)."""
    if name == "filing_submitted":
        return Q(filing__state__in=FILED_STATES, filing__enterprise_id=F("enterprise_id"))
    if name == "site_check_cleared":
        return Q(site_check_required=False) | Q(site_check_result=Application.SiteCheck.PASSED)
    if name == "in_open_batch":
        return Q(batch__status=PublicityBatch.Status.OPEN)
    if name == "window_ended":
        return Q(batch__closes_on__lt=today)
    raise ValueError(name)


# ---------------------------------------------------------------- notices


def _firm_users(enterprise_ids: Iterable[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    ids = list(set(enterprise_ids))
    for i in range(0, len(ids), CHUNK):
        for uid, eid in Membership.objects.filter(role=Role.ENTERPRISE_USER, enterprise_id__in=ids[i : i + CHUNK],
                                                  user__is_active=True).values_list("user_id", "enterprise_id"):
            out.setdefault(eid, []).append(uid)
    return out


def notify_firm(*, case, text: str) -> None:
    link = (f"/applications/{case.pk}/" if isinstance(case, Application) else f"/applications/filings/{case.pk}/")
    Notice.objects.bulk_create([Notice(user_id=u, text=text[:500], link=link)
                                for u in _firm_users([case.enterprise_id]).get(case.enterprise_id, [])])


def notify_firms(*, application_ids: Sequence[int], text: str) -> None:
    firms = dict(Application.objects.filter(pk__in=application_ids).values_list("pk", "enterprise_id")) \
        if len(application_ids) <= CHUNK else {}
    if len(application_ids) > CHUNK:
        for i in range(0, len(application_ids), CHUNK):
            firms.update(Application.objects.filter(pk__in=application_ids[i : i + CHUNK])
                         .values_list("pk", "enterprise_id"))
    users = _firm_users(firms.values())
    Notice.objects.bulk_create([Notice(user_id=u, text=text[:500], link=f"/applications/{pk}/")
                                for pk, eid in firms.items() for u in users.get(eid, [])], batch_size=CHUNK)


def notices(*, user, unread_only: bool = False) -> QuerySet:
    qs = Notice.objects.filter(user=user)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    qs = Notice.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


# ---------------------------------------------------------------- annual filings


def filing_window(*, fiscal_year: int) -> FilingWindow | None:
    return FilingWindow.objects.filter(fiscal_year=fiscal_year).first()


def current_window(*, today: dt.date) -> FilingWindow | None:
    """The window open today, else the latest one."""
    return (FilingWindow.objects.filter(opens_on__lte=today, closes_on__gte=today).order_by("-fiscal_year").first()
            or FilingWindow.objects.order_by("-fiscal_year").first())


def set_filing_window(*, scope: Scope, user, fiscal_year: int, opens_on: dt.date, closes_on: dt.date) -> FilingWindow:
    if not scope.is_city:
        raise PermissionDenied("只有市科技局管理员可以设置年度填报期。")
    if closes_on < opens_on:
        raise WorkflowError("截止日期早于开始日期。")
    if opens_on.year <= fiscal_year - 1 or fiscal_year < 1980:
        raise WorkflowError("填报期应在所填年度结束之后。")
    window, _ = FilingWindow.objects.update_or_create(
        fiscal_year=fiscal_year, defaults={"opens_on": opens_on, "closes_on": closes_on, "updated_by": user})
    return window


def filings(*, scope: Scope, fiscal_year: int | None = None, state: str = "", unit_id: int | None = None) -> QuerySet:
    qs = scope.cases(AnnualFiling.objects.select_related("enterprise", "reporting_unit"))
    if fiscal_year:
        qs = qs.filter(fiscal_year=fiscal_year)
    if state:
        qs = qs.filter(state=state)
    if unit_id:
        qs = qs.filter(reporting_unit_id=unit_id)
    return qs


def filing(*, scope: Scope, pk: int) -> AnnualFiling:
    return filings(scope=scope).get(pk=pk)


def _stored_entries(enterprise_id: int, fiscal_year: int) -> dict[str, str]:
    """The stored report of that year as the text a user would type (money in 万元)."""
    from keqi.registry.parsing import _wan

    report = AnnualReport.objects.filter(enterprise_id=enterprise_id, fiscal_year=fiscal_year).first()
    if report is None:
        return {}
    out = {}
    for c in FILING_COLUMNS:
        v = getattr(report, c.field)
        if v is None:
            continue
        if c.kind in ("money", "usd"):
            out[c.field] = _wan(v)
        elif c.kind == "bool":
            out[c.field] = "是" if v else "否"
        else:
            out[c.field] = str(v)
    return out


def open_filing(*, scope: Scope, user, enterprise_id: int, fiscal_year: int, today: dt.date) -> AnnualFiling:
    """The firm's filing for the year (a new draft, prefilled from what the registry holds)."""
    firm = scope.enterprises(Enterprise.objects.all()).filter(pk=enterprise_id).first()
    if firm is None:
        raise Enterprise.DoesNotExist(enterprise_id)
    if scope.actor_for(unit_id=firm.reporting_unit_id, enterprise_id=firm.pk) != "firm":
        raise PermissionDenied("年度填报由企业本身填写。")
    if fiscal_year >= today.year:
        raise WorkflowError(f"{fiscal_year}年度尚未结束，不能填报。")
    existing = AnnualFiling.objects.filter(enterprise=firm, fiscal_year=fiscal_year).first()
    if existing is not None:
        return existing
    wf = workflows.resolve(workflows.FILING, today)
    now = timezone.now()
    return AnnualFiling.objects.create(
        enterprise=firm, reporting_unit_id=firm.reporting_unit_id, workflow=wf.id, state=wf.initial,
        state_since=now, updated_at=now, created_by=user, fiscal_year=fiscal_year,
        entries=_stored_entries(firm.pk, fiscal_year))


@dataclass
class EntryCheck:
    values: dict = field(default_factory=dict)  # field → typed value (money in yuan), for the good cells
    errors: dict[str, list[str]] = field(default_factory=dict)  # field → reasons (Chinese)

    @property
    def ok(self) -> bool:
        return not self.errors


def _raw_row(firm: Enterprise, fiscal_year: int, entries: dict):
    import polars as pl

    head = {"uscc": firm.uscc, "name": firm.name, "district": firm.reporting_unit.name,
            "registered_on": firm.registered_on.isoformat(), "fiscal_year": str(fiscal_year)}
    headers = {c.field: c.header for c in REPORT_COLUMNS}
    row = {headers[k]: v for k, v in head.items()}
    for c in FILING_COLUMNS:
        value = entries.get(c.field)
        row[c.header] = None if value is None else str(value)[:200]
    return pl.DataFrame([row], schema={h: pl.String for h in row})


def check_entries(*, enterprise: Enterprise, fiscal_year: int, entries: dict, today: dt.date):
    """The import template's checks on one firm-year of typed entries: (EntryCheck, ParsedSheet)."""
    from keqi.registry.parsing import check_reports, parse_sheet

    unknown = set(entries) - {c.field for c in FILING_COLUMNS}
    raw = _raw_row(enterprise, fiscal_year, {k: v for k, v in entries.items() if k not in unknown})
    parsed = parse_sheet(raw, REPORT_COLUMNS, REPORT_SHEET, {enterprise.reporting_unit.name: enterprise.reporting_unit_id})
    check_reports(parsed, today)
    result = EntryCheck()
    for e in parsed.errors:
        col = HEADER_TO_COLUMN.get(e.column)
        result.errors.setdefault(col.field if col else "fiscal_year", []).append(e.reason)
    if parsed.data.height:
        row = parsed.data.row(0, named=True)
        result.values = {c.field: row.get(c.field) for c in FILING_COLUMNS
                         if c.field in row and c.field not in result.errors}
    return result, parsed


def save_entries(*, scope: Scope, user, filing: AnnualFiling, entries: dict, expected_version: int | None = None,
                 today: dt.date | None = None) -> tuple[AnnualFiling, EntryCheck]:
    """Keep what the firm typed (a draft keeps even bad cells, so nothing entered is lost)."""
    today = today or timezone.localdate()
    if actor(scope, filing) != "firm":
        raise PermissionDenied("年度填报由企业本身填写。")
    if filing.state not in ("draft", "returned"):
        raise WorkflowError(f"当前状态为“{filing.state_label}”，不能修改。")
    clean = {c.field: str(entries[c.field]).strip()[:200] for c in FILING_COLUMNS
             if entries.get(c.field) not in (None, "")}
    check, _ = check_entries(enterprise=filing.enterprise, fiscal_year=filing.fiscal_year, entries=clean, today=today)
    version = filing.version if expected_version is None else expected_version
    now = timezone.now()
    updated = AnnualFiling.objects.filter(pk=filing.pk, version=version, state=filing.state).update(
        entries=clean, version=F("version") + 1, updated_at=now)
    if updated != 1:
        raise Conflict("该填报已在别处修改或提交，请刷新页面后再保存。")
    filing.entries, filing.version, filing.updated_at = clean, version + 1, now
    return filing, check


def self_evaluation(*, scope: Scope, enterprise: Enterprise, fiscal_year: int, values: dict,
                    today: dt.date, families: Sequence[str] | None = None) -> list[dict]:
    """The firm's verdict and gap plan under each programme's edition in force today, with ``values``
    standing in for its report of ``fiscal_year`` (the live 自评 of the filing page)."""
    from keqi.policy.ladder import editions_in_force
    from keqi.screening import services as screening

    families = families or [w.edition_family for w in workflows.all_workflows() if w.edition_family]
    edition_ids = editions_in_force(dict.fromkeys(families), today)
    if not edition_ids:
        return []
    draft = {"enterprise_id": enterprise.pk, "fiscal_year": fiscal_year, **values}
    verdicts = screening.evaluate_enterprise(scope=scope, uscc=enterprise.uscc, assess_on=today,
                                             edition_ids=edition_ids, draft=draft)
    return screening.explained(verdicts)


@dataclass
class Missing:
    fiscal_year: int
    window: FilingWindow | None
    by_unit: list[dict]  # unit id, name, expected, filed, missing
    firms: QuerySet  # expected firms without a submitted filing (the scope's)
    overdue: bool


def expected_filers(*, scope: Scope, on: dt.date) -> QuerySet:
    """Firms that must file: active firms holding a 重庆市科技型企业 entry valid on ``on``."""
    valid = Q(qualifications__kind="cq_tech") & held_on(on, "qualifications__")
    return scope.enterprises(Enterprise.objects.filter(valid, status=Enterprise.Status.ACTIVE)).distinct()


def missing_filings(*, scope: Scope, fiscal_year: int, today: dt.date) -> Missing:
    """Per unit: firms expected to file ``fiscal_year`` and how many have not; overdue after the window."""
    if not scope.can_review:
        raise PermissionDenied("只有区县和市级工作人员可以查看未填报企业。")
    window = filing_window(fiscal_year=fiscal_year)
    on = min(today, window.closes_on) if window else today
    expected = expected_filers(scope=scope, on=on)
    filed = AnnualFiling.objects.filter(fiscal_year=fiscal_year, state__in=FILED_STATES).values("enterprise_id")
    missing = expected.exclude(pk__in=filed).select_related("reporting_unit").order_by("reporting_unit__code", "name")
    exp = dict(expected.order_by().values("reporting_unit_id").annotate(n=Count("pk", distinct=True))
               .values_list("reporting_unit_id", "n"))
    miss = dict(missing.order_by().values("reporting_unit_id").annotate(n=Count("pk", distinct=True))
                .values_list("reporting_unit_id", "n"))
    from keqi.registry.models import ReportingUnit

    names = dict(ReportingUnit.objects.filter(pk__in=exp).values_list("pk", "name"))
    rows = [{"unit_id": u, "unit": names.get(u, ""), "expected": n, "missing": miss.get(u, 0),
             "filed": n - miss.get(u, 0)} for u, n in sorted(exp.items(), key=lambda kv: names.get(kv[0], ""))]
    return Missing(fiscal_year, window, rows, missing, bool(window and today > window.closes_on))


def remind(*, scope: Scope, fiscal_year: int, today: dt.date) -> int:
    """Remind every user of a firm that has not filed: in KeQi and by e-mail. Returns the users reminded."""
    from django.core.mail import send_mass_mail

    missing = missing_filings(scope=scope, fiscal_year=fiscal_year, today=today)
    window = missing.window
    when = f"截止日期为 {window.closes_on:%Y-%m-%d}" if window else "请尽快填报"
    text = f"贵企业尚未提交{fiscal_year}年度数据填报，{when}。未按期填报将影响科技型企业相关政策的享受。"
    ids = list(missing.firms.values_list("pk", flat=True))
    users = _firm_users(ids)
    uids = [u for us in users.values() for u in us]
    Notice.objects.bulk_create([Notice(user_id=u, text=text, link="/applications/filings/") for u in uids],
                               batch_size=CHUNK)
    from django.conf import settings
    from django.contrib.auth import get_user_model

    emails = [e for e in get_user_model().objects.filter(pk__in=uids).exclude(email="").values_list("email", flat=True)]
    if emails:
        send_mass_mail([(f"{fiscal_year}年度数据填报提醒", text, settings.DEFAULT_FROM_EMAIL, [e]) for e in emails],
                       fail_silently=True)
    return len(uids)


# ---------------------------------------------------------------- applications


@dataclass(frozen=True)
class ApplicationFilter:
    programme: str = ""
    state: str = ""
    phase: str = ""
    unit_id: int | None = None
    year: int | None = None
    q: str = ""
    batch_id: int | None = None
    overdue: bool = False
    open_only: bool = False


def _states_in_phase(phase: str) -> list[str]:
    return sorted({s.key for w in workflows.all_workflows() if w.kind == "application" for s in w.states
                   if s.phase == phase})


def _open_states() -> dict[str, list[str]]:
    return {w.id: list(w.open_states()) for w in workflows.all_workflows() if w.kind == "application"}


def open_q() -> Q:
    q = Q(pk__in=[])
    for wf_id, states in _open_states().items():
        q |= Q(workflow=wf_id, state__in=states)
    return q


def applications(*, scope: Scope, filters: ApplicationFilter | None = None, today: dt.date | None = None) -> QuerySet:
    """The applications this scope may read, filtered: the one query behind lists, exports and the API."""
    f = filters or ApplicationFilter()
    qs = scope.cases(Application.objects.select_related("enterprise", "reporting_unit", "batch"))
    if f.programme:
        qs = qs.filter(programme=f.programme)
    if f.state:
        qs = qs.filter(state=f.state)
    if f.phase:
        qs = qs.filter(state__in=_states_in_phase(f.phase))
    if f.unit_id:
        qs = qs.filter(reporting_unit_id=f.unit_id)
    if f.year:
        qs = qs.filter(year=f.year)
    if f.batch_id:
        qs = qs.filter(batch_id=f.batch_id)
    if f.q:
        text = f.q.strip()
        qs = qs.filter(Q(enterprise__name__icontains=text) | Q(enterprise__uscc__istartswith=text.upper())
                       | Q(number__iexact=text))
    if f.open_only or f.overdue:
        qs = qs.filter(open_q())
    if f.overdue:
        qs = qs.filter(due_on__lt=today or timezone.localdate())
    return qs


def application(*, scope: Scope, pk: int) -> Application:
    return applications(scope=scope).get(pk=pk)


def start_application(*, scope: Scope, user, enterprise_id: int, programme: str, today: dt.date,
                      filing_id: int | None = None, task_id: int | None = None) -> Application:
    """Open an application (a draft) for a firm of the scope, under the programme's definition in force."""
    from keqi.pipeline.models import CultivationTask

    firm = scope.enterprises(Enterprise.objects.select_related("reporting_unit")).filter(pk=enterprise_id).first()
    if firm is None:
        raise Enterprise.DoesNotExist(enterprise_id)
    try:
        wf = workflows.resolve(programme, today)
    except KeyError:
        raise WorkflowError("没有这一申报项目，或该项目当前不受理。") from None
    if wf.kind != "application":
        raise WorkflowError("没有这一申报项目。")
    who = scope.actor_for(unit_id=firm.reporting_unit_id, enterprise_id=firm.pk)
    if who not in wf.starters:
        raise PermissionDenied(f"“{wf.title}”申报须由{'或'.join(workflows.ACTOR_LABELS[a] for a in wf.starters)}发起。")
    if Application.objects.filter(open_q(), enterprise=firm, programme=programme).exists():
        raise WorkflowError(f"该企业已有一件办理中的“{wf.title}”申报。")
    if wf.qualification_kind and Qualification.objects.held_on(today).filter(
            enterprise=firm, kind=wf.qualification_kind).exists() and wf.decided_in_keqi:
        raise WorkflowError(f"该企业已取得“{wf.title}”且在有效期内。")
    filing = None
    if filing_id:
        filing = AnnualFiling.objects.filter(pk=filing_id, enterprise=firm).first()
        if filing is None:
            raise WorkflowError("所选年度填报不属于该企业。")
    else:
        filing = AnnualFiling.objects.filter(enterprise=firm).order_by("-fiscal_year").first()
    task = None
    if task_id:
        task = CultivationTask.objects.filter(pk=task_id, enterprise=firm, kind=CultivationTask.Kind.GUIDANCE).first()
        if task is None:
            raise WorkflowError("所选申报辅导工作不属于该企业。")
    else:
        task = (CultivationTask.objects.filter(enterprise=firm, kind=CultivationTask.Kind.GUIDANCE,
                                               status=CultivationTask.Status.OPEN, applications__isnull=True)
                .order_by("-created_at").first())
    now = timezone.now()
    with transaction.atomic():
        app = Application.objects.create(
            enterprise=firm, reporting_unit_id=firm.reporting_unit_id, workflow=wf.id, state=wf.initial,
            state_since=now, updated_at=now, created_by=user, programme=programme, year=today.year, filing=filing,
            guidance_task=task)
        ApplicationEvent.objects.create(application=app, at=now, user=user, actor=who, action="start",
                                        from_state="", to_state=wf.initial, reason="")
    return app


def firm_cases(*, scope: Scope, enterprise: Enterprise) -> dict:
    """A firm's filings and applications for its page (what the scope may read)."""
    return {
        "filings": list(scope.cases(AnnualFiling.objects.filter(enterprise=enterprise)).order_by("-fiscal_year")),
        "applications": list(scope.cases(Application.objects.filter(enterprise=enterprise))
                             .select_related("batch").order_by("-created_at")),
    }


def case_marks(*, scope: Scope, enterprise_ids: Iterable[int], every: bool = False) -> dict:
    """``registry.marks`` provider: each firm's applications in the pipeline ("申报中：…"), and with
    ``every`` all its applications and filings (its page)."""
    from keqi.registry.marks import Mark

    ids = list(enterprise_ids)
    out: dict[int, list] = {}
    for i in range(0, len(ids), CHUNK):
        apps = scope.cases(Application.objects.filter(enterprise_id__in=ids[i : i + CHUNK]))
        if not every:
            apps = apps.filter(open_q())
        for pk, eid, wf_id, state, number in apps.order_by("-created_at").values_list(
                "pk", "enterprise_id", "workflow", "state", "number"):
            wf = workflows.get(wf_id)
            s = wf.state(state)
            label = (f"申报中：{wf.title}（{s.label}）" if s.open else
                     f"{wf.title}：{s.label}" + (f"（{number}）" if number else ""))
            out.setdefault(eid, []).append(Mark(label, f"/applications/{pk}/"))
        if every:
            for pk, eid, year, wf_id, state in scope.cases(AnnualFiling.objects.filter(
                    enterprise_id__in=ids[i : i + CHUNK])).order_by("-fiscal_year").values_list(
                    "pk", "enterprise_id", "fiscal_year", "workflow", "state"):
                out.setdefault(eid, []).append(
                    Mark(f"{year}年度填报：{workflows.get(wf_id).state(state).label}", f"/applications/filings/{pk}/"))
    return out


def pipeline_counts(*, scope: Scope, programme: str | None = None) -> dict[int, Counter]:
    """Per reporting unit: open applications by phase (the forecast's pipeline of applications)."""
    qs = scope.cases(Application.objects.filter(open_q()))
    if programme:
        qs = qs.filter(programme=programme)
    out: dict[int, Counter] = {}
    for unit, wf_id, state, n in qs.values_list("reporting_unit_id", "workflow", "state").annotate(n=Count("pk")) \
            .values_list("reporting_unit_id", "workflow", "state", "n"):
        out.setdefault(unit, Counter())[workflows.get(wf_id).state(state).phase] += n
    return out


def open_applications(*, kind: str) -> measures.OpenApplications:
    """The applications for the qualification ``kind`` in progress, over the city, for the targets' forecast
    (registered in registry.measures): open ones per unit and phase, and per phase how many of the closed
    applications that passed through it were granted (withdrawn and refused ones count as not granted)."""
    defs = {w.id: w for w in workflows.all_workflows() if w.kind == "application" and w.qualification_kind == kind}
    if not defs:
        return measures.OpenApplications()
    mine = Application.objects.filter(workflow__in=list(defs))
    open_states = {wf_id: set(w.open_states()) for wf_id, w in defs.items()}
    by_unit: dict[int, Counter] = {}
    any_open = any_closed = False
    # every application of the kind by unit, workflow and state; open or closed is told here from the
    # workflow (as open_q() says it), so that a page without applications pays one small query
    rows = mine.values("reporting_unit_id", "workflow", "state").annotate(n=Count("pk")).order_by()
    for r in rows:
        if r["state"] not in open_states[r["workflow"]]:
            any_closed = True
            continue
        any_open = True
        phase = defs[r["workflow"]].state(r["state"]).phase
        if phase in workflows.PIPELINE_PHASES:
            by_unit.setdefault(r["reporting_unit_id"], Counter())[phase] += r["n"]
    enterprise_ids = mine.filter(open_q()).values("enterprise_id") if any_open else ()
    if not any_closed:
        return measures.OpenApplications(by_unit=by_unit, enterprise_ids=enterprise_ids)
    reached: dict[int, set[str]] = {}
    outcome: dict[int, str] = {}
    for app_id, wf_id, state, to_state in (ApplicationEvent.objects.filter(application__in=mine.exclude(open_q()))
                                           .values_list("application_id", "application__workflow",
                                                        "application__state", "to_state").distinct()):
        wf = defs[wf_id]
        outcome[app_id] = wf.state(state).outcome
        phase = next((s.phase for s in wf.states if s.key == to_state), None)
        if phase is not None:
            reached.setdefault(app_id, set()).add(phase)
    history: dict[str, tuple[int, int]] = {}
    for app_id, phases in reached.items():
        for phase in phases & set(workflows.PIPELINE_PHASES):
            granted, concluded = history.get(phase, (0, 0))
            history[phase] = (granted + (outcome[app_id] == "granted"), concluded + 1)
    return measures.OpenApplications(by_unit=by_unit, history=history, enterprise_ids=enterprise_ids)


def phase_counts(*, scope: Scope, programme: str = "") -> dict[str, int]:
    """Applications by phase (open ones) and by outcome (closed ones), over the scope."""
    qs = scope.cases(Application.objects.all())
    if programme:
        qs = qs.filter(programme=programme)
    out: Counter = Counter()
    for wf_id, state, n in qs.values_list("workflow", "state").annotate(n=Count("pk")).values_list("workflow", "state", "n"):
        out[workflows.get(wf_id).state(state).phase] += n
    return dict(out)


def events(*, case) -> QuerySet:
    model = ApplicationEvent if isinstance(case, Application) else FilingEvent
    link = "application" if isinstance(case, Application) else "filing"
    return model.objects.filter(**{link: case}).select_related("user").order_by("at", "pk")


# ---------------------------------------------------------------- attachments


def add_attachment(*, scope: Scope, user, application: Application, uploaded, label: str):
    """Check the upload's content and size; store it privately only if it passes."""
    from .attachments import AttachmentRefused, check
    from .models import Attachment

    who = actor(scope, application)
    if who == "firm" and not application.definition.state(application.state).open:
        raise WorkflowError("申报已办结，不能再上传材料。")
    if who == "firm" and application.state not in ("draft", "returned"):
        raise WorkflowError("申报提交后不能再修改材料；如需补充，请等待退回修改。")
    label = (label or "").strip()
    if not label or len(label) > 100:
        raise AttachmentRefused("请填写材料名称（100字以内）。")
    checked = check(uploaded)
    uploaded.seek(0)
    att = Attachment(application=application, label=label, original_name=str(uploaded.name)[-255:] or "材料",
                     content_type=checked.content_type, size=checked.size, sha256=checked.sha256, uploaded_by=user)
    att.file.save(f"{checked.sha256[:16]}{checked.extension}", uploaded, save=False)
    try:
        att.save()
    except Exception:
        att.file.delete(save=False)
        raise
    return att


def scope_for_upload(scope: Scope, application: Application) -> bool:
    """Whether this user may add or remove materials now (the firm, while it fills or corrects)."""
    who = scope.actor_for(unit_id=application.reporting_unit_id, enterprise_id=application.enterprise_id)
    return who == "firm" and application.state in ("draft", "returned")


def attachment(*, scope: Scope, pk: int):
    from .models import Attachment

    return Attachment.objects.select_related("application").get(
        pk=pk, application__in=scope.cases(Application.objects.all()))


def delete_attachment(*, scope: Scope, att) -> None:
    app = att.application
    if actor(scope, app) != "firm" or app.state not in ("draft", "returned"):
        raise PermissionDenied("只有企业在填写或退回修改时可以删除材料。")
    att.file.delete(save=False)
    att.delete()


# ---------------------------------------------------------------- 公示 batches and objections


def batches(*, scope: Scope) -> QuerySet:
    if not scope.can_review:
        raise PermissionDenied("只有区县和市级工作人员可以查看公示批次。")
    return PublicityBatch.objects.annotate(n=Count("applications"))


def open_batch(*, scope: Scope, user, programme: str, opens_on: dt.date, working_days: int | None = None,
               title: str = "") -> PublicityBatch:
    if not scope.is_city:
        raise PermissionDenied("只有市科技局管理员可以开启公示批次。")
    try:
        wf = workflows.resolve(programme, opens_on)
    except KeyError:
        raise WorkflowError("没有这一申报项目，或该项目在公示开始日不受理。") from None
    if wf.kind != "application" or not wf.decided_in_keqi or wf.publicity is None:
        raise WorkflowError(f"“{wf.title}”的公示不在 KeQi 进行。")
    days = working_days or wf.publicity.working_days
    if not 1 <= days <= 60:
        raise WorkflowError("公示期应为1–60个工作日。")
    cal = work_calendar()
    closes = cal.window_end(opens_on, days)
    n = PublicityBatch.objects.filter(programme=programme, opens_on__year=opens_on.year).count() + 1
    return PublicityBatch.objects.create(
        programme=programme, title=(title.strip() or f"{opens_on.year}年{wf.title}第{n}批公示")[:120],
        opens_on=opens_on, working_days=days, closes_on=closes, calendar_note=calendar_note(cal, opens_on, closes),
        created_by=user)
