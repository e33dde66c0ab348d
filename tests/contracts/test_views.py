"""Contract pages for every role: list, export, import, statistics and a firm's contracts."""

import polars as pl
import pytest
from django.urls import reverse

from keqi.accounts.scope import SYSTEM
from keqi.contracts import flows
from keqi.contracts.models import TechContract
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


def test_a_registrar_uploads_a_file_and_it_is_imported(client_for, registrar, tmp_path):
    path = write_contracts(tmp_path / "up.xlsx", contract_rows(3))
    with path.open("rb") as fh:
        response = client_for(registrar).post(reverse("contracts:import_upload"), {"file": fh})
    assert response.status_code == 302
    page = client_for(registrar).get(response["Location"]).content.decode()
    assert "upload-status" in page and TechContract.objects.count() == 3


def test_a_bad_upload_lists_errors_and_changes_nothing(client_for, registrar, tmp_path):
    path = write_contracts(tmp_path / "up.xlsx", contract_rows(2, unit="南岸区"))
    with path.open("rb") as fh:
        response = client_for(registrar).post(reverse("contracts:import_upload"), {"file": fh}, follow=True)
    html = response.content.decode()
    assert "您只能登记本机构所在区县（渝北区）的合同" in html and TechContract.objects.count() == 0


def test_check_only_upload_writes_nothing(client_for, city_admin, tmp_path):
    path = write_contracts(tmp_path / "up.xlsx", contract_rows(2))
    with path.open("rb") as fh:
        client_for(city_admin).post(reverse("contracts:import_upload"), {"file": fh, "dry_run": "on"})
    assert TechContract.objects.count() == 0


@pytest.mark.parametrize("name", ["contracts:list", "contracts:statistics", "contracts:export",
                                  "contracts:import_upload"])
def test_a_bank_officer_gets_no_contract_page(client_for, bank_officer, name, population):
    assert client_for(bank_officer).get(reverse(name)).status_code == 403


def test_a_district_officer_cannot_upload(client_for, yubei_officer):
    assert client_for(yubei_officer).get(reverse("contracts:import_upload")).status_code == 403


def test_statistics_page_shows_the_units_total(client_for, registrar, population):
    html = client_for(registrar).get(reverse("contracts:statistics"), {"year": 2024}).content.decode()
    from keqi.web.templatetags.keqi import wan

    assert wan(int(population["contract_amount"][:2].sum())) in html
    assert "南岸区" not in html.split('id="by-unit"')[1].split("</table>")[0]


def test_enterprise_page_is_scoped(client_for, registrar, nanan_registrar, population):
    seller = population["seller_uscc"][0]
    url = reverse("contracts:enterprise", args=[seller])
    assert population["number"][0] in client_for(registrar).get(url).content.decode()
    assert population["number"][0] not in client_for(nanan_registrar).get(url).content.decode()


def test_anonymous_users_are_sent_to_log_in(client, population):
    assert client.get(reverse("contracts:list")).status_code == 302
