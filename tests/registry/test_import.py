"""The import flow against the database: all or nothing, idempotent, in place, scoped, audited."""

import polars as pl
import pytest

from keqi.accounts.scope import SYSTEM, scope_for
from keqi.registry import exporting, flows, services
from keqi.registry.models import AnnualReport, Enterprise, Qualification

from support import display, header, qualification_rows, report_rows, write_file

pytestmark = pytest.mark.django_db


def counts():
    return (
        Enterprise.objects.count(),
        AnnualReport.objects.count(),
        Qualification.objects.count(),
        Enterprise.history.count() + AnnualReport.history.count() + Qualification.history.count(),
    )


@pytest.mark.parametrize("suffix", ["xlsx", "csv", "parquet"])
def test_import_creates_then_reimport_changes_nothing(tmp_path, suffix):
    rows = report_rows(5)
    path = write_file(tmp_path / f"f.{suffix}", rows)
    first = flows.run_import(path=path, scope=SYSTEM)
    assert first.applied and first.errors == []
    assert counts()[:2] == (5, 10)
    before = counts()
    again = flows.run_import(path=path, scope=SYSTEM)
    assert again.summary()["reports"] == {"created": 0, "updated": 0, "unchanged": 10}
    assert counts() == before  # no row and no history entry added


def test_a_long_reason_is_cut_with_an_ellipsis_in_the_history(tmp_path):
    """The history's reason column holds 100 characters: a longer reason is cut there, ending in "…"
    (the one cut of keqi.registry.bulk.history_reason, as for targets, contracts and revocations)."""
    flows.run_import(path=write_file(tmp_path / "f.xlsx", report_rows(1, years=(2024,))), scope=SYSTEM,
                     reason="演示数据导入" + "渝" * 200)
    reason = Enterprise.history.get().history_change_reason
    assert len(reason) == 100 and reason.startswith("演示数据导入渝") and reason.endswith("渝…")


def test_money_is_stored_exactly_in_yuan(tmp_path):
    rows = report_rows(1, years=(2024,)).with_columns(pl.lit(123_456_789).alias("revenue"))
    flows.run_import(path=write_file(tmp_path / "f.xlsx", rows), scope=SYSTEM)
    assert AnnualReport.objects.get().revenue == 123_456_789


def test_one_bad_row_among_a_thousand_changes_nothing(tmp_path):
    good = display(report_rows(500)).cast(pl.String)
    bad = good.head(1).with_columns(pl.lit("2015-13-01").alias(header("registered_on")),
                                    pl.lit("91500000202833449G").alias(header("uscc")),
                                    pl.lit("2020").alias(header("fiscal_year")))
    df = pl.concat([good, bad])
    assert df.height == 1001
    result = flows.run_import(path=write_file(tmp_path / "f.xlsx", df, raw=True), scope=SYSTEM)
    assert not result.applied
    assert [(e.row, e.column, e.reason) for e in result.errors] == [(1002, header("registered_on"), "不是有效日期")]
    assert counts() == (0, 0, 0, 0)


def test_a_failure_while_writing_rolls_everything_back(tmp_path, monkeypatch):
    path = write_file(tmp_path / "f.xlsx", report_rows(3))
    from keqi.registry import bulk

    original = bulk.insert_frame

    def fail_on_reports(model, rows, **kw):
        if model is AnnualReport:
            raise RuntimeError("disk full")
        return original(model, rows, **kw)

    monkeypatch.setattr(bulk, "insert_frame", fail_on_reports)
    with pytest.raises(RuntimeError):
        flows.run_import(path=path, scope=SYSTEM)
    assert counts() == (0, 0, 0, 0)  # the enterprises written first are gone too


def test_dry_run_reports_the_plan_and_writes_nothing(tmp_path):
    result = flows.run_import(path=write_file(tmp_path / "f.xlsx", report_rows(4)), scope=SYSTEM, dry_run=True)
    assert result.summary()["enterprises"]["created"] == 4
    assert result.summary()["reports"]["created"] == 8
    assert not result.applied
    assert counts() == (0, 0, 0, 0)


def test_corrected_file_updates_in_place_with_who_and_why(tmp_path, city_admin):
    rows = report_rows(2)
    flows.run_import(path=write_file(tmp_path / "a.xlsx", rows), scope=SYSTEM)
    target = rows["uscc"][0]
    fixed = rows.with_columns(
        pl.when((pl.col("uscc") == target) & (pl.col("fiscal_year") == 2024)).then(pl.lit(77)).otherwise(
            pl.col("tech_staff")).alias("tech_staff")
    )
    result = flows.run_import(path=write_file(tmp_path / "b.xlsx", fixed), scope=scope_for(city_admin), user=city_admin)
    assert result.summary()["reports"] == {"created": 0, "updated": 1, "unchanged": 3}
    report = AnnualReport.objects.get(enterprise__uscc=target, fiscal_year=2024)
    assert report.tech_staff == 77
    latest = report.history.latest()
    assert latest.history_user == city_admin
    assert latest.history_change_reason == "导入 b.xlsx"
    assert latest.prev_record.tech_staff != 77  # the value before the change is kept


def test_a_column_left_out_of_the_file_is_left_alone(tmp_path):
    rows = report_rows(1, years=(2024,))
    flows.run_import(path=write_file(tmp_path / "a.xlsx", rows), scope=SYSTEM)
    slim = display(rows).drop(header("revenue"), header("hitech_field"))
    result = flows.run_import(path=write_file(tmp_path / "b.xlsx", slim, raw=True), scope=SYSTEM)
    assert result.errors == []
    report = AnnualReport.objects.get()
    assert report.revenue == rows["revenue"][0]
    assert report.enterprise.hitech_field == "电子信息"


def test_qualifications_sheet_is_imported_and_keyed(tmp_path):
    rows = report_rows(3)
    path = write_file(tmp_path / "f.xlsx", rows, qualification_rows(rows))
    assert flows.run_import(path=path, scope=SYSTEM).summary()["qualifications"]["created"] == 3
    assert Qualification.objects.filter(kind="hnte").count() == 3
    assert flows.run_import(path=path, scope=SYSTEM).summary()["qualifications"]["unchanged"] == 3


def test_qualification_of_an_unknown_firm_is_an_error(tmp_path):
    rows = report_rows(1)
    quals = qualification_rows(report_rows(1, seed=99))
    result = flows.run_import(path=write_file(tmp_path / "f.xlsx", rows, quals), scope=SYSTEM)
    assert [e.reason for e in result.errors] == ["该企业既不在本文件的企业年报中，也未在系统中登记"]
    assert counts() == (0, 0, 0, 0)


def test_district_officer_cannot_import_firms_of_another_district(tmp_path, nanan_officer):
    path = write_file(tmp_path / "f.xlsx", report_rows(2, unit="渝北区"))
    result = flows.run_import(path=path, scope=scope_for(nanan_officer), user=nanan_officer)
    assert {e.reason for e in result.errors} == {"您只能导入本区县（南岸区）的企业"}
    assert counts() == (0, 0, 0, 0)


def test_district_officer_cannot_take_over_a_firm_registered_elsewhere(tmp_path, nanan_officer):
    rows = report_rows(1, unit="渝北区")
    flows.run_import(path=write_file(tmp_path / "a.xlsx", rows), scope=SYSTEM)
    moved = rows.with_columns(pl.lit("南岸区").alias("district"), pl.lit(1).alias("ip_class1"))
    before = counts()
    result = flows.run_import(path=write_file(tmp_path / "b.xlsx", moved), scope=scope_for(nanan_officer))
    assert {e.reason for e in result.errors} == {"该企业已登记在渝北区，您无权修改其他区县的企业"}
    assert counts() == before


def test_enterprise_users_cannot_import(tmp_path, make_user):
    rows = report_rows(1)
    flows.run_import(path=write_file(tmp_path / "a.xlsx", rows), scope=SYSTEM)
    user = make_user("firm", "enterprise_user", uscc=rows["uscc"][0])
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        flows.run_import(path=write_file(tmp_path / "b.xlsx", rows), scope=scope_for(user))


@pytest.mark.parametrize("suffix", ["xlsx", "csv", "parquet"])
def test_export_then_import_is_a_no_op(tmp_path, suffix):
    rows = report_rows(6).with_columns(
        pl.when(pl.col("fiscal_year") == 2023).then(pl.lit("=HYPERLINK(\"x\")")).otherwise(pl.col("name")).alias("x"),
        pl.lit(-7).alias("net_assets"),
    ).drop("x")
    flows.run_import(path=write_file(tmp_path / "a.xlsx", rows, qualification_rows(rows)), scope=SYSTEM)
    frames = services.export_frames(scope=SYSTEM, queryset=Enterprise.objects.all())
    out = exporting.write_export(tmp_path / f"export.{suffix}", frames)
    before = counts()
    result = flows.run_import(path=out, scope=SYSTEM)
    assert result.errors == []
    s = result.summary()
    assert (s["enterprises"]["updated"], s["reports"]["updated"], s["qualifications"]["updated"]) == (0, 0, 0)
    assert s["reports"]["unchanged"] == 12
    assert counts() == before


def test_formula_like_names_are_neutralised_in_exports_and_survive_the_round_trip(tmp_path):
    rows = report_rows(1, years=(2024,)).with_columns(pl.lit("=1+2 科技").alias("name"))
    flows.run_import(path=write_file(tmp_path / "a.xlsx", rows), scope=SYSTEM)
    frames = services.export_frames(scope=SYSTEM, queryset=Enterprise.objects.all())
    csv_path = exporting.write_export(tmp_path / "e.csv", frames)
    assert "'=1+2 科技" in csv_path.read_text(encoding="utf-8-sig")
    xlsx_path = exporting.write_export(tmp_path / "e.xlsx", frames)
    import zipfile

    with zipfile.ZipFile(xlsx_path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        styles = z.read("xl/styles.xml").decode()
    assert "<f>" not in sheet  # written as text, never as a formula
    assert 'quotePrefix="1"' in styles
    assert flows.run_import(path=csv_path, scope=SYSTEM).summary()["enterprises"]["unchanged"] == 1
    assert Enterprise.objects.get().name == "=1+2 科技"


def test_template_has_the_headers_and_text_formatted_code_columns(tmp_path):
    path = exporting.write_template(tmp_path / "t.xlsx")
    df = pl.read_excel(path, sheet_name="企业年报")
    from keqi.registry.columns import REPORT_COLUMNS

    assert df.columns == [c.header for c in REPORT_COLUMNS]
    assert flows.run_import(path=path, scope=SYSTEM).summary()["rows"] == 0  # an empty template imports nothing


def test_every_created_row_has_one_creation_record_naming_user_and_file(tmp_path, city_admin):
    rows = report_rows(3)
    flows.run_import(path=write_file(tmp_path / "new.xlsx", rows, qualification_rows(rows)),
                     scope=scope_for(city_admin), user=city_admin)
    for model in (Enterprise, AnnualReport, Qualification):
        records = list(model.history.all())
        assert len(records) == model.objects.count()
        assert {(r.history_type, r.history_user_id, r.history_change_reason) for r in records} == {
            ("+", city_admin.pk, "导入 new.xlsx")
        }
    report = AnnualReport.objects.order_by("pk").first()
    assert report.history.get().revenue == report.revenue  # the record holds the values written
