"""Cultivation work on a firm: visits, training, application guidance, and what came of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CultivationTask(models.Model):
    class Kind(models.TextChoices):
        VISIT = "visit", _("Visit")
        TRAINING = "training", _("Training")
        GUIDANCE = "guidance", _("Application guidance")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Outcome(models.TextChoices):
        NONE = "", _("—")
        APPLIED = "applied", _("Applied")
        APPROVED = "approved", _("On the official list")
        REJECTED = "rejected", _("Not approved")

    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.PROTECT, related_name="tasks",
                                   verbose_name=_("enterprise"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    target_tier = models.CharField(_("tier aimed at"), max_length=12, blank=True)
    title = models.CharField(_("title"), max_length=200)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tasks",
                                    verbose_name=_("assigned to"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("cultivation task")
        verbose_name_plural = _("cultivation tasks")
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.enterprise_id} · {self.due_on}"


# ---------------------------------------------------------------- the tier ladder (梯次培育)


class LadderTier(models.Model):
    """One tier of the ladder, as data the city administrator may edit (with history); the rest of the
    code reads the ladder as the pure :class:`keqi.policy.ladder.Ladder` (``services.current_ladder``).

    A firm stands on the highest tier that a qualification it holds places it on (``reserve``,
    level 0, holds none). Entry to a tier is decided by the verdict of an edition of one of its
    ``entry_families``: the edition of that family in force on the assessment day
    (``keqi.policy.editions.resolve``), so a new edition changes screening without a code change.
    """

    key = models.SlugField(_("key"), max_length=12, unique=True)
    level = models.PositiveSmallIntegerField(_("level"), unique=True)
    label_zh = models.CharField(_("Chinese label"), max_length=60)
    label_en = models.CharField(_("English label"), max_length=80)
    qualification_kinds = models.JSONField(
        _("qualification kinds that place a firm here"), default=list, blank=True,
        help_text=_("Qualification kind codes, e.g. [\"hnte\"]."))
    entry_families = models.JSONField(
        _("edition families deciding entry"), default=list, blank=True,
        help_text=_("Edition families whose verdict decides entry to this stage, e.g. [\"gazelle\", \"srdi\"]."))
    source = models.CharField(_("source"), max_length=200, blank=True)
    history = HistoricalRecords(table_name="pipeline_historicalstage")

    class Meta:
        db_table = "pipeline_stage"  # the table keeps the model's first name
        ordering = ["level"]
        verbose_name = _("tier stage")
        verbose_name_plural = _("tier stages")

    def __str__(self) -> str:
        return f"{self.level} · {self.label_zh}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from keqi.registry.columns import QUALIFICATION_KINDS

        errors = {}
        kinds = self.qualification_kinds
        if not isinstance(kinds, list) or any(k not in QUALIFICATION_KINDS for k in kinds):
            errors["qualification_kinds"] = _("A list of known qualification kinds: {kinds}").format(
                kinds=", ".join(QUALIFICATION_KINDS))
        fams = self.entry_families
        if not isinstance(fams, list) or not all(isinstance(f, str) and f for f in fams):
            errors["entry_families"] = _("A list of edition family names.")
        else:
            from keqi.policy import editions

            known = {e.family for e in editions.all_editions()}
            unknown = [f for f in fams if f not in known]
            if unknown:
                errors["entry_families"] = _("Unknown edition families: {names}").format(names=", ".join(unknown))
        if errors:
            raise ValidationError(errors)


class TierRecord(models.Model):
    """Where a firm stood in one year, as one source saw it (a firm's tier that year is the highest).

    ``qualification``: the highest tier of the qualifications it held at any time that year,
    rewritten whenever its qualifications are imported. ``screening``: its tier in the latest
    complete screening run assessed in that year, with the verdict for the next tier.
    """

    class Source(models.TextChoices):
        QUALIFICATION = "qualification", _("Qualifications held")
        SCREENING = "screening", _("Screening run")

    # A city-wide screening writes a record per firm (a million): the indexes are the unique
    # (enterprise, year, source), (year, tier) and the run's; the tier and run keys are not
    # constraints in the database (each checked key locks the row it points to, at commit), the ORM
    # applies PROTECT and SET_NULL when a tier or run is deleted.
    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.CASCADE, related_name="tier_records",
                                   verbose_name=_("enterprise"), db_index=False)  # the unique index serves it
    year = models.PositiveSmallIntegerField(_("year"))
    tier = models.ForeignKey(LadderTier, on_delete=models.PROTECT, related_name="+", verbose_name=_("stage"),
                             db_column="stage_id", db_index=False, db_constraint=False)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    run = models.ForeignKey("screening.ScreeningRun", on_delete=models.SET_NULL, null=True, blank=True,
                            related_name="+", verbose_name=_("screening run"), db_constraint=False)
    next_edition = models.CharField(_("edition deciding the next tier"), max_length=24, blank=True)
    next_verdict = models.CharField(_("verdict for the next tier"), max_length=12, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["enterprise", "year", "source"]
        verbose_name = _("tier record")
        verbose_name_plural = _("tier records")
        constraints = [models.UniqueConstraint(fields=["enterprise", "year", "source"], name="tier_record_unique")]
        indexes = [models.Index(fields=["year", "tier"], name="pipeline_ti_year_c076de_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} · {self.year} · {self.tier_id} ({self.source})"
