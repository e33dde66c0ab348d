from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "keqi.credit"
    verbose_name = _("Knowledge-value credit")
