from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("Approvals")

    def ready(self):
        from core import badges, navigation, search
        from documents import registry as documents
        from org.models import Role

        from . import checks, selectors, work  # noqa: F401  (checks registers itself)
        from .documents import OWNER

        navigation.replace("inbox", "approvals:inbox")
        navigation.replace("mine", "approvals:mine")
        navigation.add_after("reports", "thresholds", _("Approval thresholds"), "approvals:thresholds", "bi-sliders",
                             roles=(Role.ADMIN, Role.SUPERVISOR))
        navigation.add_topbar("notices", _("Notices"), "approvals:notifications", "bi-bell")
        badges.register("inbox", work.total_count)
        badges.register("notices", selectors.unread_notice_count)
        search.register("cases", _("Forms"), selectors.search_results)
        documents.register(OWNER)
        selectors.register_work()

        from . import links

        links.register()  # the chain view's kind "case" (core.chain)

        from .risk_rules import ApplicantApproved, NoCollectiveDecision, OffHoursApprovals, StalledApproval
        from .rules import register_record_page, register_rule

        register_record_page("approvals.case", "approvals:detail")
        register_rule(NoCollectiveDecision())
        register_rule(StalledApproval())
        register_rule(ApplicantApproved())
        register_rule(OffHoursApprovals())
