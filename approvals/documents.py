"""Who may read and add the materials of a form (documents owned by a case)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from documents.registry import Owner

from .models import Case
from .permissions import can_view_case

OTHER_KIND = "其他材料"
MINUTES_KIND = "会议纪要"


def can_read(user, case: Case) -> bool:
    return can_view_case(user, case)


def can_add(user, case: Case, kind: str) -> str:
    # the minutes come with a leader's decision through case_approve, never through this rule
    if kind == MINUTES_KIND or case.applicant_id != user.pk or not case.is_open:
        return _("Only the applicant may add materials while the form is open.")
    required = case.matter.required_attachments
    if required and kind not in (*required, OTHER_KIND):
        return _("This kind of file does not belong here.")
    return ""


def can_delete(user, document) -> str:
    # the trail records every material added; none is taken back
    return _("Materials of a form stay with it; add a corrected file instead.")


# a form's materials are named by its matter (required attachments), so the rule judges the kind
OWNER = Owner(model=Case, key="case", kinds=None, can_read=can_read, can_add=can_add, can_delete=can_delete)
