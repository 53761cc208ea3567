"""Who may read, add and remove the files of procurement records (documents owned by a quote
or a supplier qualification)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from approvals import documents as case_documents
from approvals.services import case_document_changed
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


def uploader_only(can_add, case_of=None):
    """Remove a file: whoever may add it now, and only the person who uploaded it; for a record
    of a form's stage (``case_of`` gives the form), only a file never in front of an approver
    (one submitted stays on record and is replaced instead)."""

    def can_delete(user, document) -> str:
        reason = can_add(user, document.owner, document.kind)
        if reason or document.uploaded_by_id != user.pk:
            return reason or _("Only the person who uploaded a file may remove it.")
        case = case_of(document.owner) if case_of is not None else None
        if case is not None and case_documents.seen_by_approvers(case, document):
            return case_documents.submitted_refusal(document)
        return ""

    return can_delete


def quote_lock(quote: Quote) -> Quote:
    """The form's row lock (its submission and return take it first), then the quote re-read."""
    case_documents.lock(quote.purchase.case)
    return Quote.objects.select_related("purchase__case", "supplier").get(pk=quote.pk)


def quote_changed(*, event, document, previous, actor) -> None:
    quote = document.owner
    case_document_changed(case=quote.purchase.case, event=event, document=document, previous=previous, actor=actor,
                          label=f"{DocKind.QUOTE.label}（{quote.supplier.name}）")


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
          can_read=quote_can_read, can_add=quote_can_add,
          can_delete=uploader_only(quote_can_add, case_of=lambda quote: quote.purchase.case),
          lock=quote_lock, on_change=quote_changed),
    Owner(model=SupplierQualification, key="qualification",
          kinds={DocKind.QUALIFICATION.value: DocKind.QUALIFICATION.label},
          can_read=qualification_can_read, can_add=qualification_can_add,
          can_delete=uploader_only(qualification_can_add)),
]
