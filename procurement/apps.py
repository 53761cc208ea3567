from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = _("Procurement")

    def ready(self) -> None:
        from approvals.registry import register
        from core import navigation

        from .sections import AwardSection, PurchaseSection

        register(PurchaseSection())
        register(AwardSection())
        navigation.replace("procurement", "procurement:index")
