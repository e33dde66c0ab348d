from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PipelineConfig(AppConfig):
    name = "keqi.pipeline"
    verbose_name = _("Cultivation work")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (a qualification edited one at a time rewrites its firm's history)
