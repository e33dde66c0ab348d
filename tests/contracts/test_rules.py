"""The rules one contract must pass: category/sub-kind pairs, parties, dates and amounts."""

import datetime as dt
import random

import pytest

from keqi.contracts.categories import CATEGORIES, pair_fault
from keqi.contracts.rules import contract_faults
from keqi.policy.uscc import make_uscc

TODAY = dt.date(2025, 6, 30)
RNG = random.Random(1)
SELLER = make_uscc(RNG, region="500112")
BUYER = make_uscc(RNG, region="440300")  # a Shenzhen firm: parties may be outside Chongqing


def faults(**changes):
    values = dict(category="技术开发", sub_kind="委托开发", seller_uscc=SELLER, buyer_uscc=BUYER,
                  signed_on=dt.date(2025, 3, 1), registered_on=dt.date(2025, 3, 10),
                  contract_amount=1_000_000, technical_amount=800_000, today=TODAY)
    values.update(changes)
    return contract_faults(**values)


def test_a_valid_contract_with_a_party_outside_chongqing_has_no_fault():
    assert faults() == {}


@pytest.mark.parametrize("category,sub_kind", [(c, s) for c, subs in CATEGORIES.items() for s in subs])
def test_every_listed_pair_is_valid(category, sub_kind):
    assert pair_fault(category, sub_kind) is None


def test_five_categories_with_training_and_brokerage_under_service():
    assert list(CATEGORIES) == ["技术开发", "技术转让", "技术许可", "技术咨询", "技术服务"]
    assert {"技术培训", "技术中介"} <= set(CATEGORIES["技术服务"])
    assert {"专利实施许可（独占）", "专利实施许可（排他）", "专利实施许可（普通）"} <= set(CATEGORIES["技术许可"])


def test_a_sub_kind_of_another_category_is_refused():
    assert "不是技术开发合同的子类" in faults(sub_kind="专利权转让")["sub_kind"]
    assert "未知的合同类别" in faults(category="技术买卖")["category"]


def test_technical_amount_may_equal_but_not_exceed_the_contract_amount():
    assert faults(technical_amount=1_000_000) == {}
    assert faults(technical_amount=1_000_001) == {"technical_amount": "技术交易额大于合同成交额"}
    assert faults(technical_amount=-1)["technical_amount"] == "不能为负数"


def test_dates_registered_not_before_signed_and_not_in_the_future():
    assert faults(registered_on=dt.date(2025, 3, 1)) == {}
    assert "早于签订日期" in faults(registered_on=dt.date(2025, 2, 28))["registered_on"]
    assert faults(registered_on=dt.date(2025, 7, 1))["registered_on"] == "登记日期晚于今天"
    assert faults(signed_on=dt.date(2025, 7, 1), registered_on=dt.date(2025, 7, 2))["signed_on"] == "签订日期晚于今天"


def test_party_codes_are_checked_and_must_differ():
    broken = SELLER[:-1] + ("0" if SELLER[-1] != "0" else "1")
    assert "seller_uscc" in faults(seller_uscc=broken)
    assert faults(buyer_uscc=SELLER) == {"buyer_uscc": "买方与卖方是同一单位"}


def test_the_model_refuses_what_the_rules_refuse(db):
    from django.core.exceptions import ValidationError

    from keqi.contracts.models import TechContract
    from keqi.registry.models import ReportingUnit

    c = TechContract(number="X1", title="t", category="技术咨询", sub_kind="委托开发", seller_uscc=SELLER,
                     seller_name="a", buyer_uscc=BUYER, buyer_name="b", signed_on=dt.date(2024, 1, 2),
                     registered_on=dt.date(2024, 1, 3), contract_amount=10, technical_amount=11,
                     reporting_unit=ReportingUnit.objects.get(name="渝北区"))
    with pytest.raises(ValidationError) as info:
        c.full_clean()
    assert set(info.value.message_dict) >= {"sub_kind", "technical_amount"}
