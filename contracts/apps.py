from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracts")

    def ready(self) -> None:
        from approvals.registry import register
        from core import navigation
        from documents import registry as documents
        from procurement import downstream

        from .documents import OWNERS
        from .procurement_pages import DOWNSTREAM
        from .sections import AcceptanceSection, ContractSection, PaymentSection, SupplementSection

        for section in (ContractSection(), AcceptanceSection(), PaymentSection(), SupplementSection()):
            register(section)
        navigation.replace("contracts", "contracts:index")
        for owner in OWNERS:
            documents.register(owner)
        downstream.register(DOWNSTREAM)

        from approvals.rules import register_record_page, register_rule

        from .rules import (ContractDiffersFromAward, ContractEndingUnpaid, LatePaymentToSme, PaidBeforeMilestone,
                            PaidBeyondContract, RetentionOverLimit, SupplementsOverLimit, TooManyChanges)

        register_record_page("contracts.contract", "contracts:detail")
        for rule in (PaidBeyondContract(), PaidBeforeMilestone(), SupplementsOverLimit(), TooManyChanges(),
                     ContractEndingUnpaid(), LatePaymentToSme(), RetentionOverLimit(), ContractDiffersFromAward()):
            register_rule(rule)

        from . import links, payables

        links.register()  # the chain view: contracts, supplements, acceptances, payments (core.chain)

        payables.register()

        from . import work

        work.register()
