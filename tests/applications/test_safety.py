"""Safety: two officers at once (real concurrent transactions), attachments checked by content and
size and kept outside the web root, the city's calendar."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections

from keqi.applications import flows, services
from keqi.applications.attachments import AttachmentRefused
from keqi.applications.models import Application, ApplicationEvent, Attachment, CalendarYear

from .conftest import PDF, PNG, TODAY


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_decisions_only_one_wins(submitted, yubei_officer, make_user, scope_of):
    second = make_user("yubei-2", "district_officer", unit="渝北区")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(user, action, reason):
        try:
            case = Application.objects.get(pk=submitted.pk)
            barrier.wait(timeout=10)
            flows.act(scope=scope_of(user), user=user, case=case, action=action, reason=reason, today=TODAY)
            outcomes.append("ok")
        except services.Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(yubei_officer, "district_approve", "")),
               threading.Thread(target=decide, args=(second, "district_reject", "材料不全"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["conflict", "ok"]
    assert ApplicationEvent.objects.filter(application_id=submitted.pk, action__startswith="district").count() == 1


pytestmark = pytest.mark.django_db


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_a_pdf_and_an_image_are_kept_outside_the_web_root(firm_user, filed, scope_of, settings):
    scope = scope_of(firm_user)
    app = services.start_application(scope=scope, user=firm_user, enterprise_id=scope.enterprise_id,
                                     programme="cq-tech", today=TODAY)
    pdf = services.add_attachment(scope=scope, user=firm_user, application=app, uploaded=upload("审计报告.pdf", PDF),
                                  label="审计报告")
    png = services.add_attachment(scope=scope, user=firm_user, application=app, uploaded=upload("照片.png", PNG),
                                  label="研发场地照片")
    assert (pdf.content_type, png.content_type) == ("application/pdf", "image/png")
    path = pdf.file.path
    assert path.startswith(str(settings.KEQI_PRIVATE_ROOT)) and not path.startswith(str(settings.MEDIA_ROOT))
    assert open(path, "rb").read() == PDF
    with pytest.raises(ValueError):
        pdf.file.url  # noqa: B018 - no public address


@pytest.mark.parametrize("name, data, message", [
    ("报告.pdf", b"MZ\x90\x00 this is a program", "只能上传 PDF"),
    ("报告.pdf", b"%PDF-1.4 truncated without its end", "只能上传 PDF"),
    ("照片.png", PNG[:-12], "只能上传 PDF"),
    ("空.pdf", b"", "文件是空的"),
    ("页面.pdf", b"<html><script>alert(1)</script></html>", "只能上传 PDF"),
])
def test_a_bad_upload_is_refused_and_nothing_is_stored(firm_user, filed, scope_of, settings, name, data, message):
    scope = scope_of(firm_user)
    app = services.start_application(scope=scope, user=firm_user, enterprise_id=scope.enterprise_id,
                                     programme="cq-tech", today=TODAY)
    with pytest.raises(AttachmentRefused, match=message):
        services.add_attachment(scope=scope, user=firm_user, application=app, uploaded=upload(name, data), label="材料")
    assert not Attachment.objects.exists()
    root = settings.KEQI_PRIVATE_ROOT
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))


def test_a_too_large_upload_is_refused(firm_user, filed, scope_of, settings):
    settings.KEQI_MAX_ATTACHMENT_BYTES = 1024
    scope = scope_of(firm_user)
    app = services.start_application(scope=scope, user=firm_user, enterprise_id=scope.enterprise_id,
                                     programme="cq-tech", today=TODAY)
    big = PDF[:-7] + b" " * 2000 + b"%%EOF\n"
    with pytest.raises(AttachmentRefused, match="文件过大"):
        services.add_attachment(scope=scope, user=firm_user, application=app, uploaded=upload("大.pdf", big),
                                label="审计报告")
    assert not Attachment.objects.exists()


def test_attachments_are_read_only_within_scope(firm_user, other_firm_user, nanan_officer, yubei_officer, filed,
                                                scope_of, walk):
    scope = scope_of(firm_user)
    app = services.start_application(scope=scope, user=firm_user, enterprise_id=scope.enterprise_id,
                                     programme="cq-tech", today=TODAY)
    att = services.add_attachment(scope=scope, user=firm_user, application=app, uploaded=upload("a.pdf", PDF),
                                  label="审计报告")
    assert services.attachment(scope=scope_of(yubei_officer), pk=att.pk) == att
    for user in (other_firm_user, nanan_officer):
        with pytest.raises(Attachment.DoesNotExist):
            services.attachment(scope=scope_of(user), pk=att.pk)
    walk(firm_user, app, "submit")
    with pytest.raises(services.WorkflowError, match="提交后"):
        services.add_attachment(scope=scope, user=firm_user, application=app, uploaded=upload("b.pdf", PDF),
                                label="补充")


def test_the_calendar_is_seeded_and_the_city_completes_it(city_admin, yubei_officer, scope_of):
    assert set(CalendarYear.objects.values_list("year", "confirmed")) >= {(2024, True), (2025, True), (2026, True),
                                                                         (2027, False)}
    cal = services.work_calendar()
    assert not cal.is_working_day(dt.date(2026, 10, 1)) and cal.is_working_day(dt.date(2026, 10, 10))
    opens = dt.date(2027, 2, 1)
    assert services.calendar_note(cal, opens, cal.window_end(opens, 10)).startswith("2027年")
    with pytest.raises(PermissionDenied):
        services.set_calendar_year(scope=scope_of(yubei_officer), year=2027, confirmed=False, document="", source="",
                                   note="", holidays=[], workdays=[])
    with pytest.raises(services.WorkflowError, match="周六或周日"):
        services.set_calendar_year(scope=scope_of(city_admin), year=2027, confirmed=False, document="", source="",
                                   note="", holidays=[], workdays=[dt.date(2027, 2, 3)])
    services.set_calendar_year(scope=scope_of(city_admin), year=2027, confirmed=True, document="测试通知", source="测试",
                               note="", holidays=[(dt.date(2027, 2, 2), "春节")], workdays=[dt.date(2027, 2, 6)])
    cal = services.work_calendar()
    assert not cal.is_working_day(dt.date(2027, 2, 2)) and cal.is_working_day(dt.date(2027, 2, 6))
    assert services.calendar_note(cal, opens, cal.window_end(opens, 10)) == ""
    assert services.sync_calendar() == 3  # the edited 2027 is kept
    assert CalendarYear.objects.get(year=2027).document == "测试通知"
