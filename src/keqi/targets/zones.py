"""Which reporting units make up each of the plan's three zones (渝府办发〔2023〕26号: 中心城区, 主城新区,
"两群"). The table lives with the units (``keqi.registry.units``) so that the counts per scope
(``keqi.pipeline.figures``) can use it; this module keeps the targets' names for it.
"""

from __future__ import annotations

from keqi.registry.units import FUNCTIONAL_ZONE_PLAN_ZONE, PLAN_ZONES, TWO_GROUPS, plan_zone

__all__ = ["FUNCTIONAL_ZONE_PLAN_ZONE", "PLAN_ZONES", "TWO_GROUPS", "plan_zone"]
