"""The contract endpoints: the pages' role scoping on every one, registration rules as 422s, turnover."""

import polars as pl
import pytest

from keqi.accounts.scope import SYSTEM
from keqi.accounts.tokens import create_token
from keqi.contracts import flows
from keqi.contracts.models import TechContract
from keqi.policy.uscc import make_uscc
from keqi.registry.models import ReportingUnit

from contracts.helpers import contract_rows, write_contracts

pytestmark = pytest.mark.django_db


def bearer(user):
    _, key = create_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}




@pytest.fixture
def population(tmp_path):
    """Two 渝北区 contracts (2024) and one 南岸区 contract."""
    rows = pl.concat([contract_rows(2, unit="渝北区", seed=1), contract_rows(1, unit="南岸区", seed=2)])
    assert flows.run_import(path=write_contracts(tmp_path / "c.xlsx", rows), scope=SYSTEM).applied
    return rows


def new_contract(**changes):
    import random

    rng = random.Random(5)
    body = {
        "number": "2025500199000001", "title": "API登记的技术合同", "category": "技术开发", "sub_kind": "委托开发",
        "seller_uscc": make_uscc(rng, region="500112"), "seller_name": "重庆卖方",
        "buyer_uscc": make_uscc(rng, region="110108"), "buyer_name": "北京买方",
        "signed_on": "2025-03-01", "registered_on": "2025-03-10", "contract_amount": 1_000_000,
        "technical_amount": 800_000,
    }
    return {**body, **changes}


def numbers(response):
    return {c["number"] for c in response.json()["items"]}


# ---------------------------------------------------------------- reading, scoped


def test_anonymous_and_wrong_tokens_get_401(client, population):
    assert client.get("/api/contracts").status_code == 401
    assert client.get("/api/contracts/turnover?year=2024").status_code == 401
    assert client.get("/api/contracts", HTTP_AUTHORIZATION="Bearer kq_wrong").status_code == 401
    assert client.post("/api/contracts", new_contract(), content_type="application/json").status_code == 401


def test_each_role_lists_what_it_may_read(client, population, registrar, nanan_registrar, yubei_officer,
                                          city_admin, make_user):
    yubei, nanan = set(population["number"][:2]), {population["number"][2]}
    assert numbers(client.get("/api/contracts", **bearer(registrar))) == yubei
    assert numbers(client.get("/api/contracts", **bearer(nanan_registrar))) == nanan
    assert numbers(client.get("/api/contracts", **bearer(yubei_officer))) == yubei
    assert numbers(client.get("/api/contracts", **bearer(city_admin))) == yubei | nanan
    # asking for another unit does not widen a registrar's view
    nanan_id = ReportingUnit.objects.get(name="南岸区").pk
    assert numbers(client.get(f"/api/contracts?unit={nanan_id}", **bearer(registrar))) == set()


def test_an_enterprise_user_sees_the_contracts_its_firm_is_party_to(client, population, make_user, tmp_path):
    from keqi.registry import flows as registry_flows

    import support

    firm = support.report_rows(1, seed=71).with_columns(pl.lit(population["seller_uscc"][0]).alias("uscc"))
    registry_flows.run_import(path=support.write_file(tmp_path / "f.xlsx", firm), scope=SYSTEM)
    user = make_user("firm", "enterprise_user", uscc=population["seller_uscc"][0])
    assert numbers(client.get("/api/contracts", **bearer(user))) == {population["number"][0]}
    assert client.get(f"/api/contracts/{population['number'][1]}", **bearer(user)).status_code == 404


def test_a_bank_officer_gets_403_everywhere(client, population, make_user):
    bank = bearer(make_user("bank", "bank_officer"))
    assert client.get("/api/contracts", **bank).status_code == 403
    assert client.get(f"/api/contracts/{population['number'][0]}", **bank).status_code == 403
    assert client.get("/api/contracts/turnover?year=2024", **bank).status_code == 403
    response = client.post("/api/contracts", new_contract(unit=1), content_type="application/json", **bank)
    assert response.status_code == 403 and "无权登记技术合同" in response.json()["detail"]


def test_detail_in_yuan_and_other_units_contract_is_404(client, population, registrar):
    number = population["number"][0]
    body = client.get(f"/api/contracts/{number}", **bearer(registrar)).json()
    assert body["contract_amount"] == population["contract_amount"][0] and body["reporting_unit"] == "渝北区"
    assert body["seller_in_registry"] is False
    assert client.get(f"/api/contracts/{population['number'][2]}", **bearer(registrar)).status_code == 404


def test_list_filters_and_pages(client, population, city_admin):
    body = client.get("/api/contracts?category=技术转让", **bearer(city_admin)).json()
    assert body["count"] == 1 and body["items"][0]["number"] == population["number"][1]
    assert client.get("/api/contracts?year=2023", **bearer(city_admin)).json()["count"] == 0


# ---------------------------------------------------------------- registering one contract


def test_a_registrar_registers_for_its_unit_and_the_turnover_grows(client, population, registrar):
    headers = bearer(registrar)
    before = client.get("/api/contracts/turnover?year=2025", **headers).json()["turnover"]
    response = client.post("/api/contracts", new_contract(), content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    assert response.json()["reporting_unit"] == "渝北区"
    assert TechContract.objects.get(number="2025500199000001").history.first().history_user == registrar
    after = client.get("/api/contracts/turnover?year=2025&by=month", **headers).json()
    assert after["turnover"] == before + 1_000_000 and after["technical_turnover"] == 800_000
    assert after["rows"] == [{"key": 3, "contracts": 1, "contract_amount": 1_000_000,
                              "technical_amount": 800_000}]


def test_a_registrar_cannot_register_for_another_unit(client, population, registrar):
    nanan = ReportingUnit.objects.get(name="南岸区").pk
    response = client.post("/api/contracts", new_contract(unit=nanan), content_type="application/json",
                           **bearer(registrar))
    assert response.status_code == 403 and TechContract.objects.count() == 3


def test_a_district_officer_reads_but_does_not_register(client, population, yubei_officer):
    response = client.post("/api/contracts", new_contract(), content_type="application/json",
                           **bearer(yubei_officer))
    assert response.status_code == 403


def test_the_city_must_name_the_unit(client, population, city_admin):
    response = client.post("/api/contracts", new_contract(), content_type="application/json", **bearer(city_admin))
    assert response.status_code == 422 and "unit" in response.json()["errors"]
    nanan = ReportingUnit.objects.get(name="南岸区").pk
    ok = client.post("/api/contracts", new_contract(unit=nanan), content_type="application/json",
                     **bearer(city_admin))
    assert ok.status_code == 201 and ok.json()["reporting_unit"] == "南岸区"


@pytest.mark.parametrize("changes,field,reason", [
    ({"technical_amount": 1_000_001}, "technical_amount", "技术交易额大于合同成交额"),
    ({"contract_amount": -1, "technical_amount": -1}, "contract_amount", "不能为负数"),
    ({"sub_kind": "技术培训"}, "sub_kind", "不是技术开发合同的子类"),
    ({"category": "技术买卖"}, "category", "未知的合同类别"),
    ({"seller_uscc": "915000002028334490"}, "seller_uscc", "校验"),
    ({"buyer_uscc": "91500"}, "buyer_uscc", "应为18位"),
    ({"registered_on": "2025-02-28"}, "registered_on", "登记日期早于签订日期"),
    ({"signed_on": "2099-01-01", "registered_on": "2099-01-02"}, "signed_on", "晚于今天"),
    ({"hitech_field": "量子玄学"}, "hitech_field", "未知的高新技术领域"),
    ({"title": " "}, "title", "必填"),
    ({"title": "长" * 201}, "title", "不能超过200个字符"),
    ({"number": "2024500101000000"}, "number", "已登记"),  # the first contract of the population
])
def test_rule_breaks_are_422_per_field_and_write_nothing(client, population, registrar, changes, field, reason):
    response = client.post("/api/contracts", new_contract(**changes), content_type="application/json",
                           **bearer(registrar))
    assert response.status_code == 422
    assert reason in response.json()["errors"][field]
    assert TechContract.objects.count() == 3


def test_boundary_amounts_are_accepted(client, population, registrar):
    equal = new_contract(number="B1", contract_amount=500, technical_amount=500)
    zero = new_contract(number="B2", contract_amount=0, technical_amount=0, registered_on="2025-03-01")
    for body in (equal, zero):
        assert client.post("/api/contracts", body, content_type="application/json",
                           **bearer(registrar)).status_code == 201


def test_a_malformed_body_is_a_422_naming_the_field(client, registrar):
    response = client.post("/api/contracts", new_contract(contract_amount="lots"), content_type="application/json",
                           **bearer(registrar))
    assert response.status_code == 422 and response.json()["errors"] == {"contract_amount": "应为整数"}
    assert response.json()["detail"] == "请求有误：contract_amount 应为整数"


# ---------------------------------------------------------------- statistics


def test_turnover_by_unit_is_scoped(client, population, registrar, city_admin):
    mine = client.get("/api/contracts/turnover?year=2024&by=unit", **bearer(registrar)).json()
    assert [r["key"] for r in mine["rows"]] == ["渝北区"]
    assert mine["turnover"] == sum(population["contract_amount"][:2])
    everyone = client.get("/api/contracts/turnover?year=2024&by=unit", **bearer(city_admin)).json()
    assert {r["key"] for r in everyone["rows"]} == {"渝北区", "南岸区"}
    assert everyone["turnover"] == sum(population["contract_amount"])


def test_turnover_by_category_and_field_and_a_bad_breakdown(client, population, city_admin):
    headers = bearer(city_admin)
    by_category = client.get("/api/contracts/turnover?year=2024&by=category", **headers).json()["rows"]
    assert sum(r["contracts"] for r in by_category) == 3
    by_field = client.get("/api/contracts/turnover?year=2024&by=field", **headers).json()["rows"]
    assert "" in {r["key"] for r in by_field}  # a contract without a field is counted under ""
    assert client.get("/api/contracts/turnover?year=2024&by=colour", **headers).status_code == 422
    assert client.get("/api/contracts/turnover", **headers).status_code == 422  # the year is required


def test_session_login_works(client_for, registrar, population):
    assert client_for(registrar).get("/api/contracts").json()["count"] == 2


def test_today_is_accepted_as_registration_day(client, registrar):
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    body = new_contract(number="T1", signed_on=today, registered_on=today)
    assert client.post("/api/contracts", body, content_type="application/json", **bearer(registrar)).status_code == 201
