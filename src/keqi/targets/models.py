"""Targets of the programme and the values of indicators that are not counted from firms.

A target is a value for an indicator, a year and a scope: the city, one of the plan's three
zones (中心城区, 主城新区, "两群"), or one reporting unit. The scope is stored as a key
(``city``, ``zone:中心城区``, ``unit:<id>``) so that each (indicator, year, scope) has at most one
target on every database. The city's 2023, 2025 and 2027 targets and the 2027 zone split are
shipped as data (``data/targets.csv``, each with its source).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from keqi.registry.uploads import Upload

#: the length of a target's or a value's source (document and number, or meeting and date)
SOURCE_LENGTH = 300

class Indicator(models.TextChoices):
    HNTE_COUNT = "hnte_count", _("High and new technology enterprises (count)")
    TECH_COUNT = "tech_count", _("Registered technology enterprises (count)")
    RD_INTENSITY = "rd_intensity", _("R&D intensity (percent of GDP)")
    CONTRACT_TURNOVER = "contract_turnover", _("Technology-contract turnover (yuan)")
    SNT_REVENUE_GROWTH = "snt_revenue_growth", _("Growth of S&T service revenue (percent)")
    STAR_LISTINGS = "star_listings", _("Firms listed on the STAR market (count)")


class Target(models.Model):
    indicator = models.CharField(_("indicator"), max_length=24, choices=Indicator.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    scope_key = models.CharField(_("scope"), max_length=40, help_text="city, zone:<name> or unit:<id>")
    value = models.DecimalField(_("target value"), max_digits=20, decimal_places=4)
    source = models.CharField(_("source"), max_length=SOURCE_LENGTH, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "indicator", "scope_key"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year", "scope_key"], name="target_unique_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_indicator_display()} {self.scope_key}: {self.value}"


class IndicatorValue(models.Model):
    """A dated value of an indicator that is reported, not counted (R&D intensity, turnover …)."""

    indicator = models.CharField(_("indicator"), max_length=24, choices=Indicator.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    scope_key = models.CharField(_("scope"), max_length=40)
    as_of = models.DateField(_("as of"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    source = models.CharField(_("source"), max_length=SOURCE_LENGTH)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("entered by"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-as_of"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")

    def __str__(self) -> str:
        return f"{self.as_of} {self.indicator} {self.scope_key}: {self.value}"


class ValueImport(Upload):
    """One uploaded sheet of reported values (the upload lifecycle: registry/uploads.py)."""

    UPLOAD_FOLDER = "value-imports"
    IMPORTER = "keqi.targets.reported.run_import"
    PERMISSION = "targets.record_values"

    class Meta(Upload.Meta):
        verbose_name = _("indicator value import")
        verbose_name_plural = _("indicator value imports")

    def summary_rows(self):
        return [(_("Indicator values"), self.summary)]
