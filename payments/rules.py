"""Payment risk rules (RISK_RULES.md, 合同与支付) over every payment of the desk, run by the risk
engine through approvals.rules. The invoice-once constraint stops the same invoice code and
number being paid twice; the scan still finds a supplier's invoice number paid twice under
another code, and the same amount paid to the same payee twice within the days."""

from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.rules import Finding, Param, Rule, Severity

# two payments in force (not refunds) to one payee that is not a person: the same invoice
# number, or the same amount within the days; each branch is an equi-join (a hash join over
# 40,000 payments), so the OR never forces a nested loop
_PAIRS = """
WITH p AS (
    SELECT pay.id, pay.case_id, c.unit_id, c.number, pay.payee_kind, pay.payee_name,
           coalesce(pay.payee_ref::text, pay.payee_name) AS payee, pay.amount, pay.paid_on, pay.invoice_number
      FROM payments_payment pay JOIN approvals_case c ON c.id = pay.case_id
     WHERE pay.status = 'paid' AND pay.amount > 0 AND pay.payee_kind <> 'person'
)
SELECT a.id, b.id, a.unit_id, a.number, b.number, a.payee_name, a.amount, b.amount, a.paid_on, b.paid_on,
       a.invoice_number, 'invoice' AS why
  FROM p a JOIN p b ON b.payee_kind = a.payee_kind AND b.payee = a.payee AND b.invoice_number = a.invoice_number
                   AND b.id > a.id
 WHERE a.invoice_number <> ''
UNION ALL
SELECT a.id, b.id, a.unit_id, a.number, b.number, a.payee_name, a.amount, b.amount, a.paid_on, b.paid_on,
       a.invoice_number, 'amount'
  FROM p a JOIN p b ON b.payee_kind = a.payee_kind AND b.payee = a.payee AND b.amount = a.amount AND b.id > a.id
 WHERE abs(b.paid_on - a.paid_on) <= %s
   AND NOT (a.invoice_number <> '' AND b.invoice_number = a.invoice_number)
 ORDER BY 1, 2
"""


class DuplicatePayment(Rule):
    """CON-07 重复付款: the same payee (a supplier or organisation) paid twice for the same
    invoice number, or the same amount within the days."""

    code = "CON-07"
    title = gettext_lazy("Duplicate payment")
    severity = Severity.HIGH
    params = {"days": Param(30, gettext_lazy("days within which the same amount to the same payee is a duplicate"))}
    events = ("payment.paid",)
    hourly = True

    def scan(self, params, scope=None):
        with connection.cursor() as cursor:
            cursor.execute(_PAIRS, [int(params["days"])])
            rows = cursor.fetchall()
        for a, b, unit_id, num_a, num_b, payee, amount_a, amount_b, on_a, on_b, invoice, why in rows:
            if why == "invoice":
                message = _("%(payee)s was paid twice for invoice %(invoice)s (%(a)s, %(b)s)") % {
                    "payee": payee, "invoice": invoice, "a": num_a, "b": num_b}
            else:
                message = _("%(payee)s was paid %(amount)s twice within %(days)s days (%(a)s, %(b)s)") % {
                    "payee": payee, "amount": f"¥{amount_a:,.2f}", "days": abs((on_b - on_a).days), "a": num_a,
                    "b": num_b}
            yield Finding(records=(("payments.payment", a), ("payments.payment", b)), unit_id=unit_id, message=message,
                          figures={"why": why, "amount_a": str(amount_a), "amount_b": str(amount_b),
                                   "paid_on_a": on_a.isoformat(), "paid_on_b": on_b.isoformat(), "invoice": invoice,
                                   "threshold": int(params["days"])})
