"""star-2024 — 科创属性 (《科创属性评价指引（试行）》, CSRC revision of 2024-04-30).

In force from 2024-04-30 (CSRC URL csrc.gov.cn/csrc/c101954/c7477483, tiers.md §1.1, SECONDARY
[SEC-2]); ``star-2022`` (the 2022-12 revision) is kept for comparison and for earlier days.

常规指标, all four (tiers.md §1.2; 2024 values SECONDARY [SEC-2], 2021/2022 values [SEC-1]):

1. R&D input: 最近三年研发投入占营业收入比例 ≥ 5 %, or 最近三年研发投入累计 ≥ 8000万元 (2022: 6000万元);
2. 研发人员占当年员工总数 ≥ 10 % (``rd_staff`` / ``staff_total``);
3. 应用于公司主营业务并能够产业化的发明专利 ≥ 7 项 (2022: 应用于主营业务的 ≥ 5 项;
   ``star.invention_patents``);
4. 最近三年营业收入复合增长率 ≥ 25 % (2022: 20 %) or 最近一年营业收入 ≥ 3亿元.

Carve-outs (existence [SEC-1], wording [MEM]): 软件行业 firms (``star.software``) skip indicator 3 but
need an R&D ratio ≥ 10 %; firms under the 第五套上市标准 or 红筹 rules (``star.revenue_exempt``) skip
indicator 4.

例外条款 (any one instead of the four; five categories [SEC-1], wording [MEM]), recorded by the officer:
核心技术国际领先/引领 (``star.leading_tech``), 国家科技奖 (``star.national_award``), 国家重大科技专项
(``star.major_project``), 关键设备/产品/零部件/材料 进口替代 (``star.import_substitution``), and 发明专利
合计 ≥ 50 项 — whether the 2024 revision deleted that last one is UNCONFIRMED: the setting
``patent_exception`` (default ``deleted`` for 2024, the recollection; ``kept`` for 2022).

Negative list (from 2021, [MEM]): 金融科技、模式创新 (限制), 房地产、金融投资类 (禁止):
``star.negative_list`` True makes the firm ineligible.

Reading choices (not official): "最近三年" = the profile's three fiscal years y1..y3; the R&D ratio is
Σ研发投入 / Σ营业收入 over them; the compound growth rate runs from y3 to y1 (two periods, exact integer
test); a software firm may not use the amount alternative of indicator 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from keqi.policy.editions import _tiers as tr
from keqi.policy.editions._base import (
    GAP_COST_SETTING,
    Criterion,
    Edition,
    Setting,
    Source,
    all3,
    any3,
    not_flag,
    null_bool,
)
from keqi.policy.editions._levers import spend_to_ratio
from keqi.policy.lazy import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir

RD_PCT = 5
SOFTWARE_RD_PCT = 10
RD_STAFF_PCT = 10
MIN_REVENUE = 300_000_000  # 3亿元
PATENTS_EXCEPTION = 50


@dataclass(frozen=True)
class StarRules:
    year: int
    rd_amount: int
    patents: int
    cagr_pct: int
    patent_wording: str
    source: Source
    exception_default: str
    exception_status: str


def _criteria(r: StarRules) -> tuple[Criterion, ...]:
    src = r.source
    return (
        Criterion(
            "rd_input",
            f"最近三年研发投入占营业收入比例5%以上，或累计{r.rd_amount // 10_000}万元以上（软件企业10%以上）",
            src,
            threshold=RD_PCT / 100,
            gate=False,
            fields="financials[].rd_expense, financials[].revenue, star.software",
        ),
        Criterion(
            "rd_staff",
            "研发人员占当年员工总数的比例不低于10%",
            src,
            threshold=RD_STAFF_PCT / 100,
            gate=False,
            fields="rd_staff, staff_total",
        ),
        Criterion(
            "patents",
            f"{r.patent_wording}的发明专利{r.patents}项以上（软件企业不适用）",
            src,
            threshold=float(r.patents),
            gate=False,
            fields="star.invention_patents, star.software",
        ),
        Criterion(
            "revenue",
            f"最近三年营业收入复合增长率达到{r.cagr_pct}%，或最近一年营业收入达到3亿元（第五套标准、红筹企业不适用）",
            src,
            threshold=r.cagr_pct / 100,
            gate=False,
            fields="financials[].revenue, star.revenue_exempt",
        ),
        Criterion(
            "exception",
            "例外条款（国际领先技术、国家科技奖、国家重大科技专项、进口替代、发明专利50项以上）",
            Source(src.document, src.number, "例外条款", "UNCONFIRMED"),
            gate=False,
            fields="star.leading_tech, star.national_award, star.major_project, star.import_substitution, "
            "star.invention_patents",
        ),
        Criterion(
            "negative_list",
            "不属于限制或禁止在科创板上市的行业（金融科技、模式创新、房地产、金融投资类）",
            Source(src.document, src.number, "负面清单", "UNCONFIRMED"),
            controllable=False,
            fields="star.negative_list",
            blocker_note="属于科创板限制或禁止上市的行业",
        ),
    )


def _build(r: StarRules):  # noqa: ANN202 - returns the edition's build function
    def build(t: ir.Table, s: Mapping[str, Any]) -> ir.Table:
        rd3, rev3 = tr.sum3(t, "rd_expense"), tr.sum3(t, "revenue")
        software = t.star_software
        normal_rd = any3(tr.share_ge(rd3, rev3, RD_PCT), rd3 >= r.rd_amount)
        software_rd = tr.share_ge(rd3, rev3, SOFTWARE_RD_PCT)
        rd_input = ibis.cases(
            (software, software_rd),
            (~software, normal_rd),
            (software_rd, True),  # software unknown: 10 % satisfies either reading
            (normal_rd == False, False),  # noqa: E712 - SQL three-valued comparison
            else_=null_bool(),
        )
        patents_ok = t.star_invention_patents >= r.patents
        patents = ibis.cases((software, True), (~software, patents_ok), (patents_ok, True), else_=null_bool())
        growth = tr.cagr_ge(t.y1_revenue, t.y3_revenue, r.cagr_pct, 2)
        revenue_ok = any3(growth, t.y1_revenue >= MIN_REVENUE)
        revenue = ibis.cases(
            (t.star_revenue_exempt, True),
            (~t.star_revenue_exempt, revenue_ok),
            (revenue_ok, True),
            else_=null_bool(),
        )
        exceptions = [
            t.star_leading_tech,
            t.star_national_award,
            t.star_major_project,
            t.star_import_substitution,
        ]
        if s["patent_exception"] == "kept":
            exceptions.append(t.star_invention_patents >= PATENTS_EXCEPTION)
        t = t.mutate(
            rd_input__passed=rd_input,
            rd_input__value=tr.ratio_value(rd3, rev3),
            rd_staff__passed=tr.share_ge(t.rd_staff, t.staff_total, RD_STAFF_PCT),
            rd_staff__value=tr.ratio_value(t.rd_staff, t.staff_total),
            patents__passed=patents,
            patents__value=t.star_invention_patents.cast("float64"),
            revenue__passed=revenue,
            revenue__value=tr.cagr_value(t.y1_revenue, t.y3_revenue, 2),
            exception__passed=any3(*exceptions),
            negative_list__passed=not_flag(t.star_negative_list),
        )
        regular = all3(t.rd_input__passed, t.rd_staff__passed, t.patents__passed, t.revenue__passed)
        t = t.mutate(regular__ok=all3(t.negative_list__passed, regular))
        t = t.mutate(exception__ok=all3(t.negative_list__passed, t.exception__passed))
        return t.mutate(
            eligible=any3(t.regular__ok, t.exception__ok),
            route=ibis.cases(
                (t.regular__ok, "score"), (t.exception__ok, "direct"), else_=ibis.null().cast("string")
            ),
        )

    return build


def _options(r: StarRules):  # noqa: ANN202 - returns the edition's options function
    def options(
        cols: Mapping[str, np.ndarray], settings: Mapping[str, Any]
    ) -> list[list[dict[str, np.ndarray]]]:
        """R&D spending (latest year) to the three-year 5 % / 10 % ratio or the cumulative amount."""
        zero = np.zeros_like(cols["y1_revenue"])
        rd3 = cols["y1_rd_expense"] + cols["y2_rd_expense"] + cols["y3_rd_expense"]
        rev3 = cols["y1_revenue"] + cols["y2_revenue"] + cols["y3_revenue"]
        return [
            [
                {"rd_expense": zero},
                {"rd_expense": spend_to_ratio(rd3, rev3, RD_PCT)},
                {"rd_expense": tr.raise_to(r.rd_amount, rd3)},
                {"rd_expense": spend_to_ratio(rd3, rev3, SOFTWARE_RD_PCT)},
            ]
        ]

    return options


def make(r: StarRules, *, edition_id: str, version: str, doc: str = "", **interval: Any) -> Edition:
    setting = Setting(
        key="patent_exception",
        default=r.exception_default,
        official=False,
        status=r.exception_status,  # type: ignore[arg-type]
        description=(
            "例外条款 发明专利合计50项以上: 'kept' or 'deleted' — "
            + (
                "not official (a reading to compare with 2024): kept in the 2020–2022 texts (SECONDARY [SEC-1])"
                if r.year < 2024
                else "UNCONFIRMED whether the 2024 revision deleted it (default: deleted, from recollection)"
            )
        ),
        choices=("kept", "deleted"),
    )
    return Edition(
        id=edition_id,
        family="star",
        title=f"科创属性评价（{r.year}年修订）",
        version=version,
        sources=(r.source,),
        criteria=_criteria(r),
        settings=(setting, GAP_COST_SETTING),
        pass_mark=None,
        build=_build(r),
        levers={"rd_expense": "rd_input"},
        options=_options(r),
        doc=doc or __doc__ or "",
        **interval,
    )


RULES = StarRules(
    year=2024,
    rd_amount=80_000_000,
    patents=7,
    cagr_pct=25,
    patent_wording="应用于公司主营业务并能够产业化",
    source=Source(tr.STAR_DOC, "证监会 2024-04-30 修订", "第三条 常规指标（tiers.md §1.2）", "SECONDARY"),
    exception_default="deleted",
    exception_status="UNCONFIRMED",
)

EDITION = make(
    RULES,
    edition_id="star-2024",
    version="2024.1",
    in_force_from=date(2024, 4, 30),
    in_force_source=Source(tr.STAR_DOC, "证监会 2024-04-30 修订", "发布日期（tiers.md §1.1）", "SECONDARY"),
)
