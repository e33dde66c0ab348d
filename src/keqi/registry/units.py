"""Chongqing's reporting units (38 区县 and the functional zones that report separately), as data.

The table lives in ``data/districts.csv`` (GB/T 2260 codes from ../shared/reference/districts.csv):
``code,name,kind,zone``. Functional zones have no GB/T 2260 code and no 一区两群 zone, so both are
``None`` for them. Pure Python: read by the synthetic population, the CLI and the data migration.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

CENTRAL = "中心城区"
NEW_MAIN = "主城新区"
NORTHEAST = "渝东北三峡库区城镇群"
SOUTHEAST = "渝东南武陵山区城镇群"
FUNCTIONAL_ZONE = "功能区"


@dataclass(frozen=True)
class Unit:
    code: str | None  # GB/T 2260, e.g. "500112"; None for a functional zone
    name: str  # e.g. "渝北区", "两江新区"
    kind: str  # 区 / 县 / 自治县 / 功能区
    zone: str | None  # 一区两群 zone; None for a functional zone


@cache
def _units() -> tuple[Unit, ...]:
    text = resources.files("keqi.registry").joinpath("data/districts.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO(text))
    return tuple(
        Unit(code=(r["code"] or None), name=r["name"], kind=r["kind"], zone=(r["zone"] or None)) for r in rows
    )


def load_units() -> list[Unit]:
    """Every reporting unit, in file order (38 区县 by code, then the functional zones)."""
    return list(_units())


# ---------------------------------------------------------------- the plan's three zones

#: 渝府办发〔2023〕26号 splits the 2027 targets into 中心城区, 主城新区 and "两群" (渝东北三峡库区城镇群 +
#: 渝东南武陵山区城镇群). The 区县 carry their zone (../shared/reference/districts.csv; the grouping is
#: marked UNCONFIRMED there). The functional zones have none; where their firms count is a setting
#: of this module, with a default that is NOT official: 两江新区 and 西部科学城重庆高新区 → 中心城区,
#: 万盛经开区 (inside 綦江区) → 主城新区.
PLAN_ZONES = ("中心城区", "主城新区", "两群")
TWO_GROUPS = (NORTHEAST, SOUTHEAST)
FUNCTIONAL_ZONE_PLAN_ZONE = {"两江新区": "中心城区", "西部科学城重庆高新区": "中心城区", "万盛经开区": "主城新区"}


def plan_zone(unit_name: str, unit_zone: str | None) -> str | None:
    """The plan zone (one of :data:`PLAN_ZONES`) a reporting unit's firms count in, or None."""
    if unit_zone in TWO_GROUPS:
        return "两群"
    if unit_zone in (CENTRAL, NEW_MAIN):
        return unit_zone
    return FUNCTIONAL_ZONE_PLAN_ZONE.get(unit_name)
