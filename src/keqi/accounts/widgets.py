"""Form fields every page uses the same way (shared machinery, at the lowest layer with Django).

- ``DateInput`` / ``DateField``: a browser date picker (``<input type="date">``) whose value is always ISO
  (``2026-12-03``), whatever the language: a localised ``DateInput`` writes ``2026/12/03`` under zh-hans,
  which a date input cannot show, so the field looks empty and a required one blocks the form.
"""

from __future__ import annotations

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
