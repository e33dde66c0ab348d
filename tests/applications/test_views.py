"""The pages: every page for every role (allowed, refused or not found), the filing form with its live
self-evaluation, a refused upload's message, the 公示 list as xlsx and for print."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from keqi.applications import services
from keqi.applications.models import Attachment

from .conftest import PDF, TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(submitted, firm_user, yubei_officer, nanan_officer, city_admin, make_user, scope_of, walk):
    bank = make_user("bank", "bank_officer")
    batch = services.open_batch(scope=scope_of(city_admin), user=city_admin, programme="cq-tech",
                                opens_on=dt.date(2026, 12, 7))
    return {"app": submitted, "filing": submitted.filing, "batch": batch,
            "users": {"firm": firm_user, "district": yubei_officer, "other_district": nanan_officer,
                      "city": city_admin, "bank": bank}}


PAGES = {  # page → the roles that may open it (others: 403 or 404)
    "/applications/": {"firm", "district", "other_district", "city"},
    "/applications/new/": {"firm"},
    "/applications/{app}/": {"firm", "district", "city"},
    "/applications/filings/": {"firm", "district", "other_district", "city"},
    "/applications/filings/{filing}/": {"firm", "district", "city"},
    "/applications/filings/missing/": {"district", "other_district", "city"},
    "/applications/filings/window/": {"city"},
    "/applications/batches/": {"district", "other_district", "city"},
    "/applications/batches/{batch}/": {"district", "other_district", "city"},
    "/applications/batches/{batch}/?print=1": {"district", "other_district", "city"},
    "/applications/batches/{batch}/export.xlsx": {"district", "other_district", "city"},
    "/applications/calendar/": {"district", "other_district", "city"},
    "/applications/calendar/2026/": {"district", "other_district", "city"},
    "/applications/notices/": {"firm", "district", "other_district", "city", "bank"},
}


@pytest.mark.parametrize("role", ["firm", "district", "other_district", "city", "bank"])
def test_every_page_for_every_role(world, client, role):
    client.force_login(world["users"][role])
    for template, allowed in PAGES.items():
        url = template.format(app=world["app"].pk, filing=world["filing"].pk, batch=world["batch"].pk)
        status = client.get(url).status_code
        if role in allowed:
            assert status == 200, (url, status)
        else:
            assert status in (403, 404), (url, status)


def test_anonymous_users_are_sent_to_sign_in(world, client):
    for template in PAGES:
        url = template.format(app=world["app"].pk, filing=world["filing"].pk, batch=world["batch"].pk)
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_district_queue_and_a_step_through_the_page(world, client):
    client.force_login(world["users"]["district"])
    page = client.get("/applications/").content.decode()
    assert "重庆测试001科技有限公司" in page and "待区县初审" in page
    app = world["app"]
    response = client.post(f"/applications/{app.pk}/act/", {"action": "district_return", "version": app.version,
                                                            "reason": ""}, follow=True)
    assert "需要填写原因" in response.content.decode()
    response = client.post(f"/applications/{app.pk}/act/", {"action": "district_return", "version": app.version,
                                                            "reason": "请补充研发项目清单"}, follow=True)
    assert "退回修改" in response.content.decode()
    stale = client.post(f"/applications/{app.pk}/act/", {"action": "district_approve", "version": app.version},
                        follow=True)
    assert "已被他人办理" in stale.content.decode()  # the page was older than the case


def test_the_filing_form_checks_and_evaluates_as_the_firm_types(firm_user, client, scope_of):
    scope = scope_of(firm_user)
    filing = services.open_filing(scope=scope, user=firm_user, enterprise_id=scope.enterprise_id, fiscal_year=2025,
                                  today=TODAY)
    client.force_login(firm_user)
    page = client.get(f"/applications/filings/{filing.pk}/").content.decode()
    assert "职工总数" in page and "销售收入（万元）" in page and 'id="self-evaluation"' in page
    data = {**filing.entries, "staff_total": "四十", "version": filing.version, "action": "submit"}
    page = client.post(f"/applications/filings/{filing.pk}/", data, follow=True).content.decode()
    assert "应为整数" in page and "已保存草稿" in page
    fragment = client.post(f"/applications/filings/{filing.pk}/evaluate/", {**filing.entries, "tech_staff": "20"})
    assert fragment.status_code == 200 and "重庆市科技型企业" in fragment.content.decode()
    filing.refresh_from_db()
    data = {**filing.entries, "staff_total": "40", "version": filing.version, "action": "submit"}
    page = client.post(f"/applications/filings/{filing.pk}/", data, follow=True).content.decode()
    assert "已提交" in page and "数据已进入企业库" in page


def test_a_bad_upload_gets_one_chinese_message(world, client, scope_of):
    firm = world["users"]["firm"]
    scope = scope_of(firm)
    app = services.start_application(scope=scope, user=firm, enterprise_id=scope.enterprise_id, programme="hnte",
                                     today=TODAY)
    client.force_login(firm)
    fake = SimpleUploadedFile("报告.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf")
    page = client.post(f"/applications/{app.pk}/attachments/", {"label": "审计报告", "file": fake},
                       follow=True).content.decode()
    assert "只能上传 PDF 文件或 PNG、JPEG 图片" in page and not Attachment.objects.exists()
    good = SimpleUploadedFile("报告.pdf", PDF, content_type="application/pdf")
    client.post(f"/applications/{app.pk}/attachments/", {"label": "审计报告", "file": good})
    att = Attachment.objects.get()
    response = client.get(f"/applications/attachments/{att.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    for role in ("other_district", "bank"):
        client.force_login(world["users"][role])
        assert client.get(f"/applications/attachments/{att.pk}/").status_code == 404


def test_the_publicity_list_as_xlsx_and_for_print(world, client, yubei_officer, city_admin, walk):
    app = world["app"]
    walk(yubei_officer, app, "district_approve")
    walk(city_admin, app, "city_approve")
    client.force_login(city_admin)
    client.post("/applications/bulk/", {"programme": "cq-tech", "action": "publish", "batch": world["batch"].pk,
                                        "ids": [app.pk], "next": f"/applications/batches/{world['batch'].pk}/"})
    app.refresh_from_db()
    assert app.state == "publicity"
    import polars as pl

    response = client.get(f"/applications/batches/{world['batch'].pk}/export.xlsx")
    frame = pl.read_excel(io.BytesIO(b"".join(response.streaming_content)), has_header=False)
    cells = {str(v) for row in frame.iter_rows() for v in row if v is not None}
    assert app.enterprise.uscc in cells and app.enterprise.name in cells
    page = client.get(f"/applications/batches/{world['batch'].pk}/?print=1").content.decode()
    assert app.enterprise.name in page and "print.css" in page


def test_the_city_edits_the_calendar_through_its_page(city_admin, client, db):
    client.force_login(city_admin)
    page = client.post("/applications/calendar/2027/", {
        "confirmed": "on", "document": "国务院办公厅关于2027年部分节假日安排的通知（测试）", "source": "测试",
        "note": "", "holidays": "2027-02-05至2027-02-13 春节\n2027-01-01 元旦", "workdays": "2027-02-14"},
        follow=True).content.decode()
    assert "已保存" in page and "2027-02-13" in page
    cal = services.work_calendar()
    assert not cal.is_working_day(dt.date(2027, 2, 8)) and cal.is_working_day(dt.date(2027, 2, 14))
    bad = client.post("/applications/calendar/2027/", {"holidays": "二月五日 春节", "workdays": ""},
                      follow=True).content.decode()
    assert "格式不对" in bad


def test_the_candidate_list_marks_firms_with_an_open_application(submitted, yubei_officer, client, firms):
    from keqi.accounts.scope import SYSTEM
    from keqi.screening import flows

    flows.run_screening(scope=SYSTEM, assess_on=TODAY, unit_id=firms["yubei"][0].reporting_unit_id)
    client.force_login(yubei_officer)
    page = client.get("/screening/candidates/?include_unranked=1").content.decode()
    assert "申报中：重庆市科技型企业入库（待区县初审）" in page
    assert f"/applications/{submitted.pk}/" in page


def test_the_firm_page_shows_its_filings_and_applications(submitted, firm_user, nanan_officer, client, firms):
    code = firms["yubei"][1].uscc
    client.force_login(firm_user)
    page = client.get(f"/registry/enterprises/{code}/").content.decode()
    assert "申报中：重庆市科技型企业入库（待区县初审）" in page and "2025年度填报：已提交" in page


def test_a_submitted_filing_reads_in_grouped_wan_at_most_two_decimals(filed, firm_user, client):
    """Issue #15 item 2: amounts with thousands separators, not 万元 to four decimals (1369.5969)."""
    import re

    client.force_login(firm_user)
    page = client.get(f"/applications/filings/{filed.pk}/").content.decode()
    cells = re.findall(r'<td class="num">([^<]*)</td>', page)
    assert cells, "the submitted filing's figures"
    assert not [c for c in cells if re.search(r"\.\d{3,}|\d{4,}", c)], cells
    revenue = filed.entries["revenue"]
    assert f"{float(revenue):,.2f}".rstrip("0").rstrip(".") in page
