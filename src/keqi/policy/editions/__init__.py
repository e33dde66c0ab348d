"""The official criteria as versioned, declarative editions.

Each edition is a module whose docstring lists its sources (document, number, article, evidence
status); its criteria carry their own source. Edition ids are stable:

- ``tsme-2017``: 科技型中小企业评价 (国科发政〔2017〕115号)
- ``hnte-2016``: 高新技术企业认定 (国科发火〔2016〕32号 + 国科发火〔2016〕195号)
- ``cq-tech-2022``: 重庆市科技型企业入库 (《重庆市科技型企业入库培育实施细则》, 2022)
- ``gazelle-cq-2023``: 重庆市瞪羚企业 (《重庆市独角兽、瞪羚企业培育工作方案(2023—2027年)》)
- ``unicorn-cq-2023``: 重庆市潜在独角兽/独角兽企业 (same 方案)
- ``kv-credit``: 重庆市知识价值信用评价 (A–E grades and credit lines)
- ``innovative-sme-2022``: 创新型中小企业 (工信部企业〔2022〕63号 附件1; also 科技和创新型中小企业 until a
  merged standard is issued)
- ``srdi-2022`` / ``srdi-2026``: 专精特新中小企业 (63号 附件2 / 工信部企业〔2026〕2号 from 2026-04-01)
- ``little-giant-2022`` / ``little-giant-2026``: 专精特新"小巨人" (63号 附件3 / 工信部企业〔2026〕2号)
- ``star-2022`` / ``star-2024``: 科创属性 (《科创属性评价指引（试行）》, 2022 and 2024-04-30 revisions)

Editions of one programme share a ``family`` ("srdi", "hnte" …) and carry the interval in which they
are in force; ``resolve(family, on=day)`` picks the one in force that day, so a rule change is a new
edition (data), not a change of code.
"""

from __future__ import annotations

from datetime import date
from importlib import import_module

from keqi.policy.editions._base import Criterion, Edition, Setting, Source

__all__ = [
    "Criterion",
    "Edition",
    "Setting",
    "Source",
    "EDITION_IDS",
    "all_editions",
    "families",
    "get",
    "resolve",
    "rereview_ids",
]

_MODULES = {
    "tsme-2017": "tsme_2017",
    "hnte-2016": "hnte_2016",
    "cq-tech-2022": "cq_tech_2022",
    "gazelle-cq-2023": "gazelle_cq_2023",
    "unicorn-cq-2023": "unicorn_cq_2023",
    "kv-credit": "kv_credit",
    "innovative-sme-2022": "innovative_sme_2022",
    "srdi-2022": "srdi_2022",
    "srdi-2026": "srdi_2026",
    "little-giant-2022": "little_giant_2022",
    "little-giant-2026": "little_giant_2026",
    "star-2022": "star_2022",
    "star-2024": "star_2024",
    "sme-size-2011": "sme_size_2011",
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


def families() -> dict[str, list[str]]:
    """Each family's edition ids, oldest in-force start first (an open start counts as the oldest)."""
    out: dict[str, list[Edition]] = {}
    for e in all_editions():
        out.setdefault(e.family, []).append(e)
    return {
        fam: [e.id for e in sorted(eds, key=lambda e: e.in_force_from or date.min)]
        for fam, eds in out.items()
    }


def resolve(name: str, on: date | None = None, *, rereview: bool = False) -> Edition:
    """The edition named ``name``: an exact edition id, or a family's edition in force on ``on``.

    ``on`` defaults to today. When several editions of the family are in force that day, the one
    with the latest in-force start wins. With ``rereview`` (the firm is re-reviewed, 复核: the profile's
    ``sme.rereview``), an edition that re-reviews keep on that day wins over the one new applications
    use (2026 小巨人 复核 keep the 2022 standard, 工信厅企业函〔2026〕117号). ``KeyError`` says why
    nothing matched.
    """
    if name in _MODULES:
        return get(name)
    day = on or date.today()
    fams = families()
    if name not in fams:
        raise KeyError(
            f"unknown edition or family {name!r}; editions: {', '.join(EDITION_IDS)}; "
            f"families: {', '.join(sorted(fams))}"
        )
    members = [get(e) for e in fams[name]]
    kept = [e for e in members if rereview and e.for_rereview(day)]
    if kept:
        return max(kept, key=lambda e: e.in_force_from or date.min)
    in_force = [e for e in members if e.in_force(day)]
    if not in_force:
        spans = ", ".join(f"{e.id} ({e.in_force_from or '…'} to {e.in_force_until or '…'})" for e in members)
        raise KeyError(f"no {name!r} edition is in force on {day.isoformat()}; editions: {spans}")
    return max(in_force, key=lambda e: e.in_force_from or date.min)


def rereview_ids(on: date) -> tuple[str, ...]:
    """Editions that re-reviews (复核) keep on ``on`` although their family has a later one in force."""
    return tuple(e.id for e in all_editions() if e.for_rereview(on) and not e.in_force(on))
