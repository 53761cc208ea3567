"""Who may read, add and remove the files of procurement records (documents owned by a quote
or a supplier qualification)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core.stages import Stage
from documents.registry import Owner

from . import selectors
from .models import DocKind, Quote, SupplierQualification
from .services import EDITABLE


def quote_can_read(user, quote: Quote) -> bool:
    try:
        return selectors.may_read_record(user, unit_id=quote.purchase.unit_id, case_id=quote.purchase.case_id)
    except PermissionDenied:
        return False


def quote_can_add(user, quote: Quote, kind: str) -> str:
    case = quote.purchase.case
    if kind != DocKind.QUOTE:
        return _("A quote takes its quotation document.")
    if case.applicant_id != user.pk or case.status not in EDITABLE or case.stage_key != Stage.AWARD:
        return _("Quotations can be added by the applicant while the award stage is being filled.")
    return ""


def uploader_only(can_add):
    """Remove a file: whoever may add it now, and only the person who uploaded it."""

    def can_delete(user, document) -> str:
        reason = can_add(user, document.owner, document.kind)
        if reason or document.uploaded_by_id != user.pk:
            return reason or _("Only the person who uploaded a file may remove it.")
        return ""

    return can_delete


def qualification_can_read(user, qualification: SupplierQualification) -> bool:
    try:
        selectors.require_reader(user)
    except PermissionDenied:
        return False
    return True


def qualification_can_add(user, qualification: SupplierQualification, kind: str) -> str:
    # the scan is recorded with the qualification (qualification_add), not added afterwards
    return _("Files cannot be attached here.")


OWNERS = [
    Owner(model=Quote, key="quote", kinds={DocKind.QUOTE.value: DocKind.QUOTE.label},
          can_read=quote_can_read, can_add=quote_can_add, can_delete=uploader_only(quote_can_add)),
    Owner(model=SupplierQualification, key="qualification",
          kinds={DocKind.QUALIFICATION.value: DocKind.QUALIFICATION.label},
          can_read=qualification_can_read, can_add=qualification_can_add,
          can_delete=uploader_only(qualification_can_add)),
]
