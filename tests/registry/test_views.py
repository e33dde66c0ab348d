"""Registry pages: what each role can see and do, and the upload journey of a district officer."""

import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from keqi.accounts.scope import SYSTEM
from keqi.registry import flows
from keqi.registry.models import AnnualReport, Enterprise, ImportBatch

from support import display, header, report_rows, write_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_districts(tmp_path):
    yubei = report_rows(3, unit="渝北区", seed=1)
    nanan = report_rows(2, unit="南岸区", seed=2)
    flows.run_import(path=write_file(tmp_path / "seed.xlsx", pl.concat([yubei, nanan])), scope=SYSTEM)
    return yubei["uscc"].unique().to_list(), nanan["uscc"].unique().to_list()


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(reverse("registry:enterprise_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_officer_lists_only_own_district(client_for, yubei_officer, two_districts):
    yubei, nanan = two_districts
    html = client_for(yubei_officer).get(reverse("registry:enterprise_list")).content.decode()
    assert all(code in html for code in yubei)
    assert not any(code in html for code in nanan)


def test_officer_cannot_open_another_districts_firm(client_for, yubei_officer, two_districts):
    _, nanan = two_districts
    c = client_for(yubei_officer)
    assert c.get(reverse("web:enterprise_detail", args=[nanan[0]])).status_code == 404


def test_officer_filter_by_another_unit_still_shows_only_own(client_for, yubei_officer, two_districts):
    from keqi.registry.models import ReportingUnit

    nanan_id = ReportingUnit.objects.get(name="南岸区").pk
    response = client_for(yubei_officer).get(reverse("registry:enterprise_list"), {"unit": nanan_id})
    assert not any(code in response.content.decode() for code in two_districts[1])


def test_export_contains_exactly_the_filtered_rows_of_own_scope(client_for, yubei_officer, two_districts, tmp_path):
    yubei, _ = two_districts
    c = client_for(yubei_officer)
    response = c.get(reverse("registry:enterprise_export"), {"q": yubei[0]})
    assert response.status_code == 200
    path = tmp_path / "out.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    df = pl.read_excel(path, sheet_name="企业年报")
    assert set(df[header("uscc")].to_list()) == {yubei[0]}
    assert df.height == 2


def test_city_admin_sees_every_district(client_for, city_admin, two_districts):
    html = client_for(city_admin).get(reverse("registry:enterprise_list")).content.decode()
    assert all(code in html for code in two_districts[0] + two_districts[1])


def test_enterprise_user_sees_only_its_own_firm(client_for, make_user, two_districts):
    yubei, nanan = two_districts
    user = make_user("firm", "enterprise_user", uscc=yubei[0])
    c = client_for(user)
    html = c.get(reverse("registry:enterprise_list")).content.decode()
    assert yubei[0] in html and yubei[1] not in html
    assert c.get(reverse("web:enterprise_detail", args=[yubei[1]])).status_code == 404
    assert c.get(reverse("registry:import_upload")).status_code == 403


def test_bank_officer_has_no_registry_pages_yet(client_for, make_user, two_districts):
    c = client_for(make_user("bank", "bank_officer"))
    assert c.get(reverse("registry:enterprise_list")).status_code == 403


def test_list_page_query_count_does_not_grow_with_rows(client_for, city_admin, tmp_path, django_assert_max_num_queries):
    flows.run_import(path=write_file(tmp_path / "a.xlsx", report_rows(3, seed=5)), scope=SYSTEM)
    c = client_for(city_admin)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        c.get(reverse("registry:enterprise_list"))
    flows.run_import(path=write_file(tmp_path / "b.xlsx", report_rows(40, seed=6)), scope=SYSTEM)
    with CaptureQueriesContext(connection) as large:
        c.get(reverse("registry:enterprise_list"))
    assert len(large.captured_queries) == len(small.captured_queries)


def test_detail_page_shows_figures_in_wan_and_history(client_for, city_admin, two_districts):
    code = two_districts[0][0]
    report = AnnualReport.objects.filter(enterprise__uscc=code).first()
    html = client_for(city_admin).get(reverse("web:enterprise_detail", args=[code])).content.decode()
    whole = report.revenue // 10_000
    assert f"{whole:,}" in html
    assert "导入 seed.xlsx" in html  # the change history names the import


def upload(c, path, name):
    return c.post(reverse("registry:import_upload"),
                  {"file": SimpleUploadedFile(name, path.read_bytes())})


def test_officer_journey_bad_file_then_fixed_file(client_for, yubei_officer, tmp_path, django_capture_on_commit_callbacks):
    c = client_for(yubei_officer)
    rows = display(report_rows(20)).cast(pl.String)
    broken = rows.with_columns(
        pl.when(pl.int_range(pl.len()) == 4).then(pl.lit("abc")).otherwise(pl.col(header("staff_total")))
        .alias(header("staff_total"))
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(c, write_file(tmp_path / "bad.xlsx", broken, raw=True), "bad.xlsx")
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("registry:import_detail", args=[batch.pk])
    page = c.get(response["Location"]).content.decode()
    assert batch.status == "invalid"
    assert "abc" in page and "应为整数" in page and ">6<" in page  # row 6 = 5th data row
    assert Enterprise.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(c, write_file(tmp_path / "good.xlsx", rows, raw=True), "good.xlsx")
    batch = ImportBatch.objects.get(original_name="good.xlsx")
    assert batch.status == "checked" and batch.summary["reports"]["created"] == 40
    assert Enterprise.objects.count() == 0  # checked, not yet imported
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("registry:import_apply", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "imported"
    assert Enterprise.objects.filter(reporting_unit__name="渝北区").count() == 20
    # the uploaded file itself is kept
    assert batch.file.read() == (tmp_path / "good.xlsx").read_bytes()


def test_officer_cannot_see_or_apply_someone_elses_batch(client_for, yubei_officer, nanan_officer, tmp_path,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(yubei_officer), write_file(tmp_path / "a.xlsx", report_rows(2)), "a.xlsx")
    batch = ImportBatch.objects.get()
    c = client_for(nanan_officer)
    assert c.get(reverse("registry:import_detail", args=[batch.pk])).status_code == 404
    assert c.post(reverse("registry:import_apply", args=[batch.pk])).status_code == 404


def test_upload_rejects_other_file_types(client_for, yubei_officer):
    c = client_for(yubei_officer)
    response = c.post(reverse("registry:import_upload"), {"file": SimpleUploadedFile("x.docx", b"hello")})
    assert response.status_code == 200 and ImportBatch.objects.count() == 0


def test_template_download(client_for, yubei_officer, tmp_path):
    response = client_for(yubei_officer).get(reverse("registry:template"))
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    assert header("uscc") in pl.read_excel(path, sheet_name="企业年报").columns


def test_a_large_export_is_written_by_the_worker_and_only_its_requester_downloads_it(
    client_for, yubei_officer, nanan_officer, two_districts, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    from keqi.registry import views
    from keqi.registry.models import ExportFile

    monkeypatch.setattr(views, "EXPORT_INLINE_LIMIT", 1)  # the 3 firms of 渝北区 count as "large"
    c = client_for(yubei_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = c.get(reverse("registry:enterprise_export"))
    export = ExportFile.objects.get()
    assert response["Location"] == reverse("registry:export_detail", args=[export.pk])
    export.refresh_from_db()
    assert (export.status, export.enterprises, export.rows) == ("done", 3, 6)
    assert "下载" in c.get(response["Location"]).content.decode()
    download = c.get(reverse("registry:export_download", args=[export.pk]))
    path = tmp_path / "big.xlsx"
    path.write_bytes(b"".join(download.streaming_content))
    assert set(pl.read_excel(path, sheet_name="企业年报")[header("uscc")].to_list()) == set(two_districts[0])
    other = client_for(nanan_officer)
    assert other.get(reverse("registry:export_download", args=[export.pk])).status_code == 404
