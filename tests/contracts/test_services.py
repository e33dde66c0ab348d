"""Who sees which contracts, and the turnover statistics that feed the 技术合同成交额 indicator."""


import polars as pl
import pytest
from django.core.exceptions import PermissionDenied

from keqi.accounts.scope import SYSTEM, scope_for
from keqi.contracts import flows, services
from keqi.registry import flows as registry_flows
from keqi.registry.models import ReportingUnit

from .helpers import contract_rows, write_contracts
from support import report_rows, write_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def population(tmp_path):
    """3 contracts registered in 渝北区 and 2 in 南岸区 (2024), one 渝北区 contract of 2023, one cancelled."""
    yubei = contract_rows(3, unit="渝北区", seed=1)
    nanan = contract_rows(2, unit="南岸区", seed=2)
    old = contract_rows(1, unit="渝北区", seed=4, year=2023)
    cancelled = contract_rows(1, unit="渝北区", seed=5).with_columns(pl.lit("已撤销").alias("status"))
    rows = pl.concat([yubei, nanan, old, cancelled])
    assert flows.run_import(path=write_contracts(tmp_path / "all.xlsx", rows), scope=SYSTEM).applied
    return {"yubei": yubei, "nanan": nanan, "old": old, "cancelled": cancelled}


def numbers(scope):
    return set(services.contracts(scope=scope).values_list("number", flat=True))


def test_city_sees_all_registrar_and_officer_their_unit(population, city_admin, registrar, yubei_officer,
                                                         nanan_registrar):
    everything = {n for df in population.values() for n in df["number"]}
    yubei = everything - set(population["nanan"]["number"])
    assert numbers(scope_for(city_admin)) == everything
    assert numbers(scope_for(registrar)) == yubei
    assert numbers(scope_for(yubei_officer)) == yubei
    assert numbers(scope_for(nanan_registrar)) == set(population["nanan"]["number"])


def test_an_enterprise_user_sees_only_its_firms_contracts(population, tmp_path, make_user):
    seller = population["nanan"]["seller_uscc"][0]
    firm = report_rows(1, years=(2024,)).with_columns(pl.lit(seller).alias("uscc"))
    registry_flows.run_import(path=write_file(tmp_path / "f.xlsx", firm), scope=SYSTEM)
    user = make_user("firm", "enterprise_user", uscc=seller)
    assert numbers(scope_for(user)) == {population["nanan"]["number"][0]}


def test_a_bank_officer_sees_no_contract(population, bank_officer):
    with pytest.raises(PermissionDenied):
        services.contracts(scope=scope_for(bank_officer))
    with pytest.raises(PermissionDenied):
        services.turnover(scope=scope_for(bank_officer), year=2024)


def test_turnover_counts_registered_contracts_of_the_year_in_yuan(population, registrar):
    yubei, nanan = population["yubei"], population["nanan"]
    assert services.turnover(scope=SYSTEM, year=2024) == yubei["contract_amount"].sum() + nanan["contract_amount"].sum()
    assert services.technical_turnover(scope=SYSTEM, year=2024) == (
        yubei["technical_amount"].sum() + nanan["technical_amount"].sum())
    nanan_id = ReportingUnit.objects.get(name="南岸区").pk
    assert services.turnover(scope=SYSTEM, year=2024, unit_id=nanan_id) == nanan["contract_amount"].sum()
    assert services.turnover(scope=SYSTEM, year=2023) == population["old"]["contract_amount"].sum()
    # A registrar's figure is its own unit's, whatever unit it asks for.
    assert services.turnover(scope=scope_for(registrar), year=2024) == yubei["contract_amount"].sum()
    assert services.turnover(scope=scope_for(registrar), year=2024, unit_id=nanan_id) == 0
    assert isinstance(services.turnover(scope=SYSTEM, year=2024), int)


def test_breakdowns_add_up_to_the_turnover(population):
    total = services.turnover(scope=SYSTEM, year=2024)
    for by in ("month", "unit", "category", "field"):
        rows = services.turnover_by(scope=SYSTEM, year=2024, by=by)
        assert sum(r["contract_amount"] for r in rows) == total
        assert sum(r["contracts"] for r in rows) == 5
    units = {r["key"]: r["contract_amount"] for r in services.turnover_by(scope=SYSTEM, year=2024, by="unit")}
    assert units == {"渝北区": population["yubei"]["contract_amount"].sum(),
                     "南岸区": population["nanan"]["contract_amount"].sum()}
    months = [r["key"] for r in services.turnover_by(scope=SYSTEM, year=2024, by="month")]
    assert months == sorted(months)
    fields = {r["key"] for r in services.turnover_by(scope=SYSTEM, year=2024, by="field")}
    assert fields == {"电子信息", ""}


def test_enterprise_contracts_lists_both_sides(population):
    buyer = population["yubei"]["buyer_uscc"][1]
    assert [c.number for c in services.enterprise_contracts(scope=SYSTEM, uscc=buyer.lower())] == [
        population["yubei"]["number"][1]]


def test_years_with_contracts(population):
    assert services.years_with_contracts(scope=SYSTEM) == [2024, 2023]
