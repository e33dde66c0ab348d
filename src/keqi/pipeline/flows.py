"""Writing each firm's tier history from its qualifications (TierRecord, source ``qualification``).

Qualifications are imported (``registry.flows.run_import`` sends ``registry.signals.
qualifications_imported``, which ``keqi.pipeline.signals`` receives): the touched firms' tiers for
every year their qualifications cover; a qualification saved or deleted one at a time (the Django
admin) does the same for its firm. Idempotent: a record is keyed by firm, year and source, so running
it again updates the record in place. The screening side of the history is written by
``keqi.screening.history`` (the layer above).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from keqi.registry.models import Qualification

from .models import LadderTier, TierRecord
from .services import current_ladder

BATCH = 5000


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


def record_qualifications(*, enterprise_ids: Iterable[int], today: dt.date | None = None) -> int:
    """Rewrite the qualification records of these firms from the qualifications they hold now.

    A firm's tier in a year is the highest tier of the qualifications valid on any day of that
    year (years up to ``today``'s); a year in which it held none has no qualification record.
    The database does the work, per 5,000 firms: one delete of the records no longer covered, and
    per year one ``INSERT … SELECT … ON CONFLICT`` (a record whose tier is unchanged is not
    rewritten). Returns the records written or changed.
    """
    today = today or timezone.localdate()
    ids = sorted(set(enterprise_ids))
    if not ids:
        return 0
    ladder = current_ladder()
    base = ladder.tiers[0].level
    levels = {kind: t.level for t in ladder.tiers for kind in t.qualifications}
    above = [kind for kind, level in levels.items() if level > base]
    source = TierRecord.Source.QUALIFICATION
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    record, qual, tier = TierRecord._meta.db_table, Qualification._meta.db_table, LadderTier._meta.db_table
    level_case = " ".join("WHEN %s THEN %s" for _ in levels)
    # the first and last day of a record's year (capped at today), in each database's dialect
    if connection.vendor == "postgresql":
        year_start, year_end = f"make_date({record}.year, 1, 1)", f"LEAST(make_date({record}.year, 12, 31), %s)"
    else:  # SQLite keeps dates as ISO text
        year_start, year_end = f"({record}.year || '-01-01')", f"MIN({record}.year || '-12-31', %s)"
    level_params = [x for kind, level in levels.items() for x in (kind, level)]
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for i in range(0, len(ids), BATCH):
            chunk = ids[i : i + BATCH]
            if chunk[-1] - chunk[0] + 1 == len(chunk):  # consecutive ids (an import's new firms): a range
                firms, firm_params = "enterprise_id BETWEEN %s AND %s", [chunk[0], chunk[-1]]
            elif connection.vendor == "postgresql":  # one array parameter, not 5,000
                firms, firm_params = "enterprise_id = ANY(%s)", [list(chunk)]
            else:
                firms, firm_params = f"enterprise_id IN ({', '.join(['%s'] * len(chunk))})", list(chunk)
            kinds = ", ".join(["%s"] * len(above)) or "NULL"  # a ladder without titles: no year is covered
            cursor.execute(f"SELECT MIN(valid_from) FROM {qual} WHERE {firms} AND kind IN ({kinds}) AND valid_from <= %s",
                           [*firm_params, *above, ops.adapt_datefield_value(today)])
            first = cursor.fetchone()[0]
            first_year = int(str(first)[:4]) if first else today.year + 1  # SQLite returns the date as text
            # years no longer covered (a corrected certificate, an earlier ``today``) lose their record
            cursor.execute(f"""
                DELETE FROM {record} WHERE source = %s AND {firms} AND (year > %s OR NOT EXISTS (
                    SELECT 1 FROM {qual} q WHERE q.enterprise_id = {record}.enterprise_id AND q.kind IN ({kinds})
                    AND q.valid_from <= {year_end} AND (q.valid_to IS NULL OR q.valid_to >= {year_start})))
            """, [source, *firm_params, today.year, *above, ops.adapt_datefield_value(today)])
            for year in range(first_year, today.year + 1):
                start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)
                cursor.execute(f"""
                    INSERT INTO {record} (enterprise_id, year, stage_id, source, run_id, next_edition, next_verdict,
                                          recorded_at)
                    SELECT q.enterprise_id, %s, st.id, %s, NULL, '', '', %s
                    FROM (SELECT enterprise_id, MAX(CASE kind {level_case} ELSE %s END) AS lvl
                          FROM {qual}
                          WHERE {firms} AND valid_from <= %s AND (valid_to IS NULL OR valid_to >= %s)
                          GROUP BY enterprise_id) q
                    JOIN {tier} st ON st.level = q.lvl
                    WHERE q.lvl > %s
                    ON CONFLICT (enterprise_id, year, source) DO UPDATE SET
                        stage_id = excluded.stage_id, recorded_at = excluded.recorded_at
                    WHERE {record}.stage_id <> excluded.stage_id
                """, [year, source, now, *level_params, base, *firm_params, ops.adapt_datefield_value(end),
                      ops.adapt_datefield_value(start), base])
                written += max(cursor.rowcount, 0)
    return written
