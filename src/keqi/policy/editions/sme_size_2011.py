"""sme-size-2011 — 中小企业划型 (《中小企业划型标准规定》, 工信部联企业〔2011〕300号).

A firm is a 中小微型企业 when, for its industry (国民经济行业, by the profile's ``industry_code``, GB/T
4754-2017), any of the indicators the standard names for that industry lies below the industry's upper
limit (从业人员 ``staff_total``, 营业收入 ``y1_revenue``, 资产总额 ``y1_total_assets``: the latest fiscal
year). Being one is an entry condition of 创新型中小企业 (63号 附件1 基本条件 "符合《中小企业划型标准规定》",
tiers.md §2.2, SECONDARY [SEC-2]) and of the other SME tiers (``entry_criterion``, ``entry_passed``).

Evidence. The shared reference names the standard only as the 划型标准 of the SME tiers (tiers.md §2.2);
its number, date, industry list and figures are not in it. They are recalled from the published text
and are therefore UNCONFIRMED: every limit is the bureau setting ``size_limits`` whose default is
labelled *not official*, the 2011-06-18 start is an UNCONFIRMED date, and the mapping of GB/T 4754-2017
大类 codes onto the standard's industries is a reading choice (docs/policy.md). A revision of the
standard is a new edition of the family ``sme-size`` with its own dates; the SME tiers then use the one
in force on the assessment day (``entry_passed`` chooses by ``assess_on``).

Reading choices: "X以下" is strictly below X (the standard's 中型 band starts at "X及以上"); an industry
whose indicator is unknown leaves that indicator undecided (three-valued OR: one indicator surely below
its limit is enough); a code that maps to none of the listed industries is 其他未列明行业 (从业人员 only);
no code at all leaves the firm undecided. 铁路运输业 (53) is excluded from 交通运输业 by the standard and
counted as 其他未列明行业.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from keqi.policy.editions._base import Criterion, Edition, Setting, Source, any3, null_bool
from keqi.policy.lazy import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir

DOC = "《中小企业划型标准规定》"
NUM = "工信部联企业〔2011〕300号"


def ART(article: str, status: str = "UNCONFIRMED") -> Source:
    return Source(DOC, NUM, article, status)  # type: ignore[arg-type]


# industry key → (Chinese name, GB/T 4754-2017 大类 (two digits) or 中类 (three digits) codes, indicators)
INDUSTRIES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "agriculture": ("农、林、牧、渔业", tuple(f"{d:02d}" for d in range(1, 6)), ("revenue",)),
    "industrial": ("工业", tuple(f"{d:02d}" for d in range(6, 47)), ("staff", "revenue")),
    "construction": ("建筑业", tuple(f"{d:02d}" for d in range(47, 51)), ("revenue", "assets")),
    "wholesale": ("批发业", ("51",), ("staff", "revenue")),
    "retail": ("零售业", ("52",), ("staff", "revenue")),
    "transport": ("交通运输业（不含铁路运输业）", ("54", "55", "56", "57", "58"), ("staff", "revenue")),
    "warehousing": ("仓储业", ("59",), ("staff", "revenue")),
    "postal": ("邮政业", ("60",), ("staff", "revenue")),
    "accommodation": ("住宿业", ("61",), ("staff", "revenue")),
    "catering": ("餐饮业", ("62",), ("staff", "revenue")),
    "telecom": ("信息传输业", ("63", "64"), ("staff", "revenue")),
    "software": ("软件和信息技术服务业", ("65",), ("staff", "revenue")),
    "real_estate": ("房地产开发经营", ("701",), ("revenue", "assets")),
    "property": ("物业管理", ("702",), ("staff", "revenue")),
    "leasing": ("租赁和商务服务业", ("71", "72"), ("staff", "assets")),
    "other": ("其他未列明行业", (), ("staff",)),
}
INDICATORS = {"staff": "从业人员", "revenue": "营业收入", "assets": "资产总额"}
COLUMNS = {"staff": "staff_total", "revenue": "y1_revenue", "assets": "y1_total_assets"}
UNITS = {"staff": "人", "revenue": "元", "assets": "元"}

WAN = 10_000  # 万元
# not official (recalled, UNCONFIRMED): the upper limits below which a firm of the industry is 中小微型
DEFAULT_LIMITS: dict[str, int] = {
    "agriculture.revenue": 20_000 * WAN,
    "industrial.staff": 1000,
    "industrial.revenue": 40_000 * WAN,
    "construction.revenue": 80_000 * WAN,
    "construction.assets": 80_000 * WAN,
    "wholesale.staff": 200,
    "wholesale.revenue": 40_000 * WAN,
    "retail.staff": 300,
    "retail.revenue": 20_000 * WAN,
    "transport.staff": 1000,
    "transport.revenue": 30_000 * WAN,
    "warehousing.staff": 200,
    "warehousing.revenue": 30_000 * WAN,
    "postal.staff": 1000,
    "postal.revenue": 30_000 * WAN,
    "accommodation.staff": 300,
    "accommodation.revenue": 10_000 * WAN,
    "catering.staff": 300,
    "catering.revenue": 10_000 * WAN,
    "telecom.staff": 2000,
    "telecom.revenue": 100_000 * WAN,
    "software.staff": 300,
    "software.revenue": 10_000 * WAN,
    "real_estate.revenue": 200_000 * WAN,
    "real_estate.assets": 10_000 * WAN,
    "property.staff": 1000,
    "property.revenue": 5_000 * WAN,
    "leasing.staff": 300,
    "leasing.assets": 120_000 * WAN,
    "other.staff": 300,
}
assert set(DEFAULT_LIMITS) == {f"{k}.{i}" for k, (_n, _c, ind) in INDUSTRIES.items() for i in ind}

SIZE_LIMITS = Setting(
    "size_limits",
    DEFAULT_LIMITS,
    False,
    "UNCONFIRMED",
    "not official (recalled from 工信部联企业〔2011〕300号, not in the shared reference): per industry and "
    "indicator (staff = 从业人员 persons, revenue = 营业收入 yuan, assets = 资产总额 yuan), the limit below "
    "which a firm is 中小微型; a firm is one when any of its industry's indicators is below its limit",
)

IN_FORCE = ART("2011-06-18 印发并施行（日期未核实）")
MAPPING = Source(
    "《国民经济行业分类》", "GB/T 4754-2017", "门类/大类代码归入300号所列行业（阅读选择）", "UNCONFIRMED"
)

CRITERIA = (
    Criterion(
        "industry",
        "所属行业（按国民经济行业代码归入划型标准所列行业）",
        MAPPING,
        gate=False,
        controllable=False,
        part_of="size",
        fields="industry_code",
    ),
    *(
        Criterion(
            ind,
            f"{INDICATORS[ind]}低于本行业上限（本行业不用此指标时不判定）",
            ART(f"第四条 各行业划型标准 {INDICATORS[ind]}"),
            gate=False,
            controllable=False,
            part_of="size",
            fields={"staff": "staff_total", "revenue": "financials[].revenue", "assets": "financials[].total_assets"}[
                ind
            ],
        )
        for ind in INDICATORS
    ),
    Criterion(
        "size",
        "属中小微型企业（本行业任一划型指标低于上限）",
        ART("第二条、第四条"),
        controllable=False,
        fields="industry_code, staff_total, financials[].revenue, financials[].total_assets",
        blocker_note="按《中小企业划型标准规定》属大型企业，不是中小企业",
    ),
)


def industry_key(t: ir.Table) -> ir.StringValue:
    """The standard's industry of each row (NULL when the row has no industry code)."""
    code = t.industry_code
    digits = code.re_replace(r"[^0-9]", "")
    two, three = digits.substr(0, 2), digits.substr(0, 3)
    cases = []
    for key, (_name, codes, _ind) in INDUSTRIES.items():
        threes = [c for c in codes if len(c) == 3]
        twos = [c for c in codes if len(c) == 2]
        if threes:
            cases.append((three.isin(threes), key))
        if twos:
            cases.append((two.isin(twos), key))
    return code.isnull().ifelse(ibis.null().cast("string"), ibis.cases(*cases, else_="other"))


def indicator_limit(key: ir.StringValue, indicator: str, limits: Mapping[str, int]) -> ir.IntegerValue:
    """The row's industry limit of ``indicator`` (NULL when its industry does not use it)."""
    pairs = [(key == k, int(limits[f"{k}.{indicator}"])) for k in INDUSTRIES if f"{k}.{indicator}" in limits]
    return ibis.cases(*pairs, else_=ibis.null().cast("int64"))


def size_columns(t: ir.Table, limits: Mapping[str, int], prefix: str = "") -> dict[str, ir.Value]:
    """``industry``, ``staff``, ``revenue``, ``assets`` and ``size`` columns (``prefix`` + id + ``__passed``,
    ``__value``, ``__threshold``) of the rows of ``t``."""
    key = industry_key(t)
    cols: dict[str, ir.Value] = {f"{prefix}industry__passed": key.notnull().ifelse(True, null_bool())}
    terms = []
    for ind, column in COLUMNS.items():
        limit = indicator_limit(key, ind, limits)
        test = t[column] < limit
        cols[f"{prefix}{ind}__passed"] = limit.isnull().ifelse(null_bool(), test)
        cols[f"{prefix}{ind}__value"] = t[column].cast("float64")
        cols[f"{prefix}{ind}__threshold"] = limit.cast("float64")
        terms.append(limit.isnull().ifelse(False, test))  # an indicator the industry does not use: no
    # three-valued OR: one used indicator surely below its limit decides; all surely at or above: a large firm
    cols[f"{prefix}size__passed"] = key.isnull().ifelse(null_bool(), any3(*terms))
    return cols


def entry_passed(t: ir.Table, limits: Mapping[str, int] | None = None) -> ir.BooleanValue:
    """中小企业 by the 划型 edition in force on each row's ``assess_on`` (one edition so far)."""
    return size_columns(t, limits or DEFAULT_LIMITS)["size__passed"]


def entry_criterion(source: Source) -> Criterion:
    """The entry condition ``sme_size`` of an SME tier edition (``source``: that edition's article)."""
    return Criterion(
        "sme_size",
        "符合《中小企业划型标准规定》（属中小企业）",
        source,
        controllable=False,
        fields="industry_code, staff_total, financials[].revenue, financials[].total_assets",
        blocker_note="按《中小企业划型标准规定》属大型企业，不是中小企业",
    )


def build(t: ir.Table, s: Mapping[str, Any]) -> ir.Table:
    key = industry_key(t)
    names = ibis.cases(*[(key == k, name) for k, (name, _c, _i) in INDUSTRIES.items()],
                       else_=ibis.null().cast("string"))
    t = t.mutate(**size_columns(t, s["size_limits"]), size_industry=names)
    t = t.mutate(eligible=t.size__passed)
    return t.mutate(route=ibis.cases((t.eligible, "score"), else_=ibis.null().cast("string")))


EDITION = Edition(
    id="sme-size-2011",
    family="sme-size",
    title="中小企业划型（中小企业划型标准规定）",
    version="2011.1",
    sources=(ART("第二条、第三条、第四条（各行业划型标准）"), MAPPING),
    criteria=CRITERIA,
    settings=(SIZE_LIMITS,),
    pass_mark=None,
    build=build,
    extras=("size_industry",),
    doc=__doc__ or "",
    in_force_from=date(2011, 6, 18),
    in_force_source=IN_FORCE,
)
