"""Reported indicator values: entered or imported (xlsx) by the city with their source; all rows or none."""

import datetime as dt
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from keqi.accounts.scope import SYSTEM, scope_for
from keqi.registry.models import ReportingUnit
from keqi.targets import reported
from keqi.targets.models import IndicatorValue, ValueImport

pytestmark = pytest.mark.django_db
HEAD = ["指标", "年度", "范围", "截至日期", "数值", "来源"]


def sheet(path, rows, head=HEAD):
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("指标数值")
    ws.write_row(0, 0, head)
    for r, row in enumerate(rows, start=1):
        ws.write_row(r, 0, row)
    book.close()
    return path


def test_a_good_sheet_is_recorded_with_who_and_source(tmp_path, city_admin):
    path = sheet(tmp_path / "v.xlsx", [["研发经费投入强度", 2024, "全市", "2024-12-31", 2.41, "统计公报"],
                                       ["rd_intensity", "2024", "渝北区", "2024-12-31", "3.1", "区统计局"],
                                       ["科创板上市企业数", 2024, "中心城区", "2024-06-30", 4, "上交所公告"]])
    n, errors = reported.import_values(scope=scope_for(city_admin), user=city_admin, path=path)
    assert (n, errors) == (3, [])
    yubei = ReportingUnit.objects.get(name="渝北区").pk
    v = IndicatorValue.objects.get(scope_key=f"unit:{yubei}")
    assert v.value == Decimal("3.1") and v.entered_by == city_admin and v.source == "区统计局"
    assert v.history.first().history_user == city_admin
    assert IndicatorValue.objects.get(indicator="star_listings").scope_key == "zone:中心城区"


def test_any_bad_row_is_named_by_row_and_column_and_nothing_is_recorded(tmp_path, city_admin):
    path = sheet(tmp_path / "v.xlsx", [["研发经费投入强度", 2024, "全市", "2024-12-31", 2.41, "统计公报"],
                                       ["高企数", 1999, "火星区", "昨天", "很多", ""]])
    n, errors = reported.import_values(scope=scope_for(city_admin), user=city_admin, path=path)
    assert n == 0 and IndicatorValue.objects.count() == 0
    assert {(e.row, e.column) for e in errors} == {(3, "指标"), (3, "年度"), (3, "范围"), (3, "截至日期"), (3, "数值"),
                                                   (3, "来源")}
    assert next(e for e in errors if e.column == "范围").value == "火星区"


def test_a_missing_column_or_sheet_is_reported(tmp_path, city_admin):
    _n, errors = reported.import_values(scope=SYSTEM, user=city_admin,
                                        path=sheet(tmp_path / "v.xlsx", [], head=HEAD[:-1]))
    assert [(e.row, e.column, e.reason) for e in errors] == [(1, "来源", "缺少此列")]
    (tmp_path / "x.xlsx").write_bytes(b"not a workbook")
    _n, errors = reported.import_values(scope=SYSTEM, user=city_admin, path=tmp_path / "x.xlsx")
    assert "指标数值" in errors[0].reason


def test_the_template_imports_as_is(tmp_path, city_admin):
    reported.write_values_template(path=tmp_path / "t.xlsx")
    rows, errors = reported.read_values(path=tmp_path / "t.xlsx")
    assert errors == [] and rows[0]["indicator"] == "rd_intensity" and rows[0]["as_of"] == dt.date(2024, 12, 31)


def test_only_the_city_records_values(tmp_path, yubei_officer, client_for):
    with pytest.raises(PermissionDenied):
        reported.import_values(scope=scope_for(yubei_officer), user=yubei_officer, path=tmp_path / "none.xlsx")
    r = client_for(yubei_officer).post(reverse("targets:values"), {"indicator": "研发经费投入强度", "year": "2024",
                                                                   "scope": "全市", "as_of": "2024-12-31",
                                                                   "value": "2", "source": "x"})
    assert r.status_code == 403 and IndicatorValue.objects.count() == 0


def test_page_entry_and_upload(tmp_path, city_admin, client_for, django_capture_on_commit_callbacks):
    client = client_for(city_admin)
    r = client.post(reverse("targets:values"), {"indicator": "研发经费投入强度", "year": "2024", "scope": "全市",
                                                "as_of": "2024-12-31", "value": "2.5", "source": "公报"})
    assert r.status_code == 302 and IndicatorValue.objects.get().value == Decimal("2.5")
    bad = client.post(reverse("targets:values"), {"indicator": "研发经费投入强度", "year": "2024", "scope": "全市",
                                                  "as_of": "2024-12-31", "value": "2.5", "source": ""})
    assert bad.status_code == 200 and "来源不能为空" in bad.content.decode()
    path = sheet(tmp_path / "v.xlsx", [["技术合同成交额", 2024, "全市", "2024-12-31", 80000000000, "市科技局"]])
    with path.open("rb") as f, django_capture_on_commit_callbacks(execute=True):
        up = client.post(reverse("targets:values"), {"file": f})
    # the upload lifecycle of every sheet: kept, checked (nothing recorded yet), confirmed, imported
    upload = ValueImport.objects.get()
    assert up.status_code == 302 and up["Location"] == reverse("targets:import_detail", args=[upload.pk])
    assert upload.status == "checked" and IndicatorValue.objects.count() == 1
    assert 'id="import-now"' in client.get(up["Location"]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("targets:import_apply", args=[upload.pk]))
    upload.refresh_from_db()
    assert upload.status == "imported" and IndicatorValue.objects.count() == 2
    assert upload.file.read() == path.read_bytes()  # the sheet itself is kept
    with (tmp_path / "v.docx").open("wb") as f:
        f.write(b"x")
    with (tmp_path / "v.docx").open("rb") as f:
        refused = client.post(reverse("targets:values"), {"file": f})
    assert refused.status_code == 200 and "请使用模板：.xlsx 文件" in refused.content.decode()
    html = client.get(reverse("targets:values")).content.decode()
    assert "全市" in html and 'id="value-form"' in html and 'id="value-import"' in html
    template = client.get(reverse("targets:values_template"))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
