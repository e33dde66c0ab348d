"""Every date a person enters is a browser date picker with an ISO value (issue 15.2).

A localised ``DateInput`` writes ``2026/12/03`` under zh-hans, which ``<input type="date">`` cannot show: the
field looked empty and the screening form could not be submitted. Enumerated: every form class of KeQi.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
import re

import pytest
from django import forms
from django.urls import reverse

import keqi
from keqi.accounts.widgets import DateInput


def _form_classes():
    found = []
    for info in pkgutil.walk_packages(keqi.__path__, "keqi."):
        if not info.name.endswith(".forms"):
            continue
        module = importlib.import_module(info.name)
        found += [c for _, c in inspect.getmembers(module, inspect.isclass)
                  if issubclass(c, forms.BaseForm) and c.__module__ == module.__name__]
    return found


@pytest.mark.django_db
def test_every_date_field_of_every_form_is_an_iso_date_picker():
    checked, wrong = 0, []
    for cls in _form_classes():
        for name, field in cls.base_fields.items():
            if isinstance(field, forms.DateField):
                checked += 1
                if not isinstance(field.widget, DateInput):
                    wrong.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert checked >= 10
    assert not wrong, f"use keqi.accounts.widgets.DateField: {wrong}"


def test_the_widget_writes_iso_under_chinese():
    from django.utils import translation

    with translation.override("zh-hans"):
        html = DateInput().render("d", dt.date(2026, 12, 3))
    assert 'type="date"' in html and 'value="2026-12-03"' in html


def _iso_date_inputs(html):
    inputs = re.findall(r'<input[^>]*type="date"[^>]*>', html)
    assert inputs, html
    for tag in inputs:
        value = re.search(r'value="([^"]*)"', tag)
        assert value is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.group(1)), tag
    return inputs


@pytest.mark.django_db
def test_the_screening_form_comes_with_an_iso_day(client_for, yubei_officer):
    (tag,) = _iso_date_inputs(client_for(yubei_officer).get(reverse("screening:index")).content.decode())
    assert 'value="' in tag and "required" in tag


@pytest.mark.django_db
def test_the_task_form_gives_back_its_due_date_in_iso(client_for, yubei_officer, tmp_path):
    from keqi.accounts.scope import SYSTEM
    from keqi.registry import flows

    from support import report_rows, write_file

    rows = report_rows(1, unit="渝北区", seed=81)
    flows.run_import(path=write_file(tmp_path / "f.xlsx", rows), scope=SYSTEM)
    uscc = rows["uscc"][0]
    html = client_for(yubei_officer).post(reverse("pipeline:task_new"), {
        "uscc": uscc, "kind": "visit", "title": "", "assigned_to": yubei_officer.pk, "due_on": "2026-12-01"},
    ).content.decode()
    assert any('value="2026-12-01"' in tag for tag in _iso_date_inputs(html))
