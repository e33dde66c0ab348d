"""中小企业划型: sme-size-2011 (《中小企业划型标准规定》, 工信部联企业〔2011〕300号), and 划型 as the entry
condition of the SME tiers."""

from __future__ import annotations

from datetime import date

import pytest

from keqi.policy.editions import get, resolve
from keqi.policy.editions.sme_size_2011 import DEFAULT_LIMITS, INDUSTRIES
from tests.policy.tiers_helpers import judge, passed, strong_firm, variant, y1

ED = "sme-size-2011"
TIERS = ("innovative-sme-2022", "srdi-2022", "srdi-2026", "little-giant-2022", "little-giant-2026")


def firm(code, staff=None, revenue=None, assets=None):
    def change(p):
        p.update(industry_code=code, staff_total=staff, tech_staff=None, rd_staff=None, senior_tech_staff=None)
        y1(p).update(revenue=revenue, total_assets=assets, main_revenue=None, rd_expense=None, net_assets=None,
                     net_profit=None)

    return variant(strong_firm(), change)


def test_in_force_since_2011_and_every_limit_is_a_non_official_setting():
    assert resolve("sme-size", on=date(2026, 5, 10)).id == ED
    (setting,) = get(ED).settings
    assert setting.key == "size_limits" and not setting.official and setting.status == "UNCONFIRMED"
    assert get(ED).in_force_source.status == "UNCONFIRMED"


@pytest.mark.parametrize(
    ("code", "staff", "revenue", "assets", "industry", "verdict"),
    [
        ("C3981", 999, 5_000_000_000, None, "工业", "eligible"),  # staff below 1000 is enough
        ("C3981", 1000, 400_000_000, None, "工业", "ineligible"),  # at both limits: large
        ("C3981", 1000, 399_999_999, None, "工业", "eligible"),
        ("C3981", 1001, None, None, "工业", "uncertain"),  # revenue unknown
        ("3981", 5000, 5_000_000_000, None, "工业", "ineligible"),
        ("A0111", 5000, 199_999_999, None, "农、林、牧、渔业", "eligible"),
        ("A0111", 1, 200_000_000, None, "农、林、牧、渔业", "ineligible"),  # staff not an indicator
        ("E4710", 5000, 800_000_000, 799_999_999, "建筑业", "eligible"),
        ("E4710", 5000, 800_000_000, 800_000_000, "建筑业", "ineligible"),
        ("F5110", 200, 400_000_000, None, "批发业", "ineligible"),
        ("F5110", 199, 400_000_000, None, "批发业", "eligible"),
        ("F5210", 300, 200_000_000, None, "零售业", "ineligible"),
        ("G5310", 299, None, None, "其他未列明行业", "eligible"),  # 铁路运输业 is not 交通运输业
        ("G5310", 300, None, None, "其他未列明行业", "ineligible"),
        ("G5411", 1000, 300_000_000, None, "交通运输业（不含铁路运输业）", "ineligible"),
        ("G5911", 199, 999_999_999, None, "仓储业", "eligible"),
        ("G6010", 1000, 299_999_999, None, "邮政业", "eligible"),
        ("H6110", 300, 100_000_000, None, "住宿业", "ineligible"),
        ("H6210", 299, 100_000_000, None, "餐饮业", "eligible"),
        ("I6311", 2000, 1_000_000_000, None, "信息传输业", "ineligible"),
        ("I6311", 1999, 1_000_000_000, None, "信息传输业", "eligible"),
        ("I6513", 300, 100_000_000, None, "软件和信息技术服务业", "ineligible"),
        ("I6513", 300, 99_999_999, None, "软件和信息技术服务业", "eligible"),
        ("K7010", 9000, 2_000_000_000, 100_000_000, "房地产开发经营", "ineligible"),
        ("K7010", 9000, 2_000_000_000, 99_999_999, "房地产开发经营", "eligible"),
        ("K7020", 1000, 50_000_000, None, "物业管理", "ineligible"),
        ("K7020", 1000, 49_999_999, None, "物业管理", "eligible"),
        ("L7211", 300, 9, 1_200_000_000, "租赁和商务服务业", "ineligible"),
        ("L7211", 300, 9, 1_199_999_999, "租赁和商务服务业", "eligible"),
        ("M7310", 300, 1, 1, "其他未列明行业", "ineligible"),
        (None, 1, 1, 1, None, "uncertain"),
    ],
)
def test_each_industry_by_its_own_indicators(code, staff, revenue, assets, industry, verdict):
    (v,) = judge(ED, [firm(code, staff, revenue, assets)])
    assert (v["size_industry"], v["verdict"]) == (industry, verdict)


def test_every_industry_has_its_limits():
    for key, (_name, _codes, indicators) in INDUSTRIES.items():
        assert all(f"{key}.{i}" in DEFAULT_LIMITS for i in indicators)


def test_a_large_firm_with_a_hnte_certificate_is_not_an_innovative_sme():
    big = variant(firm("C3981", 5000, 5_000_000_000), lambda p: p["direct"].update(hnte_certificate_valid=True))
    from keqi.policy import evaluate

    vs = evaluate([big], "innovative-sme-2022")
    assert vs[0]["verdict"] == "ineligible" and passed(vs[0], "sme_size") is False
    note = [g["note"] for g in vs[0]["gaps"] if g["criterion"] == "sme_size"]
    assert note and "大型企业" in note[0]


@pytest.mark.parametrize("edition", TIERS)
def test_every_sme_tier_needs_the_firm_to_be_an_sme(edition):
    (small,) = judge(edition, [strong_firm()])
    (big,) = judge(edition, [firm("C3981", 5000, 5_000_000_000)])
    assert passed(small, "sme_size") is True
    assert passed(big, "sme_size") is False and big["verdict"] == "ineligible"


def test_the_bureau_can_set_the_limits():
    limits = dict(DEFAULT_LIMITS) | {"industrial.staff": 6000}
    (v,) = judge(ED, [firm("C3981", 5000, 5_000_000_000)], {"size_limits": limits})
    assert v["verdict"] == "eligible"
