"""Registered technology contracts (技术合同认定登记), linked to the enterprise record.

The registration number is the key: importing the same contract again changes nothing, and a
corrected row updates it in place. Money is integer yuan. Either party may be outside Chongqing;
``seller``/``buyer`` point at the registry firm when its 统一社会信用代码 is registered there.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from keqi.registry.columns import HITECH_FIELDS
from keqi.registry.uploads import Upload

from .categories import ALL_SUB_KINDS, CATEGORIES
from .rules import contract_faults


class TechContract(models.Model):
    class Status(models.TextChoices):
        REGISTERED = "已登记", _("Registered")
        REFUSED = "未予登记", _("Not registered")
        CANCELLED = "已撤销", _("Cancelled")

    number = models.CharField(_("registration number"), max_length=64, unique=True)
    title = models.CharField(_("contract title"), max_length=200)
    category = models.CharField(_("category"), max_length=8, choices=[(c, c) for c in CATEGORIES])
    sub_kind = models.CharField(_("sub-kind"), max_length=24, choices=[(s, s) for s in ALL_SUB_KINDS])
    seller_uscc = models.CharField(_("seller's credit code"), max_length=18)
    seller_name = models.CharField(_("seller"), max_length=200)
    seller = models.ForeignKey("registry.Enterprise", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="contracts_sold", verbose_name=_("seller in the registry"))
    buyer_uscc = models.CharField(_("buyer's credit code"), max_length=18)
    buyer_name = models.CharField(_("buyer"), max_length=200)
    buyer = models.ForeignKey("registry.Enterprise", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="contracts_bought", verbose_name=_("buyer in the registry"))
    signed_on = models.DateField(_("signed on"))
    registered_on = models.DateField(_("registered on"))
    contract_amount = models.BigIntegerField(_("contract turnover (yuan)"))
    technical_amount = models.BigIntegerField(_("technology transaction amount (yuan)"))
    reporting_unit = models.ForeignKey("registry.ReportingUnit", on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("registering unit"))
    hitech_field = models.CharField(_("high-tech field"), max_length=16, blank=True,
                                    choices=[(f, f) for f in HITECH_FIELDS])
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.REGISTERED)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-registered_on", "number"]
        verbose_name = _("technology contract")
        verbose_name_plural = _("technology contracts")
        indexes = [models.Index(fields=["reporting_unit", "registered_on"]), models.Index(fields=["registered_on"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(technical_amount__gte=0), name="contract_technical_nonnegative"),
            models.CheckConstraint(condition=models.Q(contract_amount__gte=models.F("technical_amount")),
                                   name="contract_technical_within_total"),
            models.CheckConstraint(condition=models.Q(registered_on__gte=models.F("signed_on")),
                                   name="contract_registered_after_signed"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def non_technical_amount(self) -> int:
        return self.contract_amount - self.technical_amount

    def clean(self) -> None:
        faults = contract_faults(
            category=self.category, sub_kind=self.sub_kind, seller_uscc=self.seller_uscc,
            buyer_uscc=self.buyer_uscc, signed_on=self.signed_on, registered_on=self.registered_on,
            contract_amount=self.contract_amount, technical_amount=self.technical_amount,
            today=timezone.localdate(),
        )
        if faults:
            raise ValidationError(faults)


class ContractImport(Upload):
    """One uploaded contract file and what became of it (the upload lifecycle: registry/uploads.py)."""

    UPLOAD_FOLDER = "contract-imports"
    IMPORTER = "keqi.contracts.flows.run_import"
    PERMISSION = "contracts.write"

    class Meta(Upload.Meta):
        verbose_name = _("contract import")
        verbose_name_plural = _("contract imports")

    def summary_rows(self):
        return [(_("Technology contracts"), self.summary)]
