"""Judging registry firms against the official criteria (reads only; keyword-only arguments).

The registry builds the flat table (``keqi.registry.profiles``); the policy engine judges it. A
firm's page and a screening of the whole city take this same path, so they agree by construction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, NullIf

from keqi.accounts.scope import Scope
from keqi.policy import editions as policy_editions
from keqi.policy import engine, evaluation
from keqi.policy.fields import HITECH_FIELDS
from keqi.policy.ladder import editions_in_force
from keqi.registry import listing
from keqi.registry import services as registry
from keqi.registry.industries import SECTIONS, section_q
from keqi.registry.models import AnnualReport, Enterprise
from keqi.registry.profiles import flat_table

from .models import EditionResult, ScreeningRun, Standing

# The order in which programmes are shown and screened: up the tier ladder, then the others.
FAMILY_ORDER = ("cq-tech", "tsme", "innovative-sme", "hnte", "gazelle", "srdi", "unicorn", "little-giant", "star",
                "kv-credit")


def editions_on(day: dt.date) -> tuple[str, ...]:
    """One edition per programme (family): the one in force on ``day``, in :data:`FAMILY_ORDER`, then
    the editions re-reviews keep that day (``keqi.policy.editions.rereview_ids``).

    Screening and a firm's page judge against these, so a rule change is picked up on the day it
    takes effect; a family with no edition in force that day is left out.
    """
    families = policy_editions.families()
    order = [f for f in FAMILY_ORDER if f in families] + sorted(set(families) - set(FAMILY_ORDER))
    ids = editions_in_force(order, day)
    # and those that re-reviews (复核) keep that day (2026 小巨人 复核: little-giant-2022, 工信厅企业函〔2026〕117号),
    # so that re-reviewed firms are judged by their rulebook too
    return ids + tuple(e for e in policy_editions.rereview_ids(day) if e not in ids)


def evaluate_enterprise(
    *, scope: Scope, uscc: str, assess_on: dt.date, edition_ids: Sequence[str] | None = None,
    draft: dict | None = None,
) -> list[dict]:
    """One verdict per edition (the evaluation contract's shape) for a firm the scope may read.

    ``draft`` (a report's fields with ``enterprise_id`` and ``fiscal_year``) replaces the stored report of
    that year: the self-evaluation of an annual filing as the firm types it."""
    from . import sqlcache

    sqlcache.install()  # the SQL compiled once for every process (the first firm's page stores it)
    edition_ids = edition_ids or editions_on(assess_on)
    firm = registry.enterprises(scope=scope).filter(uscc=uscc.upper())
    table = flat_table(enterprises=firm, assess_on=assess_on, draft=draft)
    if table.num_rows != 1:
        raise Enterprise.DoesNotExist(uscc)
    judged = evaluation.evaluate_all(table, edition_ids, gaps=True)
    return [{**evaluation.verdicts(judged[e], e)[0], "title": policy_editions.get(e).title} for e in edition_ids]


def prepare_evaluation(*, day: dt.date) -> tuple[str, ...]:
    """Compile and prepare what a firm's evaluation page runs on ``day`` (every edition in force: the
    verdict view and the candidate plans' view), through the compiled-SQL cache; the web server runs
    this at start so that the first pages do not pay for it. Returns the editions prepared."""
    from . import sqlcache

    edition_ids = editions_on(day)
    sqlcache.load()
    engine.prepare(edition_ids)
    sqlcache.save()
    return edition_ids


# ---------------------------------------------------------------- screening results


def latest_run(*, scope: Scope, unit_id: int | None) -> ScreeningRun | None:
    """The newest complete run that covers ``unit_id``: one of that unit, or one of the whole city."""
    scope.require_read()
    runs = ScreeningRun.objects.filter(status=ScreeningRun.Status.COMPLETE)
    if unit_id is None:
        runs = runs.filter(reporting_unit__isnull=True)
    else:
        runs = runs.filter(Q(reporting_unit_id=unit_id) | Q(reporting_unit__isnull=True))
    return runs.order_by("-finished_at", "-pk").first()


def runs_visible(*, scope: Scope) -> QuerySet:
    scope.require_read()
    runs = ScreeningRun.objects.select_related("reporting_unit", "requested_by")
    if scope.is_city:
        return runs
    if scope.unit_id is None:
        return runs.none()
    return runs.filter(reporting_unit_id=scope.unit_id)


@dataclass(frozen=True)
class CandidateFilter:
    """What a candidate list shows: ``next_tier`` the target tier (every screened firm on the tier below
    it, eligible or not), ``hitech_field``, ``industry`` (a section letter of GB/T 4754), ``planned``
    (``yes``: firms with an open cultivation task, ``no``: without), ``sort`` (a key of
    :data:`CANDIDATE_SORTS`, ``-`` before it for the other way; empty: closest first)."""

    unit_id: int | None = None
    next_tier: str = ""
    hitech_field: str = ""
    industry: str = ""
    edition: str = ""
    planned: str = ""
    sort: str = ""
    include_unranked: bool = True


PLANNED_CHOICES = {"yes": "已安排培育工作", "no": "尚未安排"}

#: the columns a candidate list may be sorted by (the page's headers, the export's order, the API's ``sort``)
CANDIDATE_SORTS = {c.key: c for c in (
    listing.Column("closeness", "接近程度", ("closeness", "-score_high")),
    listing.Column("name", "企业名称", ("name",)),
    listing.Column("unit", "所属区县", ("reporting_unit__name",)),
    listing.Column("revenue", "营业收入（万元）", ("revenue",), numeric=True),
    listing.Column("rd_ratio", "研发费用占比", ("rd_ratio",), numeric=True),
    listing.Column("tech_share", "科技人员占比", ("tech_share",), numeric=True),
    listing.Column("ip", "知识产权（项）", ("ip_total",), numeric=True),
)}
DEFAULT_SORT = "closeness"


def check_filter(f: CandidateFilter) -> listing.Sort:
    """The filter's values checked (a ``ValidationError`` per faulty field, in Chinese); the sort asked for."""
    from keqi.pipeline.services import current_ladder

    errors = {}
    tiers = {t.key for t in current_ladder().tiers[1:]}
    if f.next_tier and f.next_tier not in tiers:
        errors["next_tier"] = "没有这个目标梯次"
    if f.edition and f.edition not in policy_editions.EDITION_IDS:
        errors["edition"] = "没有这个评价标准"
    if f.hitech_field and f.hitech_field not in HITECH_FIELDS:
        errors["hitech_field"] = "不是《国家重点支持的高新技术领域》的八个领域之一"
    if f.industry and f.industry not in SECTIONS:
        errors["industry"] = "行业门类应为 A–T 中的一个字母（GB/T 4754-2017）"
    if f.planned and f.planned not in PLANNED_CHOICES:
        errors["planned"] = "应为 yes（已安排培育工作）或 no（尚未安排）"
    try:
        sort = listing.parse_sort(f.sort, CANDIDATE_SORTS, DEFAULT_SORT)
    except ValidationError as exc:
        errors.update({k: "；".join(v) for k, v in exc.message_dict.items()})
        sort = None
    if errors:
        raise ValidationError(errors)
    return sort


def _figures(run: ScreeningRun) -> dict:
    """The key figures of each firm as the run judged it: its latest annual report before the
    assessment day's year (the engine's latest year), as correlated subqueries of the standing's firm."""
    latest = AnnualReport.objects.filter(enterprise_id=OuterRef("enterprise_id"),
                                         fiscal_year__lt=run.assess_on.year).order_by("-fiscal_year")

    def last(field):
        return Subquery(latest.values(field)[:1])

    def share(part, whole):
        return ExpressionWrapper(Cast(last(part), FloatField()) / NullIf(Cast(last(whole), FloatField()), 0.0),
                                 output_field=FloatField())

    # the highest score the firm may reach under its next tier's edition (the unranked among the candidates
    # of a scored tier, such as 高企, ordered by it: the fewest points short first)
    score_high = Case(*(When(next_edition=e, then=Cast(KT(f"results__{e}__s__1"), IntegerField()))
                        for e in policy_editions.EDITION_IDS), default=Value(None), output_field=IntegerField())
    return {
        "score_high": score_high,
        "figures_year": last("fiscal_year"),
        "revenue": last("revenue"),
        "rd_ratio": share("rd_expense", "revenue"),
        "tech_share": share("tech_staff", "staff_total"),
        "ip_class1": last("ip_class1"),
        "ip_total": Subquery(latest.annotate(n=Case(
            When(ip_class1__isnull=True, ip_class2__isnull=True, then=Value(None, output_field=IntegerField())),
            default=Coalesce("ip_class1", 0) + Coalesce("ip_class2", 0), output_field=IntegerField(),
        )).values("n")[:1]),
    }


def candidates(*, scope: Scope, run: ScreeningRun, filters: CandidateFilter | None = None) -> QuerySet:
    """Firms of a run with a next tier (closest to it first unless sorted otherwise), with their key
    figures (``revenue``, ``rd_ratio``, ``tech_share``, ``ip_total``, ``ip_class1``, ``figures_year``)
    and whether a cultivation task is planned (``planned``); only firms this scope may read."""
    from keqi.pipeline.services import planned

    f = filters or CandidateFilter()
    sort = check_filter(f)
    # the scope as a condition on the firm (none for the city), not a semi-join over every firm's id
    qs = Standing.objects.filter(scope.enterprise_q(), run=run).exclude(next_tier="").select_related(
        "enterprise", "reporting_unit")
    if f.unit_id:
        qs = qs.filter(reporting_unit_id=f.unit_id)
    if f.next_tier:
        qs = qs.filter(next_tier=f.next_tier)
    if f.edition:
        qs = qs.filter(next_edition=f.edition)
    if f.hitech_field:
        qs = qs.filter(enterprise__hitech_field=f.hitech_field)
    if f.industry:
        qs = qs.filter(section_q(f.industry, "enterprise__industry_code"))
    if f.planned:
        condition = planned(scope=scope)
        qs = qs.filter(condition if f.planned == "yes" else ~condition)
    if not f.include_unranked:
        qs = qs.filter(closeness__isnull=False)
    qs = qs.annotate(**_figures(run))
    columns = CANDIDATE_SORTS
    if not f.next_tier:
        # firms of every tier: the unranked in name order, so that the first page of a whole city's list
        # comes from the index (run, [unit,] closeness, name, id) (docs/benchmarks.md); for one target tier
        # the unranked are few hundred and go fewest points short first
        columns = {**CANDIDATE_SORTS, DEFAULT_SORT: replace(CANDIDATE_SORTS[DEFAULT_SORT], fields=("closeness",))}
    # ties by the firm's name as screened (``Standing.name``)
    return listing.sorted_by(qs, sort, columns, ties=("name", "pk"))


@dataclass(frozen=True)
class Candidate:
    """One firm of a candidate list, as every front shows it: its ``standing`` (with the key figures
    annotated), the next tier's ``result``, the ``missing`` criteria (their Chinese labels), the
    ``steps`` of the smallest plan that reaches the next tier (Chinese) and its open ``tasks``."""

    standing: Standing
    result: EditionResult | None
    missing: list[str]
    steps: list[str]
    tasks: list

    @property
    def state(self) -> str:
        """Where the firm stands, in words (:data:`STATES`): eligible, uncertain, reachable by its plan,
        short of data that would decide it, or with no path the firm controls."""
        verdict, closeness = self.standing.next_verdict, self.standing.closeness
        if verdict in ("eligible", "uncertain"):
            return verdict
        if closeness is not None:
            return "reachable"
        return "needs_data" if any(m.endswith(f"（{NEEDS_DATA}）") for m in self.missing) else "blocked"

    @property
    def state_label(self) -> str:
        return STATES[self.state]


NEEDS_DATA = "缺少数据，暂无法判定"
STATES = {"eligible": "已符合", "uncertain": "待专家评审", "reachable": "可争取", "needs_data": "需补充数据",
          "blocked": "暂无可行路径"}


def missing_criteria(edition_id: str, result: EditionResult | None) -> tuple[list[str], list[str]]:
    """(the labels of the criteria a firm misses, the steps of its plan) from its gap plan under ``edition_id``.

    A criterion nothing in the firm's control settles is marked: 企业无法自行改变 (its age, size, a
    flag) or 缺少数据 (data the screening had not)."""
    if result is None or not result.gaps or edition_id not in policy_editions.EDITION_IDS:
        return [], []
    edition = policy_editions.get(edition_id)
    labels = {c.id: c for c in edition.criteria}
    missing: dict[str, str] = {}
    steps = []
    for g in result.gaps:
        c = labels.get(g.get("criterion") or "")
        if g.get("change") is not None:
            steps.append(str(g.get("note") or "").removesuffix("。"))
            if c is not None:
                missing.setdefault(c.id, c.label)
        elif c is not None:
            why = "企业无法自行改变" if not c.controllable else (
                NEEDS_DATA if "无法判定" in str(g.get("note") or "") else "仅靠可调整指标无法弥补")
            missing[c.id] = f"{c.label}（{why}）"
    return list(missing.values()), [s for s in steps if s]


@dataclass(frozen=True)
class CandidateList:
    """The candidates of one run: ``standings`` (a lazy, ordered queryset: page it or slice it),
    ``None`` with ``run`` when no complete run covers the unit yet; ``sort`` as checked."""

    run: ScreeningRun | None
    standings: QuerySet | None
    filters: CandidateFilter
    sort: listing.Sort = listing.Sort(DEFAULT_SORT, False)
    scope: Scope | None = None

    def results(self, standings: Sequence[Standing]) -> dict[int, EditionResult]:
        """The next-tier result (with its gap plan) of each of these standings, by firm id."""
        return gaps_for(run=self.run, standings=standings) if self.run is not None else {}

    def rows(self, standings: Sequence[Standing]) -> list[Candidate]:
        """These standings (a page or a slice of ``standings``) as the fronts show them: a few queries
        whatever their number."""
        from keqi.pipeline.services import open_tasks

        standings = list(standings)
        results = self.results(standings)
        tasks = open_tasks(scope=self.scope, enterprise_ids=[s.enterprise_id for s in standings]) if self.scope else {}
        out = []
        for s in standings:
            r = results.get(s.enterprise_id)
            missing, steps = missing_criteria(s.next_edition, r)
            out.append(Candidate(s, r, missing, steps, tasks.get(s.enterprise_id, [])))
        return out


def candidate_list(*, scope: Scope, filters: CandidateFilter | None = None,
                   run: ScreeningRun | None = None) -> CandidateList:
    """The one candidate list behind the page, its export, the API and ``keqi screen``: every screened firm
    with a next tier (for a target tier: every firm on the tier below it), closest to it first, in the latest
    complete run covering the unit (or ``run``); a filter value or sort key out of bounds is a
    ``ValidationError`` (per field, in Chinese).

    The city may ask for any unit (or all); every other role gets its own unit, whatever it asked.
    """
    scope.require_read()
    f = filters or CandidateFilter()
    sort = check_filter(f)
    f = replace(f, unit_id=f.unit_id if scope.is_city else scope.unit_id)
    run = run or latest_run(scope=scope, unit_id=f.unit_id)
    return CandidateList(run, candidates(scope=scope, run=run, filters=f) if run is not None else None, f, sort, scope)


@dataclass(frozen=True)
class NewCandidates:
    """Firms that are candidates now and were not at the screening before (``previous`` None: the first)."""

    run: ScreeningRun | None
    previous: ScreeningRun | None
    standings: QuerySet | None  # eligible or "uncertain" (experts decide) for their next tier, closest first

    @property
    def count(self) -> int:
        return self.standings.count() if self.standings is not None else 0


def new_candidates(*, scope: Scope, unit_id: int | None = None) -> NewCandidates:
    """Since the last screening: the firms eligible (or uncertain) for their next tier in the latest complete
    run covering the unit that were not so, for the same tier, in the complete run before it. The city may
    ask for any unit (or all); every other role gets its own unit."""
    scope.require_read()
    unit_id = unit_id if scope.is_city else scope.unit_id
    run = latest_run(scope=scope, unit_id=unit_id)
    if run is None:
        return NewCandidates(None, None, None)
    earlier = ScreeningRun.objects.filter(status=ScreeningRun.Status.COMPLETE, finished_at__lt=run.finished_at)
    earlier = earlier.filter(reporting_unit__isnull=True) if unit_id is None else earlier.filter(
        Q(reporting_unit_id=unit_id) | Q(reporting_unit__isnull=True))
    previous = earlier.order_by("-finished_at", "-pk").first()
    ready = ("eligible", "uncertain")
    qs = Standing.objects.filter(scope.enterprise_q(), run=run, next_verdict__in=ready).exclude(next_tier="")
    if unit_id:
        qs = qs.filter(reporting_unit_id=unit_id)
    if previous is not None:
        before = Standing.objects.filter(run=previous, enterprise_id=OuterRef("enterprise_id"),
                                         next_tier=OuterRef("next_tier"), next_verdict__in=ready)
        qs = qs.filter(~Exists(before))
    qs = qs.select_related("enterprise", "reporting_unit").order_by(F("closeness").asc(nulls_last=True), "name", "pk")
    return NewCandidates(run, previous, qs)


def gaps_for(*, run: ScreeningRun, standings: Sequence[Standing]) -> dict[int, EditionResult]:
    """The next-tier result (with its gap plan) of each listed standing, from the standing itself (no query)."""
    found: dict[int, EditionResult] = {}
    for s in standings:
        result = s.result(s.next_edition) if s.next_edition else None
        if result is not None:
            found[s.enterprise_id] = result
    return found


def verdict_counts(*, run: ScreeningRun) -> dict[str, dict[str, int]]:
    """Per edition (by title, in programme order): how many firms are eligible, uncertain, ineligible
    (counted by the run as it wrote its results)."""
    counts = {e: c for e, c in (run.counts or {}).items() if e in policy_editions.EDITION_IDS}
    shown = editions_on(run.assess_on)
    order = [e for e in shown if e in counts] + sorted(set(counts) - set(shown))
    return {policy_editions.get(e).title: counts[e] for e in order}


def explained(verdicts: Sequence[dict]) -> list[dict]:
    """Verdicts for a page: each criterion also carries ``gap``, the gap plan's notes about it."""
    out = []
    for v in verdicts:
        notes: dict[str, list[str]] = {}
        for g in v.get("gaps") or ():
            if g.get("criterion") and g.get("note"):
                notes.setdefault(g["criterion"], []).append(g["note"])
        out.append({**v, "criteria": [{**c, "gap": "；".join(notes.get(c["id"], ()))} for c in v["criteria"]]})
    return out


def firm_standing(*, scope: Scope, enterprise: Enterprise) -> tuple[ScreeningRun | None, Standing | None, list[dict]]:
    """A firm's place in the latest complete run covering its unit: (run, standing, every edition's result)."""
    run = latest_run(scope=scope, unit_id=enterprise.reporting_unit_id)
    if run is None:
        return None, None, []
    standing = Standing.objects.filter(run=run, enterprise=enterprise).first()
    results = standing.edition_results() if standing is not None else {}
    shown = editions_on(run.assess_on)
    order = [e for e in shown if e in results] + sorted(set(results) - set(shown))
    rows = [{"edition": e, "title": policy_editions.get(e).title, "result": results[e]} for e in order
            if e in policy_editions.EDITION_IDS]
    return run, standing, rows
