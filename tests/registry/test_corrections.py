"""A corrected file changes what it corrects: every column of the template, one at a time (#13.1).

A population is imported and exported; for each column of the exchange format (enumerated from
``registry/columns.py``, so a new column is covered without editing this file) one firm's value (a
firm's own columns, on all its rows) or one row's value is changed to another valid value, the file
is imported, and then the export shows the changed value (the change is stored, not only a
timestamp) and the object's newest history row holds it and says who, when and why. Changing a key
column (统一社会信用代码, 年度, 资质类型, 有效期起) makes a new row, with its history row.
"""

from __future__ import annotations

import polars as pl
import pytest
from django.utils import timezone

from keqi.accounts.scope import scope_for
from keqi.registry import flows, services
from keqi.registry.columns import QUALIFICATION_COLUMNS, QUALIFICATION_SHEET, REPORT_COLUMNS, REPORT_SHEET
from keqi.registry.models import AnnualReport, Enterprise, ImportBatch, Qualification
from keqi.registry.workbook import fields_to_display, write_tables

from correcting import ATTNAME, changed, history_says_who_when_why, import_first_valid, same_rows
from support import qualification_rows, report_rows

pytestmark = pytest.mark.django_db

REPORT_KEY = ("uscc", "fiscal_year")
QUALIFICATION_KEY = ("uscc", "kind", "valid_from")
KIND_OF_LABEL = {label: kind for kind, label in Qualification.Kind.choices}


def exported(scope) -> dict[str, pl.DataFrame]:
    return services.export_frames(scope=scope, queryset=services.enterprises(scope=scope))


def write(path, frames: dict[str, pl.DataFrame]):
    return write_tables(path, {
        REPORT_SHEET: (fields_to_display(frames[REPORT_SHEET], REPORT_COLUMNS), REPORT_COLUMNS),
        QUALIFICATION_SHEET: (fields_to_display(frames[QUALIFICATION_SHEET], QUALIFICATION_COLUMNS),
                              QUALIFICATION_COLUMNS),
    })


@pytest.fixture
def scope(tmp_path, city_admin):
    reports = report_rows(4)
    firms = reports["uscc"].unique(maintain_order=True)
    quals = pl.concat([qualification_rows(reports.filter(pl.col("uscc") == firms[0])),
                       qualification_rows(reports.filter(pl.col("uscc") == firms[1]), kind="科技型中小企业")])
    path = write(tmp_path / "seed.xlsx", {REPORT_SHEET: reports, QUALIFICATION_SHEET: quals})
    scope = scope_for(city_admin)
    assert flows.run_import(path=path, scope=scope, user=city_admin).applied
    return scope


@pytest.mark.parametrize("col", REPORT_COLUMNS, ids=[c.field for c in REPORT_COLUMNS])
def test_every_report_column_is_corrected_by_import_with_history(scope, tmp_path, city_admin, col):
    frames = exported(scope)
    firm = frames[REPORT_SHEET]["uscc"][0]
    year = frames[REPORT_SHEET].filter(pl.col("uscc") == firm)["fiscal_year"].max()
    where = pl.col("uscc") == firm
    if col.level == "report":
        where &= pl.col("fiscal_year") == year
    started = timezone.now()
    new, name, values = import_first_valid(tmp_path, scope=scope, user=city_admin, frames=frames,
                                           sheet=REPORT_SHEET, col=col, where=where, run_import=flows.run_import,
                                           write=write)
    same_rows(new[REPORT_SHEET], exported(scope)[REPORT_SHEET], REPORT_KEY)
    uscc = values.get("uscc", firm)
    if col.level == "enterprise":
        obj = Enterprise.objects.get(uscc=uscc)
        attnames = [ATTNAME.get(f, f) for f in values]
    else:
        obj = AnnualReport.objects.get(enterprise__uscc=uscc, fiscal_year=values.get("fiscal_year", year))
        attnames = list(values)
    history_says_who_when_why(obj, attnames, user=city_admin, started=started, file_name=name,
                              created=col.field in REPORT_KEY)


@pytest.mark.parametrize("col", QUALIFICATION_COLUMNS, ids=[c.field for c in QUALIFICATION_COLUMNS])
def test_every_certificate_column_is_corrected_by_import_with_history(scope, tmp_path, city_admin, col):
    frames = exported(scope)
    firm, kind, start = frames[QUALIFICATION_SHEET].select(QUALIFICATION_KEY).row(0)
    where = (pl.col("uscc") == firm) & (pl.col("kind") == kind) & (pl.col("valid_from") == start)
    started = timezone.now()
    new, name, values = import_first_valid(tmp_path, scope=scope, user=city_admin, frames=frames,
                                           sheet=QUALIFICATION_SHEET, col=col, where=where,
                                           run_import=flows.run_import, write=write)
    same_rows(new[QUALIFICATION_SHEET], exported(scope)[QUALIFICATION_SHEET], QUALIFICATION_KEY)
    key = {"uscc": firm, "kind": kind, "valid_from": start, **values}
    obj = Qualification.objects.get(enterprise__uscc=key["uscc"], kind=KIND_OF_LABEL[key["kind"]],
                                    valid_from=key["valid_from"])
    history_says_who_when_why(obj, [f for f in values if f not in ("uscc", "kind")], user=city_admin,
                              started=started, file_name=name, created=col.field in QUALIFICATION_KEY)


def test_a_firm_renamed_through_the_web_upload_keeps_its_history(scope, tmp_path, client_for, yubei_officer,
                                                                 django_capture_on_commit_callbacks):
    """The issue's reproduction by the web door: an officer's export, one firm renamed, uploaded, confirmed."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    frames = exported(scope_for(yubei_officer))
    firm = frames[REPORT_SHEET]["uscc"][0]
    frames[REPORT_SHEET] = changed(frames[REPORT_SHEET], pl.col("uscc") == firm, {"name": "重庆更名后科技有限公司"})
    path = write(tmp_path / "渝北区更正.xlsx", frames)
    c = client_for(yubei_officer)
    started = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("registry:import_upload"), {"file": SimpleUploadedFile(path.name, path.read_bytes())})
    batch = ImportBatch.objects.get()
    assert batch.summary["enterprises"]["updated"] == 1, batch.errors
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("registry:import_apply", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.summary.get("applied"), batch.errors
    obj = Enterprise.objects.get(uscc=firm)
    assert obj.name == "重庆更名后科技有限公司"
    history_says_who_when_why(obj, ["name"], user=yubei_officer, started=started, file_name=path.name,
                              created=False)
