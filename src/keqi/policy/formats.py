"""How amounts, counts, shares and rates are written for people: the one formatting module.

Pure, so that every front writes a figure the same way: the pages (as template filters,
``web/templatetags/keqi.py``), the CLI and the exports call these functions.

- money is stored in integer yuan and shown in 万元 with thousands separators and at most two decimals
  (``wan``: 1647517 → ``164.75``; ``wan_unit``: → ``164.75 万元``; 50000000 → ``5,000 万元``); a message
  that quotes an amount back (a refusal of a loan, a repayment …) writes it to the yuan, still in 万元
  (``wan_unit(800001, places=4)`` → ``80.0001 万元``);
- counts have thousands separators (``count``: 12800 → ``12,800``);
- shares and rates are percentages with two decimals (``percent``: 0.2462 → ``24.62%``; LPR 0.0300 → ``3.00%``);
- a criterion's value and threshold are written in the criterion's own unit (``criterion_text``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

DASH = "—"
CENT = Decimal("0.01")


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator) if value.denominator else None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None


def _grouped(amount: Decimal, places: int = 2) -> str:
    """``amount`` rounded half up to ``places`` decimals, thousands separated, trailing zeros dropped."""
    q = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{q:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def wan(yuan, places: int = 2) -> str:
    """Integer yuan → 万元 (the number only: the unit is in the column's heading), at most two decimals
    (``places=4``: to the yuan, as a message quotes an amount typed in 万元 back to the user)."""
    amount = _decimal(yuan)
    if amount is None:
        return DASH
    return _grouped(amount / 10_000, places)


def wan_unit(yuan, places: int = 2) -> str:
    """Integer yuan → ``164.75 万元`` (``places=4``: 800001 → ``80.0001 万元``)."""
    text = wan(yuan, places)
    return text if text == DASH else f"{text} 万元"


def usd_wan_unit(usd) -> str:
    """US dollars → ``1,000 万美元``."""
    text = wan(usd)
    return text if text == DASH else f"{text} 万美元"


def count(value) -> str:
    """A count of firms, contracts … (a forecast is rounded to whole firms): thousands separated (12800 → 12,800)."""
    amount = _decimal(value)
    if amount is None:
        return DASH
    return _grouped(amount, 0)


def number(value) -> str:
    """A figure without a unit of its own: integers thousands separated, fractions to at most two decimals."""
    amount = _decimal(value)
    if amount is None:
        return DASH
    return _grouped(amount, 2)


def percent(value, places: int = 2) -> str:
    """A share or a rate as a percentage (0.2462 → 24.62%; 0.03 → 3.00%)."""
    amount = _decimal(value)
    if amount is None:
        return DASH
    q = (amount * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{q:,.{places}f}%"


# ---------------------------------------------------------------- a criterion's value and threshold

_SHARE_WORDS = ("比例", "比重", "占比", "率", "%", "％")


def criterion_kind(label: str, threshold=None, value=None) -> str:
    """The unit a criterion is measured in, read off its label and threshold: ``"money"`` (yuan),
    ``"usd"``, ``"share"`` (a fraction shown as a percentage) or ``"number"`` (counts, years, points)."""
    label = label or ""
    t, v = _decimal(threshold), _decimal(value)
    probe = t if t is not None else v
    if probe is None:
        return "number"
    if abs(probe) >= 100_000:
        return "usd" if "美元" in label else "money"
    if t is not None and 0 < abs(t) < 1:
        return "share"
    if t is None and any(w in label for w in _SHARE_WORDS) and abs(probe) <= 5:
        return "share"
    return "number"


def in_kind(value, kind: str) -> str:
    if kind == "money":
        return wan_unit(value)
    if kind == "usd":
        return usd_wan_unit(value)
    if kind == "share":
        return percent(value)
    return number(value)


def criterion_text(criterion: dict, key: str) -> str:
    """``criterion[key]`` (``"value"`` or ``"threshold"``) in the criterion's unit."""
    kind = criterion_kind(criterion.get("label", ""), criterion.get("threshold"), criterion.get("value"))
    return in_kind(criterion.get(key), kind)
