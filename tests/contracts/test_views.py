"""Contract pages for every role: list, export, import, statistics and a firm's contracts."""

import polars as pl
import pytest
from django.urls import reverse

from keqi.accounts.scope import SYSTEM
from keqi.contracts import flows
from keqi.contracts.models import ContractImport, TechContract
from keqi.registry.reading import read_tables

from .helpers import contract_rows, write_contracts

pytestmark = pytest.mark.django_db


@pytest.fixture
def population(tmp_path):
    rows = pl.concat([contract_rows(2, unit="渝北区", seed=1), contract_rows(1, unit="南岸区", seed=2)])
    flows.run_import(path=write_contracts(tmp_path / "c.xlsx", rows), scope=SYSTEM)
    return rows


def test_list_shows_only_the_units_contracts(client_for, registrar, population):
    html = client_for(registrar).get(reverse("contracts:list")).content.decode()
    yubei, nanan = population["number"][0], population["number"][2]
    assert yubei in html and nanan not in html


def test_list_filters_by_category(client_for, city_admin, population):
    html = client_for(city_admin).get(reverse("contracts:list"), {"category": "技术转让"}).content.decode()
    assert population["number"][1] in html and population["number"][0] not in html


def test_export_holds_what_the_list_shows(client_for, yubei_officer, population, tmp_path):
    response = client_for(yubei_officer).get(reverse("contracts:export"))
    path = tmp_path / "e.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    assert sorted(read_tables(path).reports["合同登记号"].to_list()) == sorted(population["number"][:2].to_list())


def upload(client, path, captured):
    with path.open("rb") as fh, captured(execute=True):
        return client.post(reverse("contracts:import_upload"), {"file": fh})


def test_a_registrar_imports_a_month_checked_first_and_the_target_progress_grows(
        client_for, registrar, tmp_path, django_capture_on_commit_callbacks):
    import datetime as dt
    from decimal import Decimal

    from keqi.targets import services as targets

    def city_turnover():
        rows = targets.progress(scope=SYSTEM, year=2023, on=dt.date(2023, 12, 31))
        return next(r for r in rows if r.indicator == "contract_turnover" and r.scope_key == "city").actual

    month = contract_rows(5, year=2023).with_columns(  # one month: March 2023
        signed_on=pl.lit(dt.date(2023, 3, 1)), registered_on=pl.lit(dt.date(2023, 3, 15)))
    client = client_for(registrar)
    assert city_turnover() == 0
    response = upload(client, write_contracts(tmp_path / "march.xlsx", month), django_capture_on_commit_callbacks)
    page = client.get(response["Location"]).content.decode()
    assert TechContract.objects.count() == 0  # checked, not imported
    assert "import-now" in page
    assert ContractImport.objects.get().status == ContractImport.Status.CHECKED
    pk = ContractImport.objects.get().pk
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("contracts:import_apply", args=[pk]))
    assert ContractImport.objects.get().status == ContractImport.Status.IMPORTED
    assert TechContract.objects.count() == 5
    assert city_turnover() == Decimal(int(month["contract_amount"].sum()))
    stats = client.get(reverse("contracts:statistics"), {"year": 2023}).content.decode()
    from keqi.policy.formats import wan

    assert wan(int(month["contract_amount"].sum())) in stats.split('id="by-month"')[1].split("</table>")[0]
    # a second confirmation does nothing: only a checked file can be imported
    assert client.post(reverse("contracts:import_apply", args=[pk])).status_code == 403


def test_a_bad_upload_lists_row_errors_cannot_be_confirmed_and_changes_nothing(
        client_for, registrar, tmp_path, django_capture_on_commit_callbacks):
    rows = contract_rows(3).with_columns(
        technical_amount=pl.when(pl.int_range(pl.len()) == 1).then(pl.col("contract_amount") + 1)
        .otherwise(pl.col("technical_amount")))
    rows = pl.concat([rows, contract_rows(1, seed=9).with_columns(buyer_uscc=pl.lit("91110108MA0000000X"))])
    client = client_for(registrar)
    response = upload(client, write_contracts(tmp_path / "bad.xlsx", rows), django_capture_on_commit_callbacks)
    html = client.get(response["Location"]).content.decode()
    errors = html.split('id="errors"')[1]
    assert "技术交易额大于合同成交额" in errors and "买方统一社会信用代码" in errors
    assert ">3<" in errors and ">5<" in errors  # the rows (header = row 1)
    upload_row = ContractImport.objects.get()
    assert upload_row.status == ContractImport.Status.INVALID and "import-now" not in html
    assert client.post(reverse("contracts:import_apply", args=[upload_row.pk])).status_code == 403
    # another unit's contracts are refused at the check too
    response = upload(client, write_contracts(tmp_path / "nanan.xlsx", contract_rows(1, unit="南岸区", seed=8)),
                      django_capture_on_commit_callbacks)
    assert "您只能登记本机构所在区县（渝北区）的合同" in client.get(response["Location"]).content.decode()
    assert TechContract.objects.count() == 0


def test_an_import_checks_again_when_confirmed(client_for, registrar, city_admin, tmp_path,
                                               django_capture_on_commit_callbacks):
    rows = contract_rows(2)
    client = client_for(registrar)
    upload(client, write_contracts(tmp_path / "a.xlsx", rows), django_capture_on_commit_callbacks)
    # meanwhile the city registers the first contract for 南岸区: the registrar may no longer change it
    changed = rows.head(1).with_columns(unit=pl.lit("南岸区"))
    flows.run_import(path=write_contracts(tmp_path / "b.xlsx", changed), scope=SYSTEM)
    pk = ContractImport.objects.get(uploaded_by=registrar).pk
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("contracts:import_apply", args=[pk]))
    done = ContractImport.objects.get(pk=pk)
    assert done.status == ContractImport.Status.INVALID and "无权修改" in done.errors[0]["reason"]
    assert TechContract.objects.count() == 1


def test_uploads_are_private_to_their_uploader(client_for, registrar, nanan_registrar, city_admin, tmp_path,
                                               django_capture_on_commit_callbacks):
    upload(client_for(registrar), write_contracts(tmp_path / "a.xlsx", contract_rows(1)),
           django_capture_on_commit_callbacks)
    pk = ContractImport.objects.get().pk
    other = client_for(nanan_registrar)
    assert other.get(reverse("contracts:import_detail", args=[pk])).status_code == 404
    assert other.post(reverse("contracts:import_apply", args=[pk])).status_code == 404
    assert "a.xlsx" not in other.get(reverse("contracts:import_list")).content.decode()
    assert "a.xlsx" in client_for(city_admin).get(reverse("contracts:import_list")).content.decode()
    assert TechContract.objects.count() == 0


@pytest.mark.parametrize("name", ["contracts:list", "contracts:statistics", "contracts:export",
                                  "contracts:import_upload", "contracts:import_list"])
def test_a_bank_officer_gets_no_contract_page(client_for, bank_officer, name, population):
    assert client_for(bank_officer).get(reverse(name)).status_code == 403


def test_a_district_officer_cannot_upload(client_for, yubei_officer):
    assert client_for(yubei_officer).get(reverse("contracts:import_upload")).status_code == 403


def test_statistics_page_shows_the_units_total(client_for, registrar, population):
    html = client_for(registrar).get(reverse("contracts:statistics"), {"year": 2024}).content.decode()
    from keqi.policy.formats import wan

    assert wan(int(population["contract_amount"][:2].sum())) in html
    assert "南岸区" not in html.split('id="by-unit"')[1].split("</table>")[0]


def test_enterprise_page_is_scoped(client_for, registrar, nanan_registrar, population):
    seller = population["seller_uscc"][0]
    url = reverse("contracts:enterprise", args=[seller])
    assert population["number"][0] in client_for(registrar).get(url).content.decode()
    assert population["number"][0] not in client_for(nanan_registrar).get(url).content.decode()


def test_anonymous_users_are_sent_to_log_in(client, population):
    assert client.get(reverse("contracts:list")).status_code == 302
