"""Contract risk rules (RISK_RULES.md, 合同与支付) over contracts, their milestones, supplements
and payments, run by the risk engine through approvals.rules. Duplicate payments (CON-07) are
judged by the payments app over every payment of the desk (payments/rules.py)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal

from django.db.models import Count, DecimalField, Exists, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.rules import Finding, Param, Rule, Severity, judged_on

from .models import Contract, ContractCategory, Payment, PaymentTerm, Supplement

LIVE = (Contract.Status.ACTIVE, Contract.Status.COMPLETED)


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


class SupplementsOverLimit(Rule):
    """CON-03 补充协议超限: the increases of a contract's supplementary agreements together exceed
    the share of the original amount (政府采购法 第四十九条: 所有补充合同的采购金额不得超过原合同采购金额的
    百分之十). Increases count, decreases do not offset them. The one implementation of the limit:
    the form check blocks by default (the share is the law's) and the scan reports any contract
    past it."""

    code = "CON-03"
    title = gettext_lazy("Supplements over 10%")
    severity = Severity.HIGH
    mode = "block"
    params = {"share": Param(Decimal("10"), gettext_lazy("added amount as a share of the original (%)"),
                             regulation="政府采购法 第四十九条")}
    events = ("contract.signed",)

    @staticmethod
    def _increases():
        return Coalesce(Sum(F("supplements__new_amount") - F("supplements__old_amount"), filter=Q(
            supplements__status=Supplement.Status.APPLIED, supplements__new_amount__gt=F("supplements__old_amount"))),
            Value(Decimal("0.00")), output_field=DecimalField(max_digits=16, decimal_places=2))

    @staticmethod
    def _finding(c, increases, share, *, number=None):
        got = _pct(increases, c.original_amount)
        limit = (c.original_amount * share / 100).quantize(Decimal("0.01"))
        return Finding(records=(("contracts.contract", c.pk),), unit_id=c.unit_id,
                       message=_("%(number)s: supplementary agreements add %(total)s, %(share)s%% of the original amount "
                                 "%(original)s, above the limit %(limit)s (政府采购法第四十九条)") % {
                           "number": number or c.number, "total": f"¥{increases:,.2f}", "share": got,
                           "original": f"¥{c.original_amount:,.2f}", "limit": f"¥{limit:,.2f}"},
                       figures={"original": str(c.original_amount), "increases": str(increases), "share": str(got),
                                "threshold": str(share)})

    def scan(self, params, scope=None):
        share = Decimal(params["share"])
        rows = Contract.objects.filter(status__in=LIVE, original_amount__gt=0).annotate(increases=self._increases())
        for c in rows.filter(increases__gt=0):
            if c.increases * 100 > share * c.original_amount:
                yield self._finding(c, c.increases, share)

    def check_draft(self, case, params):
        """The supplement being submitted, with the increases already applied to its contract."""
        sup = Supplement.objects.filter(case=case).select_related("contract").first()
        if sup is None or sup.new_amount <= sup.old_amount or sup.contract.original_amount <= 0:
            return []
        share = Decimal(params["share"])
        applied = (Contract.objects.filter(pk=sup.contract_id).annotate(increases=self._increases())
                   .values_list("increases", flat=True).get())
        total = applied + sup.new_amount - sup.old_amount
        if total * 100 <= share * sup.contract.original_amount:
            return []
        return [self._finding(sup.contract, total, share, number=case.number or sup.contract.number)]


class TooManyChanges(Rule):
    """CON-04 变更过多: at least the given number of applied supplements on one contract (the form
    warns on the agreement that reaches it)."""

    code = "CON-04"
    title = gettext_lazy("Too many changes")
    severity = Severity.MEDIUM
    params = {"count": Param(3, gettext_lazy("supplements on one contract"))}

    @staticmethod
    def _finding(c, n, limit):
        return Finding(records=(("contracts.contract", c.pk),), unit_id=c.unit_id,
                       message=_("%(number)s has %(n)s supplementary agreements") % {"number": c.number, "n": n},
                       figures={"supplements": n, "threshold": limit})

    def scan(self, params, scope=None):
        limit = int(params["count"])
        rows = (Contract.objects.filter(status__in=LIVE)
                .annotate(n=Count("supplements", filter=Q(supplements__status=Supplement.Status.APPLIED)))
                .filter(n__gte=limit).select_related("unit"))
        for c in rows:
            yield self._finding(c, c.n, limit)

    def check_draft(self, case, params):
        sup = Supplement.objects.filter(case=case).select_related("contract").first()
        if sup is None:
            return []
        limit = int(params["count"])
        n = Supplement.objects.filter(contract_id=sup.contract_id, status=Supplement.Status.APPLIED).exclude(pk=sup.pk).count() + 1
        return [self._finding(sup.contract, n, limit)] if n >= limit else []


class ContractDiffersFromAward(Rule):
    """CON-09 中标价与合同价差异: the original contract amount differs from the awarded amount by
    more than the share (OCP R059). A contract above its award is refused by the contract service
    (合同金额不得超过成交金额); this rule judges how far below it a contract may be signed."""

    code = "CON-09"
    title = gettext_lazy("Contract amount differs from the award")
    severity = Severity.MEDIUM
    params = {"share": Param(Decimal("5"), gettext_lazy("difference from the awarded amount (%)"))}
    events = ("contract.signed",)

    @staticmethod
    def _judge(c, award_amount, share):
        diff = abs(c.original_amount - award_amount)
        if diff * 100 <= share * award_amount:
            return None
        return Finding(records=(("contracts.contract", c.pk), ("procurement.award", c.award_id)), unit_id=c.unit_id,
                       message=_("%(number)s: the contract amount differs from the award by %(share)s%%") % {
                           "number": c.number, "share": _pct(diff, award_amount)},
                       figures={"award": str(award_amount), "contract": str(c.original_amount),
                                "share": str(_pct(diff, award_amount)), "threshold": str(share)})

    def scan(self, params, scope=None):
        share = Decimal(params["share"])
        rows = (Contract.objects.filter(status__in=LIVE, award__isnull=False, award__amount__gt=0)
                .select_related("award", "unit"))
        for c in rows:
            finding = self._judge(c, c.award.amount, share)
            if finding:
                yield finding

    def check_draft(self, case, params):
        c = Contract.objects.filter(case=case, award__isnull=False, award__amount__gt=0).select_related("award").first()
        if c is None:
            return []
        finding = self._judge(c, c.award.amount, Decimal(params["share"]))
        return [finding] if finding else []


# --- payments against the contract (CON-01, 02, 05, 06, 08) ---------------------------------------------------
_MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal("0.00")
PAID = Payment.Status.PAID


def _yuan(amount) -> str:
    return f"¥{Decimal(amount):,.2f}"


def _paid_sum(status=(PAID,)):
    return Coalesce(Sum("payments__amount", filter=Q(payments__status__in=status)), Value(ZERO), output_field=_MONEY)


def _payment_of(case):
    return Payment.objects.filter(case=case).select_related("contract", "term", "case").first()


class PaidBeyondContract(Rule):
    """CON-01 超合同付款: a contract's payments above its amount (the original plus applied
    supplements; OCP R068). The payment service refuses it under the contract's lock; the scan
    reports any contract that breaks it anyway, and the form warns while one is filled."""

    code = "CON-01"
    title = gettext_lazy("Payment beyond the contract")
    severity = Severity.HIGH
    events = ("payment.paid",)
    hourly = True

    def _finding(self, c, paid):
        return Finding(records=(("contracts.contract", c.pk),), unit_id=c.unit_id,
                       message=_("%(number)s: payments of %(paid)s exceed the contract amount %(amount)s") % {
                           "number": c.number, "paid": _yuan(paid), "amount": _yuan(c.amount)},
                       figures={"paid": str(paid), "amount": str(c.amount), "over": str(paid - c.amount)})

    def scan(self, params, scope=None):
        rows = Contract.objects.annotate(paid=_paid_sum()).filter(paid__gt=F("amount"))
        for c in rows:
            yield self._finding(c, c.paid)

    def check_draft(self, case, params):
        p = _payment_of(case)
        if p is None or p.amount is None:
            return []
        holding = (Payment.objects.filter(contract_id=p.contract_id, status__in=Payment.HOLDING).exclude(pk=p.pk)
                   .aggregate(t=Coalesce(Sum("amount"), Value(ZERO), output_field=_MONEY))["t"])
        total = holding + p.amount
        return [self._finding(p.contract, total)] if total > p.contract.amount else []


def _term_reached_by(day_field: str):
    """The payment's milestone was reached by the payment's (or the given) day."""
    return (Q(term__reached_on__isnull=False, term__reached_on__lte=F(day_field))
            | Q(term__trigger=PaymentTerm.Trigger.DATE, term__due_date__lte=F(day_field)))


class PaidBeforeMilestone(Rule):
    """CON-02 未验收付款: a payment whose milestone (acceptance, completion, its date) had not
    been reached on the day it was paid."""

    code = "CON-02"
    title = gettext_lazy("Payment before its milestone")
    severity = Severity.HIGH
    events = ("payment.paid",)
    hourly = True

    def _finding(self, p):
        return Finding(records=(("contracts.contract", p.contract_id), ("approvals.case", p.case_id)), unit_id=p.unit_id,
                       message=_("%(number)s: “%(term)s” paid before the milestone was reached") % {
                           "number": p.contract.number, "term": p.term.label},
                       figures={"amount": str(p.amount), "term": p.term.label,
                                "reached_on": p.term.reached_on.isoformat() if p.term.reached_on else ""})

    def scan(self, params, scope=None):
        rows = (Payment.objects.filter(status=PAID, paid_on__isnull=False).exclude(_term_reached_by("paid_on"))
                .select_related("contract", "term"))
        for p in rows:
            yield self._finding(p)

    def check_draft(self, case, params):
        p = _payment_of(case)
        if p is None or p.term.is_reached(judged_on(None)):
            return []
        return [self._finding(p)]


def _unpaid_terms(on):
    """Current milestones with no paid payment."""
    return PaymentTerm.objects.filter(is_active=True).exclude(
        Exists(Payment.objects.filter(term=OuterRef("pk"), status=PAID)))


class ContractEndingUnpaid(Rule):
    """CON-05 合同到期未结: a contract in force ending within the days with unpaid milestones, or
    past its end with an unpaid amount."""

    code = "CON-05"
    title = gettext_lazy("Contract ending or overdue")
    severity = Severity.LOW
    params = {"days": Param(30, gettext_lazy("days before the end"))}
    hourly = True

    def scan(self, params, scope=None):
        on = judged_on(scope)
        soon = on + dt.timedelta(days=int(params["days"]))
        unpaid = _unpaid_terms(on).filter(contract=OuterRef("pk"))
        ending = (Contract.objects.filter(status=Contract.Status.ACTIVE, end_date__gte=on, end_date__lte=soon)
                  .filter(Exists(unpaid)).annotate(paid=_paid_sum()))
        for c in ending:
            yield Finding(records=(("contracts.contract", c.pk),), unit_id=c.unit_id, part="ending",
                          message=_("%(number)s ends on %(end)s with milestones unpaid") % {
                              "number": c.number, "end": c.end_date.isoformat()},
                          figures={"end_date": c.end_date.isoformat(), "amount": str(c.amount), "paid": str(c.paid),
                                   "days": int(params["days"])})
        overdue = (Contract.objects.filter(status=Contract.Status.ACTIVE, end_date__lt=on).annotate(paid=_paid_sum())
                   .filter(paid__lt=F("amount")))
        for c in overdue:
            yield Finding(records=(("contracts.contract", c.pk),), unit_id=c.unit_id, part="overdue",
                          message=_("%(number)s ended on %(end)s with %(left)s unpaid") % {
                              "number": c.number, "end": c.end_date.isoformat(), "left": _yuan(c.amount - c.paid)},
                          figures={"end_date": c.end_date.isoformat(), "amount": str(c.amount), "paid": str(c.paid)})


class LatePaymentToSme(Rule):
    """CON-06 拖欠中小企业: a milestone of a small or medium-sized supplier reached (accepted, or
    its date come) more than the days ago and still unpaid. Waiting for an audit or final
    accounts is no excuse (保障中小企业款项支付条例: 30日内支付, 合同另有约定的最长不得超过60日;
    自检验或者验收合格之日起算)."""

    code = "CON-06"
    title = gettext_lazy("Late payment to an SME")
    severity = Severity.MEDIUM
    params = {"days": Param(30, gettext_lazy("days to pay after acceptance"),
                            regulation="保障中小企业款项支付条例（国务院令第802号修订）第九条、第十条",
                            effective=dt.date(2025, 6, 1))}
    hourly = True

    def scan(self, params, scope=None):
        on = judged_on(scope)
        cut = on - dt.timedelta(days=int(params["days"]))
        rows = (_unpaid_terms(on).filter(contract__status=Contract.Status.ACTIVE, contract__supplier__is_sme=True)
                .filter(Q(reached_on__lt=cut) | Q(reached_on__isnull=True, trigger=PaymentTerm.Trigger.DATE, due_date__lt=cut))
                .select_related("contract__supplier"))
        for t in rows:
            since = t.reached_on or t.due_date
            yield Finding(records=(("contracts.contract", t.contract_id), ("contracts.paymentterm", t.pk)),
                          unit_id=t.contract.unit_id,
                          message=_("%(number)s: “%(term)s” of %(supplier)s (an SME) reached on %(since)s is unpaid after "
                                    "%(days)s days") % {"number": t.contract.number, "term": t.label,
                                                        "supplier": t.contract.supplier.name, "since": since.isoformat(),
                                                        "days": (on - since).days},
                          figures={"amount": str(t.amount), "reached_on": since.isoformat(), "days": (on - since).days,
                                   "threshold": int(params["days"])})


class RetentionOverLimit(Rule):
    """CON-08 质保金超标: a works contract's retention money above the share of its amount
    (建设工程质量保证金管理办法, 建质〔2017〕138号, 第七条: 不得高于工程价款结算总额的3%)."""

    code = "CON-08"
    title = gettext_lazy("Retention over 3%")
    severity = Severity.MEDIUM
    params = {"share": Param(Decimal("3"), gettext_lazy("retention as a share of the contract amount (%)"),
                             regulation="建质〔2017〕138号 第七条", effective=dt.date(2017, 7, 1))}
    events = ("contract.signed",)

    def _finding(self, c, retention, share):
        got = _pct(retention, c.amount)
        return Finding(records=(("contracts.contract", c.pk),), unit_id=c.unit_id,
                       message=_("%(number)s: retention money %(retention)s is %(share)s%% of the contract amount") % {
                           "number": c.number, "retention": _yuan(retention), "share": got},
                       figures={"retention": str(retention), "amount": str(c.amount), "share": str(got),
                                "threshold": str(share)})

    def scan(self, params, scope=None):
        share = Decimal(params["share"])
        held = Coalesce(Sum("terms__amount", filter=Q(terms__is_active=True, terms__kind=PaymentTerm.Kind.RETENTION)),
                        Value(ZERO), output_field=_MONEY)
        rows = (Contract.objects.filter(status__in=LIVE, category=ContractCategory.WORKS, amount__gt=0)
                .annotate(retention=held).filter(retention__gt=0))
        for c in rows:
            if c.retention * 100 > share * c.amount:
                yield self._finding(c, c.retention, share)

    def check_draft(self, case, params):
        c = Contract.objects.filter(case=case, category=ContractCategory.WORKS).first()
        if c is None or c.amount <= 0:
            return []
        share = Decimal(params["share"])
        retention = sum((t.amount for t in c.terms.filter(is_active=True, kind=PaymentTerm.Kind.RETENTION)), ZERO)
        return [self._finding(c, retention, share)] if retention * 100 > share * c.amount else []
