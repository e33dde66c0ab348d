"""Screening runs and their results.

A run judges a set of firms (a reporting unit or the whole city) against every edition on one
assessment day, and records the edition versions and settings it used, so it can be reproduced.
Results are written while the run is ``running``; only a ``complete`` run is ever shown, so an
interrupted run leaves the previous results in place.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScreeningRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Running")
        COMPLETE = "complete", _("Complete")
        FAILED = "failed", _("Failed or interrupted")

    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("requested by"),
    )
    assess_on = models.DateField(_("assessment day"))
    reporting_unit = models.ForeignKey(
        "registry.ReportingUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("reporting unit (empty: the whole city)"),
    )
    editions = models.JSONField(_("edition versions"), default=dict)
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    engine = models.CharField(_("engine"), max_length=16, default="duckdb")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    firms = models.PositiveIntegerField(_("firms"), default=0)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("screening run")
        verbose_name_plural = _("screening runs")

    def __str__(self) -> str:
        return f"{self.assess_on} · {self.reporting_unit or '全市'}"


class Standing(models.Model):
    """Where one firm stands in one run: its tier, and how close it is to the next one."""

    run = models.ForeignKey(ScreeningRun, on_delete=models.CASCADE, related_name="standings")
    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.CASCADE, related_name="+")
    reporting_unit = models.ForeignKey("registry.ReportingUnit", on_delete=models.PROTECT, related_name="+")
    current_tier = models.CharField(_("current tier"), max_length=12)
    next_tier = models.CharField(_("next tier"), max_length=12, blank=True)
    next_edition = models.CharField(_("edition deciding the next tier"), max_length=24, blank=True)
    next_verdict = models.CharField(_("verdict for the next tier"), max_length=12, blank=True)
    closeness = models.FloatField(_("closeness (smaller is closer)"), null=True, blank=True)

    class Meta:
        verbose_name = _("standing")
        verbose_name_plural = _("standings")
        constraints = [models.UniqueConstraint(fields=["run", "enterprise"], name="standing_unique_run_firm")]
        indexes = [models.Index(fields=["run", "reporting_unit", "next_tier", "closeness"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id} · {self.current_tier} → {self.next_tier or '—'}"


class Result(models.Model):
    """One firm's verdict under one edition in one run (the evaluation contract, summarised)."""

    run = models.ForeignKey(ScreeningRun, on_delete=models.CASCADE, related_name="results")
    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.CASCADE, related_name="+")
    edition = models.CharField(_("edition"), max_length=24)
    verdict = models.CharField(_("verdict"), max_length=12)
    route = models.CharField(_("route"), max_length=8, blank=True)
    score_min = models.SmallIntegerField(_("lowest score"), null=True, blank=True)
    score_max = models.SmallIntegerField(_("highest score"), null=True, blank=True)
    pass_mark = models.SmallIntegerField(_("pass mark"), null=True, blank=True)
    closeness = models.FloatField(_("closeness (smaller is closer)"), null=True, blank=True)
    # null: not computed in this run (only the edition deciding the firm's next tier is, by default)
    gaps = models.JSONField(_("gap plan"), null=True, blank=True)
    extras = models.JSONField(_("edition-specific results"), default=dict, blank=True)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [
            models.UniqueConstraint(fields=["run", "enterprise", "edition"], name="result_unique_run_firm_edition")
        ]
        indexes = [models.Index(fields=["run", "edition", "verdict"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id} · {self.edition}: {self.verdict}"
