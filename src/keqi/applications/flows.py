"""Taking the steps of a case's workflow, and the side effects its transitions name.

Every change of a case's state goes through :func:`act` (one case) or :func:`bulk_act` (many, for
the city on a batch or a queue): both check the workflow definition (who may act, from which state,
with what — the checks are :mod:`.services`'), update the case only if nobody changed it since it
was read (its ``version``), record the event, and run the definition's effects
(``keqi.policy.workflows.EFFECTS``) in the same transaction. A refusal raises
:class:`~keqi.applications.services.WorkflowError` (a rule) or ``PermissionDenied`` (a role), with a
Chinese message. The 公示 steps that chain several of them (concluding a batch, an objection and
its resolution) are here too.

Figures and qualifications enter the registry the way an import does (``registry.services.plan_import``
and ``apply_plan``, with history rows; the tiers through ``pipeline.flows.record_imported_qualifications``),
so the registry, the tier history, the counts and the targets see a submitted filing or an issued
入库登记编号 at once, exactly as they see imported ones.
"""

from __future__ import annotations

import datetime as dt
import json
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone

from keqi.accounts.scope import SYSTEM, Scope
from keqi.policy import workflows
from keqi.policy.workflows import SiteCheckFacts, Transition, site_check_reasons
from keqi.registry import bulk
from keqi.registry import services as registry
from keqi.registry.models import AnnualReport, Qualification

from . import services
from .models import (
    AnnualFiling,
    Application,
    ApplicationEvent,
    FilingEvent,
    NumberSequence,
    Objection,
    PublicityBatch,
)
from .services import Conflict, WorkflowError, check_entries

CHUNK = 1000
VIOLATION_FLAGS = ("flag_major_incident", "flag_research_misconduct", "flag_credit_blacklisted")


class EffectError(Exception):
    """An effect cannot be carried out (a Chinese message); the step is rolled back."""


# ---------------------------------------------------------------- the one transition path


BUSY = "该事项正由他人办理，请稍后刷新页面查看最新状态后再操作（本次未做任何修改）。"


def act(*, scope: Scope, user, case, action: str, reason: str = "", inputs: dict | None = None,
        expected_version: int | None = None, today: dt.date | None = None):
    """Take one step of a case's workflow (an :class:`Application` or an :class:`AnnualFiling`).

    ``expected_version`` is the version the user saw (the page sends it back): when the case has
    changed since, :class:`Conflict` is raised and nothing is done. A database lock held by another
    officer's step past the wait (SQLite) is a conflict too, never an error page.
    """
    try:
        return _act(scope=scope, user=user, case=case, action=action, reason=reason, inputs=inputs,
                    expected_version=expected_version, today=today)
    except OperationalError as exc:
        if "locked" in str(exc).lower():
            raise Conflict(BUSY) from None
        raise


def _act(*, scope: Scope, user, case, action: str, reason: str, inputs: dict | None, expected_version: int | None,
         today: dt.date | None):
    today = today or timezone.localdate()
    inputs = dict(inputs or {})
    reason = (reason or "").strip()
    wf = case.definition
    who = services.actor(scope, case)
    try:
        t = wf.transition(action)
    except KeyError:
        raise WorkflowError("没有这一办理步骤。") from None
    if who not in t.actors:
        raise PermissionDenied(f"“{t.label}”须由{'或'.join(workflows.ACTOR_LABELS[a] for a in t.actors)}办理。")
    if expected_version is not None and expected_version != case.version:
        raise Conflict("该事项已被他人办理或修改，请刷新页面查看最新状态后再操作。")
    if case.state not in t.sources:
        raise WorkflowError(f"当前状态为“{wf.state(case.state).label}”，不能“{t.label}”。")
    services.check_step(wf, t, reason, inputs)
    if "batch" in t.inputs and isinstance(inputs.get("batch"), PublicityBatch):
        batch = inputs["batch"]
        if batch.status != PublicityBatch.Status.OPEN or batch.programme != case.programme:
            raise WorkflowError("只能列入本项目进行中的公示批次。")
    for g in t.guards:
        why = services.guard(g, case, today, inputs)
        if why:
            raise WorkflowError(why)
    model = type(case)
    now = timezone.now()
    target = wf.state(t.target)
    changes = {"state": t.target, "state_since": now, "updated_at": now,
               "due_on": services.deadline(wf, t.target, today, None)}
    if t.key == "submit":
        changes["submitted_at"] = now
    if isinstance(case, Application):
        if not target.open:
            changes["decided_at"] = now
        if "add_to_batch" in t.effects:
            changes["batch"] = inputs["batch"]
        if "record_site_check" in t.effects:
            changes["site_check_result"] = (Application.SiteCheck.PASSED if target.open
                                            else Application.SiteCheck.FAILED)
    with transaction.atomic():
        updated = model.objects.filter(pk=case.pk, version=case.version, state=case.state).update(
            version=F("version") + 1, **changes)
        if updated != 1:
            raise Conflict("该事项已被他人办理或修改，请刷新页面查看最新状态后再操作。")
        before = case.state
        for k, v in changes.items():
            setattr(case, k, v)
        case.version += 1
        data = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in inputs.items()
                if k in ("number", "valid_from", "valid_to")}
        if isinstance(inputs.get("batch"), PublicityBatch):
            data["batch"] = inputs["batch"].title
        event_model, link = (ApplicationEvent, "application") if isinstance(case, Application) else (FilingEvent, "filing")
        event_model.objects.create(**{link: case}, at=now, user=user if getattr(user, "pk", None) else None,
                                   actor=who, action=t.key, from_state=before, to_state=t.target, reason=reason,
                                   data=data)
        effects(case=case, transition=t, user=user, today=today, inputs=inputs, reason=reason, scope=scope)
        if who != "firm":
            services.notify_firm(case=case, text=f"{_case_title(case)}：{t.label}" + (f"（{reason}）" if reason else ""))
    return case


def _case_title(case) -> str:
    if isinstance(case, AnnualFiling):
        return f"{case.fiscal_year}年度填报"
    return f"“{case.definition.title}”申报"


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    skipped: int = 0
    reasons: list[str] = field(default_factory=list)


def bulk_act(*, scope: Scope, user, programme: str, action: str, ids: Iterable[int] | None = None,
             batch: PublicityBatch | None = None, reason: str = "", inputs: dict | None = None,
             today: dt.date | None = None) -> BulkResult:
    """Take one step for many applications of a programme at once (the listed ``ids``, or every
    application in ``batch``). Applications the step does not apply to (another state, a guard that
    does not hold, outside the scope) are skipped and counted; the others move together, each with
    its event, in one transaction."""
    today = today or timezone.localdate()
    inputs = dict(inputs or {})
    reason = (reason or "").strip()
    wfs = [w for w in (workflows.get(i) for i in workflows.programmes().get(programme, ()))
           if any(t.key == action for t in w.transitions)]
    if not wfs:
        raise WorkflowError("该项目没有这一办理步骤。")
    t = wfs[0].transition(action)
    if not t.bulk:
        raise WorkflowError(f"“{t.label}”不能批量办理。")
    who = "city" if scope.is_city else "district" if scope.can_review else None
    if who is None or who not in t.actors:
        raise PermissionDenied(f"“{t.label}”须由{'或'.join(workflows.ACTOR_LABELS[a] for a in t.actors)}办理。")
    services.check_step(wfs[0], t, reason, inputs)
    if "add_to_batch" in t.effects:
        target_batch = inputs.get("batch")
        if not isinstance(target_batch, PublicityBatch) or target_batch.status != PublicityBatch.Status.OPEN \
                or target_batch.programme != programme:
            raise WorkflowError("只能列入本项目进行中的公示批次。")
    requested = None if ids is None else sorted(set(ids))
    qs = scope.cases(Application.objects.filter(programme=programme, workflow__in=[w.id for w in wfs]))
    if batch is not None:
        qs = qs.filter(batch=batch)
    candidates = qs if requested is None else qs.filter(pk__in=requested)
    ready = candidates.filter(state__in=t.sources)
    for g in t.guards:
        ready = ready.filter(services.guard_q(g, today))
    result = BulkResult()
    now = timezone.now()
    uid = user.pk if getattr(user, "pk", None) else None
    with transaction.atomic():
        rows = list(ready.select_for_update(of=("self",)).order_by("pk").values_list("pk", "state", "workflow"))
        total = len(requested) if requested is not None else candidates.count()
        by_target: dict[tuple[str, dt.date | None], list[int]] = {}
        cal = services.work_calendar()
        for pk, _state, wf_id in rows:
            wf = workflows.get(wf_id)
            tt = wf.transition(action)
            by_target.setdefault((tt.target, services.deadline(wf, tt.target, today, cal)), []).append(pk)
        for (target, due), pks in by_target.items():
            extra = {}
            if not wfs[0].state(target).open:
                extra["decided_at"] = now
            if "add_to_batch" in t.effects:
                extra["batch"] = inputs["batch"]
            for i in range(0, len(pks), CHUNK):
                Application.objects.filter(pk__in=pks[i : i + CHUNK], state__in=t.sources).update(
                    state=target, version=F("version") + 1, state_since=now, updated_at=now, due_on=due, **extra)
        data = {"batch": inputs["batch"].title} if isinstance(inputs.get("batch"), PublicityBatch) else {}
        data = json.dumps(data | {"bulk": True}, ensure_ascii=False)
        targets = {wf_id: workflows.get(wf_id).transition(action).target for _, _, wf_id in rows}
        bulk.insert(ApplicationEvent, [  # plain rows (COPY on PostgreSQL): 5,000 events in a blink
            {"application_id": pk, "at": now, "user_id": uid, "actor": who, "action": action, "from_state": state,
             "to_state": targets[wf_id], "reason": reason, "data": data} for pk, state, wf_id in rows], now=now)
        result.done = [pk for pk, _, _ in rows]
        bulk_effects(ids=result.done, transition=t, user=user, today=today, inputs=inputs)
        services.notify_firms(application_ids=result.done, text=f"“{wfs[0].title}”申报：{t.label}")
    result.skipped = max(total - len(result.done), 0)
    if result.skipped:
        result.reasons.append(f"{result.skipped} 件不处于可“{t.label}”的状态或条件未满足，未办理。")
    return result


# ---------------------------------------------------------------- the effects


def effects(*, case, transition: Transition, user, today: dt.date, inputs: dict, reason: str, scope) -> None:
    """Run the effects of one step on one case."""
    for name in transition.effects:
        if name == "write_filing":
            write_filing(filing=case, user=user, today=today)
        elif name == "flag_site_check":
            flag_site_check(application=case, today=today)
        elif name == "snapshot_evaluation":
            snapshot_evaluation(application=case, today=today, scope=scope)
        elif name == "issue_qualification":
            issue_qualifications(ids=[case.pk], user=user, day=today)
        elif name == "record_qualification":
            try:
                record_qualification(application=case, user=user, number=str(inputs["number"]).strip(),
                                     valid_from=inputs["valid_from"], valid_to=inputs.get("valid_to"))
            except EffectError as exc:
                raise WorkflowError(str(exc)) from None
        elif name == "revoke_qualification":
            revoke_qualification(application=case, user=user, day=today, reason=reason)
        # add_to_batch and record_site_check change the case's own columns in the step's update
    if isinstance(case, Application):
        _guidance_outcome([case.pk], case.definition.state(case.state), started=transition.key == "submit")


def bulk_effects(*, ids: Sequence[int], transition: Transition, user, today: dt.date, inputs: dict) -> None:
    """Run the effects of one step on many applications (only effects that need no per-case input)."""
    if not ids:
        return
    for name in transition.effects:
        if name == "issue_qualification":
            issue_qualifications(ids=ids, user=user, day=today)
        elif name not in ("add_to_batch",):
            raise ValueError(f"effect {name} cannot run in bulk")
    wf_id = Application.objects.filter(pk=ids[0]).values_list("workflow", flat=True).first()
    _guidance_outcome(ids, workflows.get(wf_id).state(transition.target), started=False)


def _guidance_outcome(ids: Sequence[int], state, *, started: bool) -> None:
    """The 申报辅导 task that led to an application follows it: applied, then on the list or not."""
    from keqi.pipeline.models import CultivationTask

    outcome = {"granted": CultivationTask.Outcome.APPROVED, "refused": CultivationTask.Outcome.REJECTED}.get(
        state.outcome, CultivationTask.Outcome.APPLIED if started else None)
    if outcome is None:
        return
    for i in range(0, len(ids), CHUNK):
        task_ids = Application.objects.filter(pk__in=ids[i : i + CHUNK], guidance_task__isnull=False) \
            .values_list("guidance_task_id", flat=True)
        for task in CultivationTask.objects.filter(pk__in=list(task_ids)):
            if task.outcome != outcome:
                task.outcome = outcome
                task._change_reason = "申报办理结果"
                task.save(update_fields=["outcome", "updated_at"])


# ---------------------------------------------------------------- filings into the registry


def write_filing(*, filing: AnnualFiling, user, today: dt.date) -> None:
    """The submitted figures become the firm's report of that year, through the import's plan and apply."""
    from keqi.registry.parsing import CellError

    check, parsed = check_entries(enterprise=filing.enterprise, fiscal_year=filing.fiscal_year,
                                  entries=filing.entries, today=today)
    if not check.ok:
        first = next(iter(check.errors.items()))
        raise WorkflowError(f"填报内容有 {sum(map(len, check.errors.values()))} 处错误，请改正后再提交（如：{first[1][0]}）。")
    plan = registry.plan_import(scope=SYSTEM, reports=parsed, qualifications=None)
    if plan.errors:  # the firm's own record cannot be refused by its scope; anything else is a bug to show
        raise WorkflowError("；".join(str(e) for e in plan.errors[:3] if isinstance(e, CellError)))
    registry.apply_plan(plan=plan, user=user, reason=f"企业年度填报 {filing.fiscal_year}")


# ---------------------------------------------------------------- 实地核查 and the self-evaluation at submission


def site_check_facts(*, application: Application, today: dt.date) -> SiteCheckFacts:
    firm_id = application.enterprise_id
    held = frozenset(Qualification.objects.filter(enterprise_id=firm_id, valid_from__lte=today)
                     .values_list("kind", flat=True))
    report = AnnualReport.objects.filter(enterprise_id=firm_id).order_by("-fiscal_year").first()
    if application.filing_id and application.filing.state in ("submitted", "accepted"):
        report = AnnualReport.objects.filter(enterprise_id=firm_id, fiscal_year=application.filing.fiscal_year).first() \
            or report
    violations = AnnualReport.objects.filter(enterprise_id=firm_id).values_list("fiscal_year", *VIOLATION_FLAGS)
    revoked = Application.objects.filter(enterprise_id=firm_id, programme=application.programme, state="revoked",
                                         decided_at__isnull=False).values_list("decided_at", flat=True)
    ip = None
    if report is not None and (report.ip_class1 is not None or report.ip_class2 is not None):
        ip = (report.ip_class1 or 0) + (report.ip_class2 or 0)
    return SiteCheckFacts(
        held_kinds=held, staff_total=report.staff_total if report else None,
        tech_staff=report.tech_staff if report else None,
        violation_years=tuple(y for y, *flags in violations if any(flags)),
        revoked_years=tuple(timezone.localtime(d).year for d in revoked), ip_items=ip,
        rd_expense=report.rd_expense if report else None, year=today.year)


def flag_site_check(*, application: Application, today: dt.date) -> None:
    rules = application.definition.site_check_rules
    hits = site_check_reasons(rules, site_check_facts(application=application, today=today)) if rules else []
    application.site_check_required = bool(hits)
    application.site_check_reasons = [r.label for r in hits]
    application.site_check_result = ""
    Application.objects.filter(pk=application.pk).update(
        site_check_required=application.site_check_required, site_check_reasons=application.site_check_reasons,
        site_check_result="")


def snapshot_evaluation(*, application: Application, today: dt.date, scope) -> None:
    """The verdict of the programme's edition in force at submission, kept with the application."""
    from keqi.policy.ladder import editions_in_force
    from keqi.screening import services as screening

    family = application.definition.edition_family
    ids = editions_in_force([family], today) if family else ()
    if not ids:
        return
    try:
        v = screening.evaluate_enterprise(scope=SYSTEM, uscc=application.enterprise.uscc, assess_on=today,
                                          edition_ids=ids)[0]
    except Exception as exc:  # the snapshot informs the reviewer; it never blocks a submission
        application.evaluation = {"error": str(exc)[:200]}
    else:
        application.evaluation = {"edition": v.get("edition"), "title": v.get("title"), "verdict": v.get("verdict"),
                                  "score_min": v.get("score_min"), "score_max": v.get("score_max"),
                                  "assess_on": today.isoformat()}
    Application.objects.filter(pk=application.pk).update(evaluation=application.evaluation)


# ---------------------------------------------------------------- qualifications


def number_format() -> str:
    fmt = settings.KEQI_REGISTRATION_NUMBER_FORMAT
    fields = {f for _, f, _, _ in string.Formatter().parse(fmt) if f}
    if "serial" not in fields or not fields <= {"year", "unit_code", "serial"}:
        raise EffectError("入库登记编号格式设置有误：须含 {serial}，可用 {year}、{unit_code}。")
    return fmt


def allocate_numbers(*, programme: str, year: int, unit_codes: Sequence[str]) -> list[str]:
    """One new number per entry of ``unit_codes`` (in order), never reused (a locked counter row)."""
    fmt = number_format()
    per_unit = "{unit_code" in fmt
    keys = [f"{programme}/{year}/{u}" if per_unit else f"{programme}/{year}" for u in unit_codes]
    out: list[str] = []
    with transaction.atomic():
        counters: dict[str, NumberSequence] = {}
        for key in sorted(set(keys)):
            NumberSequence.objects.get_or_create(key=key)
            counters[key] = NumberSequence.objects.select_for_update().get(key=key)
        for key, unit in zip(keys, unit_codes, strict=True):
            c = counters[key]
            c.last += 1
            out.append(fmt.format(year=year, unit_code=unit, serial=c.last))
        for c in counters.values():
            NumberSequence.objects.filter(pk=c.pk).update(last=c.last)
    return out


def issue_qualifications(*, ids: Sequence[int], user, day: dt.date) -> int:
    """Registered applications get their 入库登记编号 and the registry its qualification rows, in bulk."""
    rows = []
    for i in range(0, len(ids), CHUNK):
        rows += list(Application.objects.filter(pk__in=ids[i : i + CHUNK]).order_by("pk").values_list(
            "pk", "enterprise_id", "enterprise__uscc", "reporting_unit__code", "workflow", "programme", "batch__title"))
    if not rows:
        return 0
    wf = workflows.get(rows[0][4])
    numbers = allocate_numbers(programme=wf.programme, year=day.year, unit_codes=[r[3] or "500000" for r in rows])
    valid_to = _valid_to(wf, day)
    existing = {(e, f): q for e, f, q in Qualification.objects.filter(
        kind=wf.qualification_kind, valid_from=day, enterprise_id__in=[r[1] for r in rows])
        .values_list("enterprise_id", "valid_from", "pk")}
    plan = registry.ImportPlan()
    for (_pk, eid, uscc, _unit, _wf, _prog, batch), number in zip(rows, numbers, strict=True):
        if (eid, day) in existing:
            q = Qualification.objects.get(pk=existing[(eid, day)])
            q.number, q.valid_to, q.source = number, valid_to, f"KeQi {batch or ''}".strip()[:200]
            plan.changed_qualifications.append(q)
        else:
            plan.new_qualifications.append({"uscc": uscc, "kind": wf.qualification_kind, "valid_from": day,
                                            "number": number, "valid_to": valid_to,
                                            "source": f"KeQi {batch or ''}".strip()[:200]})
    if plan.changed_qualifications:
        plan.qualification_fields_changed = {"number", "valid_to", "source"}
    registry.apply_plan(plan=plan, user=user, reason="公示期满入库")
    from keqi.pipeline.flows import record_imported_qualifications

    record_imported_qualifications(plan=plan, today=day)
    quals = {}
    firm_ids = [r[1] for r in rows]
    for i in range(0, len(firm_ids), CHUNK):
        quals.update(Qualification.objects.filter(kind=wf.qualification_kind, valid_from=day,
                                                  enterprise_id__in=firm_ids[i : i + CHUNK])
                     .values_list("enterprise_id", "pk"))
    table = connection.ops.quote_name(Application._meta.db_table)
    with connection.cursor() as cursor:  # one prepared statement, many rows (bulk_update's CASE is quadratic)
        cursor.executemany(f"UPDATE {table} SET number = %s, qualification_id = %s WHERE id = %s",
                           [(n, quals.get(eid), pk) for (pk, eid, *_), n in zip(rows, numbers, strict=True)])
    return len(rows)


def _valid_to(wf, start: dt.date) -> dt.date | None:
    if not wf.valid_years:
        return None
    try:
        return start.replace(year=start.year + wf.valid_years) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + wf.valid_years, day=28)


def record_qualification(*, application: Application, user, number: str, valid_from: dt.date,
                         valid_to: dt.date | None) -> None:
    """A tracked programme's outcome: the certificate granted elsewhere enters the registry."""
    wf = application.definition
    if valid_to is None:
        valid_to = _valid_to(wf, valid_from)
    plan = registry.ImportPlan()
    q = Qualification.objects.filter(enterprise_id=application.enterprise_id, kind=wf.qualification_kind,
                                     valid_from=valid_from).first()
    source = f"{wf.title}（KeQi 申报 {application.pk}）"[:200]
    if q is not None:
        q.number, q.valid_to, q.source = number, valid_to, source
        plan.changed_qualifications.append(q)
        plan.qualification_fields_changed = {"number", "valid_to", "source"}
    else:
        plan.new_qualifications.append({"uscc": application.enterprise.uscc, "kind": wf.qualification_kind,
                                        "valid_from": valid_from, "number": number, "valid_to": valid_to,
                                        "source": source})
    registry.apply_plan(plan=plan, user=user, reason=f"登记认定结果（申报 {application.pk}）")
    from keqi.pipeline.flows import record_imported_qualifications

    record_imported_qualifications(plan=plan)
    q = Qualification.objects.get(enterprise_id=application.enterprise_id, kind=wf.qualification_kind,
                                  valid_from=valid_from)
    application.number, application.qualification_id = number, q.pk
    Application.objects.filter(pk=application.pk).update(number=number, qualification_id=q.pk)


def revoke_qualification(*, application: Application, user, day: dt.date, reason: str) -> None:
    """The entry ends on the day it is revoked (the history keeps when and why)."""
    if application.qualification_id is None:
        return
    q = Qualification.objects.get(pk=application.qualification_id)
    q.valid_to = max(day, q.valid_from)
    q._change_reason = bulk.history_reason(f"撤销：{reason}")
    q.save(update_fields=["valid_to"])


# ---------------------------------------------------------------- 公示 batches and objections


def conclude_batch(*, scope: Scope, user, batch: PublicityBatch, today: dt.date) -> BulkResult:
    """After the window: every application of the batch still in 公示 is registered (numbers issued at
    once); those with an open objection stay paused; the batch is closed once none is left in 公示
    or in objection."""
    if not scope.is_city:
        raise PermissionDenied("只有市科技局管理员可以办结公示批次。")
    if batch.closes_on >= today:
        raise WorkflowError(f"公示期至 {batch.closes_on:%Y-%m-%d} 止，期满后才能办结。")
    result = bulk_act(scope=scope, user=user, programme=batch.programme, action="register", batch=batch, today=today)
    waiting = batch.applications.filter(state__in=("publicity", "objection")).count()
    if waiting:
        result.reasons.append(f"{waiting} 件因异议暂停入库，异议处理后再办结。")
    else:
        PublicityBatch.objects.filter(pk=batch.pk).update(status=PublicityBatch.Status.CONCLUDED,
                                                           concluded_at=timezone.now())
        batch.status = PublicityBatch.Status.CONCLUDED
    return result


def record_objection(*, scope: Scope, user, application: Application, received_on: dt.date, content: str,
                     expected_version: int | None = None) -> Objection:
    if application.batch_id is None:
        raise WorkflowError("该申报不在公示中。")
    if received_on > timezone.localdate():
        raise WorkflowError("收到日期不能晚于今天。")
    with transaction.atomic():
        act(scope=scope, user=user, case=application, action="object", reason=content,
            expected_version=expected_version)
        return Objection.objects.create(application=application, batch_id=application.batch_id,
                                        received_on=received_on, content=content.strip(), recorded_by=user)


def resolve_objection(*, scope: Scope, user, application: Application, upheld: bool, resolution: str,
                      today: dt.date | None = None, expected_version: int | None = None) -> Application:
    """Uphold (不予入库) or dismiss (back to 公示; registered at once if the window has ended)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        act(scope=scope, user=user, case=application, action="uphold_objection" if upheld else "dismiss_objection",
            reason=resolution, expected_version=expected_version, today=today)
        Objection.objects.filter(application=application, status=Objection.Status.OPEN).update(
            status=Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED, resolution=resolution.strip(),
            resolved_at=timezone.now())
        if not upheld and application.batch.closes_on < today:
            act(scope=scope, user=user, case=application, action="register", today=today)
    return application
