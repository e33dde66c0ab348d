"""The checks one technology contract must pass (pure Python): used by the model, forms and import.

- category and sub-kind form a valid pair (:mod:`.categories`);
- both parties' 统一社会信用代码 are valid (GB 32100-2015, :mod:`keqi.policy.uscc`); a party may be
  outside Chongqing, so the region code is not checked against the city;
- 登记日期 ≥ 签订日期, and neither is in the future;
- 合同成交额 ≥ 技术交易额 ≥ 0 (integer yuan). The difference is the non-technical part (设备、
  仪器、零部件、原材料等非技术性费用; 2001 规则 第五十一/五十二条, criteria.md §4.3).
"""

from __future__ import annotations

import datetime as dt

from keqi.policy.uscc import normalise, uscc_faults

from .categories import pair_fault


def contract_faults(
    *,
    category: str | None,
    sub_kind: str | None,
    seller_uscc: str | None,
    buyer_uscc: str | None,
    signed_on: dt.date | None,
    registered_on: dt.date | None,
    contract_amount: int | None,
    technical_amount: int | None,
    today: dt.date,
) -> dict[str, str]:
    """Field name → reason (Chinese) for every rule broken; empty when the contract is valid."""
    faults: dict[str, str] = {}
    if (reason := pair_fault(category, sub_kind)) is not None:
        faults["sub_kind" if category and "未知" not in reason else "category"] = reason
    for name, code in (("seller_uscc", seller_uscc), ("buyer_uscc", buyer_uscc)):
        found = uscc_faults(normalise(code or ""))
        if found:
            faults[name] = "；".join(f.message for f in found)
    if seller_uscc and buyer_uscc and normalise(seller_uscc) == normalise(buyer_uscc):
        faults["buyer_uscc"] = "买方与卖方是同一单位"
    if signed_on and signed_on > today:
        faults["signed_on"] = "签订日期晚于今天"
    if registered_on and registered_on > today:
        faults["registered_on"] = "登记日期晚于今天"
    elif signed_on and registered_on and registered_on < signed_on:
        faults["registered_on"] = f"登记日期早于签订日期（{signed_on:%Y-%m-%d}）"
    for name, amount in (("contract_amount", contract_amount), ("technical_amount", technical_amount)):
        if amount is not None and amount < 0:
            faults[name] = "不能为负数"
    if contract_amount is not None and technical_amount is not None and technical_amount > contract_amount:
        faults["technical_amount"] = "技术交易额大于合同成交额"
    return faults
