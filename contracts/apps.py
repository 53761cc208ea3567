from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracts")

    def ready(self) -> None:
        from approvals.registry import register
        from core import navigation

        from .sections import AcceptanceSection, ContractSection, PaymentSection, SupplementSection

        for section in (ContractSection(), AcceptanceSection(), PaymentSection(), SupplementSection()):
            register(section)
        navigation.replace("contracts", "contracts:index")

        from . import payables

        payables.register()
