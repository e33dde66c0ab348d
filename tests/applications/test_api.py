"""The API: the same scoping and refusals as the pages (403 role, 404 outside the scope, 409 changed
since read, 422 a rule), attachments, bulk steps, the calendar and the definitions."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from keqi.applications.models import Attachment

from .conftest import PDF

pytestmark = pytest.mark.django_db


def test_lists_are_scoped(submitted, client, firm_user, other_firm_user, yubei_officer, nanan_officer, city_admin):
    seen = {}
    for name, user in (("firm", firm_user), ("other", other_firm_user), ("yubei", yubei_officer),
                       ("nanan", nanan_officer), ("city", city_admin)):
        client.force_login(user)
        seen[name] = [a["id"] for a in client.get("/api/applications").json()["items"]]
    assert seen == {"firm": [submitted.pk], "other": [], "yubei": [submitted.pk], "nanan": [], "city": [submitted.pk]}
    client.force_login(nanan_officer)
    assert client.get(f"/api/applications/{submitted.pk}").status_code == 404
    assert client.get("/api/applications?programme=nope").status_code == 422


def test_steps_answer_403_409_and_422(submitted, client, firm_user, yubei_officer):
    url = f"/api/applications/{submitted.pk}/actions"
    client.force_login(firm_user)
    assert client.post(url, {"action": "district_approve"}, content_type="application/json").status_code == 403
    client.force_login(yubei_officer)
    body = client.get(f"/api/applications/{submitted.pk}").json()
    assert [a["key"] for a in body["actions"]] == ["district_approve", "district_return", "district_reject"]
    r = client.post(url, {"action": "district_return", "version": body["version"]}, content_type="application/json")
    assert r.status_code == 422 and "原因" in r.json()["detail"]
    ok = client.post(url, {"action": "district_approve", "version": body["version"]}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["standing"]["state"] == "district_approved"
    stale = client.post(url, {"action": "district_reject", "reason": "x", "version": body["version"]},
                        content_type="application/json")
    assert stale.status_code == 409


def test_attachments_through_the_api(client, firm_user, filed, yubei_officer, nanan_officer):
    client.force_login(firm_user)
    app = client.post("/api/applications", {"programme": "cq-tech"}, content_type="application/json").json()
    bad = client.post(f"/api/applications/{app['id']}/attachments",
                      {"label": "审计报告", "file": SimpleUploadedFile("x.pdf", b"not a pdf at all")})
    assert bad.status_code == 422 and "PDF" in bad.json()["detail"] and not Attachment.objects.exists()
    good = client.post(f"/api/applications/{app['id']}/attachments",
                       {"label": "审计报告", "file": SimpleUploadedFile("x.pdf", PDF)})
    assert good.status_code == 201
    att = good.json()["id"]
    client.force_login(nanan_officer)
    assert client.get(f"/api/applications/attachments/{att}").status_code == 404
    client.force_login(yubei_officer)
    assert client.get(f"/api/applications/attachments/{att}").status_code == 200


def test_bulk_and_batches(submitted, client, yubei_officer, city_admin):
    client.force_login(yubei_officer)
    r = client.post("/api/applications/bulk", {"programme": "cq-tech", "action": "district_approve",
                                               "ids": [submitted.pk, 999999]}, content_type="application/json")
    assert r.json() == {"done": [submitted.pk], "skipped": 1, "reasons": [r.json()["reasons"][0]]}
    client.force_login(city_admin)
    client.post("/api/applications/bulk", {"programme": "cq-tech", "action": "city_approve", "ids": [submitted.pk]},
                content_type="application/json")
    batch = client.post("/api/publicity/batches", {"opens_on": "2026-12-07"}, content_type="application/json")
    assert batch.status_code == 201 and batch.json()["closes_on"] == "2026-12-11"
    r = client.post("/api/applications/bulk", {"programme": "cq-tech", "action": "publish", "ids": [submitted.pk],
                                               "batch_id": batch.json()["id"]}, content_type="application/json")
    assert r.json()["done"] == [submitted.pk]
    early = client.post(f"/api/publicity/batches/{batch.json()['id']}/conclude")
    assert early.status_code in (200, 422)  # 422 while the window runs (today is before 2026-12-12)
    client.force_login(yubei_officer)
    assert client.post("/api/publicity/batches", {"opens_on": "2026-12-07"},
                       content_type="application/json").status_code == 403


def test_filings_through_the_api(client, firm_user, yubei_officer):
    client.force_login(firm_user)
    f = client.post("/api/filings", {"fiscal_year": 2025}, content_type="application/json").json()
    r = client.put(f"/api/filings/{f['id']}/entries", {"entries": {**f["entries"], "staff_total": "x"},
                                                        "version": f["version"]}, content_type="application/json")
    assert r.json()["errors"] == {"staff_total": ["应为整数"]}
    ev = client.post(f"/api/filings/{f['id']}/evaluate", {"entries": f["entries"]}, content_type="application/json")
    assert ev.status_code == 200 and any(v["edition"] == "cq-tech-2022" for v in ev.json()["verdicts"])
    assert client.post(f"/api/filings/{f['id']}/actions", {"action": "submit"},
                       content_type="application/json").status_code == 422
    client.force_login(yubei_officer)
    assert client.post("/api/filings", {"fiscal_year": 2025}, content_type="application/json").status_code == 403
    assert client.get("/api/filings/missing/2025").status_code == 200


def test_calendar_and_definitions(client, city_admin, yubei_officer, firm_user):
    client.force_login(firm_user)
    assert client.get("/api/calendar").status_code == 403
    defs = client.get("/api/workflows").json()
    assert {d["id"] for d in defs} >= {"cq-tech-2022", "annual-filing-2022"}
    client.force_login(yubei_officer)
    assert client.put("/api/calendar/2027", {"confirmed": False}, content_type="application/json").status_code == 403
    client.force_login(city_admin)
    r = client.put("/api/calendar/2027", {"confirmed": True, "document": "测试", "holidays": [
        {"day": "2027-02-08", "kind": "holiday", "name": "春节"}], "workdays": []}, content_type="application/json")
    assert r.status_code == 200 and r.json()["days"][0]["day"] == str(dt.date(2027, 2, 8))


@pytest.mark.parametrize("programme", ["nope", "hnte", "annual-filing"])
def test_a_batch_of_an_unknown_or_tracked_programme_is_refused_in_words(client, city_admin, programme):
    """An unknown programme was a KeyError (500, schemathesis); a tracked one or the filing has no 公示 in KeQi."""
    client.force_login(city_admin)
    r = client.post("/api/publicity/batches", {"programme": programme, "opens_on": "2026-12-07"},
                    content_type="application/json")
    assert r.status_code == 422, r.content
    assert "项目" in r.json()["detail"] or "公示" in r.json()["detail"]


@pytest.mark.parametrize("url", ["/api/applications", "/api/filings"])
def test_a_page_beyond_64_bits_is_refused_not_a_500(client, city_admin, url):
    """A page number past 64 bits overflowed the SQL offset (SQLite: datatype mismatch; schemathesis)."""
    client.force_login(city_admin)
    assert client.get(f"{url}?page=9223372036854775807").status_code == 422
    assert client.get(f"{url}?page=2").status_code == 200


@pytest.mark.parametrize("url", ["/api/applications?q=%00&state=%00&programme=", "/api/filings?state=a%00b"])
def test_a_nul_character_in_a_query_is_not_a_500(client, city_admin, url):
    """PostgreSQL refuses NUL in text (a 500, schemathesis): the lists drop it."""
    client.force_login(city_admin)
    assert client.get(url).status_code == 200
