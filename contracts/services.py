"""Writes of contracts: the contract and its payment terms, supplementary agreements,
acceptance, payments and the cashier's payment, and the reminders.

Money rules are read-check-write under a row lock on the contract
(``Contract.objects.select_for_update()``): two payments of the same contract, or a payment
and a supplement, are checked one after the other, each seeing what the other committed.
Every function is keyword-only and raises ``ContractError`` with a message naming the rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.models import Case
from approvals.money import format_yuan, round_money
from core import events, sequences
from documents.selectors import documents_of
from payments import services as payments_services
from payments.exceptions import PaymentError
from payments.models import PayeeKind
from org.models import Role
from procurement import selectors as procurement_selectors
from procurement.models import Award, Purchase, Supplier
from procurement.services import supplier_check_usable

from .exceptions import ContractError
from .models import Acceptance, Contract, ContractCategory, DocKind, Payment, PaymentTerm, Reminder, Supplement
from .registry import paid_elsewhere

EDITABLE = (Case.Status.DRAFT, Case.Status.RETURNED)
ZERO = Decimal("0.00")
T = PaymentTerm.Trigger
PS = Payment.Status

TERMS_RULE = gettext_lazy("payment terms must add up to the contract amount")
SUPPLEMENT_LIMIT = Decimal("0.10")  # 政府采购法第四十九条
RETENTION_LIMIT = Decimal("0.03")  # 建质〔2017〕138号


def _require_editable(case: Case, actor, stage_key: str, what: str) -> Case:
    """The case as it is now, if ``actor`` may fill its ``stage_key`` stage."""
    case = Case.objects.select_related("matter", "unit").get(pk=case.pk)
    if case.applicant_id != actor.pk or case.status not in EDITABLE or case.stage_key != stage_key:
        raise ContractError(
            _("The %(what)s can only be changed by the applicant while this stage is filled (before submission or after a return).")
            % {"what": what}
        )
    return case


def _lock_contract(contract_id: int) -> Contract:
    return Contract.objects.select_for_update(of=("self",)).select_related("supplier", "unit").get(pk=contract_id)


def next_contract_number(year: int) -> str:
    """HT-2026-0042: per year, from ``core.sequences`` (row lock, no gaps)."""
    return f"HT-{year}-{sequences.next_number('contract', year):04d}"


def _has_document(owner, kind: str, *, case: Case, attachment_kind: str) -> bool:
    """The file is attached to the record, or to its case when the matter asks for it as a
    required attachment of the form (a one-stage matter such as 补充协议)."""
    if documents_of(owner, kind).exists():
        return True
    return case.attachments.filter(kind=attachment_kind).exists()


# --- figures ------------------------------------------------------------------------------------
@dataclass
class Figures:
    """What a contract allows and what was paid, at one moment."""

    amount: Decimal
    reached: Decimal  # sum of the current milestones that are reached
    paid: Decimal
    in_flight: Decimal  # payments submitted or approved, not yet paid

    @property
    def payable(self) -> Decimal:
        return max(ZERO, self.reached - self.paid - self.in_flight)

    @property
    def unpaid(self) -> Decimal:
        return self.amount - self.paid


def term_claims(contract: Contract, *, exclude_payment_id: int | None = None) -> dict[int, dict[str, Decimal]]:
    """Per term: paid and in-flight amounts (one grouped query)."""
    qs = Payment.objects.filter(contract=contract, status__in=Payment.HOLDING)
    if exclude_payment_id:
        qs = qs.exclude(pk=exclude_payment_id)
    out: dict[int, dict[str, Decimal]] = {}
    for r in qs.values("term_id", "status").annotate(total=Sum("amount")).order_by():
        d = out.setdefault(r["term_id"], {"paid": ZERO, "in_flight": ZERO})
        d["paid" if r["status"] == PS.PAID else "in_flight"] += r["total"] or ZERO
    return out


def contract_figures(contract: Contract, *, today: dt.date | None = None, exclude_payment_id: int | None = None) -> Figures:
    today = today or timezone.localdate()
    terms = list(contract.terms.filter(is_active=True))
    reached = sum((t.amount for t in terms if t.is_reached(today)), ZERO)
    claims = term_claims(contract, exclude_payment_id=exclude_payment_id)
    # what higher modules paid against the contract through their own forms (construction's
    # progress payments, ``contracts.registry``) counts as paid too
    paid = sum((c["paid"] for c in claims.values()), ZERO) + paid_elsewhere(contract)
    in_flight = sum((c["in_flight"] for c in claims.values()), ZERO)
    return Figures(amount=contract.amount, reached=reached, paid=paid, in_flight=in_flight)


def next_due_term(contract: Contract, *, today: dt.date | None = None) -> tuple[PaymentTerm | None, Decimal]:
    """The first current milestone not fully claimed, and what is left of it."""
    claims = term_claims(contract)
    for term in contract.terms.filter(is_active=True).order_by("seq", "id"):
        c = claims.get(term.pk, {})
        rest = term.amount - c.get("paid", ZERO) - c.get("in_flight", ZERO)
        if rest > 0:
            return term, rest
    return None, ZERO


# --- payment terms ---------------------------------------------------------------------------------
def terms_normalise(*, amount: Decimal, rows: list[dict]) -> list[dict]:
    """Rows of the form → terms with their amounts. A row gives a percent, an amount, or both
    (they must agree to the fen); a date trigger and retention money need the date. Raises
    unless the terms add up to ``amount`` exactly."""
    if amount is None or amount <= 0:
        raise ContractError(_("Give the contract amount."))
    if not rows:
        raise ContractError(_("Give the payment terms (at least one milestone): %(rule)s.") % {"rule": TERMS_RULE}, code="terms_missing")
    out = []
    for seq, row in enumerate(rows, start=1):
        n = row.get("_row", seq)
        percent, value = row.get("percent"), row.get("amount")
        if percent is None and value is None:
            raise ContractError(_("Payment term %(n)d: give a percent or an amount.") % {"n": n}, code="term_incomplete")
        computed = round_money(amount * percent / 100) if percent is not None else None
        if value is not None and computed is not None and abs(round_money(value) - computed) > Decimal("0.01"):
            raise ContractError(
                _("Payment term %(n)d: %(percent)s%% of %(amount)s is %(computed)s, not %(value)s.")
                % {"n": n, "percent": percent, "amount": format_yuan(amount), "computed": format_yuan(computed), "value": format_yuan(value)},
                code="term_percent_mismatch",
            )
        term_amount = round_money(value) if value is not None else computed
        if term_amount <= 0:
            raise ContractError(_("Payment term %(n)d: the amount must be greater than zero.") % {"n": n})
        kind, trigger, due = row.get("kind"), row.get("trigger"), row.get("due_date")
        if kind == PaymentTerm.Kind.RETENTION and (trigger != T.DATE or not due):
            raise ContractError(
                _("Payment term %(n)d: retention money is held until its release date: choose the date trigger and give the date.")
                % {"n": n}, code="retention_date",
            )
        if trigger == T.DATE and not due:
            raise ContractError(_("Payment term %(n)d: a date trigger needs the due date.") % {"n": n}, code="term_date_missing")
        out.append({"seq": seq, "kind": kind, "name": (row.get("name") or "")[:100], "percent": percent,
                    "amount": term_amount, "trigger": trigger, "due_date": due})
    total = sum((t["amount"] for t in out), ZERO)
    if total != amount:
        raise ContractError(
            _("The payment terms add up to %(total)s but the contract amount is %(amount)s (a difference of %(diff)s): %(rule)s.")
            % {"total": format_yuan(total), "amount": format_yuan(amount), "diff": format_yuan(amount - total), "rule": TERMS_RULE},
            code="terms_sum",
        )
    return out


def _retention_warning(contract: Contract, terms) -> str:
    retention = sum((t.amount for t in terms if t.kind == PaymentTerm.Kind.RETENTION), ZERO)
    if contract.category == ContractCategory.WORKS and retention > contract.amount * RETENTION_LIMIT:
        return _("Retention money %(retention)s is more than 3%% of %(amount)s (CON-08, 建质〔2017〕138号).") % {
            "retention": format_yuan(retention), "amount": format_yuan(contract.amount),
        }
    return ""


# --- contract (section "contract") --------------------------------------------------------------------
def _award_of(case: Case) -> Award | None:
    purchase = Purchase.objects.filter(case=case).first()
    if purchase is None:
        return None
    return Award.objects.select_related("supplier", "purchase").filter(purchase=purchase, status=Award.Status.AWARDED).first()


def _case_line(case: Case):
    from budget.models import CaseBudget

    link = CaseBudget.objects.select_related("line").filter(case=case).first()
    return link.line if link else None


def contract_set(*, case: Case, actor, title: str, category: str, amount: Decimal, signed_on: dt.date, start_date: dt.date,
                 end_date: dt.date, summary: str = "", terms: list[dict], supplier: Supplier | None = None) -> Contract:
    """Save the contract section. From an award the supplier is the award's and cannot be
    changed; a direct contract names its supplier. The payment terms must add up to the
    amount, or nothing is saved."""
    case = _require_editable(case, actor, "contract", _("contract"))
    if end_date < start_date:
        raise ContractError(_("The contract term ends before it starts."), code="term_dates")
    amount = round_money(amount)
    normalised = terms_normalise(amount=amount, rows=terms)
    award = _award_of(case)
    if award is not None:
        supplier = award.supplier
        category = award.purchase.category
    elif supplier is None:
        raise ContractError(_("Choose the supplier (the other party) of the contract."), code="supplier_required")
    with transaction.atomic():
        contract = Contract.objects.select_for_update().filter(case=case).first()
        if contract is None:
            contract = Contract(case=case, number=next_contract_number(signed_on.year if signed_on else case.year))
        contract.unit = case.unit
        contract.award = award
        contract.purchase = award.purchase if award else None
        contract.supplier = supplier
        contract.budget_line = _case_line(case)
        contract.title = (title or case.title).strip()[:200]
        contract.category = category
        contract.amount = amount
        contract.original_amount = amount
        contract.signed_on = signed_on
        contract.start_date = start_date
        contract.end_date = end_date
        contract.summary = summary or ""
        contract.status = Contract.Status.DRAFT
        contract.save()
        contract.terms.all().delete()
        PaymentTerm.objects.bulk_create([PaymentTerm(contract=contract, **t) for t in normalised])
    return contract


def contract_check(*, contract: Contract, on: dt.date | None = None) -> list[str]:
    on = on or timezone.localdate()
    warnings = []
    supplier_check_usable(contract.supplier, on=on, what=_("contract"))
    terms = list(contract.terms.filter(is_active=True).order_by("seq"))
    terms_normalise(amount=contract.amount, rows=[
        {"_row": t.seq, "kind": t.kind, "name": t.name, "percent": None, "amount": t.amount, "trigger": t.trigger, "due_date": t.due_date}
        for t in terms
    ])
    if contract.award_id:
        award = contract.award
        if contract.amount > award.amount:
            raise ContractError(
                _("The contract amount %(amount)s is above the award %(award)s: a contract may not exceed the amount awarded "
                  "(合同金额不得超过成交金额, CON-09).") % {"amount": format_yuan(contract.amount), "award": format_yuan(award.amount)},
                code="contract_above_award",
            )
        if contract.amount < award.amount * Decimal("0.95"):
            warnings.append(_("The contract amount differs from the award %(award)s by more than 5%% (CON-09).")
                            % {"award": format_yuan(award.amount)})
    elif contract.category in (ContractCategory.GOODS, ContractCategory.SERVICES, ContractCategory.WORKS):
        limit = procurement_selectors.threshold_amount("small_purchase", category=contract.category, on=on)
        if limit is not None and contract.amount >= limit:
            raise ContractError(
                _("A contract of %(amount)s for %(category)s reaches the office's small-purchase limit %(limit)s: it must come "
                  "from a purchase and its award (采购申请), not be signed directly.")
                % {"amount": format_yuan(contract.amount), "category": contract.get_category_display(), "limit": format_yuan(limit)},
                code="direct_contract_above_limit",
            )
    if not _has_document(contract, DocKind.CONTRACT_TEXT, case=contract.case, attachment_kind="合同文本"):
        raise ContractError(_("Upload the contract text for the legal and finance countersign."), code="contract_text_missing")
    warning = _retention_warning(contract, terms)
    if warning:
        warnings.append(warning)
    if contract.budget_line_id is None:
        warnings.append(_("The contract has no budget line: nothing will be committed or executed on the budget."))
    return warnings


def contract_submit(*, case: Case) -> list[str]:
    with transaction.atomic():
        contract = Contract.objects.select_for_update(of=("self",)).select_related("supplier", "award", "unit").filter(case=case).first()
        if contract is None:
            raise ContractError(_("Fill in the contract and its payment terms before submitting."), code="no_contract")
        warnings = contract_check(contract=contract)
        contract.status = Contract.Status.IN_APPROVAL
        contract.save(update_fields=["status", "updated_at"])
        return warnings


def contract_approved(*, case: Case, actor) -> Contract | None:
    """Countersigned: the contract is in force, its signing milestones are reached and the
    budget line is committed (the case's reservation converts into the commitment; what the
    contract does not use is released)."""
    from budget import services as budget_services

    with transaction.atomic():
        contract = Contract.objects.select_for_update().filter(case=case).first()
        if contract is None or contract.status != Contract.Status.IN_APPROVAL:
            return contract
        # in force from the signing date (never a future one: a countersigned draft dated ahead is in force today)
        today = min(contract.signed_on, timezone.localdate())
        contract.status = Contract.Status.ACTIVE
        contract.activated_at = timezone.now()
        contract.save(update_fields=["status", "activated_at", "updated_at"])
        contract.terms.filter(is_active=True, trigger=T.SIGNING, reached_on__isnull=True).update(reached_on=today)
        events.emit("contract.signed", contract_id=contract.pk, case_id=case.pk)
        if contract.budget_line_id:
            budget_services.budget_commit(
                line=contract.budget_line, amount=contract.amount, source=contract, case=case, actor=actor,
                note=_("Contract %(number)s") % {"number": contract.number}, occurred_on=today,
            )
            budget_services.case_budget_release(
                case=case, actor=actor, note=_("Released: the contract %(number)s did not use it") % {"number": contract.number}
            )
        return contract


def contract_reopen(*, case: Case) -> None:
    Contract.objects.filter(case=case, status=Contract.Status.IN_APPROVAL).update(status=Contract.Status.DRAFT)


def contract_cancel(*, case: Case) -> None:
    Contract.objects.filter(case=case, status__in=[Contract.Status.DRAFT, Contract.Status.IN_APPROVAL]).update(
        status=Contract.Status.CANCELLED
    )


# --- acceptance -----------------------------------------------------------------------------------------
ACCEPTANCE_RULE = gettext_lazy("at least two people, at least one from outside the requesting unit (验收与申请相分离)")


def _acceptance_contract(case: Case, contract: Contract | None) -> Contract:
    own = Contract.objects.filter(case=case).first()
    contract = own or contract
    if contract is None:
        raise ContractError(_("Choose the contract that is accepted."), code="contract_required")
    if contract.status != Contract.Status.ACTIVE:
        raise ContractError(_("Only a contract in force can be accepted."), code="contract_not_active")
    if contract.unit_id != case.unit_id:
        raise ContractError(_("The contract belongs to another unit."), code="other_unit")
    return contract


def _check_members(contract: Contract, members) -> None:
    members = list(members)
    outside = [m for m in members if m.unit_id != contract.unit_id]
    if len(members) < 2 or not outside:
        raise ContractError(
            _("Acceptance refused: the team has %(n)d people, %(outside)d from outside %(unit)s; the rule is %(rule)s.")
            % {"n": len(members), "outside": len(outside), "unit": contract.unit.name, "rule": ACCEPTANCE_RULE},
            code="acceptance_team",
        )


def acceptance_set(*, case: Case, actor, accepted_on: dt.date, result: str, opinion: str, members, terms,
                   contract: Contract | None = None) -> Acceptance:
    case = _require_editable(case, actor, "acceptance", _("acceptance"))
    contract = _acceptance_contract(case, contract)
    members = list(members)
    terms = list(terms)
    _check_members(contract, members)
    bad = [t for t in terms if t.contract_id != contract.pk or not t.is_active or t.reached_on is not None]
    if bad:
        raise ContractError(_("Only milestones of this contract that are not reached yet can be unlocked."), code="bad_terms")
    if result == Acceptance.Result.FAILED and terms:
        raise ContractError(_("A failed acceptance unlocks no milestone."), code="failed_unlocks")
    with transaction.atomic():
        acc = Acceptance.objects.select_for_update().filter(case=case).first() or Acceptance(case=case)
        acc.contract = contract
        acc.accepted_on = accepted_on
        acc.result = result
        acc.opinion = opinion or ""
        acc.status = Acceptance.Status.DRAFT
        acc.save()
        acc.members.set(members)
        acc.terms.set(terms)
    return acc


def acceptance_check(*, acceptance: Acceptance, on: dt.date | None = None) -> list[str]:
    on = on or timezone.localdate()
    contract = acceptance.contract
    if contract.status != Contract.Status.ACTIVE:
        raise ContractError(_("Only a contract in force can be accepted."), code="contract_not_active")
    _check_members(contract, acceptance.members.select_related("unit"))
    if acceptance.accepted_on > on:
        raise ContractError(_("The acceptance date cannot be in the future."), code="acceptance_future")
    if acceptance.accepted_on < contract.signed_on:
        raise ContractError(_("The acceptance date is before the contract was signed."), code="acceptance_before_signing")
    if not _has_document(acceptance, DocKind.ACCEPTANCE_REPORT, case=acceptance.case, attachment_kind="验收报告"):
        raise ContractError(_("Upload the acceptance report signed by the team."), code="report_missing")
    warnings = []
    if acceptance.result == Acceptance.Result.PASSED and not acceptance.terms.exists():
        warnings.append(_("The acceptance unlocks no payment milestone."))
    return warnings


def acceptance_submit(*, case: Case) -> list[str]:
    with transaction.atomic():
        acc = Acceptance.objects.select_for_update().select_related("contract__unit").filter(case=case).first()
        if acc is None:
            raise ContractError(_("Fill in the acceptance before submitting."), code="no_acceptance")
        _lock_contract(acc.contract_id)
        warnings = acceptance_check(acceptance=acc)
        acc.status = Acceptance.Status.IN_APPROVAL
        acc.save(update_fields=["status"])
        return warnings


def acceptance_approved(*, case: Case) -> None:
    """Confirmed: a passed acceptance reaches the milestones it names (on its date)."""
    with transaction.atomic():
        acc = Acceptance.objects.select_for_update().filter(case=case).first()
        if acc is None or acc.status != Acceptance.Status.IN_APPROVAL:
            return
        _lock_contract(acc.contract_id)
        acc.status = Acceptance.Status.CONFIRMED
        acc.confirmed_at = timezone.now()
        acc.save(update_fields=["status", "confirmed_at"])
        events.emit("acceptance.confirmed", acceptance_id=acc.pk, contract_id=acc.contract_id, case_id=case.pk)
        if acc.result == Acceptance.Result.PASSED:
            PaymentTerm.objects.filter(pk__in=acc.terms.values("pk"), is_active=True, reached_on__isnull=True).update(
                reached_on=acc.accepted_on, acceptance=acc
            )


def acceptance_reopen(*, case: Case) -> None:
    Acceptance.objects.filter(case=case, status=Acceptance.Status.IN_APPROVAL).update(status=Acceptance.Status.DRAFT)


def acceptance_cancel(*, case: Case) -> None:
    Acceptance.objects.filter(case=case, status__in=[Acceptance.Status.DRAFT, Acceptance.Status.IN_APPROVAL]).update(
        status=Acceptance.Status.CANCELLED
    )


# --- payments ----------------------------------------------------------------------------------------------
def payment_set(*, case: Case, actor, term: PaymentTerm, invoice_number: str, invoice_date, invoice_amount, note: str = "") -> Payment:
    """Save the payment section (a draft: the money rules run on submission)."""
    case = _require_editable(case, actor, "payment", _("payment"))
    contract = term.contract
    if contract.unit_id != case.unit_id:
        raise ContractError(_("The contract belongs to another unit."), code="other_unit")
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(case=case).first() or Payment(case=case)
        payment.contract = contract
        payment.term = term
        payment.supplier_id = contract.supplier_id
        payment.unit_id = case.unit_id
        payment.amount = case.amount
        payment.invoice_number = (invoice_number or "").strip().upper()[:30]
        payment.invoice_date = invoice_date
        payment.invoice_amount = round_money(invoice_amount) if invoice_amount is not None else None
        payment.note = (note or "")[:200]
        payment.status = PS.DRAFT
        payment.save()
    return payment


def payment_check(*, payment: Payment, contract: Contract, on: dt.date | None = None) -> list[str]:
    """The payment rules, with ``contract`` locked by the caller."""
    on = on or timezone.localdate()
    amount = payment.amount
    if amount is None or amount <= 0:
        raise ContractError(_("Give the amount to pay."), code="amount_required")
    if contract.status != Contract.Status.ACTIVE:
        raise ContractError(
            _("Contract %(number)s is %(status)s: only a contract in force can be paid.")
            % {"number": contract.number, "status": contract.get_status_display()}, code="contract_not_active",
        )
    supplier = contract.supplier
    if supplier.blacklisted:
        raise ContractError(
            _("Payment refused: %(supplier)s is on the blacklist (失信: %(reason)s); no payment may go to a blacklisted supplier (PRO-08).")
            % {"supplier": supplier.name, "reason": supplier.blacklist_reason}, code="blacklisted",
        )
    missing = [label for value, label in (
        (payment.invoice_number, _("invoice number")), (payment.invoice_date, _("invoice date")),
        (payment.invoice_amount, _("invoice amount")),
    ) if not value]
    if missing:
        raise ContractError(
            _("Payment refused: the invoice details are required (%(missing)s): no payment without an invoice.")
            % {"missing": "、".join(str(m) for m in missing)}, code="invoice_missing",
        )
    if payment.invoice_date > on:
        raise ContractError(_("The invoice date cannot be in the future."), code="invoice_future")
    if payment.invoice_amount < amount:
        raise ContractError(
            _("The invoice amount %(invoice)s is less than the payment %(amount)s.")
            % {"invoice": format_yuan(payment.invoice_amount), "amount": format_yuan(amount)}, code="invoice_short",
        )
    dup = (
        Payment.objects.filter(supplier_id=contract.supplier_id, invoice_number=payment.invoice_number, status__in=Payment.HOLDING)
        .exclude(pk=payment.pk).select_related("case").first()
    )
    if dup is not None:
        raise ContractError(
            _("Payment refused: invoice %(invoice)s of %(supplier)s is already paid or being paid by %(number)s; the same invoice "
              "cannot be paid twice (CON-07 重复付款).") % {"invoice": payment.invoice_number, "supplier": supplier.name, "number": dup.case.number},
            code="duplicate_invoice",
        )
    term = PaymentTerm.objects.get(pk=payment.term_id)
    if term.contract_id != contract.pk or not term.is_active:
        raise ContractError(_("This milestone is no longer one of the contract's terms."), code="term_replaced")
    if not term.is_reached(on):
        raise ContractError(
            _("Payment refused: the milestone “%(term)s” is not reached (%(trigger)s); pay only as the contract's terms allow (CON-02).")
            % {"term": term.label, "trigger": term.get_trigger_display()}, code="term_not_reached",
        )
    fig = contract_figures(contract, today=on, exclude_payment_id=payment.pk)
    if amount > fig.payable:
        raise ContractError(
            _("Payment refused: %(amount)s is more than the contract allows now. Reached milestones %(reached)s − paid %(paid)s − "
              "in approval %(in_flight)s = %(payable)s (pay only as the contract's terms allow, CON-01).")
            % {"amount": format_yuan(amount), "reached": format_yuan(fig.reached), "paid": format_yuan(fig.paid),
               "in_flight": format_yuan(fig.in_flight), "payable": format_yuan(fig.payable)},
            code="above_allowed",
        )
    claims = term_claims(contract, exclude_payment_id=payment.pk).get(term.pk, {})
    rest = term.amount - claims.get("paid", ZERO) - claims.get("in_flight", ZERO)
    if amount > rest:
        raise ContractError(
            _("Payment refused: %(amount)s is more than what is left of the milestone “%(term)s” (%(rest)s).")
            % {"amount": format_yuan(amount), "term": term.label, "rest": format_yuan(rest)}, code="above_milestone",
        )
    return []


def payment_submit(*, case: Case) -> list[str]:
    """On submission: check under the contract's lock and hold the amount and the invoice."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(case=case).first()
        if payment is None:
            raise ContractError(_("Choose the contract milestone and give the invoice before submitting."), code="no_payment")
        contract = _lock_contract(payment.contract_id)
        payment.amount = case.amount
        warnings = payment_check(payment=payment, contract=contract)
        payment.status = PS.SUBMITTED
        try:
            with transaction.atomic():
                payment.save(update_fields=["amount", "status"])
        except IntegrityError:  # the same invoice held by a payment of another contract of the supplier
            raise ContractError(
                _("Payment refused: invoice %(invoice)s of %(supplier)s is already paid or being paid; the same invoice cannot "
                  "be paid twice (CON-07 重复付款).") % {"invoice": payment.invoice_number, "supplier": contract.supplier.name},
                code="duplicate_invoice",
            ) from None
        return warnings


def payment_approved(*, case: Case) -> None:
    Payment.objects.filter(case=case, status=PS.SUBMITTED).update(status=PS.APPROVED)


def payment_cancel(*, case: Case) -> None:
    Payment.objects.filter(case=case, status__in=[PS.DRAFT, PS.SUBMITTED, PS.APPROVED]).update(status=PS.CANCELLED)


# The contract payment's status (PAID) and the codes callers know, from the desk's refusals.
_DESK_CODES = {"payee_refused": "blacklisted", "above_cap": "above_contract"}


def payment_pay(*, payment: Payment, actor, paid_on: dt.date | None = None, bank_reference: str = "") -> Payment:
    """出纳支付 of a contract payment, through the payment desk's one service
    (``payments.services.pay``): cashier ≠ applicant ≠ approver, supplier not blacklisted, the
    contract's rules (``contracts.payables``), the budget line executed using the contract's
    commitment, the trail and ``payment.paid``. Refusals keep their ``ContractError`` codes."""
    current = Payment.objects.select_related("case", "supplier").get(pk=payment.pk)
    try:
        payments_services.pay(
            case=current.case, actor=actor, amount=current.amount, payee_kind=PayeeKind.SUPPLIER,
            payee_ref=current.supplier_id, invoice_number=current.invoice_number, bank_reference=bank_reference,
            paid_on=paid_on,
        )
    except ContractError:
        raise
    except PaymentError as exc:
        raise ContractError(exc.message, code=_DESK_CODES.get(exc.code, exc.code)) from None
    current.refresh_from_db()
    return current


# --- supplements ------------------------------------------------------------------------------------------
def _locked_terms(contract: Contract) -> tuple[list[PaymentTerm], list[PaymentTerm]]:
    """(kept, changeable): reached or claimed milestones are kept as they are."""
    claims = term_claims(contract)
    kept, changeable = [], []
    for t in contract.terms.filter(is_active=True).order_by("seq", "id"):
        (kept if t.reached_on is not None or t.pk in claims else changeable).append(t)
    return kept, changeable


def supplement_set(*, case: Case, actor, contract: Contract, direction: str, content: str, new_end_date=None,
                   terms: list[dict]) -> Supplement:
    """Save a supplementary agreement: the change amount is the case amount (increase or
    decrease); the new terms replace the milestones not reached or claimed yet and, with
    those kept, must add up to the new amount."""
    case = _require_editable(case, actor, "supplement", _("supplementary agreement"))
    if contract.status != Contract.Status.ACTIVE:
        raise ContractError(_("Only a contract in force can be supplemented."), code="contract_not_active")
    if contract.unit_id != case.unit_id:
        raise ContractError(_("The contract belongs to another unit."), code="other_unit")
    change = case.amount or ZERO
    if direction == Supplement.Direction.TERMS:
        change = ZERO
    elif change <= 0:
        raise ContractError(_("Give the amount of the change as the form's amount."), code="change_required")
    new_amount = contract.amount + change if direction == Supplement.Direction.INCREASE else contract.amount - change
    if new_amount <= 0:
        raise ContractError(_("The decrease is larger than the contract amount."), code="decrease_too_large")
    kept, _changeable = _locked_terms(contract)
    kept_total = sum((t.amount for t in kept), ZERO)
    rows = terms_normalise(amount=new_amount - kept_total, rows=terms) if new_amount - kept_total > 0 else []
    if new_amount - kept_total < 0:
        raise ContractError(
            _("The new amount %(new)s is below the milestones already reached or claimed (%(kept)s).")
            % {"new": format_yuan(new_amount), "kept": format_yuan(kept_total)}, code="below_kept",
        )
    with transaction.atomic():
        sup = Supplement.objects.select_for_update().filter(case=case).first() or Supplement(case=case)
        sup.contract = contract
        sup.direction = direction
        sup.old_amount = contract.amount
        sup.new_amount = new_amount
        sup.old_end_date = contract.end_date
        sup.new_end_date = new_end_date
        sup.content = (content or "").strip()
        sup.proposed_terms = [
            {**t, "amount": str(t["amount"]), "percent": str(t["percent"]) if t["percent"] is not None else None,
             "due_date": t["due_date"].isoformat() if t["due_date"] else None}
            for t in rows
        ]
        sup.status = Supplement.Status.DRAFT
        sup.save()
    return sup


def _supplement_rows(sup: Supplement) -> list[dict]:
    return [
        {**t, "amount": Decimal(t["amount"]), "percent": Decimal(t["percent"]) if t.get("percent") else None,
         "due_date": dt.date.fromisoformat(t["due_date"]) if t.get("due_date") else None}
        for t in sup.proposed_terms
    ]


def supplement_check(*, supplement: Supplement, contract: Contract) -> list[str]:
    """With ``contract`` locked: increases together within 10% of the original amount
    (政府采购法第四十九条, CON-03), never below what is paid or in approval."""
    if not supplement.content:
        raise ContractError(_("Describe what the supplementary agreement changes."), code="content_required")
    if supplement.old_amount != contract.amount:
        raise ContractError(_("The contract amount changed since this agreement was drafted: save it again."), code="stale")
    applied = Supplement.objects.filter(contract=contract, status=Supplement.Status.APPLIED).exclude(pk=supplement.pk)
    increases = sum((s.new_amount - s.old_amount for s in applied if s.new_amount > s.old_amount), ZERO)
    if supplement.new_amount > supplement.old_amount:
        increases += supplement.new_amount - supplement.old_amount
    limit = round_money(contract.original_amount * SUPPLEMENT_LIMIT)
    if increases > limit:
        raise ContractError(
            _("Supplementary agreement refused: the increases would total %(total)s, more than 10%% of the original amount "
              "%(original)s (%(limit)s) (政府采购法第四十九条, CON-03).")
            % {"total": format_yuan(increases), "original": format_yuan(contract.original_amount), "limit": format_yuan(limit)},
            code="supplement_over_10pct",
        )
    fig = contract_figures(contract)
    if supplement.new_amount < fig.paid + fig.in_flight:
        raise ContractError(
            _("The new amount %(new)s is below what is paid or in approval (%(held)s).")
            % {"new": format_yuan(supplement.new_amount), "held": format_yuan(fig.paid + fig.in_flight)}, code="below_paid",
        )
    kept, _changeable = _locked_terms(contract)
    total = sum((t.amount for t in kept), ZERO) + sum((Decimal(t["amount"]) for t in supplement.proposed_terms), ZERO)
    if total != supplement.new_amount:
        raise ContractError(
            _("The payment terms add up to %(total)s but the new contract amount is %(amount)s: %(rule)s.")
            % {"total": format_yuan(total), "amount": format_yuan(supplement.new_amount), "rule": TERMS_RULE}, code="terms_sum",
        )
    if not _has_document(supplement, DocKind.SUPPLEMENT_TEXT, case=supplement.case, attachment_kind="补充协议文本"):
        raise ContractError(_("Upload the text of the supplementary agreement."), code="supplement_text_missing")
    warnings = []
    if applied.count() + 1 >= 3:
        warnings.append(_("This is supplement number %(n)d of the contract (CON-04 变更过多).") % {"n": applied.count() + 1})
    return warnings


def supplement_submit(*, case: Case) -> list[str]:
    with transaction.atomic():
        sup = Supplement.objects.select_for_update().filter(case=case).first()
        if sup is None:
            raise ContractError(_("Fill in the supplementary agreement before submitting."), code="no_supplement")
        contract = _lock_contract(sup.contract_id)
        if contract.status != Contract.Status.ACTIVE:
            raise ContractError(_("Only a contract in force can be supplemented."), code="contract_not_active")
        warnings = supplement_check(supplement=sup, contract=contract)
        sup.status = Supplement.Status.IN_APPROVAL
        sup.save(update_fields=["status"])
        return warnings


def supplement_approved(*, case: Case, actor) -> None:
    """In force: the amount, end date and open milestones change, and the budget commitment
    follows the change of amount."""
    from budget import services as budget_services

    with transaction.atomic():
        sup = Supplement.objects.select_for_update().filter(case=case).first()
        if sup is None or sup.status != Supplement.Status.IN_APPROVAL:
            return
        contract = _lock_contract(sup.contract_id)
        supplement_check(supplement=sup, contract=contract)
        _kept, changeable = _locked_terms(contract)
        PaymentTerm.objects.filter(pk__in=[t.pk for t in changeable]).update(is_active=False, replaced_by=sup)
        start = (contract.terms.aggregate(m=Max("seq"))["m"] or 0) + 1
        PaymentTerm.objects.bulk_create([
            PaymentTerm(contract=contract, supplement=sup, **{**t, "seq": start + i})
            for i, t in enumerate(_supplement_rows(sup))
        ])
        change = sup.new_amount - contract.amount
        seq = Supplement.objects.filter(contract=contract, status=Supplement.Status.APPLIED).count() + 1
        contract.amount = sup.new_amount
        if sup.new_end_date:
            contract.end_date = max(sup.new_end_date, contract.start_date)
        contract.save(update_fields=["amount", "end_date", "updated_at"])
        sup.status = Supplement.Status.APPLIED
        sup.seq = seq
        sup.applied_at = timezone.now()
        sup.save(update_fields=["status", "seq", "applied_at"])
        if contract.budget_line_id and change > 0:
            budget_services.budget_commit(
                line=contract.budget_line, amount=change, source=contract, case=case, actor=actor,
                note=_("Supplement %(n)d of contract %(number)s") % {"n": seq, "number": contract.number},
            )
        elif contract.budget_line_id and change < 0:
            budget_services.budget_commit_release(
                source=contract, actor=actor, amount=-change,
                note=_("Supplement %(n)d of contract %(number)s") % {"n": seq, "number": contract.number},
            )
        if contract.status == Contract.Status.ACTIVE and contract_figures(contract).paid == contract.amount:
            contract.status = Contract.Status.COMPLETED
            contract.completed_at = timezone.now()
            contract.save(update_fields=["status", "completed_at", "updated_at"])


def supplement_reopen(*, case: Case) -> None:
    Supplement.objects.filter(case=case, status=Supplement.Status.IN_APPROVAL).update(status=Supplement.Status.DRAFT)


def supplement_cancel(*, case: Case) -> None:
    Supplement.objects.filter(case=case, status__in=[Supplement.Status.DRAFT, Supplement.Status.IN_APPROVAL]).update(
        status=Supplement.Status.CANCELLED
    )


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
            if case.applicant_id == actor.pk and case.status in EDITABLE and case.stage_key == "contract":
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


# --- starting a form from a record --------------------------------------------------------------------------
def payment_request_start(*, contract: Contract, actor) -> Case:
    """申请付款 from the contract page: a payment case pre-filled from the next due milestone."""
    from approvals import services as approval_services
    from approvals.models import Matter

    if contract.status != Contract.Status.ACTIVE:
        raise ContractError(_("Only a contract in force can be paid."), code="contract_not_active")
    if actor.unit_id != contract.unit_id:
        raise ContractError(_("Payments are applied for by the contract's unit."), code="other_unit")
    term, rest = next_due_term(contract)
    if term is None:
        raise ContractError(_("Every milestone of the contract is paid or in approval."), code="nothing_due")
    matter = Matter.objects.filter(code=PAYMENT_MATTER, is_active=True).first()
    if matter is None or "payment" not in matter.stages:
        raise ContractError(_("The payment matter is not configured; ask the administrator."), code="no_matter")
    fig = contract_figures(contract)
    amount = min(rest, fig.payable) if fig.payable > 0 else rest
    with transaction.atomic():
        case = approval_services.case_create(
            matter=matter, applicant=actor, amount=amount,
            title=_("Payment: %(title)s — %(term)s") % {"title": contract.title, "term": term.label},
            reason=_("Contract %(number)s with %(supplier)s, milestone “%(term)s”.")
            % {"number": contract.number, "supplier": contract.supplier.name, "term": term.label},
        )
        Payment.objects.create(case=case, contract=contract, term=term, supplier_id=contract.supplier_id, unit_id=case.unit_id,
                               amount=amount)
    return case


def supplement_start(*, contract: Contract, actor) -> Case:
    from approvals import services as approval_services
    from approvals.models import Matter

    if contract.status != Contract.Status.ACTIVE:
        raise ContractError(_("Only a contract in force can be supplemented."), code="contract_not_active")
    if actor.unit_id != contract.unit_id:
        raise ContractError(_("Supplementary agreements are applied for by the contract's unit."), code="other_unit")
    matter = Matter.objects.filter(code=SUPPLEMENT_MATTER, is_active=True).first()
    if matter is None or "supplement" not in matter.stages:
        raise ContractError(_("The supplementary-agreement matter is not configured; ask the administrator."), code="no_matter")
    with transaction.atomic():
        case = approval_services.case_create(
            matter=matter, applicant=actor, amount=None,
            title=_("Supplementary agreement: %(title)s") % {"title": contract.title},
            reason=_("Contract %(number)s with %(supplier)s.") % {"number": contract.number, "supplier": contract.supplier.name},
        )
        _kept, changeable = _locked_terms(contract)
        Supplement.objects.create(
            case=case, contract=contract, direction=Supplement.Direction.TERMS, old_amount=contract.amount,
            new_amount=contract.amount, old_end_date=contract.end_date, content="",
            proposed_terms=[{"seq": t.seq, "kind": t.kind, "name": t.name, "percent": str(t.percent) if t.percent else None,
                             "amount": str(t.amount), "trigger": t.trigger,
                             "due_date": t.due_date.isoformat() if t.due_date else None} for t in changeable],
        )
    return case


PAYMENT_MATTER = "HT-FK"
SUPPLEMENT_MATTER = "HT-BC"


# --- reminders (Celery beat) ------------------------------------------------------------------------------------
REMINDER_DAYS = 30


def reminders_send(*, today: dt.date | None = None, days: int = REMINDER_DAYS) -> int:
    """Tell the applicant and the unit head of every contract ending, or with an unpaid
    milestone falling due, within ``days``. Each reminder is sent once (the Reminder row is
    claimed with an insert that ignores conflicts, so two scans at once send nothing twice;
    the beat task runs one scan at a time, ``core.locks.run_once``). Returns the reminders sent."""
    from approvals.services import notify
    from org.models import User

    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=days)
    sent = 0
    with transaction.atomic():
        active = Contract.objects.filter(status=Contract.Status.ACTIVE).select_related("case__applicant", "unit", "supplier")
        ending = list(active.filter(end_date__gte=today, end_date__lte=horizon))
        due_terms = list(
            PaymentTerm.objects.filter(contract__status=Contract.Status.ACTIVE, is_active=True, due_date__gte=today,
                                       due_date__lte=horizon)
            .select_related("contract__case__applicant", "contract__unit", "contract__supplier")
        )
        heads: dict[int, list] = {}
        unit_ids = {c.unit_id for c in ending} | {t.contract.unit_id for t in due_terms}
        for u in User.objects.with_role(Role.UNIT_HEAD).filter(unit_id__in=unit_ids):
            heads.setdefault(u.unit_id, []).append(u)
        claims = term_claims_many([t.contract_id for t in due_terms])
        for contract in ending:
            if _claim(contract=contract, term=None, kind=Reminder.Kind.CONTRACT_ENDING, due=contract.end_date):
                notify([contract.case.applicant, *heads.get(contract.unit_id, [])], contract.case,
                       _("Contract %(number)s with %(supplier)s ends on %(date)s.")
                       % {"number": contract.number, "supplier": contract.supplier.name, "date": contract.end_date})
                sent += 1
        for term in due_terms:
            paid = claims.get(term.pk, ZERO)
            if paid >= term.amount:
                continue
            contract = term.contract
            if _claim(contract=contract, term=term, kind=Reminder.Kind.MILESTONE_DUE, due=term.due_date):
                notify([contract.case.applicant, *heads.get(contract.unit_id, [])], contract.case,
                       _("Milestone “%(term)s” of contract %(number)s (%(amount)s) falls due on %(date)s.")
                       % {"term": term.label, "number": contract.number, "amount": format_yuan(term.amount - paid),
                          "date": term.due_date})
                sent += 1
    return sent


def term_claims_many(contract_ids) -> dict[int, Decimal]:
    rows = (
        Payment.objects.filter(contract_id__in=set(contract_ids), status__in=Payment.HOLDING)
        .values("term_id").annotate(total=Sum("amount")).order_by()
    )
    return {r["term_id"]: r["total"] for r in rows}


def _claim(*, contract, term, kind, due) -> bool:
    """True the first time (the scan holds the advisory lock, so get_or_create cannot race)."""
    _reminder, created = Reminder.objects.get_or_create(contract=contract, term=term, kind=kind, due_date=due)
    return created
