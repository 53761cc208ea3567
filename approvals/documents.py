"""Who may read and add the materials of a form (documents owned by a case)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents.registry import Owner

from .models import Case
from .permissions import can_view_case

OTHER_KIND = "其他材料"
MINUTES_KIND = "会议纪要"


def kinds(case: Case) -> dict[str, str]:
    """The matter's required materials, other material, and the minutes of a collective decision."""
    out = {k: k for k in case.matter.required_attachments}
    out[OTHER_KIND] = gettext_lazy("Other material")
    out[MINUTES_KIND] = MINUTES_KIND
    return out


def can_read(user, case: Case) -> bool:
    return can_view_case(user, case)


def can_add(user, case: Case, kind: str) -> str:
    # the minutes come with a leader's decision through case_approve, never through this rule
    if kind == MINUTES_KIND or case.applicant_id != user.pk or not case.is_open:
        return _("Only the applicant may add materials while the form is open.")
    return ""


def can_delete(user, document) -> str:
    # the trail records every material added; none is taken back
    return _("Materials of a form stay with it; add a corrected file instead.")


OWNER = Owner(model=Case, key="case", kinds=kinds, can_read=can_read, can_add=can_add, can_delete=can_delete)
