"""Writing each firm's tier history (TierRecord) when the facts behind it change.

Two moments write it, both from flows (never from a view):

- a screening run completes (``screening.flows.run_screening`` calls :func:`record_screening`):
  every screened firm's stage in the run's year, with the verdict for its next stage;
- qualifications are imported (``registry.flows.run_import`` calls :func:`record_qualifications`):
  the touched firms' stages for every year their qualifications cover.

Both are idempotent: a record is keyed by firm, year and source, so running them again updates
the record in place. :func:`backfill_history` writes both for data that predates them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.db.models.functions import ExtractYear
from django.utils import timezone

from keqi.registry.models import Qualification

from .models import Stage, TierRecord
from .services import current_ladder

BATCH = 5000


def record_screening(*, run) -> int:
    """Record every firm of a complete run at its stage in the run's year; returns the records written.

    A later run assessed in the same year replaces the firm's screening record of that year. One
    ``INSERT … SELECT … ON CONFLICT`` statement (SQLite and PostgreSQL), so a city-wide run of
    100,000 firms adds no round trip per firm.
    """
    from keqi.screening.models import ScreeningRun, Standing

    if run.status != ScreeningRun.Status.COMPLETE:
        raise ValueError(f"screening run {run.pk} is {run.status}, not complete")
    record, standing, stage = TierRecord._meta.db_table, Standing._meta.db_table, Stage._meta.db_table
    sql = f"""
        INSERT INTO {record} (enterprise_id, year, stage_id, source, run_id, next_edition, next_verdict, recorded_at)
        SELECT s.enterprise_id, %s, st.id, %s, s.run_id, s.next_edition, s.next_verdict, %s
        FROM {standing} s JOIN {stage} st ON st.key = s.current_tier
        WHERE s.run_id = %s
        ON CONFLICT (enterprise_id, year, source) DO UPDATE SET
            stage_id = excluded.stage_id, run_id = excluded.run_id, next_edition = excluded.next_edition,
            next_verdict = excluded.next_verdict, recorded_at = excluded.recorded_at
    """
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [run.assess_on.year, TierRecord.Source.SCREENING, now, run.pk])
        return cursor.rowcount


def record_imported_qualifications(*, plan, today: dt.date | None = None) -> int:
    """After an import wrote ``plan`` (registry.services.ImportPlan): the tier history of the firms
    whose qualifications it created or changed."""
    if not (plan.new_qualifications or plan.changed_qualifications):
        return 0
    from keqi.registry.models import Enterprise

    ids = {q.enterprise_id for q in plan.changed_qualifications}
    codes = sorted({q["uscc"] for q in plan.new_qualifications})
    for i in range(0, len(codes), BATCH):
        ids.update(Enterprise.objects.filter(uscc__in=codes[i : i + BATCH]).values_list("pk", flat=True))
    return record_qualifications(enterprise_ids=ids, today=today)


def _of_firms(qs, chunk: list[int]):
    """Rows of the sorted, distinct firm ids ``chunk``: a range when they are consecutive (an import's
    new firms), cheaper to build and to run than a long IN list; else the list."""
    if chunk[-1] - chunk[0] + 1 == len(chunk):
        return qs.filter(enterprise_id__gte=chunk[0], enterprise_id__lte=chunk[-1])
    return qs.filter(enterprise_id__in=chunk)


def record_qualifications(*, enterprise_ids: Iterable[int], today: dt.date | None = None) -> int:
    """Rewrite the qualification records of these firms from the qualifications they hold now.

    A firm's stage in a year is the highest stage of the qualifications valid on any day of that
    year (years up to ``today``'s); a year in which it held none has no qualification record.
    Only differences are written (new years by ``registry.bulk``, changed stages by one update per
    stage, years no longer covered deleted), so an import that changes nothing writes nothing.
    Returns the records written or changed.
    """
    from keqi.registry import bulk

    today = today or timezone.localdate()
    ids = sorted(set(enterprise_ids))
    if not ids:
        return 0
    ladder = current_ladder()
    stage_ids = dict(Stage.objects.values_list("key", "pk"))
    base = ladder.tiers[0].level
    source = TierRecord.Source.QUALIFICATION
    now = timezone.now()
    written = 0
    stage_of: dict[frozenset[str], int | None] = {}  # the few combinations of kinds, judged once
    with transaction.atomic():
        for i in range(0, len(ids), BATCH):
            chunk = ids[i : i + BATCH]
            held: dict[tuple[int, int], set[str]] = {}
            rows = _of_firms(Qualification.objects.filter(valid_from__lte=today), chunk).annotate(
                first=ExtractYear("valid_from"), last=ExtractYear("valid_to")).values_list(
                "enterprise_id", "kind", "first", "last")
            for ent, kind, first, last in rows:
                for year in range(first, min(last or today.year, today.year) + 1):
                    held.setdefault((ent, year), set()).add(kind)
            wanted: dict[tuple[int, int], int] = {}
            for key, kinds in held.items():
                combo = frozenset(kinds)
                if combo not in stage_of:
                    tier = ladder.tier_of(combo)
                    stage_of[combo] = stage_ids[tier.key] if tier.level > base else None
                if stage_of[combo] is not None:
                    wanted[key] = stage_of[combo]
            existing = {(ent, year): (pk, stage) for pk, ent, year, stage in _of_firms(
                TierRecord.objects.filter(source=source), chunk).values_list("pk", "enterprise_id", "year", "stage_id")}
            stale = [pk for key, (pk, _stage) in existing.items() if key not in wanted]
            changed: dict[int, list[int]] = {}
            new = []
            for (ent, year), stage in wanted.items():
                if (ent, year) not in existing:
                    new.append({"enterprise_id": ent, "year": year, "stage_id": stage, "source": source,
                                "run_id": None, "next_edition": "", "next_verdict": "", "recorded_at": now})
                elif existing[ent, year][1] != stage:
                    changed.setdefault(stage, []).append(existing[ent, year][0])
            for j in range(0, len(stale), BATCH):
                TierRecord.objects.filter(pk__in=stale[j : j + BATCH]).delete()
            for stage, pks in changed.items():
                for j in range(0, len(pks), BATCH):
                    TierRecord.objects.filter(pk__in=pks[j : j + BATCH]).update(stage_id=stage, recorded_at=now)
            bulk.insert(TierRecord, new, now=now)
            written += len(new) + sum(len(p) for p in changed.values())
    return written


def backfill_history(*, today: dt.date | None = None, enterprise_ids: Sequence[int] | None = None) -> dict[str, int]:
    """Write the history for existing data: every firm's qualifications, and for each year the latest
    complete screening run assessed in it (a city-wide run, or each unit's own if newer)."""
    from keqi.registry.models import Enterprise
    from keqi.screening.models import ScreeningRun

    if enterprise_ids is None:
        enterprise_ids = list(Enterprise.objects.filter(qualifications__isnull=False).distinct()
                              .values_list("pk", flat=True))
    quals = record_qualifications(enterprise_ids=enterprise_ids, today=today)
    runs = ScreeningRun.objects.filter(status=ScreeningRun.Status.COMPLETE).order_by("finished_at", "pk")
    screened = 0
    for run in runs:  # oldest first, so the latest run of a year is the one kept
        screened = record_screening(run=run)
    return {"qualification_records": quals, "screening_runs": runs.count(), "last_run_records": screened}
