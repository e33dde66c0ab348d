"""How close a firm is to qualifying under one edition: one number, smaller is closer.

- ``0``: eligible now.
- the **cost of its gap plan** (plus 1 when the plan can only reach "uncertain") (Σ change × unit cost, with the edition's ``gap_costs`` setting —
  the same costs by which ``keqi.policy.gaps`` chose that plan as the smallest): ineligible, but
  the plan reaches eligibility with levers the firm controls. In yuan-equivalents by default
  (1 per yuan of R&D, 200,000 per tech hire …; bureau settings, not official).
- ``UNCERTAIN`` (1): the pass mark lies inside the points range that experts decide; there is
  nothing to buy, an application-guidance visit decides it, so it ranks right after the eligible.
- ``None``: nothing the firm controls makes it eligible (too young, too big, an integrity flag,
  missing data, or no plan that reaches eligibility): it is not ranked as a candidate.

A ranking rule of KeQi's, not an official measure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

UNCERTAIN = 1.0


def closeness(verdict: str, gaps: Sequence[Mapping[str, Any]], costs: Mapping[str, float]) -> float | None:
    if verdict == "eligible":
        return 0.0
    if verdict == "uncertain":
        return UNCERTAIN
    if not gaps or any(g.get("change") is None or g.get("reaches") not in ("eligible", "uncertain") for g in gaps):
        return None
    cost = float(sum(g["change"] * costs.get(g["field"], 1) for g in gaps))
    # A plan that can only reach "uncertain" (experts still decide) ranks just behind an equal sure one.
    return cost + (UNCERTAIN if any(g["reaches"] == "uncertain" for g in gaps) else 0.0)


def next_choice(tiers: Sequence, nexts: Mapping[str, Sequence[str]],
                closeness: Mapping[str, np.ndarray]) -> list[str]:
    """Per firm, the edition deciding its next tier: the closest of the next tier's editions in force
    (``closeness`` per edition, NaN = unranked; unranked last, a tie keeps the tier's family order);
    "" when the firm is on the top tier."""
    out = [""] * len(tiers)
    for key, options in nexts.items():
        rows = np.array([i for i, t in enumerate(tiers) if t.key == key], dtype=np.int64)
        if not rows.size or not options:
            continue
        stacked = np.stack([np.nan_to_num(closeness[e][rows], nan=np.inf) for e in options])
        best = np.argmin(stacked, axis=0)  # the first of equals
        for i, b in zip(rows, best, strict=True):
            out[i] = options[b]
    return out
