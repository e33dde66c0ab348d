"""How amounts and shares are written for people: money in 万元, criterion values, percentages.

Pure, so that every front writes a figure the same way: the pages (as template filters,
``web/templatetags/keqi.py``), the CLI and the exports call these functions.
"""

from __future__ import annotations

from decimal import Decimal


def wan(yuan) -> str:
    """Integer yuan → 万元 text with up to four decimals, exactly (no float rounding)."""
    if yuan is None:
        return "—"
    sign = "-" if yuan < 0 else ""
    whole, frac = divmod(abs(int(yuan)), 10_000)
    text = f"{whole:,}"
    if frac:
        text += f".{frac:04d}".rstrip("0")
    return sign + text


def number(value):
    """A criterion's value or threshold: integers as they are, fractions to four decimals."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if not value.is_integer() else str(int(value))
    return value


def percent(value) -> str:
    """A share (0.4567) as a percentage with one decimal (45.7%)."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.1f}%"
