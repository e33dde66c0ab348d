"""Knowledge-value credit loans (知识价值信用贷款) and the risk fund that backs them.

A partner bank records a loan within the firm's credit line; repayments reduce the outstanding
principal; an overdue loan is compensated by the district's risk fund (80% of the overdue
principal), and what is later recovered flows back. The fund is a ledger per reporting unit:
every :class:`FundEntry` is a contribution, a compensation or a recovery, split city : district,
and the balance is always contributions − compensations + recoveries. Money is integer yuan.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from keqi.policy.formats import percent

USER = settings.AUTH_USER_MODEL


class CreditPolicy(models.Model):
    """The bureau's settings (one row). Defaults are documented in docs/contracts-credit.md."""

    # Default 3.00%: a placeholder, not official and not from the reference files (UNCONFIRMED); the city
    # administrator sets the current 1-year LPR here and keeps it up to date.
    lpr_one_year = models.DecimalField(_("reference 1-year LPR"), max_digits=6, decimal_places=4,
                                       default=Decimal("0.0300"))
    # NOT OFFICIAL: the 熔断 trigger is not public (chongqing.md §3, UNCONFIRMED).
    breaker_loss_ratio = models.DecimalField(_("circuit-breaker loss ratio"), max_digits=6, decimal_places=4,
                                             default=Decimal("0.0500"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("credit settings")
        verbose_name_plural = _("credit settings")

    def __str__(self) -> str:
        return f"LPR {percent(self.lpr_one_year)} · 熔断 {percent(self.breaker_loss_ratio)}"


class Loan(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Outstanding")
        REPAID = "repaid", _("Repaid")
        COMPENSATED = "compensated", _("Overdue, compensated")

    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.PROTECT, related_name="kv_loans",
                                   verbose_name=_("enterprise"))
    reporting_unit = models.ForeignKey("registry.ReportingUnit", on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("reporting unit"))
    bank = models.CharField(_("bank"), max_length=100)
    amount = models.BigIntegerField(_("principal (yuan)"))
    annual_rate = models.DecimalField(_("annual rate"), max_digits=6, decimal_places=4)
    lpr_at_grant = models.DecimalField(_("reference LPR at grant"), max_digits=6, decimal_places=4)
    granted_on = models.DateField(_("granted on"))
    due_on = models.DateField(_("due on"))
    grade = models.CharField(_("grade at grant"), max_length=1)
    credit_line = models.BigIntegerField(_("credit line at grant (yuan)"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    recorded_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-granted_on", "-pk"]
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0) & Q(amount__lte=F("credit_line")),
                                   name="loan_within_line"),
            models.CheckConstraint(condition=Q(due_on__gt=F("granted_on")), name="loan_due_after_grant"),
        ]

    def __str__(self) -> str:
        return f"{self.bank} · {self.enterprise_id} · {self.amount}"


class Repayment(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="repayments")
    paid_on = models.DateField(_("paid on"))
    principal = models.BigIntegerField(_("principal (yuan)"), default=0)
    interest = models.BigIntegerField(_("interest (yuan)"), default=0)
    recorded_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(principal__gte=0) & Q(interest__gte=0),
                                              name="repayment_nonnegative")]

    def __str__(self) -> str:
        return f"{self.loan_id} · {self.paid_on} · {self.principal}+{self.interest}"


class Default(models.Model):
    """An overdue loan and the fund's compensation of it (80% of the overdue principal)."""

    loan = models.OneToOneField(Loan, on_delete=models.PROTECT, related_name="default")
    recorded_on = models.DateField(_("recorded on"))
    overdue_principal = models.BigIntegerField(_("overdue principal (yuan)"))
    compensation = models.BigIntegerField(_("fund compensation (yuan)"))
    bank_share = models.BigIntegerField(_("principal borne by the bank (yuan)"))
    city_share = models.BigIntegerField(_("city's share (yuan)"))
    district_share = models.BigIntegerField(_("district's share (yuan)"))
    recorded_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(overdue_principal=F("compensation") + F("bank_share")),
                                   name="default_parts_add_up"),
            models.CheckConstraint(condition=Q(compensation=F("city_share") + F("district_share")),
                                   name="default_shares_add_up"),
        ]

    def __str__(self) -> str:
        return f"{self.loan_id} · {self.recorded_on} · {self.compensation}"


class FundEntry(models.Model):
    """One movement of a reporting unit's risk fund, split city : district."""

    class Kind(models.TextChoices):
        CONTRIBUTION = "contribution", _("Contribution")
        COMPENSATION = "compensation", _("Compensation")
        RECOVERY = "recovery", _("Recovery")

    reporting_unit = models.ForeignKey("registry.ReportingUnit", on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("reporting unit"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    amount = models.BigIntegerField(_("amount (yuan)"))
    city_part = models.BigIntegerField(_("city's part (yuan)"))
    district_part = models.BigIntegerField(_("district's part (yuan)"))
    entry_on = models.DateField(_("date"))
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, null=True, blank=True, related_name="fund_entries")
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entry_on", "pk"]
        verbose_name = _("fund entry")
        verbose_name_plural = _("fund entries")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_entry_positive"),
            models.CheckConstraint(condition=Q(amount=F("city_part") + F("district_part")),
                                   name="fund_entry_parts_add_up"),
        ]

    def __str__(self) -> str:
        return f"{self.reporting_unit_id} · {self.get_kind_display()} · {self.amount}"
