from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = _("Procurement")

    def ready(self) -> None:
        from approvals.registry import register
        from core import navigation
        from documents import registry as documents

        from .documents import OWNERS
        from .sections import AwardSection, PurchaseSection

        register(PurchaseSection())
        register(AwardSection())

        from approvals.rules import register_record_page, register_rule

        from .rules import (LapsedSupplier, MethodBelowRequirement, NearThreshold, SingleSourceShare, SplitPurchases,
                            SupplierConcentration, SuspiciousQuotes, TooFewQuotes, WorksMustBeTendered)

        register_record_page("procurement.purchase", "procurement:purchase_detail")
        register_record_page("procurement.supplier", "procurement:supplier_detail")
        for rule in (SplitPurchases(), NearThreshold(), MethodBelowRequirement(), SingleSourceShare(), TooFewQuotes(),
                     SuspiciousQuotes(), SupplierConcentration(), LapsedSupplier(), WorksMustBeTendered()):
            register_rule(rule)

        from payments.registry import register_payee_check

        from .services import payee_blacklist_refusal

        register_payee_check("procurement.blacklist", payee_blacklist_refusal)
        navigation.replace("procurement", "procurement:index")
        for owner in OWNERS:
            documents.register(owner)

        from . import payables

        payables.register()  # a purchase without a contract is paid at the payment desk
        from . import links

        links.register()  # the chain view: purchases (core.chain)
