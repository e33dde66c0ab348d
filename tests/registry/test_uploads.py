"""One upload lifecycle (issue 14.4) for every app that takes a spreadsheet: the same statuses, pages,
progress, row errors, confirmation, check again and scoping for the registry, contracts and reported
values — enumerated, so that a new upload model is covered or fails here."""

from __future__ import annotations

import pytest
import xlsxwriter
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from keqi.accounts.scope import scope_for
from keqi.contracts.models import ContractImport, TechContract
from keqi.registry import background, uploads
from keqi.registry.models import Enterprise, ImportBatch
from keqi.targets.models import IndicatorValue, ValueImport

from contracts.helpers import contract_rows, write_contracts
from support import report_rows, write_file

pytestmark = pytest.mark.django_db


def _values(path, rows):
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("指标数值")
    ws.write_row(0, 0, ["指标", "年度", "范围", "截至日期", "数值", "来源"])
    for r, row in enumerate(rows, start=1):
        ws.write_row(r, 0, row)
    book.close()
    return path


def _good_values(path):
    return _values(path, [["研发经费投入强度", 2024, "全市", "2024-12-31", 2.41, "统计公报"]])


def _bad_values(path):
    return _values(path, [["研发经费投入强度", 2024, "火星区", "2024-12-31", 2.41, "统计公报"]])


# model, URL namespace, who uploads, a good file, a file with one bad cell, what the import writes
KINDS = {
    "registry": (ImportBatch, "registry", "yubei_officer", lambda p: write_file(p, report_rows(3)),
                 lambda p: write_file(p, report_rows(3, unit="火星区")), Enterprise),
    "contracts": (ContractImport, "contracts", "registrar", lambda p: write_contracts(p, contract_rows(3)),
                  lambda p: write_contracts(p, contract_rows(3, unit="火星区")), TechContract),
    "values": (ValueImport, "targets", "city_admin", _good_values, _bad_values, IndicatorValue),
}


def test_every_upload_model_is_covered_here():
    concrete = {m for m in apps.get_models() if issubclass(m, uploads.Upload)}
    assert concrete == {k[0] for k in KINDS.values()}
    for model in concrete:  # one status list, one field set (no drift)
        assert model.Status is uploads.Upload.Status
        assert model._meta.get_field("status").max_length == 16 and model._meta.get_field("progress")


@pytest.mark.parametrize("kind", KINDS)
def test_upload_check_confirm_import(kind, request, client_for, tmp_path, django_capture_on_commit_callbacks):
    model, ns, role, good, _bad, written = KINDS[kind]
    user = request.getfixturevalue(role)
    client = client_for(user)
    assert client.get(reverse(f"{ns}:import_upload")).status_code == 200
    path = good(tmp_path / "good.xlsx")
    with path.open("rb") as fh, django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(f"{ns}:import_upload"), {"file": fh})
    upload = model.objects.get()
    assert response["Location"] == reverse(f"{ns}:import_detail", args=[upload.pk])
    assert upload.status == "checked" and upload.progress == 100 and upload.uploaded_by == user
    assert written.objects.count() == 0  # checked, nothing written
    page = client.get(response["Location"]).content.decode()
    assert "校验通过，可导入" in page and 'id="import-now"' in page and 'id="summary"' in page
    with django_capture_on_commit_callbacks(execute=True) as queued:
        client.post(reverse(f"{ns}:import_apply", args=[upload.pk]))
    assert len(queued) == 1
    upload.refresh_from_db()
    assert upload.status == "imported" and written.objects.count() >= 1
    # a second click (another tab, a back button) imports nothing twice
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert client.post(reverse(f"{ns}:import_apply", args=[upload.pk])).status_code == 403
    assert queued == []
    assert upload.file.read() == path.read_bytes()  # the file itself is kept
    listing = client.get(reverse(f"{ns}:import_list")).content.decode()
    assert "good.xlsx" in listing and "已导入" in listing


@pytest.mark.parametrize("kind", KINDS)
def test_a_bad_file_shows_its_errors_and_cannot_be_imported(kind, request, client_for, tmp_path,
                                                            django_capture_on_commit_callbacks):
    model, ns, role, _good, bad, written = KINDS[kind]
    client = client_for(request.getfixturevalue(role))
    with bad(tmp_path / "bad.xlsx").open("rb") as fh, django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(f"{ns}:import_upload"), {"file": fh})
    upload = model.objects.get()
    assert upload.status == "invalid" and upload.error_count >= 1
    page = client.get(reverse(f"{ns}:import_detail", args=[upload.pk])).content.decode()
    assert "火星区" in page and "未做任何修改" in page and "import-now" not in page
    assert client.post(reverse(f"{ns}:import_apply", args=[upload.pk])).status_code == 403
    assert written.objects.count() == 0


@pytest.mark.parametrize("kind", KINDS)
def test_an_interrupted_upload_is_checked_again_from_its_kept_file(kind, request, client_for, tmp_path,
                                                                   django_capture_on_commit_callbacks):
    model, ns, role, good, _bad, _written = KINDS[kind]
    user = request.getfixturevalue(role)
    client = client_for(user)
    path = good(tmp_path / "good.xlsx")
    upload = uploads.record_upload(model=model, scope=scope_for(user), user=user,
                                   uploaded=SimpleUploadedFile("good.xlsx", path.read_bytes()))
    model.objects.filter(pk=upload.pk).update(status="checking", runner=background.runner_id(999_999_999))
    assert background.stop_abandoned()
    page = client.get(reverse(f"{ns}:import_detail", args=[upload.pk])).content.decode()
    assert "已中断" in page and 'id="check-again"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(f"{ns}:import_retry", args=[upload.pk]))
    upload.refresh_from_db()
    assert upload.status == "checked" and upload.message == ""
    assert client.post(reverse(f"{ns}:import_retry", args=[upload.pk])).status_code == 403  # only when stopped


@pytest.mark.parametrize("kind", KINDS)
def test_another_users_upload_is_not_found(kind, request, client_for, city_admin, yubei_officer, nanan_officer,
                                           registrar, nanan_registrar, tmp_path):
    model, ns, role, good, _bad, _written = KINDS[kind]
    owner = request.getfixturevalue(role)
    other = {"yubei_officer": nanan_officer, "registrar": nanan_registrar, "city_admin": yubei_officer}[role]
    upload = uploads.record_upload(model=model, scope=scope_for(owner), user=owner,
                                   uploaded=SimpleUploadedFile("good.xlsx", good(tmp_path / "g.xlsx").read_bytes()))
    client = client_for(other)
    for name in ("import_detail", "import_apply", "import_retry"):
        method = client.get if name == "import_detail" else client.post
        assert method(reverse(f"{ns}:{name}", args=[upload.pk])).status_code in (403, 404)


def test_a_failure_is_the_uploads_message_and_progress_goes_by_stage(yubei_officer, tmp_path, monkeypatch):
    path = write_file(tmp_path / "f.xlsx", report_rows(2))
    scope = scope_for(yubei_officer)
    upload = uploads.record_upload(model=ImportBatch, scope=scope, user=yubei_officer,
                                   uploaded=SimpleUploadedFile("f.xlsx", path.read_bytes()))
    seen = []
    real = ImportBatch.run_import

    def watched(self, *, scope, dry_run, progress):
        def spy(stage, done, total):
            progress(stage, done, total)
            seen.append(ImportBatch.objects.get(pk=self.pk).progress)
        return real(self, scope=scope, dry_run=dry_run, progress=spy)

    monkeypatch.setattr(ImportBatch, "run_import", watched)
    done = uploads.process_upload(model=ImportBatch, upload_id=upload.pk, scope=scope, apply=False)
    assert done.status == "checked" and seen == sorted(seen) and seen[-1] >= 40

    def broken(self, **kwargs):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(ImportBatch, "run_import", broken)
    done = uploads.process_upload(model=ImportBatch, upload_id=upload.pk, scope=scope, apply=True)
    assert done.status == "failed" and done.message == "导入失败，未做任何修改：磁盘已满"
    assert done.may_rerun
