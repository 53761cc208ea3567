from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from core import navigation

        from . import registry
        from .permissions import READING_ROLES

        registry.register_reimbursement()

        from . import work

        work.register()
        navigation.add_after("contracts", "payments", _("Payment desk"), "payments:desk", "bi-cash-coin",
                             roles=READING_ROLES)
