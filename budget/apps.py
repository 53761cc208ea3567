from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetConfig(AppConfig):
    name = "budget"
    verbose_name = _("Budget")

    def ready(self) -> None:
        from approvals.registry import register
        from core import navigation

        from .sections import BudgetAdjustmentSection, BudgetSection

        register(BudgetSection())
        register(BudgetAdjustmentSection())

        from approvals.rules import register_record_page, register_rule

        from .rules import (ExecutionBehindTime, FrequentAdjustments, LineNearlyExhausted, SpendingWithoutBudget,
                            YearEndRush)

        register_record_page("budget.budgetline", "budget:line_detail")
        for rule in (SpendingWithoutBudget(), LineNearlyExhausted(), ExecutionBehindTime(), YearEndRush(),
                     FrequentAdjustments()):
            register_rule(rule)
        navigation.replace("budget", "budget:index")
        from . import links

        links.register()  # the chain view: budget lines and the case → line link (core.chain)
