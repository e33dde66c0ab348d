"""Pieces several definitions share: KeQi's default service times and the usual site-check rules.

Defaults marked ``official=False`` are KeQi's, not the programmes': they say so on every page that
shows them, and a bureau that wants other figures declares a new version of the definition.
"""

from __future__ import annotations

from keqi.policy.editions._base import Source

from ._base import Deadline, SiteCheckRule

KEQI_DEFAULT = Source("KeQi 平台默认值（非官方规定）", "平台设置", "", "SETTING")
ISSUE = Source("KeQi 需求 #16：申报、审核与年度填报", "产品要求", "", "SETTING")

TSME_NOTICE_2026 = Source("2026年科技型中小企业评价工作通知（工业和信息化部）", "工企业函〔2026〕160号",
                          "实地核查情形", "SECONDARY")
TSME_2017 = Source("科技型中小企业评价办法", "国科发政〔2017〕115号", "", "TEXT")


def service_time(days: int, what: str) -> Deadline:
    """A KeQi default time for a waiting state (not an official rule)."""
    return Deadline(working_days=days, official=False, note=f"平台默认{what}办理时限，非官方规定", source=KEQI_DEFAULT)


# The on-site check triggers named in the issue and the 2026 national notice (科技型中小企业).
SMALL_STAFF = SiteCheckRule("staff_at_most_5", "staff_at_most", "职工总数不超过5人", TSME_NOTICE_2026, (5,))
LARGE_TECH_HEAVY = SiteCheckRule("large_tech_heavy", "large_tech_heavy", "职工总数50人以上且科技人员占比90%以上",
                                 ISSUE, (50, 90))
VIOLATION_3Y = SiteCheckRule("violation_3y", "violation_within", "近三年有严重违法失信、重大事故或科研严重失信记录",
                             TSME_NOTICE_2026, (3,))
REVOKED_3Y = SiteCheckRule("revoked_3y", "revoked_within", "近三年曾被撤销本项目资格（编号）", TSME_NOTICE_2026, (3,))
NO_IP = SiteCheckRule("no_ip", "no_ip", "无知识产权", TSME_NOTICE_2026)
RD_BELOW_10W = SiteCheckRule("rd_below_10w", "rd_below", "研发费用低于10万元", TSME_NOTICE_2026, (100_000,))
