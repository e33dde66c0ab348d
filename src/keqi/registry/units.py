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
