from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "keqi.registry"
    verbose_name = _("Enterprise registry")
