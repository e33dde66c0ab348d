"""Screening runs and their results.

A run judges a set of firms (a reporting unit or the whole city) against every edition on one
assessment day, and records the edition versions and settings it used, so it can be reproduced.
Results (one :class:`Standing` per firm, with every edition's result packed in it) are written while
the run is ``running``; only a ``complete`` run is ever shown, so an interrupted run leaves the
previous results in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from keqi.registry.background import BackgroundWork


class ScreeningRun(BackgroundWork):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Running")
        COMPLETE = "complete", _("Complete")
        FAILED = "failed", _("Failed or interrupted")
        INTERRUPTED = "interrupted", _("Interrupted")

    ACTIVE_STATUSES = (Status.RUNNING,)
    RERUN_HINT = "已写入的部分结果已删除，请重新发起筛选。"

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
    # per edition, how many firms got each verdict (written when the run completes)
    counts = models.JSONField(_("verdict counts"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("screening run")
        verbose_name_plural = _("screening runs")

    def __str__(self) -> str:
        return f"{self.assess_on} · {self.reporting_unit or '全市'}"

    @classmethod
    def stopped(cls, pks: list[int]) -> None:
        """A run stopped half-way: its standings go (only a complete run is ever shown)."""
        Standing.objects.filter(run_id__in=pks).delete()


class Standing(models.Model):
    """One firm in one run: its tier, how close it is to the next one, and every edition's result.

    ``results`` packs the firm's result under each edition of the run into one JSON object (one row
    per firm, not one per firm and edition: a city-wide run writes a million rows, not thirteen
    million), keyed by edition id, each entry with short keys (only those with a value)::

        {"cq-tech-2022": {"v": "ineligible", "s": [55, 55, 60], "c": 12.0, "g": [...]},
         "kv-credit": {"v": "eligible", "s": [71, 71, null], "x": {"grade": "B", ...}}, ...}

    ``v`` verdict, ``r`` route, ``s`` [lowest score, highest score, pass mark], ``c`` closeness,
    ``g`` the gap plan (only where it was searched in the run: the editions deciding the firm's next
    tier, or all with ``all_gaps``; ``[]`` = searched, nothing needed), ``x`` edition-specific
    outputs (the credit grade, the unicorn tier). :meth:`result` unpacks one as an
    :class:`EditionResult`.

    ``name`` is the firm's name when the run screened it: the candidate lists order ties of
    closeness by it, from an index, without joining every firm before the first page.
    """

    # No foreign-key constraints in the database: a run writes a million standings, and PostgreSQL
    # checks each key of each row at commit by locking the row it points to (``FOR KEY SHARE``) — a
    # third of the writing. The keys come from the same run's reads; deleting a run, a firm or a
    # unit still cascades (or is refused) through the ORM, as ``on_delete`` says.
    run = models.ForeignKey(ScreeningRun, on_delete=models.CASCADE, related_name="standings",
                            db_index=False, db_constraint=False)  # the unique (run, enterprise) index serves it
    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.CASCADE, related_name="+",
                                   db_constraint=False)
    reporting_unit = models.ForeignKey("registry.ReportingUnit", on_delete=models.PROTECT, related_name="+",
                                       db_index=False, db_constraint=False)  # the (run, unit, …) index serves the lists
    name = models.CharField(_("name"), max_length=200, blank=True)
    current_tier = models.CharField(_("current tier"), max_length=12)
    next_tier = models.CharField(_("next tier"), max_length=12, blank=True)
    next_edition = models.CharField(_("edition deciding the next tier"), max_length=24, blank=True)
    next_verdict = models.CharField(_("verdict for the next tier"), max_length=12, blank=True)
    closeness = models.FloatField(_("closeness (smaller is closer)"), null=True, blank=True)
    results = models.JSONField(_("every edition's result"), default=dict, blank=True)

    class Meta:
        verbose_name = _("standing")
        verbose_name_plural = _("standings")
        constraints = [models.UniqueConstraint(fields=["run", "enterprise"], name="standing_unique_run_firm")]
        indexes = [
            # the candidate lists' order (closest first, ties by name): the first page from the index
            models.Index(fields=["run", "closeness", "name", "id"], name="standing_run_rank"),
            models.Index(fields=["run", "reporting_unit", "closeness", "name", "id"], name="standing_run_unit_rank"),
            # the lists filtered by next tier, and the targets' counts of candidates per tier
            models.Index(fields=["run", "next_tier", "closeness", "name", "id"], name="standing_run_tier_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} · {self.current_tier} → {self.next_tier or '—'}"

    def result(self, edition: str) -> EditionResult | None:
        """The firm's result under ``edition`` in this run (None if the run did not judge it)."""
        packed = (self.results or {}).get(edition)
        return None if packed is None else EditionResult.unpack(edition, packed)

    def edition_results(self) -> dict[str, EditionResult]:
        return {e: EditionResult.unpack(e, packed) for e, packed in (self.results or {}).items()}


@dataclass(frozen=True)
class EditionResult:
    """One firm's verdict under one edition in one run (the evaluation contract, summarised)."""

    edition: str
    verdict: str
    route: str = ""
    score_min: int | None = None
    score_max: int | None = None
    pass_mark: int | None = None
    closeness: float | None = None
    gaps: list | None = None  # None: not searched in this run (the firm's page computes it live)
    extras: dict = field(default_factory=dict)

    @classmethod
    def unpack(cls, edition: str, packed: dict) -> EditionResult:
        lo, hi, mark = packed.get("s") or (None, None, None)
        return cls(edition, packed["v"], packed.get("r", ""), lo, hi, mark, packed.get("c"), packed.get("g"),
                   packed.get("x") or {})

    def pack(self) -> dict:
        out: dict = {"v": self.verdict}
        if self.route:
            out["r"] = self.route
        if (self.score_min, self.score_max, self.pass_mark) != (None, None, None):
            out["s"] = [self.score_min, self.score_max, self.pass_mark]
        if self.closeness is not None:
            out["c"] = self.closeness
        if self.gaps is not None:
            out["g"] = self.gaps
        if self.extras:
            out["x"] = self.extras
        return out
