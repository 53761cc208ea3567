from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Shell")

    def ready(self):
        from . import admin_i18n, checks

        admin_i18n.apply()
        checks.register_checks()
