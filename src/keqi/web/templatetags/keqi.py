"""Small template helpers: dictionary look-up and money shown in 万元."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, key) if mapping else key


@register.filter
def wan(yuan):
    """Integer yuan → 万元 text with up to four decimals, exactly (no float rounding)."""
    if yuan is None:
        return "—"
    sign = "-" if yuan < 0 else ""
    whole, frac = divmod(abs(int(yuan)), 10_000)
    text = f"{whole:,}"
    if frac:
        text += f".{frac:04d}".rstrip("0")
    return sign + text


@register.filter
def number(value):
    """A criterion's value or threshold: integers as they are, fractions to four decimals."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if not value.is_integer() else str(int(value))
    return value


@register.filter
def percent(value):
    """A share (0.4567) as a percentage with one decimal (45.7%)."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.1f}%"
