"""A firm's current tier on the registry's lists, which the pipeline knows (its ladder), without an import.

The enterprise list (registry, layer 2) shows and sorts by each firm's tier; the ladder the city keeps is
the pipeline's (layer 3). The pipeline registers a provider here when it starts (``AppConfig.ready``),
the list asks :func:`column` for the day it shows, as :mod:`keqi.registry.measures` does for figures.

A provider is ``fn(*, on) -> TierColumn``: ``level`` is an expression on :class:`Enterprise` rows (the
level of the highest tier whose qualification the firm holds on ``on``; the first tier's when none),
``tiers`` the ladder's ``(level, key, label)`` in order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TierColumn:
    level: Any  # a query expression (annotation) on Enterprise
    tiers: Sequence[tuple[int, str, str]]  # (level, key, label), lowest first

    def label(self, level: int | None) -> str:
        return next((label for lv, _, label in self.tiers if lv == level), "—")

    def level_of(self, key: str) -> int | None:
        return next((lv for lv, k, _ in self.tiers if k == key), None)


Provider = Callable[..., TierColumn]
_PROVIDERS: dict[str, Provider] = {}


def register(provider: Provider) -> None:
    """Make ``provider`` the one that gives the tier column (called once, at app start; a reload replaces it)."""
    _PROVIDERS["tier"] = provider


def column(*, on) -> TierColumn | None:
    """The tier column on day ``on``, or None when no app provides one."""
    provider = _PROVIDERS.get("tier")
    return provider(on=on) if provider is not None else None
