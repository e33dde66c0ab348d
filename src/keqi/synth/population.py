"""A synthetic population of Chongqing enterprises in the exchange format (``keqi synth``).

``generate(firms, seed)`` draws a reproducible population: one annual-report row per firm and fiscal
year (columns = every field of :data:`~keqi.registry.columns.REPORT_COLUMNS`) and one row per
qualification held (:data:`~keqi.registry.columns.QUALIFICATION_COLUMNS`). ``write`` stores it as
xlsx, csv or parquet through :mod:`keqi.registry.workbook`, so the file is exactly what a district
officer would upload.

Every distribution and its calibration is documented in ``docs/synth.md``. In short: firms are
spread over the reporting units by the 2027 zone targets of the "双倍增" plan (渝府办发〔2023〕26号);
each firm belongs to a latent class (ordinary / technology / research-intensive) whose odds depend
on its zone; sizes are lognormal; the class shapes the technology-staff, R&D, high-tech-revenue and
IP figures. The class odds are tuned so that, in a population of 150,000, the shares of firms whose
figures meet the 高新技术企业 and 重庆市科技型企业 conditions match the 2022 base (6,348 and 42,989).

Pure Python + numpy + polars: no Django. Deterministic: everything is drawn from one
``numpy.random.Generator(PCG64(seed))`` in a fixed order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from keqi.policy.flat import FINANCIAL_FIELDS
from keqi.policy.uscc import CHARSET, ORG_CHARSET
from keqi.registry import units as unitsmod
from keqi.registry.columns import (
    QUALIFICATION_COLUMNS,
    QUALIFICATION_KINDS,
    QUALIFICATION_SHEET,
    REPORT_COLUMNS,
    REPORT_SHEET,
)
from keqi.registry.workbook import fields_to_display, write_tables

# --- calibration targets (../shared/reference/chongqing.md §1 and §6) --------------------------------

#: 2022 base, the year the plan doubles from: 高新技术企业 and 重庆市科技型企业 counts.
HNTE_BASE_2022 = 6348
CQ_TECH_BASE_2022 = 42989
#: The population size the calibration is stated for.
CALIBRATION_FIRMS = 150_000

#: The plan's three zones ("一区两群" collapsed to the plan's regional split).
PLAN_ZONES = ("中心城区", "主城新区", "两群")
#: 2027 targets per plan zone: (高新技术企业, 科技型企业).
ZONE_TARGETS_2027 = {"中心城区": (7110, 46560), "主城新区": (4640, 29780), "两群": (1060, 9720)}

# Weights of the reporting units inside their plan zone (percent of the zone's firms). Where a unit
# published a 2027 科技型企业 target, its weight is that target's share of the zone's target:
# 西部科学城重庆高新区 4500/46560 ≈ 9.7, 北碚区 5600/46560 ≈ 12.0, 荣昌区 2500/29780 ≈ 8.4. The rest
# are judgement calls documented in docs/synth.md (central districts and 两江新区 heavier, the
# reservoir and mountain counties lighter, 万盛经开区 small).
UNIT_WEIGHTS = {
    # 中心城区 (with the two functional zones that lie in it)
    "两江新区": 16.0,
    "北碚区": 12.0,
    "渝北区": 11.0,
    "九龙坡区": 10.0,
    "西部科学城重庆高新区": 9.7,
    "沙坪坝区": 8.5,
    "南岸区": 8.5,
    "巴南区": 8.0,
    "江北区": 7.5,
    "大渡口区": 4.8,
    "渝中区": 4.0,
    # 主城新区 (with 万盛经开区, which lies in 綦江区)
    "江津区": 11.0,
    "永川区": 11.0,
    "涪陵区": 10.0,
    "璧山区": 10.0,
    "合川区": 9.0,
    "荣昌区": 8.4,
    "长寿区": 8.0,
    "大足区": 7.0,
    "铜梁区": 7.0,
    "綦江区": 6.0,
    "潼南区": 5.0,
    "南川区": 4.6,
    "万盛经开区": 3.0,
    # "两群": 渝东北三峡库区城镇群 + 渝东南武陵山区城镇群
    "万州区": 22.0,
    "开州区": 10.0,
    "黔江区": 7.0,
    "梁平区": 7.0,
    "垫江县": 6.0,
    "云阳县": 6.0,
    "丰都县": 5.0,
    "忠县": 5.0,
    "奉节县": 5.0,
    "巫山县": 4.0,
    "武隆区": 4.0,
    "秀山土家族苗族自治县": 4.0,
    "酉阳土家族苗族自治县": 4.0,
    "彭水苗族土家族自治县": 4.0,
    "石柱土家族自治县": 3.0,
    "城口县": 2.0,
    "巫溪县": 2.0,
}

#: Functional zones: the plan zone they count in and the GB/T 2260 code used as the USCC region
#: (the host district; the zones have no code of their own).
FUNCTIONAL_ZONES = {
    "两江新区": ("中心城区", "500112"),  # mostly in 渝北区
    "西部科学城重庆高新区": ("中心城区", "500107"),  # the original 高新区 lies in 九龙坡区
    "万盛经开区": ("主城新区", "500110"),  # inside 綦江区
}
#: Share of firms registered by the municipal authority (region code 500000) instead of the unit's.
MUNICIPAL_REGISTRATION_SHARE = 0.05

# Latent class odds per plan zone: (research-intensive, technology). Tuned (docs/synth.md) so that
# the shares meeting the 高企 / 科技型 conditions match the 2022 base and the zone split of the 2027
# 高企 targets (the "两群" firms are less research-intensive).
CLASS_ODDS = {"中心城区": (0.0650, 0.2222), "主城新区": (0.0680, 0.2176), "两群": (0.0430, 0.2434)}
ORDINARY, TECH, RESEARCH = 0, 1, 2

# hitech_field shares: 2021 Q1 registry of 重庆市科技型企业 (chongqing.md §2) gives the top three;
# the split of the remaining 47.09% is not published and is a documented assumption.
FIELD_SHARES = {
    "电子信息": 20.32,
    "先进制造与自动化": 18.20,
    "高技术服务": 14.39,
    "新材料": 13.00,
    "生物与新医药": 12.00,
    "资源与环境": 10.09,
    "新能源与节能": 9.00,
    "航空航天": 3.00,
}

# Plausible GB/T 4754-2017 classes (section letter + 4-digit class) per field, and for firms
# without a technology field.
INDUSTRY_CODES = {
    "电子信息": ("I6513", "I6511", "I6520", "I6531", "I6550", "C3921", "C3973", "C3982"),
    "生物与新医药": ("C2720", "C2761", "C2770", "C3581", "M7340"),
    "航空航天": ("C3741", "C3744", "C3749"),
    "新材料": ("C2669", "C3240", "C3091", "C3985"),
    "高技术服务": ("M7320", "M7452", "M7520", "M7519", "I6560"),
    "新能源与节能": ("C3841", "C3825", "C3849", "M7514"),
    "资源与环境": ("N7721", "N7722", "C3591", "M7461"),
    "先进制造与自动化": ("C3491", "C3670", "C4011", "C3311"),
    None: ("E4790", "F5199", "F5212", "H6210", "G5431", "K7020", "L7212", "C3311", "C3670", "F5174"),
}

# Words that follow the trade name (字号) in a company name, per field.
NAME_WORDS = {
    "电子信息": ("电子科技", "信息技术", "软件", "网络科技", "微电子", "数据科技"),
    "生物与新医药": ("生物科技", "医药科技", "生物技术", "医疗器械", "制药"),
    "航空航天": ("航空科技", "航天技术", "无人机科技", "航空装备"),
    "新材料": ("新材料科技", "材料科技", "复合材料", "新材料"),
    "高技术服务": ("科技服务", "检测技术", "技术咨询", "科技发展", "数字科技"),
    "新能源与节能": ("新能源科技", "节能科技", "能源技术", "电池科技"),
    "资源与环境": ("环保科技", "环境工程", "水务科技", "生态科技"),
    "先进制造与自动化": ("智能装备", "机械制造", "自动化设备", "汽车零部件", "精密机械", "智能科技"),
    None: ("商贸", "餐饮管理", "建筑工程", "物流", "农业开发", "文化传媒", "物业管理", "实业", "贸易"),
}
# Characters for trade names (字号); an original selection of common auspicious characters.
TRADE_CHARS = (
    "华新博瑞创达恒泰宏盛源智云天鑫诚信德汇联睿锐思远航星辰昊海峰嘉禾川渝巴山江城金铭晟昌隆兴旺"
    "佳安康宁顺和美正元中坤乾朗明光辉腾飞翔鹏龙凤麟祥福融通易捷迅畅驰骏卓越优品尚雅致诺亿万众合"
    "力同心精微纳芯蓝青绿峻岚景晨曦煜灿铂钧锦程启航远舟帆硕达弘毅勤益丰沃润泽霖"
)

# --- integrity, direct route, missing data --------------------------------------------------------

#: Per-firm rates of integrity flags (all classes).
FLAG_RATES = {
    "flag_abnormal_operation": 0.012,
    "flag_credit_blacklisted": 0.0025,
    "flag_major_incident": 0.0015,
    "flag_research_misconduct": 0.0005,
    "flag_prohibited_industry": 0.003,
}
#: Direct-route booleans per class (ordinary, technology, research-intensive).
DIRECT_RATES = {
    "direct_national_award_top3": (0.0, 0.0002, 0.003),
    "direct_provincial_rd_institution": (0.0002, 0.008, 0.06),
    "direct_led_standard": (0.0001, 0.003, 0.02),
}
#: Optional cells left empty, as in real returns (rate per cell).
MISSING_RATES = {
    "hitech_field": 0.02,
    "industry_code": 0.03,
    "status": 0.02,
    "senior_tech_staff": 0.02,
    "rd_expense_domestic": 0.03,
    "cost_total": 0.02,
    "total_assets": 0.01,
    "net_assets": 0.01,
    "ip_self_developed": 0.02,
    "conversions_3y": 0.02,
    "rd_accounting": 0.03,
    "rd_institution": 0.03,
    "conversion_incentives": 0.03,
    "talent_development": 0.03,
    "standards_participation": 0.03,
}
#: Firms whose valuation and financing are reported (venture-backed fast growers), per 150,000.
VENTURE_FIRMS_PER_150K = 260

SYNTH_SOURCE = "合成数据"  # (what a user reads in the 来源 column: no command names)

MONEY_FIELDS = tuple(c.field for c in REPORT_COLUMNS if c.kind in ("money", "usd"))
COUNT_FIELDS = tuple(c.field for c in REPORT_COLUMNS if c.kind == "count")
BOOL_FIELDS = tuple(c.field for c in REPORT_COLUMNS if c.kind == "bool")


@dataclass(frozen=True)
class Population:
    """Two frames keyed by field names: annual reports and qualifications held."""

    reports: pl.DataFrame
    qualifications: pl.DataFrame
    as_of: date

    @property
    def firms(self) -> int:
        return self.reports.get_column("uscc").n_unique()


def default_as_of(last_year: int) -> date:
    """Assessment day when none is given: mid-year after the last fiscal year (returns are filed)."""
    return date(last_year + 1, 6, 30)


def plan_zone(unit: unitsmod.Unit) -> str:
    """The plan zone (中心城区 / 主城新区 / 两群) a reporting unit counts in."""
    if unit.name in FUNCTIONAL_ZONES:
        return FUNCTIONAL_ZONES[unit.name][0]
    if unit.zone in (unitsmod.CENTRAL, unitsmod.NEW_MAIN):
        return unit.zone
    return "两群"


def _unit_table() -> tuple[list[unitsmod.Unit], np.ndarray, np.ndarray, list[str]]:
    """Units with a weight, their overall probability, plan-zone index and USCC region codes."""
    units = [u for u in unitsmod.load_units() if u.name in UNIT_WEIGHTS]
    missing = set(UNIT_WEIGHTS) - {u.name for u in units}
    if missing:
        raise ValueError(f"unknown reporting units in UNIT_WEIGHTS: {sorted(missing)}")
    zone_idx = np.array([PLAN_ZONES.index(plan_zone(u)) for u in units])
    zone_share = np.array([ZONE_TARGETS_2027[z][1] for z in PLAN_ZONES], dtype=float)
    zone_share /= zone_share.sum()
    weights = np.array([UNIT_WEIGHTS[u.name] for u in units], dtype=float)
    prob = np.empty(len(units))
    for z in range(len(PLAN_ZONES)):
        inside = zone_idx == z
        prob[inside] = zone_share[z] * weights[inside] / weights[inside].sum()
    regions = [u.code if u.code else FUNCTIONAL_ZONES[u.name][1] for u in units]
    return units, prob, zone_idx, regions


# --- USCC and names --------------------------------------------------------------------------------

_CH_TO_ORG = np.array([ORG_CHARSET.index(c) for c in CHARSET])
_ORG_W = np.array([3, 7, 9, 10, 5, 8, 4, 2])
_USCC_W = np.array([pow(3, i, 31) for i in range(17)])
_CHARSET_ARR = np.array(list(CHARSET), dtype="<U1")


def _uscc_codes(rng: np.random.Generator, regions: np.ndarray, new_style: np.ndarray) -> np.ndarray:
    """Valid, unique 统一社会信用代码: 9 (市场监管) 1 (企业) + region + organisation code + check.

    Firms registered since the 2015 reform get organisation codes starting ``MA``; older ones a
    numeric body, like the converted legacy 组织机构代码.
    """
    n = len(regions)
    body = np.empty((n, 8), dtype=np.int64)  # CHARSET indices

    def draw(rows: np.ndarray) -> None:
        k = len(rows)
        digits = rng.integers(0, 10, size=(k, 8))
        free = rng.integers(0, 31, size=(k, 6))
        new = new_style[rows]
        body[rows] = digits
        body[rows[new], 0] = CHARSET.index("M")
        body[rows[new], 1] = CHARSET.index("A")
        body[rows[new], 2:] = free[new]

    def assemble() -> np.ndarray:
        org_sum = (_CH_TO_ORG[body] * _ORG_W).sum(axis=1)
        r = 11 - org_sum % 11
        org_check = np.where(r == 10, CHARSET.index("X"), np.where(r == 11, 0, r))
        region_digits = np.array([[int(ch) for ch in reg] for reg in regions_unique])[region_pos]
        first17 = np.concatenate(
            [np.full((n, 1), 9), np.full((n, 1), 1), region_digits, body, org_check[:, None]], axis=1
        )
        check = (31 - (first17 * _USCC_W).sum(axis=1) % 31) % 31
        chars = _CHARSET_ARR[np.concatenate([first17, check[:, None]], axis=1)]
        return np.ascontiguousarray(chars).view("<U18").reshape(n).astype(object)

    regions_unique, region_pos = np.unique(regions, return_inverse=True)
    draw(np.arange(n))
    codes = assemble()
    while True:
        _, first, counts = np.unique(codes.astype(str), return_index=True, return_counts=True)
        seen = np.zeros(n, dtype=bool)
        seen[first] = True
        dup = np.flatnonzero(~seen)
        if len(dup) == 0 and (counts == 1).all():
            return codes
        draw(dup)
        codes = assemble()


def _company_names(rng: np.random.Generator, fields: np.ndarray, large: np.ndarray) -> np.ndarray:
    """Unique names such as 重庆瑞航电子科技有限公司: city + 字号 (2–3 characters) + trade word + form."""
    n = len(fields)
    trade_chars = np.array(list(TRADE_CHARS))
    city = np.where(rng.random(n) < 0.1, "重庆市", "重庆")
    roll = rng.random(n)
    form = np.where(large & (roll < 0.3), "股份有限公司", np.where(roll < 0.12, "有限责任公司", "有限公司"))
    pick = rng.random(n)
    word = np.empty(n, dtype=object)
    for f, words in NAME_WORDS.items():
        inside = np.array([x == f for x in fields]) if f is None else fields == f
        word[inside] = np.array(words, dtype=object)[(pick[inside] * len(words)).astype(int)]
    length = np.where(rng.random(n) < 0.15, 3, 2)
    names = np.empty(n, dtype=object)
    todo = np.arange(n)
    while len(todo):
        k = len(todo)
        chars = trade_chars[rng.integers(0, len(trade_chars), size=(k, 4))]
        chars[:, 3] = np.where(length[todo] >= 4, chars[:, 3], "")
        chars[:, 2] = np.where(length[todo] >= 3, chars[:, 2], "")
        trade = chars[:, 0] + chars[:, 1] + chars[:, 2] + chars[:, 3]
        names[todo] = city[todo] + trade + word[todo].astype(str) + form[todo]
        clash = pl.Series(names.astype(str)).is_first_distinct().not_().to_numpy()
        todo = np.flatnonzero(clash)
        length[todo] = np.minimum(length[todo] + 1, 4)  # a clash retries with a longer 字号
    return names


# --- the generator ---------------------------------------------------------------------------------


def _lognormal(
    rng: np.random.Generator, median: np.ndarray | float, sigma: np.ndarray | float, size
) -> np.ndarray:
    return np.exp(np.log(median) + sigma * rng.standard_normal(size))


def generate(
    firms: int,
    seed: int,
    years: int = 3,
    last_year: int = 2025,
    as_of: date | None = None,
) -> Population:
    """A synthetic population of ``firms`` enterprises with ``years`` fiscal years up to ``last_year``.

    A firm only reports for fiscal years from its registration year on. ``as_of`` (the assessment
    day, default 30 June after ``last_year``) fixes firm ages and the qualifications valid on it.
    """
    if firms < 1:
        raise ValueError("firms must be at least 1")
    if years < 1:
        raise ValueError("years must be at least 1")
    as_of = as_of or default_as_of(last_year)
    if as_of <= date(last_year, 12, 31):
        raise ValueError("as_of must fall after the last fiscal year")
    rng = np.random.Generator(np.random.PCG64(seed))
    n, y = firms, years
    fiscal_years = np.arange(last_year - y + 1, last_year + 1)

    # -- where: plan zone and reporting unit
    units, unit_prob, unit_zone, unit_regions = _unit_table()
    unit = rng.choice(len(units), size=n, p=unit_prob)
    zone = unit_zone[unit]
    region = np.array(unit_regions, dtype=object)[unit]
    region = np.where(rng.random(n) < MUNICIPAL_REGISTRATION_SHARE, "500000", region)

    # -- latent class by zone
    odds = np.array([CLASS_ODDS[z] for z in PLAN_ZONES])
    u = rng.random(n)
    p_research, p_tech = odds[zone, 0], odds[zone, 1]
    klass = np.where(u < p_research, RESEARCH, np.where(u < p_research + p_tech, TECH, ORDINARY))
    is_r, is_t, is_o = klass == RESEARCH, klass == TECH, klass == ORDINARY

    def by_class(ordinary, tech, research):
        return np.select([is_o, is_t, is_r], [ordinary, tech, research])

    # -- age: years before the end of the last fiscal year, exponential (many young firms)
    year_end = np.datetime64(date(last_year, 12, 31), "D")
    age_years = np.minimum(rng.exponential(by_class(6.0, 6.5, 7.5)), 32.0)
    registered_on = year_end - np.round(age_years * 365.25).astype("timedelta64[D]")
    reg_year = registered_on.astype("datetime64[Y]").astype(int) + 1970
    active = fiscal_years[None, :] >= reg_year[:, None]  # (n, y): the firm existed that year
    # share of the registration year the firm operated (scales that year's flows)
    day_of_year = (registered_on - registered_on.astype("datetime64[Y]")).astype(int)
    first_year_part = np.clip(1 - day_of_year / 365.0, 0.05, 1.0)
    operated = np.where(fiscal_years[None, :] == reg_year[:, None], first_year_part[:, None], 1.0)

    # -- hitech field and industry
    field_names = list(FIELD_SHARES)
    field_p = np.array(list(FIELD_SHARES.values()))
    field_p /= field_p.sum()
    field_idx = rng.choice(len(field_names), size=n, p=field_p)
    has_field = ~is_o | (rng.random(n) < 0.04)  # a few ordinary firms name a field too
    fields = np.array([field_names[i] for i in field_idx], dtype=object)
    fields = np.where(has_field, fields, None)
    ind_roll = rng.random(n)
    industry = np.array(
        [INDUSTRY_CODES[f][int(r * len(INDUSTRY_CODES[f]))] for f, r in zip(fields, ind_roll, strict=True)],
        dtype=object,
    )

    # -- staff: lognormal, last fiscal year; earlier years follow the firm's growth
    staff_last = np.maximum(
        1, np.round(_lognormal(rng, by_class(5.0, 12.0, 22.0), by_class(1.1, 1.0, 1.0), n))
    )
    # a Pareto tail of large employers (0.3 % of firms, from 300 staff up)
    big = rng.random(n) < 0.003
    staff_last = np.where(big, np.round(300 * (1 + rng.pareto(1.1, n))), staff_last)
    staff_last = np.minimum(staff_last, 30000)

    # -- growth: a firm-level trend plus yearly noise; young and research firms grow faster
    trend = rng.normal(by_class(0.03, 0.08, 0.12), 0.16) + np.where(age_years < 5, 0.08, 0.0)
    noise = rng.normal(0.0, 0.12, size=(n, y))
    steps = trend[:, None] + noise  # log growth into year j from year j-1
    # log level relative to the last year: 0 for the last year, -(sum of later steps) before
    rel = -np.concatenate([np.cumsum(steps[:, :0:-1], axis=1)[:, ::-1], np.zeros((n, 1))], axis=1)
    staff = np.maximum(1, np.round(staff_last[:, None] * np.exp(0.5 * rel)))

    # -- technology staff ratio and senior staff
    ratio_last = np.select(
        [is_o, is_t, is_r],
        [
            np.where(rng.random(n) < 0.9, 0.0, rng.beta(1.2, 30.0, n)),
            rng.beta(2.2, 8.0, n),
            rng.beta(3.0, 4.0, n),
        ],
    )
    ratio = np.clip(ratio_last[:, None] * np.exp(rng.normal(0, 0.08, size=(n, y))), 0, 1)
    tech = np.minimum(staff, np.round(staff * ratio))
    # technology firms have at least one technology employee
    tech = np.where((~is_o)[:, None], np.maximum(tech, 1), tech)
    senior_p = by_class(0.02, 0.06, 0.10)
    senior = rng.binomial(tech.astype(np.int64), senior_p[:, None])

    # -- revenue (yuan): staff × revenue per employee × growth path
    per_staff = _lognormal(rng, by_class(350_000.0, 380_000.0, 450_000.0), 0.85, n)
    revenue = staff_last[:, None] * per_staff[:, None] * np.exp(rel) * operated
    zero_rev = (rng.random((n, y)) < 0.015) | (
        (fiscal_years[None, :] == reg_year[:, None]) & (rng.random((n, y)) < 0.3)
    )
    revenue = np.where(zero_rev, 0.0, np.round(revenue))

    # -- R&D expense: a ratio to revenue by class; pre-revenue technology firms still spend
    rd_ratio_firm = np.select(
        [is_o, is_t, is_r],
        [
            np.where(rng.random(n) < 0.8, 0.0, _lognormal(rng, 0.008, 0.6, n)),
            _lognormal(rng, 0.028, 0.75, n),
            _lognormal(rng, 0.075, 0.5, n),
        ],
    )
    rd_ratio = np.clip(rd_ratio_firm[:, None] * np.exp(rng.normal(0, 0.15, size=(n, y))), 0, 0.8)
    rd = np.round(revenue * rd_ratio)
    prerev_rd = np.round(tech * _lognormal(rng, 120_000.0, 0.5, (n, y)) * operated)
    rd = np.where((revenue == 0) & (~is_o)[:, None], prerev_rd, rd)
    domestic_share = np.where(rng.random(n) < 0.96, 1.0, rng.uniform(0.3, 1.0, n))
    rd_domestic = np.round(rd * domestic_share[:, None])

    # -- costs: a ratio to revenue, never below the R&D spent plus a modest wage bill
    cost_ratio = np.clip(rng.normal(0.93, 0.1, size=(n, y)), 0.55, 1.6)
    wage_floor = staff * 60_000.0 * operated
    cost = np.round(np.maximum(revenue * cost_ratio, rd + np.where(revenue == 0, wage_floor, 0.0)))

    # -- high-tech revenue share
    hitech_share_firm = np.select(
        [is_o, is_t, is_r],
        [
            np.where(has_field & (rng.random(n) < 0.5), rng.beta(1.0, 4.0, n), 0.0),
            rng.beta(2.4, 3.2, n),
            rng.beta(6.0, 1.5, n),
        ],
    )
    hitech_share = np.clip(hitech_share_firm[:, None] + rng.normal(0, 0.04, size=(n, y)), 0, 1)
    hitech_share = np.where(hitech_share_firm[:, None] == 0, 0.0, hitech_share)
    hitech_revenue = np.minimum(revenue, np.round(revenue * hitech_share))

    # -- balance sheet: assets scale with revenue (so both grow together); equity ratio per firm
    turnover = _lognormal(rng, 1.0, 0.7, n)
    assets = revenue * turnover[:, None]
    assets = np.where(revenue == 0, staff * _lognormal(rng, 200_000.0, 0.6, n)[:, None], assets)
    assets = np.round(np.maximum(assets, 10_000.0))
    equity = np.clip(rng.normal(0.45, 0.25, n), -0.6, 0.95)
    equity_y = np.clip(equity[:, None] + rng.normal(0, 0.04, size=(n, y)), -0.8, 0.98)
    net_assets = np.round(assets * equity_y)

    # -- intellectual property (valid stock at year end) and conversions
    ip1_last = rng.poisson(by_class(0.01, 0.3, 1.2))
    ip2_last = rng.negative_binomial(1, 1.0 / (1.0 + by_class(0.05, 2.6, 7.0)))
    # the stock accumulates: each earlier year keeps a share of the next year's items
    keep = np.clip(np.exp(-0.6 * steps), 0, 1)
    ip1 = np.zeros((n, y), dtype=np.int64)
    ip2 = np.zeros((n, y), dtype=np.int64)
    ip1[:, -1], ip2[:, -1] = ip1_last, ip2_last
    for j in range(y - 2, -1, -1):
        ip1[:, j] = rng.binomial(ip1[:, j + 1], keep[:, j + 1])
        ip2[:, j] = rng.binomial(ip2[:, j + 1], keep[:, j + 1])
    ip_self = ((ip1 + ip2) > 0) & (rng.random(n) < 0.9)[:, None]
    conv_rate = by_class(0.02, 4.0, 14.0)  # expected conversions over three years
    conversions = rng.poisson(conv_rate[:, None] * np.clip(np.exp(0.3 * rel), 0, 1), size=(n, y))

    # -- integrity flags (per firm; a major incident is dated to one year)
    flags = {name: rng.random(n) < rate for name, rate in FLAG_RATES.items()}
    incident_year = rng.integers(0, y, n)
    flag_cols = {name: np.repeat(v[:, None], y, axis=1) for name, v in flags.items()}
    flag_cols["flag_major_incident"] = flags["flag_major_incident"][:, None] & (
        np.arange(y)[None, :] == incident_year[:, None]
    )
    # only years the firm existed carry a flag (so the eligibility below sees what the rows show)
    flag_cols = {name: v & active for name, v in flag_cols.items()}

    # -- direct route and R&D management (correlated with R&D intensity)
    direct = {
        name: np.repeat((rng.random(n) < by_class(*rates))[:, None], y, axis=1)
        for name, rates in DIRECT_RATES.items()
    }
    rd_level = 1 - np.exp(-rd_ratio_firm / 0.03)
    tech_level = np.clip(ratio_last / 0.3, 0, 1)
    conv_level = 1 - np.exp(-conv_rate / 6)
    mgmt_p = {
        "rd_accounting": 0.03 + 0.9 * rd_level,
        "rd_institution": 0.01 + 0.7 * rd_level * tech_level,
        "conversion_incentives": 0.01 + 0.8 * conv_level * rd_level,
        "talent_development": 0.08 + 0.7 * tech_level,
    }
    mgmt = {name: np.repeat((rng.random(n) < p)[:, None], y, axis=1) for name, p in mgmt_p.items()}
    standards = np.repeat((rng.random(n) < by_class(0.001, 0.02, 0.08))[:, None], y, axis=1)

    # -- valuation and financing (USD) for a few venture-backed fast growers
    venture = np.zeros(n, dtype=bool)
    candidates = np.flatnonzero(~is_o & (age_years <= 10))
    k = min(len(candidates), int(round(VENTURE_FIRMS_PER_150K * n / CALIBRATION_FIRMS)))
    if k:
        w = np.exp(3 * trend[candidates])
        venture[rng.choice(candidates, size=k, replace=False, p=w / w.sum())] = True
    valuation_last = _lognormal(rng, 20_000_000.0, 1.7, n)
    raised_part = rng.uniform(0.08, 0.3, n)
    val_growth = np.exp(0.8 * rel)
    valuation = np.where(venture[:, None], np.round(valuation_last[:, None] * val_growth), np.nan)
    financing = np.where(
        venture[:, None], np.round(valuation_last[:, None] * raised_part[:, None] * np.exp(0.5 * rel)), np.nan
    )

    # -- enterprise status
    status_roll = rng.random(n)
    status = np.select(
        [status_roll < 0.005, status_roll < 0.008, status_roll < 0.010], ["注销", "吊销", "迁出"], "存续"
    ).astype(object)

    # -- identity
    new_style = registered_on >= np.datetime64("2015-10-01")
    large = staff_last >= 300
    uscc = _uscc_codes(rng, region.astype(str), new_style)
    names = _company_names(rng, fields, large)

    # -- assemble the report rows (firm-major, year-minor), keeping only years the firm existed
    rows = active.ravel()
    firm_of_row = np.repeat(np.arange(n), y)[rows]

    def per_firm(a):
        return a[firm_of_row]

    def per_row(a):
        return a.ravel()[rows]

    unit_names = np.array([u.name for u in units], dtype=object)
    data: dict[str, object] = {
        "uscc": per_firm(uscc),
        "name": per_firm(names),
        "district": per_firm(unit_names[unit]),
        "registered_on": per_firm(registered_on),
        "hitech_field": per_firm(fields),
        "industry_code": per_firm(industry),
        "status": per_firm(status),
        "fiscal_year": per_row(np.repeat(fiscal_years[None, :], n, axis=0)),
        "staff_total": per_row(staff),
        "tech_staff": per_row(tech),
        "senior_tech_staff": per_row(senior),
        "revenue": per_row(revenue),
        "rd_expense": per_row(rd),
        "rd_expense_domestic": per_row(rd_domestic),
        "cost_total": per_row(cost),
        "total_assets": per_row(assets),
        "net_assets": per_row(net_assets),
        "hitech_revenue": per_row(hitech_revenue),
        "ip_class1": per_row(ip1),
        "ip_class2": per_row(ip2),
        "ip_self_developed": per_row(ip_self),
        "conversions_3y": per_row(conversions),
        **{name: per_row(v) for name, v in flag_cols.items()},
        **{name: per_row(v) for name, v in direct.items()},
        **{name: per_row(v) for name, v in mgmt.items()},
        "standards_participation": per_row(standards),
        "valuation_usd": per_row(valuation),
        "financing_usd": per_row(financing),
    }
    data |= {
        name: per_row(v)
        for name, v in _upper_rungs(seed, klass, staff, tech, revenue, ip1, industry, age_years).items()
    }
    reports = _report_frame(data, rng)

    qualifications = _qualifications(
        rng,
        as_of=as_of,
        uscc=uscc,
        registered_on=registered_on,
        klass=klass,
        eligible_hnte=_meets_hnte(
            as_of,
            registered_on,
            fields,
            staff,
            tech,
            revenue,
            rd,
            rd_domestic,
            hitech_revenue,
            ip1,
            ip2,
            flag_cols["flag_major_incident"],
            active,
        ),
        eligible_cq=_meets_cq(staff, tech, senior, flag_cols, active),
    )
    return Population(reports=reports, qualifications=qualifications, as_of=as_of)


def _upper_rungs(seed, klass, staff, tech, revenue, ip1, industry, age_years) -> dict[str, np.ndarray]:
    """Plausible upper-rung facts (专精特新, 小巨人, 科创属性), every array (firms × years).

    Drawn from their own random stream, so the rest of the population is the same as before they
    existed. Research-class firms with high R&D are the likeliest to hold niche positions, awards and
    patents; most officer-judged items stay unknown (NaN / None) for ordinary firms.
    """
    rng = np.random.Generator(np.random.PCG64([seed, 20260401]))
    n, y = revenue.shape
    is_r, is_t = klass == RESEARCH, klass == TECH
    innovative = is_r | is_t

    def firm(values) -> np.ndarray:
        return np.repeat(np.asarray(values)[:, None], y, axis=1)

    def maybe(p, values) -> np.ndarray:  # known for a share p of the firms, else NaN (numbers) / None (text)
        known = rng.random(n) < p
        values = np.asarray(values)
        if values.dtype.kind in "fiu":
            return firm(np.where(known, values.astype(float), np.nan))
        return firm(np.where(known, values.astype(object), None))

    def flag(p_firm) -> np.ndarray:
        return firm(rng.random(n) < p_firm)

    main_share = np.clip(rng.beta(8, 1.6, n), 0.3, 1.0)
    margin = rng.normal(0.07, 0.05, (n, y))
    out: dict[str, np.ndarray] = {
        "main_revenue": np.round(revenue * main_share[:, None]),
        "net_profit": np.where(revenue * margin > 0, np.round(revenue * margin), np.nan),  # a loss is not imported
        "equity_financing": np.where(rng.random((n, y)) < np.where(innovative, 0.06, 0.005)[:, None],
                                     np.round(_lognormal(rng, 8_000_000.0, 1.0, n)[:, None] * np.ones((1, y))), 0.0),
        "rd_staff": np.minimum(staff, np.round(tech * rng.uniform(0.3, 0.9, n)[:, None])),
        "sme_niche_years": maybe(0.6, np.floor(age_years * rng.uniform(0.5, 1.0, n))),
        "sme_market_share_pct": maybe(0.3, np.floor(rng.beta(1.2, 12, n) * 100)),
        "sme_market_rank": maybe(0.3, rng.integers(1, 60, n)),
        "sme_market_leading": flag(np.where(is_r, 0.25, np.where(is_t, 0.08, 0.01))),
        "sme_quality_score": maybe(0.2, np.clip(np.round(rng.normal(np.where(innovative, 55, 40), 12, n)), 0, 100)),
        "sme_rd_institution_level": maybe(
            0.5, rng.choice(["国家级", "省级", "市级", "市级以下", "无"], size=n, p=[0.01, 0.05, 0.12, 0.12, 0.70])
        ),
        "sme_chain_key_link": flag(np.where(is_r, 0.2, 0.03)),
        "sme_key_field": flag(np.where(innovative, 0.2, 0.05)),
        "sme_product_field": maybe(0.4, rng.choice(["补短板、锻长板、填空白", "工业六基等", "其他"], size=n, p=[0.1, 0.2, 0.7])),
        "sme_strategic_emerging": flag(np.where(innovative, 0.5, 0.1)),
        "sme_digital_level": maybe(0.4, rng.choice(["一级", "二级", "三级"], size=n, p=[0.5, 0.35, 0.15])),
        "sme_quality_items": maybe(0.4, rng.integers(0, 5, n)),
        "sme_local_points": maybe(0.3, rng.integers(0, 16, n)),
        "sme_quality_certified": flag(np.where(innovative, 0.6, 0.3)),
        "sme_own_brand": flag(np.where(innovative, 0.5, 0.3)),
        "sme_info_system": flag(0.6),
        "sme_innovation_honour": flag(np.where(is_r, 0.05, 0.005)),
        "sme_award_national_top3": flag(np.where(is_r, 0.01, 0.0005)),
        "sme_award_provincial_top3": flag(np.where(is_r, 0.05, 0.003)),
        "sme_award_any": flag(np.where(is_r, 0.08, 0.005)),
        "sme_chuangke": maybe(0.2, rng.choice(["全国50强", "全国500强", "未入围"], size=n, p=[0.002, 0.02, 0.978])),
        "sme_ip_class1_in_use": firm(ip1[:, -1] > 0) & flag(0.7),
        "sme_ip_class1_high_value": firm(rng.binomial(ip1[:, -1], 0.2)),
        "sme_rereview": flag(0.0),
        "star_invention_patents": firm(rng.binomial(ip1[:, -1], 0.8)),
        "star_software": firm(np.char.startswith(np.asarray(industry, dtype=str), "I65")),
        "star_revenue_exempt": flag(0.0),
        "star_leading_tech": flag(np.where(is_r, 0.005, 0.0)),
        "star_national_award": flag(np.where(is_r, 0.005, 0.0)),
        "star_major_project": flag(np.where(is_r, 0.01, 0.0)),
        "star_import_substitution": flag(np.where(is_r, 0.02, 0.001)),
        "star_negative_list": flag(0.02),
    }
    return out


def _report_frame(data: dict[str, object], rng: np.random.Generator) -> pl.DataFrame:
    """Typed frame in REPORT_COLUMNS order, with the documented share of optional cells emptied."""
    series = []
    for col in REPORT_COLUMNS:
        values = data[col.field]
        if col.kind in ("money", "usd", "count", "year"):
            arr = np.asarray(values, dtype=float)
            s = pl.Series(col.field, np.nan_to_num(arr).astype(np.int64), dtype=pl.Int64)
            if np.isnan(arr).any():
                s = s.scatter(np.flatnonzero(np.isnan(arr)), None)
        elif col.kind == "bool":
            s = pl.Series(col.field, np.asarray(values, dtype=bool), dtype=pl.Boolean)
        elif col.kind == "date":
            s = pl.Series(col.field, np.asarray(values, dtype="datetime64[D]"), dtype=pl.Date)
        else:
            s = pl.Series(col.field, list(values), dtype=pl.String)
        series.append(s)
    df = pl.DataFrame(series)
    rows = df.height
    # empty optional cells; firm-level fields are emptied for all of a firm's rows alike
    firm_index = df.get_column("uscc").rank("dense").cast(pl.Int64).to_numpy() - 1
    n_firms = int(firm_index.max()) + 1 if rows else 0
    firm_level = {c.field for c in REPORT_COLUMNS if c.level == "enterprise"}
    blanks = {}
    for field, rate in MISSING_RATES.items():
        if field in firm_level:
            mask = (rng.random(n_firms) < rate)[firm_index]
        else:
            mask = rng.random(rows) < rate
        blanks[field] = pl.when(pl.Series(mask)).then(None).otherwise(pl.col(field)).alias(field)
    return df.with_columns(**{k: v for k, v in blanks.items()})


def _meets_hnte(
    as_of,
    registered_on,
    fields,
    staff,
    tech,
    revenue,
    rd,
    rd_domestic,
    hitech_revenue,
    ip1,
    ip2,
    incident,
    active,
) -> np.ndarray:
    """The generator's own view of the key 高企 conditions (国科发火〔2016〕32号 第十一条), on true values.

    Used only to decide who holds the certificate; the tests check the population independently.
    """
    old_enough = registered_on <= np.datetime64(as_of - timedelta(days=365), "D")
    staff_l, tech_l, rev_l = staff[:, -1], tech[:, -1], revenue[:, -1]
    tech_ok = tech_l >= 0.1 * staff_l
    rev3 = np.where(active, revenue, 0).sum(axis=1)
    rd3 = np.where(active, rd, 0).sum(axis=1)
    dom3 = np.where(active, rd_domestic, 0).sum(axis=1)
    need = np.where(rev_l <= 50_000_000, 0.05, np.where(rev_l <= 200_000_000, 0.04, 0.03))
    rd_ok = (rev3 > 0) & (rd3 >= need * rev3) & (dom3 >= 0.6 * rd3)
    hitech_ok = (rev_l > 0) & (hitech_revenue[:, -1] >= 0.6 * rev_l)
    ip_ok = (ip1[:, -1] + ip2[:, -1]) >= 1
    clean = ~incident.any(axis=1)
    return old_enough & (fields != None) & tech_ok & rd_ok & hitech_ok & ip_ok & clean  # noqa: E711


def _meets_cq(staff, tech, senior, flag_cols, active) -> np.ndarray:
    """The generator's view of the 重庆市科技型企业 condition (科技人员 ≥5% or ≥1 副高级) and integrity."""
    people = (tech[:, -1] >= 0.05 * staff[:, -1]) | (senior[:, -1] >= 1)
    flagged = np.zeros(len(staff), dtype=bool)
    for v in flag_cols.values():
        flagged |= v.any(axis=1)
    return people & ~flagged


def _certificates(uscc: np.ndarray, valid_from: np.ndarray, serial: np.ndarray) -> pl.DataFrame:
    return pl.DataFrame(
        [
            pl.Series("uscc", uscc.astype(str), dtype=pl.String),
            pl.Series("valid_from", valid_from.astype("datetime64[D]"), dtype=pl.Date),
            pl.Series("serial", serial.astype(np.int64), dtype=pl.Int64),
        ]
    )


def _qualifications(rng, *, as_of, uscc, registered_on, klass, eligible_hnte, eligible_cq) -> pl.DataFrame:
    """Certificates valid on ``as_of``: most eligible firms hold them, a few holders no longer qualify."""
    n = len(uscc)
    as_of64 = np.datetime64(as_of, "D")

    def holders(eligible: np.ndarray, pool: np.ndarray, take: float, stale: float) -> np.ndarray:
        hold = eligible & (rng.random(n) < take)
        others = np.flatnonzero(pool & ~eligible)
        extra = int(round(stale * eligible.sum()))
        if len(others) and extra:
            hold[rng.choice(others, size=min(extra, len(others)), replace=False)] = True
        return hold

    # 高新技术企业: 89% of eligible firms hold a certificate; holders who no longer meet the
    # conditions add 8% of the eligible count (certificates outlive the figures for up to 3 years).
    hnte = holders(eligible_hnte, klass != ORDINARY, 0.89, 0.08)
    # certificates are issued in late-year batches; valid three years (minus a day)
    offset = rng.choice([1, 2, 3], size=n, p=[0.39, 0.33, 0.28])
    batch_day = rng.integers(0, 46, n).astype("timedelta64[D]")
    issue_year = as_of.year - offset
    issued = (
        np.array([np.datetime64(f"{yr}-11-01", "D") for yr in range(as_of.year - 3, as_of.year)])[
            issue_year - (as_of.year - 3)
        ]
        + batch_day
    )
    # a certificate needs one year of registration before it is issued
    too_young = issued < registered_on + np.timedelta64(365, "D")
    later = issued + np.timedelta64(365, "D") * (as_of.year - 1 - issue_year)  # the latest batch
    issued = np.where(too_young, later, issued)
    # with a late assessment day the oldest batch may have lapsed: take the next one
    lapsed = issued + np.timedelta64(3 * 365, "D") <= as_of64
    issued = np.where(lapsed, issued + np.timedelta64(365, "D"), issued)
    hnte &= (issued >= registered_on + np.timedelta64(365, "D")) & (issued <= as_of64)

    # 重庆市科技型企业入库: 92% of eligible firms are in the registry, plus 7% stale entries;
    # nearly every 高企 holder is also registered.
    cq = holders(eligible_cq, np.ones(n, dtype=bool), 0.92, 0.07) | (hnte & (rng.random(n) < 0.97))
    cq_from = as_of64 - rng.integers(0, 365, n).astype("timedelta64[D]")
    cq_from = np.maximum(cq_from, registered_on + np.timedelta64(30, "D"))
    cq &= cq_from <= as_of64

    hi = np.flatnonzero(hnte)
    ci = np.flatnonzero(cq)
    # serial numbers: a shuffled 1..k per kind (six digits, unique below a million holders)
    serial_h = np.zeros(n, dtype=np.int64)
    serial_c = np.zeros(n, dtype=np.int64)
    serial_h[hi] = rng.permutation(len(hi)) + 1
    serial_c[ci] = rng.permutation(len(ci)) + 1
    year = pl.col("valid_from").dt.year().cast(pl.String)
    serial = pl.col("serial").cast(pl.String).str.zfill(6)
    h = _certificates(uscc[hi], issued[hi], serial_h[hi]).with_columns(
        kind=pl.lit(QUALIFICATION_KINDS["hnte"]),
        number=pl.concat_str(pl.lit("GR"), year, pl.lit("50"), serial),
        valid_to=pl.col("valid_from").dt.offset_by("3y").dt.offset_by("-1d"),
        source=pl.concat_str(pl.lit("重庆市"), year, pl.lit(f"年高新技术企业认定备案（{SYNTH_SOURCE}）")),
    )
    c = _certificates(uscc[ci], cq_from[ci], serial_c[ci]).with_columns(
        kind=pl.lit(QUALIFICATION_KINDS["cq_tech"]),
        number=pl.concat_str(pl.lit("CQKJ"), year, serial),
        valid_to=pl.col("valid_from").dt.offset_by("1y").dt.offset_by("-1d"),
        source=pl.lit(f"重庆市科技型企业入库（{SYNTH_SOURCE}）"),
    )
    order = [col.field for col in QUALIFICATION_COLUMNS]
    return pl.concat([c.select(order), h.select(order)], how="vertical")


_FLAG_NAMES = (
    "major_incident",
    "research_misconduct",
    "credit_blacklisted",
    "abnormal_operation",
    "prohibited_industry",
)
_DIRECT_NAMES = ("hnte_certificate_valid", "national_award_top3", "provincial_rd_institution", "led_standard")
_RD_MANAGEMENT = ("rd_accounting", "rd_institution", "conversion_incentives", "talent_development")


def to_profiles(population: Population) -> list[dict]:
    """The firms as evaluation-contract profiles (../shared/reference/firm-profile.md), plain dicts.

    Enterprise facts and the last year's counts come from the latest report; ``financials`` holds
    every year; a flag holds if it is set in any year (unknown if never reported); the 高企
    certificate valid on ``as_of`` sets ``direct.hnte_certificate_valid``, the 入库 valid then
    ``cq_tech_registered``. Feed them to
    ``keqi.policy.evaluate`` to cross-check the calibration with the criteria engine.
    """
    code = {u.name: (u.code or u.name) for u in unitsmod.load_units()}
    r = population.reports
    money = [pl.col(f) for f in FINANCIAL_FIELDS]
    years = r.group_by("uscc").agg(
        pl.struct(pl.col("fiscal_year").alias("year"), *money).sort_by("fiscal_year").alias("financials"),
        *(
            pl.when(pl.col(f"flag_{k}").is_not_null().any())
            .then(pl.col(f"flag_{k}").fill_null(False).any())
            .alias(k)
            for k in _FLAG_NAMES
        ),
    )
    last = r.sort("fiscal_year").group_by("uscc", maintain_order=True).last()
    q = population.qualifications
    def holders(kind: str) -> pl.Series:
        return q.filter(
            pl.col("kind") == QUALIFICATION_KINDS[kind],
            pl.col("valid_from") <= population.as_of,
            pl.col("valid_to").is_null() | (pl.col("valid_to") >= population.as_of),
        )["uscc"].implode()

    df = (
        last.join(years, on="uscc")
        .sort("uscc")
        .with_columns(
            direct_hnte_certificate_valid=pl.col("uscc").is_in(holders("hnte")),
            cq_tech_registered=pl.col("uscc").is_in(holders("cq_tech")),
        )
    )
    out = df.select(
        "uscc",
        "name",
        pl.col("district").replace_strict(code).alias("district_code"),
        "registered_on",
        pl.lit(population.as_of).alias("assess_on"),
        "hitech_field",
        "industry_code",
        "staff_total",
        "tech_staff",
        "senior_tech_staff",
        "financials",
        pl.struct(
            pl.col("ip_class1").alias("class1"),
            pl.col("ip_class2").alias("class2"),
            pl.col("ip_self_developed").alias("self_developed"),
        ).alias("ip"),
        "conversions_3y",
        pl.struct(*_FLAG_NAMES).alias("flags"),
        pl.struct(*(pl.col(f"direct_{k}").alias(k) for k in _DIRECT_NAMES)).alias("direct"),
        pl.struct(*_RD_MANAGEMENT).alias("rd_management"),
        "standards_participation",
        pl.col("valuation_usd").cast(pl.Float64),
        pl.col("financing_usd").cast(pl.Float64),
        "cq_tech_registered",
    )
    return out.to_dicts()


def write(population: Population, path: Path | str) -> Path:
    """Store the population as xlsx (both sheets), csv or parquet (the annual-report sheet)."""
    reports = fields_to_display(population.reports, REPORT_COLUMNS)
    sheets = {REPORT_SHEET: (reports, REPORT_COLUMNS)}
    if Path(path).suffix.lower() == ".xlsx":
        quals = fields_to_display(population.qualifications, QUALIFICATION_COLUMNS)
        sheets[QUALIFICATION_SHEET] = (quals, QUALIFICATION_COLUMNS)
    return write_tables(path, sheets)
