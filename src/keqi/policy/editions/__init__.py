"""The official criteria as versioned, declarative editions.

Each edition is a module whose docstring lists its sources (document, number, article, evidence
status); its criteria carry their own source. Edition ids are stable:

- ``tsme-2017``: 科技型中小企业评价 (国科发政〔2017〕115号)
- ``hnte-2016``: 高新技术企业认定 (国科发火〔2016〕32号 + 国科发火〔2016〕195号)
- ``cq-tech-2022``: 重庆市科技型企业入库 (《重庆市科技型企业入库培育实施细则》, 2022)
- ``gazelle-cq-2023``: 重庆市瞪羚企业 (《重庆市独角兽、瞪羚企业培育工作方案(2023—2027年)》)
- ``unicorn-cq-2023``: 重庆市潜在独角兽/独角兽企业 (same 方案)
- ``kv-credit``: 重庆市知识价值信用评价 (A–E grades and credit lines)
"""

from __future__ import annotations

from importlib import import_module

from keqi.policy.editions._base import Criterion, Edition, Setting, Source

__all__ = ["Criterion", "Edition", "Setting", "Source", "EDITION_IDS", "all_editions", "get"]

_MODULES = {
    "tsme-2017": "tsme_2017",
    "hnte-2016": "hnte_2016",
    "cq-tech-2022": "cq_tech_2022",
    "gazelle-cq-2023": "gazelle_cq_2023",
    "unicorn-cq-2023": "unicorn_cq_2023",
    "kv-credit": "kv_credit",
}
EDITION_IDS: tuple[str, ...] = tuple(_MODULES)

_loaded: dict[str, Edition] = {}


def get(edition_id: str) -> Edition:
    """The edition with this id; ``KeyError`` names the known ids."""
    if edition_id not in _MODULES:
        raise KeyError(f"unknown edition {edition_id!r}; known: {', '.join(EDITION_IDS)}")
    if edition_id not in _loaded:
        _loaded[edition_id] = import_module(f"keqi.policy.editions.{_MODULES[edition_id]}").EDITION
    return _loaded[edition_id]


def all_editions() -> list[Edition]:
    """Every edition, in a stable order."""
    return [get(e) for e in EDITION_IDS]
