"""Payable sources: how much an approved case may be paid, to whom, and why.

A business app registers its source in ``AppConfig.ready()``; payments imports none of them::

    from payments.registry import Payee, register_source

    register_source(
        "contract",
        q=lambda: Q(payment__isnull=False),  # the cases it pays, as a filter on Case (the desk's list)
        applies=lambda case: ...,           # does this source pay the case? (default: through ``q``)
        cap=lambda case: Decimal(...),      # how much may be paid in all (≤ the approved amount)
        payees=lambda case: [Payee(...)],   # who may be paid
        describe=lambda case: "...",        # why, in the office's words
        source_id=lambda case: ...,         # the record that registered the cap (optional)
        lock=lambda case: None,             # lock the source's rows (lock order, step 2)
        budget=lambda case: (line, commitment),  # where the payment executes (optional)
        check=lambda case, amount: None,         # raise an ApprovalError to refuse (optional)
        invoice=lambda case: (code, number),     # the invoice the source holds (optional)
        after_pay=lambda case, payment: None,    # keep the source's own figures (optional)
        due_from=lambda cases: {case.pk: DueFrom(...)},  # when the payment deadline starts (optional)
        invoice_on_file=lambda case: InvoiceOnFile(...),  # the invoice the clerk gave (optional)
    )

``cap`` must not query the database (the desk lists many cases in a fixed number of
queries); a source whose cap needs a query gives ``caps(cases) -> {case id: cap}`` in one.
``due_from`` takes the desk's cases of the source and answers, in a fixed number of queries,
when each one's payment deadline starts (delivery or acceptance of an SME's goods, works or
services: 保障中小企业款项支付条例第九条、第十条); a case it leaves out has no deadline.

The reimbursement source (``"reimbursement"``) lives here: any approved case of a matter
that spends money and whose stages belong to no other app (only the budget section), cap =
its approved amount, payees = the applicant and the people named on the case (copied to).
A case a registered source claims is never paid as a reimbursement.

Besides sources, the hook ``register_payee_check(key, fn)`` lets an app refuse a payee
(procurement refuses a blacklisted supplier) without payments importing it:
``fn(kind, name, ref) -> str | None`` returns the refusal message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case as DbCase
from django.db.models import CharField, Q, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from core.stages import Stage

from .models import PayeeKind

REIMBURSEMENT = "reimbursement"
# Stage sections a reimbursement case may have: the budget section is payments' own layer.
PLAIN_STAGES = frozenset({Stage.BUDGET})


@dataclass(frozen=True)
class Payee:
    kind: str  # PayeeKind value
    name: str
    ref: int | None = None  # user id (person) or supplier id (supplier)
    bank_name: str = ""
    bank_account: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.ref}" if self.ref is not None else f"{self.kind}:"


@dataclass(frozen=True)
class DueFrom:
    """When the deadline of paying a case starts, and why (for the desk)."""

    day: dt.date
    why: str  # "验收合格" / "成交": the event the regulation counts from
    sme: bool = True  # the payee is a small or medium enterprise (the regulation's deadline applies)
    agreed_days: int | None = None  # a term the contract agreed (capped by the rule's longest)


@dataclass(frozen=True)
class InvoiceOnFile:
    """The invoice the clerk gave with the case, shown to the cashier."""

    number: str = ""
    code: str = ""
    date: dt.date | None = None
    amount: Decimal | None = None
    documents: tuple = ()  # documents.Document rows (scans) the source holds


@dataclass(frozen=True)
class PayableSource:
    key: str
    q: Callable[[], Q]
    cap: Callable[[Any], Decimal]
    payees: Callable[[Any], list[Payee]]
    describe: Callable[[Any], str]
    applies: Callable[[Any], bool] | None = None
    caps: Callable[[list], dict[int, Decimal]] | None = None
    check: Callable[[Any, Decimal], None] = lambda case, amount: None
    source_id: Callable[[Any], int | None] = lambda case: None
    lock: Callable[[Any], None] = lambda case: None
    budget: Callable[[Any], tuple[Any, Any] | None] | None = None
    after_pay: Callable[[Any, Any], None] = lambda case, payment: None
    # the invoice the source already holds (code, number): the cashier cannot pay another one
    invoice: Callable[[Any], tuple[str, str] | None] = lambda case: None
    # may the cashier type another organisation or supplier as payee (an invoice of a hotel)?
    other_payees: bool = False
    # may a payment of this source be refunded at the desk (False: a contract is reduced by a supplement)
    refunds: bool = True
    # cases -> {case id: DueFrom}: when each case's payment deadline starts (no entry: no deadline)
    due_from: Callable[[list], dict[int, DueFrom]] | None = None
    # case -> InvoiceOnFile | None: the invoice the source holds (number, date, amount, scans)
    invoice_on_file: Callable[[Any], InvoiceOnFile | None] = lambda case: None
    # what the source is called in lists and filters (合同付款, 报销, …); the key if not given
    label: Any = ""

    def pays(self, case) -> bool:
        if self.applies is not None:
            return bool(self.applies(case))
        return type(case).objects.filter(pk=case.pk).filter(self.q()).exists()

    def caps_for(self, cases: list) -> dict[int, Decimal]:
        if self.caps is not None:
            return self.caps(cases)
        return {case.pk: self.cap(case) for case in cases}


class UnknownSource(KeyError):
    pass


_SOURCES: dict[str, PayableSource] = {}
_PAYEE_CHECKS: dict[str, Callable[[str, str, int | None], str | None]] = {}


def register_source(key: str, *, q, cap, payees, describe, **options) -> PayableSource:
    if not key:
        raise ValueError("a payable source needs a key")
    source = PayableSource(key=key, q=q, cap=cap, payees=payees, describe=describe, **options)
    _SOURCES[key] = source
    return source


def source_choices() -> list[tuple[str, str]]:
    """(key, label) of every registered source, for filters."""
    return [(key, str(src.label or key)) for key, src in sorted(_SOURCES.items())]


def unregister_source(key: str) -> None:
    _SOURCES.pop(key, None)


def get_source(key: str) -> PayableSource:
    try:
        return _SOURCES[key]
    except KeyError:
        raise UnknownSource(key) from None


def all_sources() -> dict[str, PayableSource]:
    return dict(_SOURCES)


def ordered_sources() -> list[PayableSource]:
    """Registered sources first, the reimbursement source last (a claimed case is never a
    reimbursement)."""
    return [s for k, s in _SOURCES.items() if k != REIMBURSEMENT] + (
        [_SOURCES[REIMBURSEMENT]] if REIMBURSEMENT in _SOURCES else []
    )


def source_for(case) -> PayableSource | None:
    """The source that pays ``case``, or None (nothing to pay)."""
    for source in ordered_sources():
        if source.pays(case):
            return source
    return None


def source_annotation():
    """A Case annotation naming the source of each case ('' for none), for list pages."""
    whens = [When(source.q(), then=Value(source.key)) for source in ordered_sources()]
    if not whens:
        return Value("", output_field=CharField())
    return DbCase(*whens, default=Value(""), output_field=CharField())


def register_payee_check(key: str, fn: Callable[[str, str, int | None], str | None]) -> None:
    _PAYEE_CHECKS[key] = fn


def unregister_payee_check(key: str) -> None:
    _PAYEE_CHECKS.pop(key, None)


def payee_refusal(kind: str, name: str, ref: int | None) -> str | None:
    """The first refusal any registered check gives for this payee, or None."""
    for fn in _PAYEE_CHECKS.values():
        message = fn(kind, name, ref)
        if message:
            return str(message)
    return None


# --- the reimbursement source (payments' own) --------------------------------------------------
def _reimbursement_applies(case) -> bool:
    stages = set(case.stage_list)
    return bool(case.matter.spends_money) and case.amount is not None and stages <= PLAIN_STAGES


def _reimbursement_q() -> Q:
    plain = sorted(PLAIN_STAGES)
    own = Q(stages__len__gt=0, stages__contained_by=plain)
    matters = Q(stages__len=0, matter__stages__contained_by=plain)
    return Q(matter__spends_money=True, amount__isnull=False) & (own | matters)


def _reimbursement_payees(case) -> list[Payee]:
    people = [case.applicant] + [c.user for c in case.copies.select_related("user").order_by("id")]
    seen, out = set(), []
    for person in people:
        if person.pk not in seen:
            seen.add(person.pk)
            out.append(Payee(kind=PayeeKind.PERSON, name=person.get_full_name(), ref=person.pk))
    return out


def _reimbursement_describe(case) -> str:
    return _("Reimbursement of %(matter)s %(number)s") % {"matter": case.matter.name, "number": case.number}


def register_reimbursement() -> None:
    register_source(
        REIMBURSEMENT,
        label=gettext_lazy("Reimbursement"),
        q=_reimbursement_q,
        applies=_reimbursement_applies,
        cap=lambda case: case.amount,
        payees=_reimbursement_payees,
        describe=_reimbursement_describe,
        other_payees=True,
    )
