"""The tier ladder used by screening: where a firm stands, and which edition decides its next step.

梯次培育 (渝府办发〔2023〕26号, "微成长、小升高、高变强"): 储备 → 科技型企业 → 高新技术企业 →
高成长 (瞪羚, 专精特新) → 领军 (潜在独角兽/独角兽, 专精特新"小巨人", 科创板上市). A firm's current tier
is the highest tier of the qualifications it holds on the assessment day; its next tier is the one
above, judged by the edition named here. The exact tier names of the city plan's body are
UNCONFIRMED (../shared/reference/chongqing.md §1); this ladder follows the plan's targets.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tier:
    level: int
    key: str
    label: str
    qualifications: tuple[str, ...]  # Qualification.kind values that place a firm here
    next_edition: str | None  # the edition that decides whether it reaches the tier above


LADDER: tuple[Tier, ...] = (
    Tier(0, "reserve", "储备（市场主体）", (), "cq-tech-2022"),
    Tier(1, "tech", "科技型企业", ("cq_tech", "tsme"), "hnte-2016"),
    Tier(2, "hnte", "高新技术企业", ("hnte",), "gazelle-cq-2023"),
    Tier(3, "growth", "高成长企业（瞪羚、专精特新）", ("gazelle", "srdi"), "unicorn-cq-2023"),
    Tier(4, "leader", "领军企业（独角兽、小巨人、上市）", ("potential_unicorn", "unicorn", "little_giant",
                                                   "star_listed"), None),
)
BY_KEY = {t.key: t for t in LADDER}
LEVEL_OF_QUALIFICATION = {kind: t.level for t in LADDER for kind in t.qualifications}


def tier_of(kinds: set[str] | frozenset[str]) -> Tier:
    """The highest tier that any of the qualification kinds held places the firm in."""
    level = max((LEVEL_OF_QUALIFICATION[k] for k in kinds if k in LEVEL_OF_QUALIFICATION), default=0)
    return LADDER[level]
