"""Each firm's tier history as screening sees it (TierRecord, source ``screening``), and the backfill.

A screening run that completes (``flows.run_screening``) records every screened firm's tier in the
run's year, with the verdict for its next tier (:func:`record_screening`). :func:`backfill_history`
writes the whole history (qualifications and runs) for data that predates it (``manage.py
backfill_tier_history``). The records live in the pipeline app (the layer below); screening writes
its own, so the pipeline never imports screening.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import connection, transaction
from django.utils import timezone

from keqi.pipeline.flows import record_qualifications
from keqi.pipeline.models import LadderTier, TierRecord
from keqi.registry.models import Enterprise

from .models import ScreeningRun, Standing


def record_screening(*, run) -> int:
    """Record every firm of a complete run at its tier in the run's year; returns the records written.

    A later run assessed in the same year replaces the firm's screening record of that year. One
    ``INSERT … SELECT … ON CONFLICT`` statement (SQLite and PostgreSQL), so a city-wide run of
    100,000 firms adds no round trip per firm.
    """
    if run.status != ScreeningRun.Status.COMPLETE:
        raise ValueError(f"screening run {run.pk} is {run.status}, not complete")
    record, standing, tier = TierRecord._meta.db_table, Standing._meta.db_table, LadderTier._meta.db_table
    sql = f"""
        INSERT INTO {record} (enterprise_id, year, stage_id, source, run_id, next_edition, next_verdict, recorded_at)
        SELECT s.enterprise_id, %s, st.id, %s, s.run_id, s.next_edition, s.next_verdict, %s
        FROM {standing} s JOIN {tier} st ON st.key = s.current_tier
        WHERE s.run_id = %s
        ON CONFLICT (enterprise_id, year, source) DO UPDATE SET
            stage_id = excluded.stage_id, run_id = excluded.run_id, next_edition = excluded.next_edition,
            next_verdict = excluded.next_verdict, recorded_at = excluded.recorded_at
    """
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [run.assess_on.year, TierRecord.Source.SCREENING, now, run.pk])
        return cursor.rowcount


def backfill_history(*, today: dt.date | None = None, enterprise_ids: Sequence[int] | None = None) -> dict[str, int]:
    """Write the history for existing data: every firm's qualifications, and for each year the latest
    complete screening run assessed in it (a city-wide run, or each unit's own if newer)."""
    if enterprise_ids is None:
        enterprise_ids = list(Enterprise.objects.filter(qualifications__isnull=False).distinct()
                              .values_list("pk", flat=True))
    quals = record_qualifications(enterprise_ids=enterprise_ids, today=today)
    runs = ScreeningRun.objects.filter(status=ScreeningRun.Status.COMPLETE).order_by("finished_at", "pk")
    screened = 0
    for run in runs:  # oldest first, so the latest run of a year is the one kept
        screened = record_screening(run=run)
    return {"qualification_records": quals, "screening_runs": runs.count(), "last_run_records": screened}
