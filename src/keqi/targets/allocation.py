"""The suggested split of a city or zone target over its reporting units (pure computation).

How 市科技局 sets each 区县's annual numbers is not published (../shared/reference/chongqing.md §1,
"The allocation formula … is UNCONFIRMED"), so the split KeQi suggests is a method of its own, not
an official rule; the city administrator accepts it or edits it unit by unit.

Method: each unit gets a share of the whole proportional to its *weight* (for counted indicators:
firms already holding the qualification plus the eligible candidates of the latest screening; for
技术合同成交额: last year's registered turnover). Shares are rounded to whole units (firms, yuan) by the
largest-remainder method, so the parts always add up exactly to the whole: every unit first gets the
integer part of its exact share, and the units left over go one each to the largest fractional
remainders (ties: the larger weight, then the key). When every weight is zero the whole is split
equally the same way.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from fractions import Fraction


def largest_remainder(whole: int, weights: Mapping[Hashable, int | float | Fraction]) -> dict[Hashable, int]:
    """Split the non-negative integer ``whole`` over ``weights`` (non-negative) so the parts sum to it exactly."""
    if whole < 0:
        raise ValueError(f"the whole to split must not be negative: {whole}")
    if any(w < 0 for w in weights.values()):
        bad = next(k for k, w in weights.items() if w < 0)
        raise ValueError(f"weight of {bad} is negative: {weights[bad]}")
    if not weights:
        if whole:
            raise ValueError("nothing to split the whole over")
        return {}
    exact = {k: Fraction(w) for k, w in weights.items()}
    total = sum(exact.values())
    if total == 0:
        exact = {k: Fraction(1) for k in weights}
        total = Fraction(len(weights))
    shares = {k: whole * w / total for k, w in exact.items()}
    parts = {k: int(s) for k, s in shares.items()}  # floor: shares are non-negative
    left = whole - sum(parts.values())
    order = sorted(shares, key=lambda k: (-(shares[k] - parts[k]), -exact[k], str(k)))
    for k in order[:left]:
        parts[k] += 1
    return parts
