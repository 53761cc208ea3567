from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConstructionConfig(AppConfig):
    name = "construction"
    verbose_name = _("Construction")

    def ready(self) -> None:
        from approvals.registry import register
        from approvals.rules import register_record_page, register_rule
        from core import navigation
        from documents import registry as documents

        from . import payables, services  # noqa: F401  (services defines the project events)
        from .documents import OWNERS
        from .rules import RULES
        from .sections import SECTIONS

        for section in SECTIONS:
            register(section())
        for owner in OWNERS:
            documents.register(owner)
        for rule in RULES:
            register_rule(rule())
        register_record_page("construction.project", "construction:detail")
        payables.register()

        from . import links

        links.register()  # the chain view: projects (core.chain)
        navigation.replace("construction", "construction:index")
