from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "risk"
    verbose_name = _("Risk warnings")

    def ready(self):
        from approvals import rules
        from core import badges, navigation

        from . import engine, selectors

        # forms and scans read the same parameters: the administrator's rows
        rules.set_settings_source(engine.settings_for)
        rules.set_settings_many(engine.settings_for_many)
        from org.models import Role

        # the desk is for supervision, the principal, administrators and the leaders in charge
        navigation.replace("risk", "risk:index", roles=(Role.SUPERVISOR, Role.PRINCIPAL, Role.ADMIN, Role.LEADER))
        badges.register("risk", selectors.live_count)
        # after a change the rules concerned run on a worker (the business write never waits)
        from core import events

        from . import tasks

        for name in ("case.approved", "payment.paid", "contract.signed", "acceptance.confirmed",
                     # construction projects (ENG-01 … ENG-05; defined by construction.services)
                     "project.budget_approved", "project.started", "project.change_submitted", "project.change_approved",
                     "project.progress", "project.completed", "project.settled", "project.handed_over"):
            events.subscribe(name, key="risk.scan", fn=lambda event: tasks.scan_event.delay(event.name, event.payload))
