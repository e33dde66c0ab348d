"""The side effects a workflow's transitions name (``keqi.policy.workflows.EFFECTS``), run inside the
transaction of the step that triggers them (:func:`keqi.applications.services.act` / ``bulk_act``).

Figures and qualifications enter the registry the way an import does (``registry.services.plan_import``
and ``apply_plan``, with history rows; the tiers through ``pipeline.flows.record_imported_qualifications``),
so the registry, the tier history, the counts and the targets see a submitted filing or an issued
入库登记编号 at once, exactly as they see imported ones.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Sequence

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from keqi.accounts.scope import SYSTEM
from keqi.policy import workflows
from keqi.policy.workflows import SiteCheckFacts, Transition, site_check_reasons
from keqi.registry import services as registry
from keqi.registry.models import AnnualReport, Qualification

from .models import AnnualFiling, Application, NumberSequence

CHUNK = 1000
VIOLATION_FLAGS = ("flag_major_incident", "flag_research_misconduct", "flag_credit_blacklisted")


class EffectError(Exception):
    """An effect cannot be carried out (a Chinese message); the step is rolled back."""


def effects(*, case, transition: Transition, user, today: dt.date, inputs: dict, reason: str, scope) -> None:
    """Run the effects of one step on one case."""
    from .services import WorkflowError

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

    from .services import WorkflowError, check_entries

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
    q._change_reason = f"撤销：{reason}"[:100]
    q.save(update_fields=["valid_to"])
