"""The import's bulk writing (frames, COPY / executemany, ids by one query, history copied in the database)
stores exactly the rows, and the history rows, that Django's ORM writes for the same plan
(``bulk_create_with_history``: the old, slow path). Both run on the same synthetic file, on both databases."""

import polars as pl
import pytest
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from keqi.accounts.scope import SYSTEM
from keqi.registry import flows
from keqi.registry.models import AnnualReport, Enterprise, Qualification
from keqi.synth import population as synth

pytestmark = pytest.mark.django_db

REASON = "导入 f.xlsx"
MOMENTS = {"created_at", "updated_at", "history_date"}


class Rollback(Exception):
    pass


def stored() -> dict:
    """Every row and history row of the three models, ids replaced by the firm's code, sorted; plus the
    number of distinct moments the rows written by the import carry (one: the import's)."""
    codes = dict(Enterprise.objects.values_list("pk", "uscc"))
    out = {}
    for model in (Enterprise, AnnualReport, Qualification):
        for label, qs in ((model.__name__, model.objects.all()), (f"{model.__name__} history", model.history.all())):
            rows = []
            for row in qs.values():
                row.pop("id", None)
                row.pop("history_id", None)
                if "enterprise_id" in row:
                    row["enterprise_id"] = codes[row["enterprise_id"]]
                for m in MOMENTS & row.keys():
                    row[m] = "moment"
                rows.append(tuple(sorted(row.items(), key=lambda kv: kv[0])))
            out[label] = sorted(rows, key=repr)
    return out


def write_with_orm(plan) -> None:
    """The plan's new rows through Django's ORM and django-simple-history, one object per row."""
    firms = [Enterprise(**row) for row in plan.new_enterprises.iter_rows(named=True)]
    bulk_create_with_history(firms, Enterprise, default_change_reason=REASON)
    ids = dict(Enterprise.objects.values_list("uscc", "pk"))
    reports = [AnnualReport(enterprise_id=ids[r.pop("uscc")], **r) for r in plan.new_reports.iter_rows(named=True)]
    bulk_create_with_history(reports, AnnualReport, default_change_reason=REASON)
    quals = [Qualification(enterprise_id=ids[q["uscc"]], **{k: v for k, v in q.items() if k not in ("uscc", "enterprise_id")})
             for q in plan.new_qualifications]
    bulk_create_with_history(quals, Qualification, default_change_reason=REASON)


def both_ways(path) -> tuple[dict, dict, dict]:
    """The rows after importing ``path`` the bulk way and the ORM way (each rolled back), and the summary."""
    results = []
    summary = {}
    for way in ("bulk", "orm"):
        try:
            with transaction.atomic():
                if way == "bulk":
                    result = flows.run_import(path=path, scope=SYSTEM)
                    assert result.applied, result.errors[:3]
                    summary = result.summary()
                else:
                    plan = flows.run_import(path=path, scope=SYSTEM, dry_run=True).plan
                    write_with_orm(plan)
                results.append(stored())
                raise Rollback
        except Rollback:
            pass
    return results[0], results[1], summary


def test_bulk_import_stores_what_the_orm_stores(tmp_path):
    pop = synth.generate(firms=80, seed=11, years=3)
    path = synth.write(pop, tmp_path / "f.xlsx")
    bulk_rows, orm_rows, summary = both_ways(path)
    assert summary["enterprises"]["created"] == 80
    assert summary["reports"]["created"] == pop.reports.height
    assert summary["qualifications"]["created"] == pop.qualifications.height > 0
    assert bulk_rows == orm_rows


def test_bulk_import_of_firms_partly_stored_stores_what_the_orm_stores(tmp_path):
    """Half the firms are stored already (a first file): their new years take the stored firm's id."""
    pop = synth.generate(firms=60, seed=5, years=3)
    first_firms = pop.reports["uscc"].unique(maintain_order=True).head(30)
    older = pop.reports.filter(pl.col("uscc").is_in(first_firms.implode()) & (pl.col("fiscal_year") < 2025))
    first = synth.write(synth.Population(reports=older, qualifications=pop.qualifications.head(0), as_of=pop.as_of),
                        tmp_path / "first.xlsx")
    assert flows.run_import(path=first, scope=SYSTEM).applied
    path = synth.write(pop, tmp_path / "f.xlsx")
    bulk_rows, orm_rows, summary = both_ways(path)
    assert summary["enterprises"]["unchanged"] == older["uscc"].n_unique() > 0
    assert summary["reports"]["unchanged"] == older.height
    assert summary["reports"]["created"] == pop.reports.height - older.height > 0
    assert bulk_rows == orm_rows
