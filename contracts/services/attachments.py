"""Who may attach which file to a contract record (the documents registry asks here).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.stages import Stage
from org.models import Role

from ..models import Acceptance, Contract, DocKind, Payment, Supplement
from .contracts import EDITABLE


# --- documents: who may attach what --------------------------------------------------------------------------
def may_attach(owner, actor, kind: str) -> str:
    """'' if ``actor`` may attach a ``kind`` file to ``owner``, otherwise the reason."""
    K = DocKind
    if isinstance(owner, Contract):
        if kind == K.CONTRACT_SCAN:
            allowed = actor.pk == owner.case.applicant_id or (actor.has_role(Role.UNIT_HEAD) and actor.unit_id == owner.unit_id)
            if allowed and owner.status in (Contract.Status.DRAFT, Contract.Status.IN_APPROVAL, Contract.Status.ACTIVE,
                                              Contract.Status.COMPLETED):
                return ""
            return _("The signed contract can be uploaded by the applicant or the head of the unit.")
        if kind in (K.CONTRACT_TEXT, K.OTHER):
            case = owner.case
            if case.applicant_id == actor.pk and case.status in EDITABLE and case.stage_key == Stage.CONTRACT:
                return ""
            return _("The contract text can be changed by the applicant while the contract stage is filled.")
        return _("This kind of file does not belong to a contract.")
    if isinstance(owner, Acceptance):
        case = owner.case
        if kind in (K.ACCEPTANCE_REPORT, K.OTHER) and case.applicant_id == actor.pk and case.status in EDITABLE:
            return ""
        return _("The acceptance report can be added by the applicant while the acceptance stage is filled.")
    if isinstance(owner, Supplement):
        case = owner.case
        if kind in (K.SUPPLEMENT_TEXT, K.OTHER) and case.applicant_id == actor.pk and case.status in EDITABLE:
            return ""
        return _("The agreement text can be added by the applicant while the agreement is filled.")
    if isinstance(owner, Payment):
        case = owner.case
        if kind in (K.INVOICE, K.OTHER) and case.applicant_id == actor.pk and case.status in EDITABLE:
            return ""
        return _("The invoice can be added by the applicant while the payment is filled.")
    return _("Files cannot be attached here.")
