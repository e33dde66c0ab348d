"""star-2022 — 科创属性 (《科创属性评价指引（试行）》, revision of 2022-12-30), kept for comparison.

Same four 常规指标 as ``star-2024`` with the 2021/2022 figures (tiers.md §1.2, SECONDARY [SEC-1]): R&D
≥ 5 % or 累计 ≥ 6000万元; 研发人员 ≥ 10 %; 应用于主营业务的发明专利 ≥ 5 项 (wording [MEM]); 营业收入复合
增长率 ≥ 20 % or 最近一年 ≥ 3亿元; the same carve-outs; the 50-patent exception is part of the text
([SEC-1]). In force from 2022-12-30 (date and number UNCONFIRMED, [MEM]) until 2024-04-29, the day
before the 2024 revision (tiers.md §1.1). See ``star_2024`` for the reading choices.
"""

from __future__ import annotations

from datetime import date

from keqi.policy.editions import _tiers as tr
from keqi.policy.editions._base import Source
from keqi.policy.editions.star_2024 import StarRules, make

RULES = StarRules(
    year=2022,
    rd_amount=60_000_000,
    patents=5,
    cagr_pct=20,
    patent_wording="应用于公司主营业务",
    source=Source(
        tr.STAR_DOC, "证监会 2022-12-30 修订（文号未确认）", "常规指标（tiers.md §1.2）", "SECONDARY"
    ),
    exception_default="kept",
    exception_status="SECONDARY",
)

EDITION = make(
    RULES,
    edition_id="star-2022",
    version="2022.1",
    doc=__doc__ or "",
    in_force_from=date(2022, 12, 30),
    in_force_until=date(2024, 4, 29),
    in_force_source=Source(
        tr.STAR_DOC, "证监会 2022-12-30 修订（文号未确认）", "发布日期（tiers.md §1.1）", "UNCONFIRMED"
    ),
)
