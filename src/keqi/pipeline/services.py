"""The cultivation pipeline (reads and writes; keyword-only; scoped like the registry).

Cultivation tasks: a district officer plans work on its own unit's firms and assigns it to an
officer of the same unit; the city administrator may do so anywhere. Overdue = open and due before
today; upcoming = open and due within the next 14 days.

The tier ladder is data the city administrator edits (:class:`~keqi.pipeline.models.LadderTier`);
``current_ladder`` reads it into the pure :class:`keqi.policy.ladder.Ladder` that screening and the
pages use. A firm's history (:class:`~keqi.pipeline.models.TierRecord`) gives the conversion rates
(``conversions``) per tier and unit; the counts per tier on a day (the funnel) are ``keqi.pipeline.figures``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, Max, OuterRef, QuerySet

from keqi.accounts import services as accounts
from keqi.accounts.scope import Scope
from keqi.policy.ladder import Ladder, Tier
from keqi.registry import services as registry
from keqi.registry.models import Enterprise, Qualification

from . import memo
from .models import CultivationTask, LadderTier, TierRecord

UPCOMING_DAYS = 14


def tasks(*, scope: Scope, view: str = "all", today: dt.date, user=None) -> QuerySet:
    """Tasks on firms the scope may read: ``all``, ``mine``, ``overdue``, ``upcoming`` (the next 14 days) or
    ``week`` (open and due from today to this week's Sunday)."""
    scope.require_read()
    # the scope as a condition on the task's firm (none for the city), not a semi-join over every firm's id
    # (12 ms of SQLite's CPU for the unit page's overdue count at 12,000 firms, docs/benchmarks.md)
    qs = CultivationTask.objects.filter(scope.enterprise_q("enterprise__")).select_related("enterprise", "assigned_to")
    if view == "mine" and user is not None:
        qs = qs.filter(assigned_to=user)
    elif view == "overdue":
        qs = qs.filter(status=CultivationTask.Status.OPEN, due_on__lt=today)
    elif view == "week":
        qs = qs.filter(status=CultivationTask.Status.OPEN, due_on__gte=today,
                       due_on__lte=today + dt.timedelta(days=6 - today.weekday()))
    elif view == "upcoming":
        qs = qs.filter(status=CultivationTask.Status.OPEN, due_on__gte=today,
                       due_on__lte=today + dt.timedelta(days=UPCOMING_DAYS))
    return qs.order_by("due_on", "pk")


def open_tasks(*, scope: Scope, enterprise_ids) -> dict[int, list[CultivationTask]]:
    """The open tasks (a visit, a training, guidance already planned) on each of these firms, earliest due
    first, by firm id; nothing for a role that does not plan cultivation work (the lists' "已安排" mark)."""
    ids = list(enterprise_ids)
    if not ids or not scope.can_write_registry:
        return {}
    out: dict[int, list[CultivationTask]] = {}
    for i in range(0, len(ids), 5000):  # a whole list's export: within every database's parameter limit
        qs = CultivationTask.objects.filter(scope.enterprise_q("enterprise__"), enterprise_id__in=ids[i : i + 5000],
                                            status=CultivationTask.Status.OPEN)
        for task in qs.order_by("due_on", "pk"):
            out.setdefault(task.enterprise_id, []).append(task)
    return out


def planned(*, scope: Scope, outer: str = "enterprise_id") -> Exists:
    """A condition on a firm (its id in the field ``outer`` of the outer query): it has an open task.
    Always false for a role that does not plan cultivation work."""
    tasks = CultivationTask.objects.filter(enterprise_id=OuterRef(outer), status=CultivationTask.Status.OPEN)
    return Exists(tasks if scope.can_write_registry else tasks.none())


def assignable_users(*, scope: Scope, unit_id: int) -> QuerySet:
    """Officers who may be given work on firms of ``unit_id``: that unit's officers (and city admins)."""
    return accounts.officers_for_unit(unit_id=unit_id)


def create_task(*, scope: Scope, user, uscc: str, kind: str, title: str, assigned_to, due_on: dt.date,
                target_tier: str = "", notes: str = "") -> CultivationTask:
    scope.require_write()
    firm = registry.enterprise(scope=scope, uscc=uscc)
    scope.require_write_unit(firm.reporting_unit_id)
    if not assignable_users(scope=scope, unit_id=firm.reporting_unit_id).filter(pk=assigned_to.pk).exists():
        raise ValidationError("只能指派给该企业所属区县的工作人员")
    if kind not in CultivationTask.Kind.values:
        raise ValidationError(f"未知的工作类型：{kind}")
    return CultivationTask.objects.create(enterprise=firm, kind=kind, title=title, assigned_to=assigned_to,
                                          due_on=due_on, target_tier=target_tier, notes=notes, created_by=user)


def update_task(*, scope: Scope, task_id: int, status: str | None = None, outcome: str | None = None,
                notes: str | None = None) -> CultivationTask:
    scope.require_write()
    task = tasks(scope=scope, today=dt.date.today()).get(pk=task_id)
    scope.require_write_unit(task.enterprise.reporting_unit_id)
    if status is not None:
        if status not in CultivationTask.Status.values:
            raise ValidationError(f"未知的状态：{status}")
        task.status = status
    if outcome is not None:
        if outcome not in CultivationTask.Outcome.values:
            raise ValidationError(f"未知的结果：{outcome}")
        if outcome and task.kind != CultivationTask.Kind.GUIDANCE:
            raise PermissionDenied("只有申报辅导类工作才记录申报结果")
        task.outcome = outcome
    if notes is not None:
        task.notes = notes
    task.save()
    return task


# ---------------------------------------------------------------- the tier ladder


def current_ladder() -> Ladder:
    """The ladder as the city administrator keeps it (one query, once per web request: :mod:`.memo`)."""
    return memo.once("ladder", _read_ladder)


def _read_ladder() -> Ladder:
    tiers = tuple(
        Tier(s.level, s.key, s.label_zh, s.label_en, tuple(s.qualification_kinds), tuple(s.entry_families))
        for s in LadderTier.objects.order_by("level")
    )
    if not tiers:
        raise LadderTier.DoesNotExist("the tier ladder is empty: run the migrations (pipeline 0003 seeds it)")
    return Ladder(tiers)


# ---------------------------------------------------------------- tier history, funnel, conversions


def tier_on(*, qualifications, on: dt.date, ladder: Ladder | None = None) -> Tier:
    """A firm's tier on ``on`` from its qualifications (loaded rows): the highest tier of those it holds
    that day (``Qualification.is_valid_on``, the rule of ``registry.models.held_on``), the first tier when none.
    The same definition as the counts' "highest tier" (``keqi.pipeline.figures``)."""
    ladder = ladder or current_ladder()
    return ladder.tier_of({q.kind for q in qualifications if q.is_valid_on(on)})


def tier_history(*, scope: Scope, enterprise_id: int, on: dt.date | None = None,
                 qualifications: Iterable[Qualification] | None = None) -> list[dict]:
    """A firm's tier year by year (newest first), up to ``on`` (default today).

    ``held``: its tier at the year's end (for ``on``'s year: on ``on``), as every count on that day sees it;
    ``tier``: the highest tier any source recorded in the year (a qualification held on any day of it, or a
    screening assessed in it), which may be higher when a certificate ended during the year.
    ``qualifications``: the firm's, when the caller has read them already (the firm page), else read here."""
    scope.require_read()
    if not scope.enterprises(Enterprise.objects.filter(pk=enterprise_id)).exists():
        raise Enterprise.DoesNotExist(enterprise_id)
    from django.utils import timezone

    on = on or timezone.localdate()
    ladder = current_ladder()
    if qualifications is None:
        qualifications = Qualification.objects.filter(enterprise_id=enterprise_id)
    quals = [q for q in qualifications if q.enterprise_id == enterprise_id and q.valid_from <= on]
    by_year: dict[int, dict] = {}
    records = TierRecord.objects.filter(enterprise_id=enterprise_id, year__lte=on.year).select_related("tier", "run")
    for r in records.order_by("year", "source"):
        row = by_year.setdefault(r.year, {"year": r.year, "tier": ladder.tiers[0], "sources": [], "next_edition": "",
                                          "next_verdict": "", "run": None})
        if r.tier.level > row["tier"].level:
            row["tier"] = ladder.at_level(r.tier.level)
        row["sources"].append(r.get_source_display())
        if r.source == TierRecord.Source.SCREENING:
            row.update(next_edition=r.next_edition, next_verdict=r.next_verdict, run=r.run)
    # the years its qualifications cover up to ``on`` (records are written up to the day of each import)
    for q in quals:
        for year in range(q.valid_from.year, min((q.valid_to or on).year, on.year) + 1):
            by_year.setdefault(year, {"year": year, "tier": ladder.tiers[0], "sources": [], "next_edition": "",
                                      "next_verdict": "", "run": None})
    for year, row in by_year.items():
        start, day = dt.date(year, 1, 1), min(dt.date(year, 12, 31), on)
        during = ladder.tier_of({q.kind for q in quals if q.valid_from <= day and (q.valid_to is None
                                                                                  or q.valid_to >= start)})
        if during.level > row["tier"].level:
            row["tier"] = during
        held = tier_on(qualifications=quals, on=day, ladder=ladder)
        row.update(held=held, held_on=day, ended=held.level < row["tier"].level)
    return [by_year[y] for y in sorted(by_year, reverse=True)]


def _levels(*, scope: Scope, year: int, unit_id: int | None) -> tuple[dict[int, int], dict[int, int]]:
    """(firm → reporting unit) of the firms in scope that existed by the end of ``year``, and
    (firm → its highest recorded level that year); firms without a record stand on the ladder's first tier."""
    firms = scope.enterprises(Enterprise.objects.filter(registered_on__lte=dt.date(year, 12, 31)))
    if unit_id is not None:
        firms = firms.filter(reporting_unit_id=unit_id)
    units = dict(firms.values_list("pk", "reporting_unit_id"))
    levels = dict(
        TierRecord.objects.filter(year=year, enterprise__in=firms.values("pk"))
        .values("enterprise_id").annotate(level=Max("tier__level")).values_list("enterprise_id", "level")
    )
    return units, levels


@dataclass(frozen=True)
class Conversion:
    unit_id: int
    tier: str  # the tier in ``from_year``
    firms: int  # firms on that tier in ``from_year``
    moved_up: int  # of those, firms on a higher tier in ``to_year``

    @property
    def rate(self) -> float | None:
        return self.moved_up / self.firms if self.firms else None


def conversions(*, scope: Scope, from_year: int, to_year: int, unit_id: int | None = None) -> list[Conversion]:
    """Per reporting unit and tier held in ``from_year``: how many firms stood higher in ``to_year``.

    A firm's tier in a year is the highest any source recorded that year (qualifications held at any
    time in it, or a screening assessed in it; none: the first tier); the top tier has no tier above it and is left out. Units
    and tiers without firms are left out.
    """
    scope.require_read()
    if to_year <= from_year:
        raise ValueError(f"to_year ({to_year}) must come after from_year ({from_year})")
    ladder = current_ladder()
    base = ladder.tiers[0].level
    top = ladder.tiers[-1].level
    units, before = _levels(scope=scope, year=from_year, unit_id=unit_id)
    _, after = _levels(scope=scope, year=to_year, unit_id=unit_id)
    tally: dict[tuple[int, int], list[int]] = {}
    for firm, unit in units.items():
        level = before.get(firm, base)
        if level == top:
            continue
        cell = tally.setdefault((unit, level), [0, 0])
        cell[0] += 1
        cell[1] += after.get(firm, base) > level
    keys = {t.level: t.key for t in ladder.tiers}
    return [Conversion(unit, keys[level], n, up) for (unit, level), (n, up) in sorted(tally.items())]
