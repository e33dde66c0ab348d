from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "keqi.contracts"
    verbose_name = _("Technology contracts")

    def ready(self) -> None:
        from keqi.registry import measures

        # targets' progress toward the 技术合同成交额 target reads it by the indicator's code
        measures.register("contract_turnover", _turnover_by_unit)


def _turnover_by_unit(*, year: int):
    """contracts.services.turnover_by_unit, imported when first asked: the services module brings polars,
    which start-up (every command, the file screens' workers) should not pay for."""
    from .services import turnover_by_unit

    return turnover_by_unit(year=year)
