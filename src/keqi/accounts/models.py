"""Who a user is in the programme: a role, and the reporting unit or enterprise it is bound to.

Authentication, password hashing and sessions are Django's own. The role decides what the service
layer lets a user read and change (see :mod:`keqi.accounts.scope`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("City administrator")
    DISTRICT_OFFICER = "district_officer", _("District officer")
    ENTERPRISE_USER = "enterprise_user", _("Enterprise user")
    BANK_OFFICER = "bank_officer", _("Bank officer")
    CONTRACT_REGISTRAR = "contract_registrar", _("Contract registrar")


class Membership(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    reporting_unit = models.ForeignKey(
        "registry.ReportingUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("reporting unit"),
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("enterprise"),
    )
    organisation = models.CharField(_("organisation (bank, registry office)"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"

    def clean(self) -> None:
        if self.role in (Role.DISTRICT_OFFICER, Role.CONTRACT_REGISTRAR) and not self.reporting_unit_id:
            raise ValidationError({"reporting_unit": _("This role needs a reporting unit.")})
        if self.role == Role.ENTERPRISE_USER and not self.enterprise_id:
            raise ValidationError({"enterprise": _("An enterprise user needs an enterprise.")})


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only a hash is stored; the token is shown once, at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} · {self.name} ({self.prefix}…)"
