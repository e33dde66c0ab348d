"""Screening: judge many firms against every edition on one day, and store the results.

``run_screening`` is the one path (CLI, web task). Firms go through in chunks: each chunk's flat
table is built from the registry, judged by each edition, and its rows are written in bulk. Gap
plans, the costly part, are searched for the edition that decides each firm's next tier (what
the candidate lists show); ``all_gaps=True`` searches them for every edition. The run is marked ``complete`` only at the end; if anything stops it (an error,
Ctrl+C, a killed worker) it is marked ``failed`` and its partial rows are removed, so the last
complete run is still what everyone sees.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from keqi.accounts.scope import Scope
from keqi.pipeline import flows as pipeline_flows
from keqi.pipeline.services import current_ladder
from keqi.policy import editions as policy_editions
from keqi.policy import engine as policy_engine
from keqi.registry import bulk
from keqi.registry import services as registry
from keqi.registry.models import Enterprise, Qualification
from keqi.registry.profiles import flat_table

from .closeness import closeness
from .models import Result, ScreeningRun, Standing
from .services import editions_on

CHUNK = 20_000
Progress = Callable[[int, int], None]
EXTRA_COLUMNS = ("tier", "grade", "grade_low", "grade_high", "credit_line")


def _no_progress(done: int, total: int) -> None:
    return None


def request_screening(*, scope: Scope, user, assess_on: dt.date, unit_id: int | None,
                      edition_ids: Sequence[str] | None = None) -> ScreeningRun:
    """Record a screening to be run by the worker, after checking the scope may screen that unit."""
    unit_id = _unit_for(scope, unit_id)
    edition_ids = edition_ids or editions_on(assess_on)
    return ScreeningRun.objects.create(
        requested_by=user, assess_on=assess_on, reporting_unit_id=unit_id,
        editions={e: policy_editions.get(e).version for e in edition_ids},
    )


def _unit_for(scope: Scope, unit_id: int | None) -> int | None:
    scope.require_read()
    if unit_id is None and not scope.is_city:
        unit_id = scope.unit_id
    if unit_id is None and not scope.is_city:
        raise PermissionDenied("您的角色无权筛选")
    if unit_id is not None and not registry.units_visible(scope=scope).filter(pk=unit_id).exists():
        raise PermissionDenied("您无权筛选该区县")
    return unit_id


def run_screening(
    *,
    scope: Scope,
    assess_on: dt.date,
    unit_id: int | None = None,
    user=None,
    edition_ids: Sequence[str] | None = None,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    chunk: int = CHUNK,
    progress: Progress = _no_progress,
    run: ScreeningRun | None = None,
    engine: str = "duckdb",
    all_gaps: bool = False,
) -> ScreeningRun:
    """Screen the active firms of ``unit_id`` (or of the whole scope) and return the finished run."""
    unit_id = _unit_for(scope, unit_id)
    # the editions in force on the assessment day (those the queued run recorded, if it is one)
    edition_ids = edition_ids or (list(run.editions) if run is not None and run.editions else editions_on(assess_on))
    settings = dict(settings or {})
    firms = registry.enterprises(
        scope=scope, filters=registry.EnterpriseFilter(unit_id=unit_id, status=Enterprise.Status.ACTIVE)
    )
    ids = list(firms.order_by("pk").values_list("pk", flat=True))
    if run is None:
        run = ScreeningRun.objects.create(
            requested_by=user if user is not None and user.pk else None, assess_on=assess_on,
            reporting_unit_id=unit_id, settings=settings, engine=engine,
            editions={e: policy_editions.get(e).version for e in edition_ids},
        )
    run.firms = len(ids)
    run.status = ScreeningRun.Status.RUNNING
    run.save(update_fields=["firms", "status"])
    try:
        for start in range(0, len(ids), chunk):
            _screen_chunk(run, ids[start : start + chunk], assess_on, edition_ids, settings, run.engine, all_gaps)
            done = min(start + chunk, len(ids))
            ScreeningRun.objects.filter(pk=run.pk).update(progress=100 * done // max(len(ids), 1))
            progress(done, len(ids))
    except BaseException as exc:  # also Ctrl+C: never leave a half-written run looking complete
        Result.objects.filter(run=run).delete()
        Standing.objects.filter(run=run).delete()
        ScreeningRun.objects.filter(pk=run.pk).update(
            status=ScreeningRun.Status.FAILED, finished_at=timezone.now(), message=str(exc)[:500] or type(exc).__name__
        )
        raise
    run.status = ScreeningRun.Status.COMPLETE
    run.progress = 100
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "progress", "finished_at"])
    pipeline_flows.record_screening(run=run)  # each firm's tier history for the run's year
    return run


def _tiers(ids: Sequence[int], assess_on: dt.date) -> dict[int, set[str]]:
    valid = Q(valid_from__lte=assess_on) & (Q(valid_to__isnull=True) | Q(valid_to__gte=assess_on))
    held: dict[int, set[str]] = {}
    for ent, kind in Qualification.objects.filter(valid, enterprise_id__in=ids).values_list("enterprise_id", "kind"):
        held.setdefault(ent, set()).add(kind)
    return held


def _screen_chunk(run: ScreeningRun, ids: Sequence[int], assess_on: dt.date, edition_ids: Sequence[str],
                  settings: Mapping[str, Mapping[str, Any]], engine: str, all_gaps: bool) -> None:
    firms = Enterprise.objects.filter(pk__in=ids).order_by("pk")
    table = flat_table(enterprises=firms, assess_on=assess_on)
    meta = list(firms.values_list("pk", "reporting_unit_id"))
    held = _tiers(ids, assess_on)
    # The tier ladder (pipeline.Stage): a firm's next tier is decided by the editions of that tier's
    # families in force on the day; with several (瞪羚 and 专精特新), the closest one is its target.
    ladder = current_ladder()
    tiers = [ladder.tier_of(held.get(pk, set())) for pk, _unit in meta]
    nexts = {t.key: tuple(e for e in ladder.next_editions(t, assess_on) if e in edition_ids) for t in ladder.tiers}
    judged = policy_engine.evaluate_all(table, edition_ids, settings, gaps=all_gaps, backend=engine)
    results: list[dict] = []
    by_edition: dict[str, list[dict]] = {}
    for edition_id in edition_ids:
        edition_settings = settings.get(edition_id)
        out = judged[edition_id]
        costs = policy_editions.get(edition_id).resolve_settings(edition_settings).get("gap_costs", {})
        cols = {name: out.column(name).to_pylist() for name in out.column_names
                if name in ("verdict", "route", "score_min", "score_max", "pass_mark", "gaps_json", *EXTRA_COLUMNS)}
        plans: dict[int, list] = {}
        if all_gaps:
            plans = {i: json.loads(g) if g else [] for i, g in enumerate(cols["gaps_json"])}
        else:
            # The gap search is the costly part: run it where it is read, for the firms this edition
            # decides the next tier of (the firm's page computes any other edition's plan live).
            wanted = [i for i, t in enumerate(tiers) if edition_id in nexts[t.key]]
            if wanted:
                sub = policy_engine.evaluate_table(table.take(wanted), edition_id, edition_settings, gaps=True)
                plans = {i: json.loads(g) if g else [] for i, g in zip(wanted, sub.column("gaps_json").to_pylist(),
                                                                       strict=True)}
        rows = []
        for i, (pk, _unit) in enumerate(meta):
            verdict = cols["verdict"][i]
            gaps = plans.get(i)
            rows.append({
                "run_id": run.pk, "enterprise_id": pk, "edition": edition_id, "verdict": verdict,
                "route": cols["route"][i] or "", "score_min": cols["score_min"][i], "score_max": cols["score_max"][i],
                "pass_mark": cols["pass_mark"][i],
                "closeness": closeness(verdict, gaps, costs) if gaps is not None else None,
                "gaps": json.dumps(gaps, ensure_ascii=False) if gaps is not None else None,
                "extras": json.dumps({k: cols[k][i] for k in EXTRA_COLUMNS if k in cols}, ensure_ascii=False),
            })
        by_edition[edition_id] = rows
        results.extend(rows)
    standings = []
    for i, (pk, unit) in enumerate(meta):
        tier = tiers[i]
        nxt = ladder.next_of(tier)
        # the closest of the next tier's editions (unranked last; a tie keeps the stage's family order)
        options = [by_edition[e][i] for e in nexts[tier.key]]
        row = min(options, key=lambda r: (r["closeness"] is None, r["closeness"] or 0.0), default=None)
        standings.append({
            "run_id": run.pk, "enterprise_id": pk, "reporting_unit_id": unit, "current_tier": tier.key,
            "next_tier": nxt.key if nxt else "", "next_edition": row["edition"] if row else "",
            "next_verdict": row["verdict"] if row else "", "closeness": row["closeness"] if row else None,
        })
    now = timezone.now()
    with transaction.atomic():
        bulk.insert(Result, results, now=now)
        bulk.insert(Standing, standings, now=now)

