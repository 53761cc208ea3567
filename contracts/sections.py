"""The contract sections of the one form (see ``approvals.registry``):

* ``contract`` — the contract and its payment terms, pre-filled from the award; in force
  (and committed on the budget) once countersigned;
* ``acceptance`` — the acceptance team, result and the milestones it unlocks;
* ``payment`` — a payment against a reached milestone with its invoice; paid by a cashier;
* ``supplement`` — a supplementary agreement changing the amount, end date or open terms.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.money import format_yuan
from approvals.permissions import grant_view
from approvals.registry import CaseSection, choice_label, field_label, money_text
from core.stages import Stage
from documents import registry as document_registry
from documents.selectors import documents_of, with_history

from . import selectors, services
from .forms import AcceptanceSectionForm, ContractSectionForm, PaymentSectionForm, SupplementSectionForm, terms_rows
from .models import Acceptance, Contract, DocKind, Payment, PaymentTerm, Supplement


def _chain_ids(contract: Contract | None) -> list[int]:
    """The cases of a contract's chain: the one that made it, its payments and supplements."""
    if contract is None:
        return []
    ids = {contract.case_id}
    ids.update(Payment.objects.filter(contract=contract).values_list("case_id", flat=True))
    ids.update(Supplement.objects.filter(contract=contract).values_list("case_id", flat=True))
    return sorted(ids)


def _terms_text(rows) -> str:
    """Payment terms as recorded ([kind, amount, trigger, due] or the supplement's dicts), one line."""
    out = []
    for t in rows or []:
        if isinstance(t, dict):
            kind, amount, trigger, due, name = t.get("kind"), t.get("amount"), t.get("trigger"), t.get("due_date"), t.get("name")
        else:
            kind, amount, trigger, due = (list(t) + [None] * 4)[:4]
            name = ""
        parts = [name or choice_label(PaymentTerm, "kind", kind), money_text(amount), choice_label(PaymentTerm, "trigger", trigger)]
        if due:
            parts.append(str(due))
        out.append(" ".join(p for p in parts if p))
    return "；".join(out)


def _can_fill(case, user, key) -> bool:
    return case.applicant_id == user.pk and case.status in services.EDITABLE and case.stage_key == key


def _documents(owner, user, *, editable: bool) -> list:
    """The record's files in force with their earlier versions; while the person may change
    them, the replace/remove buttons the owner's rule allows."""
    docs = with_history(documents_of(owner))
    return document_registry.mark_allowed(user, docs, owner=owner) if editable else docs


class ContractSection(CaseSection):
    key = Stage.CONTRACT
    label = gettext_lazy("Contract")
    form_class = ContractSectionForm
    display_template = "contracts/_contract_section.html"
    money = True

    def initial(self, case, user):
        contract = Contract.objects.filter(case=case).first() if case is not None else None
        if contract is not None:
            return {
                "title": contract.title, "supplier": contract.supplier_id, "category": contract.category, "amount": contract.amount,
                "signed_on": contract.signed_on, "start_date": contract.start_date, "end_date": contract.end_date,
                "summary": contract.summary, "terms": terms_rows(contract.terms.filter(is_active=True).order_by("seq")),
            }
        award = services._award_of(case) if case is not None else None
        today = timezone.localdate()
        out = {"title": case.title if case else "", "signed_on": today, "start_date": today,
               "end_date": today.replace(year=today.year + 1) if not (today.month == 2 and today.day == 29) else today}
        if award is not None:
            out.update(category=award.purchase.category, amount=award.amount, terms=[
                {"kind": PaymentTerm.Kind.ACCEPTANCE, "name": _("On acceptance"), "percent": 100, "amount": award.amount,
                 "trigger": PaymentTerm.Trigger.ACCEPTANCE},
            ])
        return out

    def save(self, case, form, actor):
        d = form.cleaned_data
        services.contract_set(
            case=case, actor=actor, title=d["title"], category=d.get("category") or "other", amount=d["amount"],
            signed_on=d["signed_on"], start_date=d["start_date"], end_date=d["end_date"], summary=d.get("summary") or "",
            terms=d["terms"], supplier=d.get("supplier"),
        )

    def context(self, case, user):
        contract = Contract.objects.select_related("supplier", "award").filter(case=case).first()
        if contract is None:
            return {"contract": None}
        can_upload_text = _can_fill(case, user, self.key)
        can_upload_scan = not services.may_attach(contract, user, DocKind.CONTRACT_SCAN)
        return {
            "contract": contract,
            "terms": list(contract.terms.filter(is_active=True).order_by("seq")),
            "documents": _documents(contract, user, editable=can_upload_text or can_upload_scan),
            "can_upload_text": can_upload_text,
            "can_upload_scan": can_upload_scan,
            "case": case,
        }

    def stage_amount(self, case):
        c = Contract.objects.filter(case=case).only("amount").first()
        return c.amount if c is not None else None

    def chain_case_ids(self, case):
        return _chain_ids(Contract.objects.filter(case=case).first())

    def validate_submit(self, case, actor):
        return services.contract_submit(case=case)

    def on_approved(self, case, actor):
        services.contract_approved(case=case, actor=actor)

    def on_returned(self, case, actor):
        services.contract_reopen(case=case)

    def on_rejected(self, case, actor):
        services.contract_cancel(case=case)

    def on_withdrawn(self, case, actor):
        services.contract_cancel(case=case)

    def snapshot(self, case):
        c = Contract.objects.select_related("supplier").filter(case=case).first()
        if c is None:
            return None
        return {"number": c.number, "supplier": c.supplier_id, "amount": str(c.amount), "status": c.status,
                "term": [str(c.start_date), str(c.end_date)],
                "terms": [[t.kind, str(t.amount), t.trigger, str(t.due_date or "")] for t in c.terms.filter(is_active=True)],
                "title": c.title, "supplier_name": c.supplier.name, "category": c.category,
                "signed_on": str(c.signed_on), "summary": c.summary}

    def describe(self, snapshot):
        term = list(snapshot.get("term") or []) + ["", ""]
        return [
            (field_label(Contract, "title"), snapshot.get("title") or ""),
            (field_label(Contract, "supplier"), snapshot.get("supplier_name") or f"#{snapshot.get('supplier')}"),
            (field_label(Contract, "category"), choice_label(Contract, "category", snapshot.get("category"))),
            (field_label(Contract, "amount"), money_text(snapshot.get("amount"))),
            (field_label(Contract, "signed_on"), snapshot.get("signed_on") or ""),
            (field_label(Contract, "start_date"), term[0]),
            (field_label(Contract, "end_date"), term[1]),
            (field_label(Contract, "summary"), snapshot.get("summary") or ""),
            (str(PaymentTerm._meta.verbose_name_plural), _terms_text(snapshot.get("terms"))),
        ]


class AcceptanceSection(CaseSection):
    key = Stage.ACCEPTANCE
    label = gettext_lazy("Acceptance")
    form_class = AcceptanceSectionForm
    display_template = "contracts/_acceptance_section.html"

    def initial(self, case, user):
        acc = Acceptance.objects.filter(case=case).first() if case is not None else None
        if acc is not None:
            return {"contract": acc.contract_id, "accepted_on": acc.accepted_on, "result": acc.result, "opinion": acc.opinion,
                    "members": list(acc.members.values_list("pk", flat=True)), "terms": list(acc.terms.values_list("pk", flat=True))}
        own = Contract.objects.filter(case=case).first() if case is not None else None
        out = {"accepted_on": timezone.localdate(), "result": Acceptance.Result.PASSED,
               "members": [user.pk] if user is not None else []}
        if own is not None:
            out["terms"] = list(own.terms.filter(is_active=True, reached_on__isnull=True, trigger=PaymentTerm.Trigger.ACCEPTANCE)
                                .values_list("pk", flat=True))
        return out

    def save(self, case, form, actor):
        d = form.cleaned_data
        services.acceptance_set(case=case, actor=actor, contract=d.get("contract"), accepted_on=d["accepted_on"],
                                result=d["result"], opinion=d.get("opinion") or "", members=d["members"], terms=d.get("terms") or [])
        grant_view(case, d["members"])  # the team reads the form its acceptance waits on (their inbox links it)

    def context(self, case, user):
        acc = Acceptance.objects.select_related("contract").prefetch_related("members__unit", "terms").filter(case=case).first()
        if acc is None:
            return {"acceptance": None}
        can_upload = _can_fill(case, user, self.key)
        return {"acceptance": acc, "documents": _documents(acc, user, editable=can_upload),
                "can_upload": can_upload, "case": case}

    def approvers(self, case):
        acc = Acceptance.objects.filter(case=case).first()
        return list(acc.members.all()) if acc is not None else []

    def validate_submit(self, case, actor):
        return services.acceptance_submit(case=case)

    def on_approved(self, case, actor):
        services.acceptance_approved(case=case)

    def on_returned(self, case, actor):
        services.acceptance_reopen(case=case)

    def on_rejected(self, case, actor):
        services.acceptance_cancel(case=case)

    def on_withdrawn(self, case, actor):
        services.acceptance_cancel(case=case)

    def snapshot(self, case):
        a = Acceptance.objects.select_related("contract").filter(case=case).first()
        if a is None:
            return None
        members = sorted(a.members.all(), key=lambda u: u.pk)
        terms = sorted(a.terms.all(), key=lambda t: t.pk)
        return {"contract": a.contract_id, "date": str(a.accepted_on), "result": a.result,
                "members": [u.pk for u in members], "terms": [t.pk for t in terms],
                "contract_number": a.contract.number, "opinion": a.opinion,
                "member_names": [u.get_full_name() for u in members],
                "term_names": [t.name or t.get_kind_display() for t in terms]}

    def describe(self, snapshot):
        return [
            (field_label(Acceptance, "contract"), snapshot.get("contract_number") or f"#{snapshot.get('contract')}"),
            (field_label(Acceptance, "accepted_on"), snapshot.get("date") or ""),
            (field_label(Acceptance, "result"), choice_label(Acceptance, "result", snapshot.get("result"))),
            (field_label(Acceptance, "opinion"), snapshot.get("opinion") or ""),
            (field_label(Acceptance, "members"),
             "、".join(snapshot.get("member_names") or [f"#{pk}" for pk in snapshot.get("members") or []])),
            (field_label(Acceptance, "terms"),
             "、".join(snapshot.get("term_names") or [f"#{pk}" for pk in snapshot.get("terms") or []])),
        ]


class PaymentSection(CaseSection):
    key = Stage.PAYMENT
    label = gettext_lazy("Payment")
    form_class = PaymentSectionForm
    display_template = "contracts/_payment_section.html"
    money = True

    def initial(self, case, user):
        # the invoice amount defaults to the payment (the form's amount): one figure typed once
        p = Payment.objects.filter(case=case).first() if case is not None else None
        if p is None:
            return {"invoice_amount": case.amount} if case is not None and case.amount is not None else {}
        return {"term": p.term_id, "invoice_number": p.invoice_number, "invoice_date": p.invoice_date,
                "invoice_amount": p.invoice_amount if p.invoice_amount is not None else case.amount, "note": p.note}

    def save(self, case, form, actor):
        d = form.cleaned_data
        invoice_amount = d.get("invoice_amount")
        if invoice_amount is None and d.get("invoice_number"):
            invoice_amount = case.amount  # left empty: the invoice is for the payment
        services.payment_set(case=case, actor=actor, term=d["term"], invoice_number=d.get("invoice_number") or "",
                             invoice_date=d.get("invoice_date"), invoice_amount=invoice_amount, note=d.get("note") or "")

    def context(self, case, user):
        p = Payment.objects.select_related("contract__supplier", "term", "paid_by").filter(case=case).first()
        if p is None:
            return {"payment": None}
        can_upload = _can_fill(case, user, self.key)
        return {"payment": p, "figures": services.contract_figures(p.contract, exclude_payment_id=p.pk),
                "documents": _documents(p, user, editable=can_upload), "can_upload": can_upload, "case": case}

    def check_amount(self, case, amount, form_data, user):
        """Live check while the payment is filled: what the chosen contract allows now."""
        p = Payment.objects.select_related("contract").filter(case=case).first() if case is not None else None
        contract, exclude = (p.contract, p.pk) if p is not None else (None, None)
        term_id = (form_data or {}).get(f"{self.key}-term") or (form_data or {}).get("term")
        if term_id and str(term_id).isdigit():
            term = selectors.payable_terms_for_case(case, user).filter(pk=int(term_id)).select_related("contract").first()
            contract = term.contract if term is not None else contract
        if contract is None:
            return [{"level": "warning", "text": _("Choose the contract milestone this payment is for.")}]
        fig = services.contract_figures(contract, exclude_payment_id=exclude)
        level = "ok" if amount <= fig.payable else "error"
        return [{"level": level, "text": _("Contract %(number)s allows %(payable)s now (reached milestones %(reached)s − paid "
                                           "%(paid)s − in approval %(in_flight)s).")
                 % {"number": contract.number, "payable": format_yuan(fig.payable), "reached": format_yuan(fig.reached),
                    "paid": format_yuan(fig.paid), "in_flight": format_yuan(fig.in_flight)}}]

    def stage_amount(self, case):
        return case.amount

    def chain_case_ids(self, case):
        p = Payment.objects.select_related("contract").filter(case=case).first()
        return _chain_ids(p.contract if p is not None else None)

    def validate_submit(self, case, actor):
        return services.payment_submit(case=case)

    def on_approved(self, case, actor):
        services.payment_approved(case=case)

    def on_rejected(self, case, actor):
        services.payment_cancel(case=case)

    def on_withdrawn(self, case, actor):
        services.payment_cancel(case=case)

    def snapshot(self, case):
        p = Payment.objects.select_related("contract", "term").filter(case=case).first()
        if p is None:
            return None
        return {"contract": p.contract_id, "term": p.term_id, "amount": str(p.amount) if p.amount else None,
                "invoice": [p.invoice_number, str(p.invoice_date or ""), str(p.invoice_amount or "")], "status": p.status,
                "contract_number": p.contract.number, "term_name": p.term.name or p.term.get_kind_display(), "note": p.note}

    def describe(self, snapshot):
        invoice = list(snapshot.get("invoice") or []) + ["", "", ""]
        return [
            (field_label(Payment, "contract"), snapshot.get("contract_number") or f"#{snapshot.get('contract')}"),
            (field_label(Payment, "term"), snapshot.get("term_name") or f"#{snapshot.get('term')}"),
            (field_label(Payment, "invoice_number"), invoice[0]),
            (field_label(Payment, "invoice_date"), invoice[1]),
            (field_label(Payment, "invoice_amount"), money_text(invoice[2])),
            (field_label(Payment, "note"), snapshot.get("note") or ""),
        ]


class SupplementSection(CaseSection):
    key = Stage.SUPPLEMENT
    label = gettext_lazy("Supplementary agreement")
    form_class = SupplementSectionForm
    display_template = "contracts/_supplement_section.html"
    money = True
    amount_may_grow = True

    def initial(self, case, user):
        s = Supplement.objects.filter(case=case).first() if case is not None else None
        if s is None:
            return {}
        rows = services._supplement_rows(s)
        return {"contract": s.contract_id, "direction": s.direction, "new_end_date": s.new_end_date, "content": s.content,
                "terms": rows}

    def save(self, case, form, actor):
        d = form.cleaned_data
        services.supplement_set(case=case, actor=actor, contract=d["contract"], direction=d["direction"],
                                content=d["content"], new_end_date=d.get("new_end_date"), terms=d.get("terms") or [])

    def context(self, case, user):
        s = Supplement.objects.select_related("contract").filter(case=case).first()
        if s is None:
            return {"supplement": None}
        rows = [{**r, "kind_label": PaymentTerm.Kind(r["kind"]).label, "trigger_label": PaymentTerm.Trigger(r["trigger"]).label}
                for r in services._supplement_rows(s)]
        can_upload = _can_fill(case, user, self.key)
        return {"supplement": s, "rows": rows, "documents": _documents(s, user, editable=can_upload),
                "can_upload": can_upload, "case": case}

    def stage_amount(self, case):
        """The contract's new total: a supplement is routed at the tier of what the contract
        becomes, not of the change alone."""
        s = Supplement.objects.filter(case=case).only("new_amount").first()
        return s.new_amount if s is not None else None

    def chain_case_ids(self, case):
        s = Supplement.objects.select_related("contract").filter(case=case).first()
        return _chain_ids(s.contract if s is not None else None)

    def validate_submit(self, case, actor):
        return services.supplement_submit(case=case)

    def on_approved(self, case, actor):
        services.supplement_approved(case=case, actor=actor)

    def on_returned(self, case, actor):
        services.supplement_reopen(case=case)

    def on_rejected(self, case, actor):
        services.supplement_cancel(case=case)

    def on_withdrawn(self, case, actor):
        services.supplement_cancel(case=case)

    def snapshot(self, case):
        s = Supplement.objects.select_related("contract").filter(case=case).first()
        if s is None:
            return None
        return {"contract": s.contract_id, "old": str(s.old_amount), "new": str(s.new_amount), "status": s.status,
                "terms": s.proposed_terms, "contract_number": s.contract.number, "direction": s.direction,
                "new_end_date": str(s.new_end_date or ""), "content": s.content}

    def describe(self, snapshot):
        return [
            (field_label(Supplement, "contract"), snapshot.get("contract_number") or f"#{snapshot.get('contract')}"),
            (field_label(Supplement, "direction"), choice_label(Supplement, "direction", snapshot.get("direction"))),
            (field_label(Supplement, "new_amount"), money_text(snapshot.get("new"))),
            (field_label(Supplement, "new_end_date"), snapshot.get("new_end_date") or ""),
            (field_label(Supplement, "content"), snapshot.get("content") or ""),
            (field_label(Supplement, "proposed_terms"), _terms_text(snapshot.get("terms"))),
        ]
