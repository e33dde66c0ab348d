"""Exact integer breakpoints of the gap levers (numpy, vectorised over a batch of firms).

A breakpoint is the smallest change of one lever that reaches a threshold. The gap search
(``keqi.policy.gaps``) tries combinations of breakpoints and lets the engine decide which ones make a
firm eligible, so these helpers never decide eligibility themselves.
"""

from __future__ import annotations

import numpy as np


def ceil_div(a: np.ndarray, b: np.ndarray | int) -> np.ndarray:
    """Exact ceiling division of int64 arrays (b > 0)."""
    return -((-a) // b)


def hires_to_share(tech: np.ndarray, staff: np.ndarray, pct: int) -> np.ndarray:
    """Smallest Δ >= 0 with (tech + Δ) * 100 >= pct * (staff + Δ): hiring raises both counts."""
    need = pct * staff - 100 * tech
    hires = np.maximum(0, ceil_div(need, 100 - pct))
    # a firm with no staff at all has no ratio: one hire (a tech hire) makes it 100 %
    return np.where((staff + hires == 0) & (pct > 0), 1, hires)


def spend_to_ratio(part: np.ndarray, whole: np.ndarray, pct: int) -> np.ndarray:
    """Smallest Δ >= 0 with (part + Δ) * 100 >= pct * whole (the denominator does not move)."""
    return np.maximum(0, ceil_div(pct * whole - 100 * part, 100))


def spend_to_ratio_moving(part: np.ndarray, whole: np.ndarray, pct: int) -> np.ndarray:
    """Smallest Δ >= 0 with (part + Δ) * 100 >= pct * (whole + Δ) (the spending is also in the whole).

    An empty whole (0) has no ratio at all: the first unit of spending creates it.
    """
    need = np.maximum(0, ceil_div(pct * whole - 100 * part, 100 - pct))
    return np.where(whole + need == 0, 1, need)
