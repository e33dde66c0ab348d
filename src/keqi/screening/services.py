"""Judging registry firms against the official criteria (reads only; keyword-only arguments).

The registry builds the flat table (``keqi.registry.profiles``); the policy engine judges it. A
firm's page and a screening of the whole city take this same path, so they agree by construction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.db.models import F, Q, QuerySet

from keqi.accounts.scope import Scope
from keqi.policy import editions as policy_editions
from keqi.policy import engine, evaluation
from keqi.policy.ladder import editions_in_force
from keqi.registry import services as registry
from keqi.registry.models import Enterprise
from keqi.registry.profiles import flat_table

from .models import EditionResult, ScreeningRun, Standing

# The order in which programmes are shown and screened: up the tier ladder, then the others.
FAMILY_ORDER = ("cq-tech", "tsme", "innovative-sme", "hnte", "gazelle", "srdi", "unicorn", "little-giant", "star",
                "kv-credit")


def editions_on(day: dt.date) -> tuple[str, ...]:
    """One edition per programme (family): the one in force on ``day``, in :data:`FAMILY_ORDER`.

    Screening and a firm's page judge against these, so a rule change is picked up on the day it
    takes effect; a family with no edition in force that day is left out.
    """
    families = policy_editions.families()
    order = [f for f in FAMILY_ORDER if f in families] + sorted(set(families) - set(FAMILY_ORDER))
    return editions_in_force(order, day)


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
    unit_id: int | None = None
    next_tier: str = ""
    hitech_field: str = ""
    edition: str = ""
    include_unranked: bool = False


def candidates(*, scope: Scope, run: ScreeningRun, filters: CandidateFilter | None = None) -> QuerySet:
    """Firms of a run, closest to their next tier first; only firms this scope may read."""
    f = filters or CandidateFilter()
    # the scope as a condition on the firm (none for the city), not a semi-join over every firm's id
    qs = Standing.objects.filter(scope.enterprise_q(), run=run).select_related("enterprise", "reporting_unit")
    if f.unit_id:
        qs = qs.filter(reporting_unit_id=f.unit_id)
    if f.next_tier:
        qs = qs.filter(next_tier=f.next_tier)
    if f.edition:
        qs = qs.filter(next_edition=f.edition)
    if f.hitech_field:
        qs = qs.filter(enterprise__hitech_field=f.hitech_field)
    if not f.include_unranked:
        qs = qs.filter(closeness__isnull=False)
    # ties by the firm's name as screened (``Standing.name``): the first page comes from an index
    return qs.order_by(F("closeness").asc(nulls_last=True), "name", "pk")


@dataclass(frozen=True)
class CandidateList:
    """The ranked candidates of one run: ``standings`` (a lazy, ordered queryset: page it or slice it),
    ``None`` with ``run`` when no complete run covers the unit yet."""

    run: ScreeningRun | None
    standings: QuerySet | None
    filters: CandidateFilter

    def results(self, standings: Sequence[Standing]) -> dict[int, EditionResult]:
        """The next-tier result (with its gap plan) of each of these standings, by firm id."""
        return gaps_for(run=self.run, standings=standings) if self.run is not None else {}


def candidate_list(*, scope: Scope, filters: CandidateFilter | None = None,
                   run: ScreeningRun | None = None) -> CandidateList:
    """The one candidate list behind the page, its export, the API and ``keqi screen``: firms closest to
    their next tier first, in the latest complete run covering the unit (or ``run``).

    The city may ask for any unit (or all); every other role gets its own unit, whatever it asked.
    """
    scope.require_read()
    f = filters or CandidateFilter()
    f = replace(f, unit_id=f.unit_id if scope.is_city else scope.unit_id)
    run = run or latest_run(scope=scope, unit_id=f.unit_id)
    return CandidateList(run, candidates(scope=scope, run=run, filters=f) if run is not None else None, f)


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
