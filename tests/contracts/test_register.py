"""Registering one contract (the API's create, ``services.register_contract``): the import's rules for one row.

Every fault is reported at once, by field, in the words a registrar reads, and nothing is written; a
registrar registers for its own unit only; a contract that passes is stored exactly as given (codes
upper-cased, text trimmed) and linked to the parties found in the registry.
"""

from __future__ import annotations

import datetime as dt
import random

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied

from keqi.accounts.scope import SYSTEM, scope_for
from keqi.contracts import services
from keqi.contracts.models import TechContract
from keqi.contracts.services import ContractError
from keqi.policy.fields import HITECH_FIELDS
from keqi.policy.uscc import make_uscc
from keqi.registry import flows as registry_flows
from keqi.registry.models import ReportingUnit

from support import report_rows, write_file

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 30)
RNG = random.Random(11)
SELLER = make_uscc(RNG, region="500112")
BUYER = make_uscc(RNG, region="110108")


def body(**changes):
    values = {
        "number": "2025500112000007", "title": "工业视觉检测算法委托开发", "category": "技术开发",
        "sub_kind": "委托开发", "seller_uscc": SELLER, "seller_name": "重庆视觉科技有限公司",
        "buyer_uscc": BUYER, "buyer_name": "北京智造有限公司", "signed_on": dt.date(2025, 3, 1),
        "registered_on": dt.date(2025, 3, 10), "contract_amount": 1_234_567, "technical_amount": 987_653,
    }
    values.update(changes)
    return values


def unit(name: str) -> int:
    return ReportingUnit.objects.get(name=name).pk


def refused(scope, values, **kwargs) -> dict[str, str]:
    with pytest.raises(ContractError) as info:
        services.register_contract(scope=scope, values=values, today=TODAY, **kwargs)
    assert TechContract.objects.count() == 0  # nothing written
    return info.value.faults


def test_a_registrar_registers_for_its_own_unit_exactly_as_given(registrar):
    c = services.register_contract(scope=scope_for(registrar), user=registrar, today=TODAY, values=body(
        number=" 2025500112000007 ", title="  工业视觉检测算法委托开发 ", seller_uscc=SELLER.lower(),
        buyer_uscc=f" {BUYER.lower()} "))
    stored = TechContract.objects.get()
    assert stored.pk == c.pk
    assert (stored.number, stored.title, stored.seller_uscc, stored.buyer_uscc) == (
        "2025500112000007", "工业视觉检测算法委托开发", SELLER, BUYER)
    assert (stored.contract_amount, stored.technical_amount, stored.non_technical_amount) == (
        1_234_567, 987_653, 246_914)
    assert (stored.signed_on, stored.registered_on) == (dt.date(2025, 3, 1), dt.date(2025, 3, 10))
    assert stored.reporting_unit.name == "渝北区"  # a registrar's own unit when none is named
    assert (stored.status, stored.hitech_field) == ("已登记", "")
    assert (stored.seller_id, stored.buyer_id) == (None, None)  # neither party is in the registry
    assert stored.history.get().history_user == registrar


def test_status_and_field_given_are_kept(registrar):
    c = services.register_contract(scope=scope_for(registrar), today=TODAY,
                                   values=body(status="已撤销", hitech_field=HITECH_FIELDS[1]))
    c.refresh_from_db()
    assert (c.status, c.hitech_field) == ("已撤销", HITECH_FIELDS[1])
    # blank or missing status and field: registered, no field
    d = services.register_contract(scope=scope_for(registrar), today=TODAY,
                                   values=body(number="2025500112000008", status="", hitech_field=None))
    d.refresh_from_db()
    assert (d.status, d.hitech_field) == ("已登记", "")


def test_a_party_in_the_registry_is_linked(registrar, tmp_path):
    firm = report_rows(1, years=(2024,)).with_columns(pl.lit(BUYER).alias("uscc"))
    registry_flows.run_import(path=write_file(tmp_path / "f.xlsx", firm), scope=SYSTEM)
    c = services.register_contract(scope=scope_for(registrar), today=TODAY, values=body())
    c.refresh_from_db()
    assert c.seller_id is None and c.buyer.uscc == BUYER
    # the other way round: the firm sells
    d = services.register_contract(scope=scope_for(registrar), today=TODAY, values=body(
        number="2025500112000009", seller_uscc=BUYER, buyer_uscc=SELLER))
    d.refresh_from_db()
    assert d.seller.uscc == BUYER and d.buyer_id is None


def test_the_city_names_the_unit_and_may_register_for_any(city_admin):
    assert refused(scope_for(city_admin), body()) == {"unit": "请指定登记机构所在区县"}
    assert refused(scope_for(city_admin), body(), unit_id=987_654) == {"unit": "请指定登记机构所在区县"}
    c = services.register_contract(scope=scope_for(city_admin), values=body(), unit_id=unit("南岸区"), today=TODAY)
    assert TechContract.objects.get(pk=c.pk).reporting_unit.name == "南岸区"


def test_a_registrar_may_not_register_for_another_unit(registrar):
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(PermissionDenied) as info:
        services.register_contract(scope=scope_for(registrar), values=body(), unit_id=unit("南岸区"), today=TODAY)
    assert str(info.value) == "您只能登记本单位的合同。"  # what the API's 403 says
    assert TechContract.objects.count() == 0
    c = services.register_contract(scope=scope_for(registrar), values=body(), unit_id=unit("渝北区"), today=TODAY)
    assert c.reporting_unit_id == unit("渝北区")


@pytest.mark.parametrize("user", ["yubei_officer", "bank_officer"])
def test_roles_that_cannot_register_are_refused(request, user):
    with pytest.raises(PermissionDenied):
        services.register_contract(scope=scope_for(request.getfixturevalue(user)), values=body(), today=TODAY)
    assert TechContract.objects.count() == 0


def test_every_missing_field_is_named_and_a_rule_does_not_hide_it(registrar):
    faults = refused(scope_for(registrar), {})
    assert faults == {name: "必填" for name in services.REQUIRED}
    with pytest.raises(ContractError) as info:
        services.register_contract(scope=scope_for(registrar), values=body(title="", seller_name=""), today=TODAY)
    assert str(info.value) == "title：必填；seller_name：必填"  # what the API's 422 says
    blank = refused(scope_for(registrar), body(title="   ", seller_uscc="", technical_amount=None))
    # the blank seller code is "必填", not the code check's message
    assert blank == {"title": "必填", "seller_uscc": "必填", "technical_amount": "必填"}


def test_every_fault_is_reported_at_once(registrar):
    faults = refused(scope_for(registrar), body(
        sub_kind="专利权转让", buyer_uscc=SELLER, registered_on=dt.date(2025, 2, 28), technical_amount=1_234_568,
        title="题" * 201, hitech_field="量子计算", status="作废"))
    assert faults == {
        "sub_kind": faults["sub_kind"],
        "buyer_uscc": "买方与卖方是同一单位",
        "registered_on": "登记日期早于签订日期（2025-03-01）",
        "technical_amount": "技术交易额大于合同成交额",
        "title": "不能超过200个字符",
        "hitech_field": f"未知的高新技术领域（可选：{'、'.join(HITECH_FIELDS)}）",
        "status": "未知的登记状态（可选：已登记、未予登记、已撤销）",
    }
    assert "不是技术开发合同的子类" in faults["sub_kind"]


def test_dates_after_today_are_refused_against_the_day_given(registrar):
    late = body(signed_on=dt.date(2025, 7, 1), registered_on=dt.date(2025, 7, 1))
    assert refused(scope_for(registrar), late) == {"signed_on": "签订日期晚于今天", "registered_on": "登记日期晚于今天"}
    on_the_day = body(signed_on=TODAY, registered_on=TODAY)
    assert services.register_contract(scope=scope_for(registrar), values=on_the_day, today=TODAY).registered_on == TODAY


def test_text_at_its_column_length_passes_one_more_is_refused(registrar):
    assert refused(scope_for(registrar), body(number="9" * 65, seller_name="卖" * 201, buyer_name="买" * 201)) == {
        "number": "不能超过64个字符", "seller_name": "不能超过200个字符", "buyer_name": "不能超过200个字符"}
    c = services.register_contract(scope=scope_for(registrar), today=TODAY,
                                   values=body(number="9" * 64, title="题" * 200))
    assert len(TechContract.objects.get(pk=c.pk).title) == 200


def test_a_number_already_registered_is_refused(registrar):
    services.register_contract(scope=scope_for(registrar), values=body(), today=TODAY)
    with pytest.raises(ContractError) as info:
        services.register_contract(scope=scope_for(registrar), values=body(title="另一份"), today=TODAY)
    assert info.value.faults == {"number": "该合同登记号已登记"}
    assert str(info.value) == "number：该合同登记号已登记"
    assert TechContract.objects.get().title == "工业视觉检测算法委托开发"
    # with other faults, the number is named among them
    with pytest.raises(ContractError) as info:
        services.register_contract(scope=scope_for(registrar), values=body(technical_amount=2_000_000), today=TODAY)
    assert info.value.faults == {"technical_amount": "技术交易额大于合同成交额", "number": "该合同登记号已登记"}


def test_a_number_registered_meanwhile_is_refused_not_a_crash(registrar, monkeypatch):
    """The check passed, then someone else stored the number before this save (the unique index)."""
    services.register_contract(scope=scope_for(registrar), values=body(), today=TODAY)
    real = TechContract.objects.filter

    def stale(*args, **kwargs):  # the existence check does not see the contract stored meanwhile
        qs = real(*args, **kwargs)
        return qs.none() if "number" in kwargs else qs

    monkeypatch.setattr(TechContract.objects, "filter", stale)
    with pytest.raises(ContractError) as info:
        services.register_contract(scope=scope_for(registrar), values=body(title="另一份"), today=TODAY)
    monkeypatch.undo()
    assert info.value.faults == {"number": "该合同登记号已登记"}
    assert TechContract.objects.get().title == "工业视觉检测算法委托开发"
