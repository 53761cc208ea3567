from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from core import navigation
        from documents import registry as documents

        from . import registry
        from .documents import OWNER
        from .permissions import READING_ROLES

        registry.register_reimbursement()

        from approvals.rules import register_rule

        from .rules import DuplicatePayment

        register_rule(DuplicatePayment())
        documents.register(OWNER)
        from . import work

        work.register()
        navigation.add_after("contracts", "payments", _("Payment desk"), "payments:desk", "bi-cash-coin",
                             roles=READING_ROLES)
