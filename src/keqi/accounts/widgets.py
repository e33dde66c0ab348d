"""Form fields every page uses the same way (shared machinery, at the lowest layer with Django).

- ``WanField``: money typed in 万元 (the unit the pages show), cleaned to integer yuan;
- ``PercentField``: a rate or share typed as a percentage, cleaned to the fraction;
- ``DateInput`` / ``DateField``: a browser date picker (``<input type="date">``) whose value is always ISO
  (``2026-12-03``), whatever the language: a localised ``DateInput`` writes ``2026/12/03`` under zh-hans,
  which a date input cannot show, so the field looks empty and a required one blocks the form.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms

ISO = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """``<input type="date">`` with an ISO value."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO)


class DateField(forms.DateField):
    """A date entered with the browser's date picker (ISO out; ISO or the language's formats in)."""

    widget = DateInput


class WanField(forms.DecimalField):
    """Money typed in 万元, the unit the pages show it in (up to four decimals: whole yuan), cleaned to
    integer yuan for the services. An initial value (integer yuan) is shown in 万元."""

    def __init__(self, *, min_value=None, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 4)
        super().__init__(min_value=min_value, **kwargs)

    def clean(self, value):
        wan = super().clean(value)
        return None if wan is None else int(wan * 10_000)

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return format(Decimal(value) / 10_000, "f").rstrip("0").rstrip(".") if value else "0"
        return value


class PercentField(forms.DecimalField):
    """A rate or a share typed as a percentage (3.45 for 3.45%), cleaned to the fraction the services
    keep (Decimal 0.0345). An initial value (a fraction) is shown as a percentage."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 6)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("step", "0.01")

    def clean(self, value):
        pct = super().clean(value)
        return None if pct is None else (pct / 100).quantize(Decimal("0.0001"))

    def prepare_value(self, value):
        if isinstance(value, Decimal | float):
            return format((Decimal(str(value)) * 100).quantize(Decimal("0.01")), "f")
        return value
