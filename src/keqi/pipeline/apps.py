from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PipelineConfig(AppConfig):
    name = "keqi.pipeline"
    verbose_name = _("Cultivation work")

    def ready(self) -> None:
        from keqi.registry import tiers

        from . import figures, signals  # noqa: F401  (a qualification edited one at a time rewrites its firm's history)

        tiers.register(figures.tier_column)  # the enterprise list's 当前梯次
