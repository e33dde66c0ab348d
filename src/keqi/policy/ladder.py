"""The tier ladder (梯次): its stages in level order and the lookups screening and the pages need.

Pure (no Django): the city administrator keeps the ladder as data (``pipeline.models.LadderTier``,
read by ``pipeline.services.current_ladder``); what a firm's tier is, what stands above it and
which editions decide entry there on a day is answered here, so a Spark executor or a flat-file
screen can use the ladder without a database. Entry to a stage is decided by the edition of each of
its families in force on the day (``keqi.policy.editions.resolve``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from keqi.policy import editions as policy_editions


@dataclass(frozen=True)
class Tier:
    level: int
    key: str
    label: str  # Chinese (the official wording)
    label_en: str
    qualifications: tuple[str, ...]  # Qualification.kind values that place a firm here
    entry_families: tuple[str, ...]  # edition families whose verdict decides entry here


@dataclass(frozen=True)
class Ladder:
    """The stages in level order, with the lookups screening and the pages need (pure)."""

    tiers: tuple[Tier, ...]

    @cached_property
    def by_key(self) -> dict[str, Tier]:
        return {t.key: t for t in self.tiers}

    @cached_property
    def _level_of_kind(self) -> dict[str, int]:
        return {kind: t.level for t in self.tiers for kind in t.qualifications}

    def tier_of(self, kinds: Iterable[str]) -> Tier:
        """The highest stage that any of the qualification kinds held places the firm on."""
        level = max((self._level_of_kind[k] for k in kinds if k in self._level_of_kind), default=self.tiers[0].level)
        return self.at_level(level)

    def at_level(self, level: int) -> Tier:
        return next(t for t in self.tiers if t.level == level)

    def next_of(self, tier: Tier) -> Tier | None:
        return next((t for t in self.tiers if t.level > tier.level), None)

    def next_editions(self, tier: Tier, on: dt.date) -> tuple[str, ...]:
        """The editions deciding entry to the stage above ``tier`` on day ``on``, in the stage's family order.

        A family with no edition in force that day (or not known to ``keqi.policy``) is skipped.
        """
        nxt = self.next_of(tier)
        if nxt is None:
            return ()
        return editions_in_force(nxt.entry_families, on)

    def labels(self) -> dict[str, str]:
        return {t.key: t.label for t in self.tiers}


def editions_in_force(families: Iterable[str], on: dt.date) -> tuple[str, ...]:
    """The edition id of each family in force on ``on`` (families without one that day are left out)."""
    out = []
    for family in families:
        try:
            out.append(policy_editions.resolve(family, on=on).id)
        except KeyError:
            continue
    return tuple(dict.fromkeys(out))
