"""Writes of suppliers: registration (one legal entity, one supplier), blacklisting,
qualifications, and the blacklist check the payment desk asks before paying.

Each function is keyword-only, validates, runs in a transaction and raises
``ProcurementError`` with a message that names the rule.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from documents import services as document_services
from documents.exceptions import DocumentError

from .. import selectors
from ..exceptions import ProcurementError
from ..models import DocKind, Supplier, SupplierQualification
from ..validators import org_code_problem, validate_credit_code


def _messages(exc: ValidationError) -> str:
    return "；".join(exc.messages)


# --- suppliers ----------------------------------------------------------------------------------
SUPPLIER_FIELDS = (
    "name", "legal_representative", "address", "contact_person", "phone", "email", "bank_name", "bank_account",
    "is_sme", "note",
)


def _clean_code(credit_code: str) -> str:
    try:
        return validate_credit_code(credit_code)
    except ValidationError as exc:
        raise ProcurementError(_messages(exc), code="credit_code") from None


def _duplicate_message(existing: Supplier) -> str:
    return _(
        "Unified social credit code %(code)s is already registered as “%(name)s”: one legal entity is one supplier "
        "(duplicate detection). Use the existing record."
    ) % {"code": existing.credit_code, "name": existing.name}


def _org_code_confirmation(supplier: Supplier, *, actor, confirmed: bool) -> None:
    """A credit code whose organisation code fails GB 11714 is kept only when a person confirms
    it against the registration certificate; who and when are recorded on the supplier."""
    problem = org_code_problem(supplier.credit_code)
    if problem is None:
        supplier.org_code_confirmed_by, supplier.org_code_confirmed_at = None, None
    elif supplier.org_code_confirmed_at is not None:
        return  # confirmed earlier for this very code
    elif not confirmed:
        raise ProcurementError(problem, code="org_code_unconfirmed")
    else:
        supplier.org_code_confirmed_by, supplier.org_code_confirmed_at = actor, timezone.now()


def supplier_create(*, actor, name: str, credit_code: str, org_code_confirmed: bool = False, **fields) -> Supplier:
    if not selectors.can_register_suppliers(actor):
        raise ProcurementError(_("You may not register suppliers."))
    code = _clean_code(credit_code)
    name = (name or "").strip()
    if not name:
        raise ProcurementError(_("Give the supplier's registered name."))
    unknown = set(fields) - set(SUPPLIER_FIELDS)
    if unknown:
        raise TypeError(f"unknown supplier fields: {sorted(unknown)}")
    with transaction.atomic():
        existing = Supplier.objects.filter(credit_code=code).first()
        if existing is not None:
            raise ProcurementError(_duplicate_message(existing), code="duplicate")
        supplier = Supplier(name=name, credit_code=code, created_by=actor, **fields)
        _org_code_confirmation(supplier, actor=actor, confirmed=org_code_confirmed)
        try:
            supplier.full_clean(validate_unique=False)  # duplicates: the check above and the unique index
        except ValidationError as exc:
            raise ProcurementError(_messages(exc)) from None
        try:
            with transaction.atomic():
                supplier.save()
        except IntegrityError:  # registered by someone else a moment ago
            raise ProcurementError(_duplicate_message(Supplier.objects.get(credit_code=code)), code="duplicate") from None
    return supplier


def supplier_update(
    *, supplier: Supplier, actor, credit_code: str | None = None, org_code_confirmed: bool = False, **fields
) -> Supplier:
    if not selectors.can_manage_suppliers(actor):
        raise ProcurementError(_("Only the procurement centre may change supplier records."))
    unknown = set(fields) - set(SUPPLIER_FIELDS)
    if unknown:
        raise TypeError(f"unknown supplier fields: {sorted(unknown)}")
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        if credit_code is not None:
            code = _clean_code(credit_code)
            existing = Supplier.objects.filter(credit_code=code).exclude(pk=supplier.pk).first()
            if existing is not None:
                raise ProcurementError(_duplicate_message(existing), code="duplicate")
            if code != supplier.credit_code:
                supplier.org_code_confirmed_at = None  # a new code needs its own confirmation
            supplier.credit_code = code
        _org_code_confirmation(supplier, actor=actor, confirmed=org_code_confirmed)
        for key, value in fields.items():
            setattr(supplier, key, value.strip() if isinstance(value, str) else value)
        if not supplier.name:
            raise ProcurementError(_("Give the supplier's registered name."))
        try:
            supplier.full_clean(validate_unique=False)  # duplicates: the check above and the unique index
        except ValidationError as exc:
            raise ProcurementError(_messages(exc)) from None
        try:
            with transaction.atomic():
                supplier.save()
        except IntegrityError:  # the same code given to another supplier a moment ago
            raise ProcurementError(_duplicate_message(Supplier.objects.get(credit_code=supplier.credit_code)),
                                   code="duplicate") from None
    return supplier


def supplier_blacklist(*, supplier: Supplier, actor, reason: str) -> Supplier:
    """失信: the supplier can win no award, sign no contract and receive no payment."""
    if not selectors.can_blacklist(actor):
        raise ProcurementError(_("Only the head of the procurement centre or an administrator may blacklist a supplier."))
    reason = (reason or "").strip()
    if not reason:
        raise ProcurementError(_("Give the reason for the blacklist (e.g. the credit-China record or the breach)."))
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        supplier.blacklisted = True
        supplier.blacklist_reason = reason[:300]
        supplier.blacklisted_at = timezone.now()
        supplier.blacklisted_by = actor
        supplier.save(update_fields=["blacklisted", "blacklist_reason", "blacklisted_at", "blacklisted_by"])
    return supplier


def supplier_unblacklist(*, supplier: Supplier, actor, reason: str) -> Supplier:
    if not selectors.can_blacklist(actor):
        raise ProcurementError(_("Only the head of the procurement centre or an administrator may lift a blacklist."))
    reason = (reason or "").strip()
    if not reason:
        raise ProcurementError(_("Give the reason for lifting the blacklist."))
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        supplier.blacklisted = False
        supplier.blacklist_reason = ""
        supplier.note = (_("Blacklist lifted: %(reason)s") % {"reason": reason})[:300]
        supplier.blacklisted_at = None
        supplier.blacklisted_by = None
        supplier.save(update_fields=["blacklisted", "blacklist_reason", "note", "blacklisted_at", "blacklisted_by"])
    return supplier


def qualification_add(*, supplier: Supplier, actor, name: str, number: str = "", valid_until=None, file=None) -> SupplierQualification:
    if not selectors.can_manage_suppliers(actor):
        raise ProcurementError(_("Only the procurement centre may record qualifications."))
    name = (name or "").strip()
    if not name:
        raise ProcurementError(_("Name the qualification (e.g. business licence, construction qualification)."))
    with transaction.atomic():
        q = SupplierQualification.objects.create(supplier=supplier, name=name[:100], number=(number or "")[:60], valid_until=valid_until)
        if file is not None:
            _store_document(owner=q, kind=DocKind.QUALIFICATION, file=file, actor=actor)
    return q


def supplier_check_usable(supplier: Supplier, *, on: dt.date, what: str) -> None:
    """A blacklisted supplier, or one whose qualification has expired, can win nothing and
    sign nothing (PRO-08)."""
    if supplier.blacklisted:
        raise ProcurementError(
            _("%(supplier)s is on the blacklist (失信: %(reason)s): no %(what)s may go to it (PRO-08).")
            % {"supplier": supplier.name, "reason": supplier.blacklist_reason, "what": what},
            code="blacklisted",
        )
    expired = [q for q in supplier.qualifications.all() if q.expired(on)]
    if expired:
        raise ProcurementError(
            _("The qualification of %(supplier)s has expired (%(items)s): no %(what)s until it is renewed (PRO-08).")
            % {"supplier": supplier.name, "what": what,
               "items": "、".join(f"{q.name} {q.valid_until:%Y-%m-%d}" for q in expired)},
            code="qualification_expired",
        )


# --- documents ------------------------------------------------------------------------------------
def _store_document(*, owner, kind: str, file, actor):
    """A file this app's own service decided to keep (a qualification's scan)."""
    try:
        stored = document_services.store(file, document_services.check(file))
    except DocumentError as exc:
        raise ProcurementError(exc.message, code="upload") from None
    return document_services.record(owner=owner, stored=stored, kind=kind, actor=actor)


def payee_blacklist_refusal(kind: str, name: str, ref) -> str | None:
    """The payment desk asks before paying a supplier or another organisation: one on the
    blacklist (by its record, or by its exact name when the cashier typed it) is refused (PRO-08)."""
    if kind == "person":
        return None
    qs = Supplier.objects.filter(blacklisted=True)
    supplier = (qs.filter(pk=ref).first() if ref else None) or qs.filter(name=(name or "").strip()).first()
    if supplier is None:
        return None
    return _("Payment refused: %(supplier)s is on the blacklist (失信: %(reason)s); no payment may go to a "
             "blacklisted supplier (PRO-08).") % {"supplier": supplier.name, "reason": supplier.blacklist_reason}
