from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("Approvals")

    def ready(self):
        from core import badges, navigation

        from . import selectors

        navigation.replace("inbox", "approvals:inbox")
        navigation.replace("mine", "approvals:mine")
        badges.register("inbox", selectors.pending_count)
