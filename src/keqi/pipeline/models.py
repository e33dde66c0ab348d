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
