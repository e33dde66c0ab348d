from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "keqi.contracts"
    verbose_name = _("Technology contracts")

    def ready(self) -> None:
        from keqi.registry import measures

        from . import services

        # targets' progress toward the 技术合同成交额 target reads it by the indicator's code
        measures.register("contract_turnover", services.turnover_by_unit)
