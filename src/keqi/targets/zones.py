"""Which reporting units make up each of the plan's three zones.

渝府办发〔2023〕26号 splits the 2027 targets into 中心城区, 主城新区 and "两群" (渝东北三峡库区城镇群 +
渝东南武陵山区城镇群). The 区县 carry their zone (../shared/reference/districts.csv; the grouping is
marked UNCONFIRMED there). The functional zones have none; where their firms count is a setting
of this module, with a default that is NOT official: 两江新区 and 西部科学城重庆高新区 → 中心城区,
万盛经开区 (inside 綦江区) → 主城新区.
"""

from __future__ import annotations

PLAN_ZONES = ("中心城区", "主城新区", "两群")
TWO_GROUPS = ("渝东北三峡库区城镇群", "渝东南武陵山区城镇群")
FUNCTIONAL_ZONE_PLAN_ZONE = {"两江新区": "中心城区", "西部科学城重庆高新区": "中心城区", "万盛经开区": "主城新区"}


def plan_zone(unit_name: str, unit_zone: str) -> str | None:
    if unit_zone in TWO_GROUPS:
        return "两群"
    if unit_zone in ("中心城区", "主城新区"):
        return unit_zone
    return FUNCTIONAL_ZONE_PLAN_ZONE.get(unit_name)
