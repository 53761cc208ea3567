"""Who may read, add and remove the files of contract records (documents owned by a
contract, supplement, acceptance or payment). Payment files (invoices) are registered here
while payments live in contracts."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from approvals import documents as case_documents
from approvals.services import case_document_changed
from documents.registry import Owner
from procurement.documents import uploader_only
from procurement.selectors import may_read_record

from .models import Acceptance, Contract, DocKind, Payment, Supplement
from .services import may_attach

KINDS = {
    Contract: (DocKind.CONTRACT_TEXT, DocKind.CONTRACT_SCAN, DocKind.OTHER),
    Supplement: (DocKind.SUPPLEMENT_TEXT, DocKind.OTHER),
    Acceptance: (DocKind.ACCEPTANCE_REPORT, DocKind.OTHER),
    Payment: (DocKind.INVOICE, DocKind.OTHER),
}


def _readable(user, *, unit_id: int, case_id) -> bool:
    try:
        return may_read_record(user, unit_id=unit_id, case_id=case_id)
    except PermissionDenied:
        return False


def contract_can_read(user, contract: Contract) -> bool:
    return _readable(user, unit_id=contract.unit_id, case_id=contract.case_id)


def payment_can_read(user, payment: Payment) -> bool:
    return _readable(user, unit_id=payment.unit_id, case_id=payment.case_id)


def of_contract_can_read(user, record: Acceptance | Supplement) -> bool:
    return _readable(user, unit_id=record.contract.unit_id, case_id=record.case_id)


def can_add(user, owner, kind: str) -> str:
    return may_attach(owner, user, kind)


def lock(record):
    """The form's row lock (its submission and return take it first), then the record re-read."""
    case_documents.lock(record.case)
    return type(record).objects.select_related("case").get(pk=record.pk)


def on_change(*, event, document, previous, actor) -> None:
    case_document_changed(case=document.owner.case, event=event, document=document, previous=previous, actor=actor,
                          label=str(DocKind(document.kind).label))


OWNERS = [
    Owner(model=model, key=key, kinds={k.value: k.label for k in KINDS[model]}, can_read=read,
          can_add=can_add, can_delete=uploader_only(can_add, case_of=lambda record: record.case),
          lock=lock, on_change=on_change)
    for model, key, read in (
        (Contract, "contract", contract_can_read),
        (Supplement, "supplement", of_contract_can_read),
        (Acceptance, "acceptance", of_contract_can_read),
        (Payment, "payment", payment_can_read),
    )
]
