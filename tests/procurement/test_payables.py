"""Payable sources of procurement and contracts at the payment desk: a small purchase whose
case ends at its award is paid to the awarded supplier against an invoice, up to the award
(also two cashiers at once over HTTP), and executed on its budget line; the desk shows each
item's payment deadline (保障中小企业款项支付条例第九条、第十条) and the invoice the clerk gave."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from approvals import services as approval_services
from approvals.exceptions import ApprovalError
from approvals.models import Case, Matter
from documents import services as document_services
from payments import services as payment_services
from payments.exceptions import PaymentError
from payments.models import Payment as Disbursement
from procurement.models import Award

from .conftest import approve_all, pdf


def executed_on(line) -> D:
    with connection.cursor() as cursor:
        cursor.execute("SELECT SUM(amount) FROM budget_budgetmovement WHERE line_id = %s AND kind = 'execute'", [line.pk])
        return cursor.fetchone()[0] or D("0.00")


def small_purchase(flow, *, award="48000.00"):
    """采购申请 whose stages end at the award (no contract), approved through the services."""
    Matter.objects.filter(code="CG-SQ").update(stages=["budget", "purchase", "award"])
    flow.catalogue["CG-SQ"].refresh_from_db()
    case = flow.request("50000.00", title="社区活动室桌椅采购")
    flow.purchase(case)
    a = flow.quotes(case, prices=(award, str(D(award) + 1000), str(D(award) + 1500)))
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED and a.status == Award.Status.AWARDED
    return case, a


def pay_data(award, **overrides):
    data = {"payee": f"supplier:{award.supplier_id}", "bank_name": "", "bank_account": "", "amount": str(award.amount),
            "invoice_code": "", "invoice_number": "44030001", "paid_on": timezone.localdate().isoformat(),
            "bank_reference": "HD-CG-1"}
    data.update(overrides)
    return data


def test_a_purchase_without_a_contract_is_paid_at_the_desk_and_executed(flow, client):
    case, award = small_purchase(flow)
    client.force_login(flow.o.cashier)
    desk = client.get(reverse("payments:desk")).content.decode()
    assert case.number in desk and "¥48,000.00" in desk
    page = client.get(reverse("payments:case", args=[case.pk])).content.decode()
    assert award.supplier.name in page and "无合同" in page
    before = executed_on(flow.line)
    response = client.post(reverse("payments:case", args=[case.pk]), pay_data(award))
    assert response.status_code == 302
    payment = Disbursement.objects.get(case=case)
    assert (payment.source_key, payment.source_id, payment.payee_ref, payment.amount) == (
        "purchase", award.pk, award.supplier_id, D("48000.00"))
    assert payment.bank_account == award.supplier.bank_account  # the supplier's own account
    assert executed_on(flow.line) - before == D("48000.00")
    assert case.number not in client.get(reverse("payments:desk")).content.decode()  # nothing left


def test_the_award_caps_what_is_paid_and_only_the_awarded_supplier_is_paid(flow):
    case, award = small_purchase(flow)
    cashier = flow.o.cashier
    with pytest.raises(PaymentError) as exc:
        payment_services.pay(case=case, actor=cashier, amount="48000.01", payee_kind="supplier", payee_ref=award.supplier_id,
                             invoice_number="44030002")
    assert exc.value.code == "above_cap"
    other = flow.suppliers[1]
    with pytest.raises(PaymentError) as exc:
        payment_services.pay(case=case, actor=cashier, amount="100.00", payee_kind="supplier", payee_ref=other.pk,
                             invoice_number="44030003")
    assert exc.value.code == "payee_not_allowed"
    with pytest.raises(PaymentError) as exc:
        payment_services.pay(case=case, actor=cashier, amount="100.00", payee_kind="supplier", payee_ref=award.supplier_id)
    assert exc.value.code == "invoice_required"
    assert not Disbursement.objects.filter(case=case).exists() and executed_on(flow.line) == D("0.00")
    # partial payments up to the award
    payment_services.pay(case=case, actor=cashier, amount="30000.00", payee_kind="supplier", payee_ref=award.supplier_id,
                         invoice_number="44030004")
    with pytest.raises(PaymentError):
        payment_services.pay(case=case, actor=cashier, amount="18000.01", payee_kind="supplier",
                             payee_ref=award.supplier_id, invoice_number="44030005")
    payment_services.pay(case=case, actor=cashier, amount="18000.00", payee_kind="supplier", payee_ref=award.supplier_id,
                         invoice_number="44030005")
    assert executed_on(flow.line) == D("48000.00")


def test_a_purchase_going_on_to_a_contract_is_not_paid_as_a_purchase(flow):
    case = flow.request("80000.00")
    flow.purchase(case)
    flow.quotes(case)
    case.refresh_from_db()
    assert case.status != Case.Status.APPROVED or "contract" in case.stage_list
    with pytest.raises(PaymentError):
        payment_services.pay(case=case, actor=flow.o.cashier, amount="100.00", payee_kind="supplier",
                             payee_ref=flow.suppliers[0].pk, invoice_number="44030009")


def test_an_award_at_the_small_purchase_limit_must_be_signed_as_a_contract(flow):
    case, award = small_purchase(flow)
    Award.objects.filter(pk=award.pk).update(amount=D("100000.00"))
    case.amount = D("100000.00")
    Case.objects.filter(pk=case.pk).update(amount=D("100000.00"))
    with pytest.raises(ApprovalError) as exc:  # the source's own rule (a ProcurementError)
        payment_services.pay(case=case, actor=flow.o.cashier, amount="1000.00", payee_kind="supplier",
                             payee_ref=award.supplier_id, invoice_number="44030010")
    assert exc.value.code == "award_needs_contract" and not Disbursement.objects.filter(case=case).exists()


@pytest.mark.django_db(transaction=True)
def test_two_cashiers_at_once_never_pay_a_purchase_above_its_award(flow):
    from tests.factories import UserFactory
    from tests.payments.test_concurrency import _burst

    case, award = small_purchase(flow)
    clients = []
    for cashier in (flow.o.cashier, UserFactory(username="chuna9", unit=flow.o.units["czb"], cashier=True)):
        c = Client(raise_request_exception=False)
        c.force_login(cashier)
        clients.append(c)
    url = reverse("payments:case", args=[case.pk])
    responses, errors = _burst([
        lambda c=c, n=n: c.post(url, pay_data(award, amount="30000.00", invoice_number=f"4403100{n}"))
        for n, c in enumerate(clients)
    ])
    assert errors == []
    assert sorted(r.status_code for r in responses.values()) == [200, 302]  # one paid, one shown the refusal
    assert list(Disbursement.objects.filter(case=case).values_list("amount", flat=True)) == [D("30000.00")]
    assert executed_on(flow.line) == D("30000.00")
    refused = next(r for r in responses.values() if r.status_code == 200).content.decode()
    assert "¥48,000.00" in refused


# --- deadlines --------------------------------------------------------------------------------------
def _desk_row(client, number, **params) -> str:
    body = client.get(reverse("payments:desk"), params).content.decode()
    start = body.index(f'data-case="{number}"')
    return body[body.rindex("<tr", 0, start):body.index("</tr>", start)]


def test_the_desk_shows_the_deadline_on_both_sides_of_the_30_days(flow, client):
    case, award = small_purchase(flow)
    today = timezone.localdate()
    client.force_login(flow.o.cashier)
    # awarded 30 days ago: due today (第九条: 30日内), not overdue
    Award.objects.filter(pk=award.pk).update(awarded_on=today - dt.timedelta(days=30))
    row = _desk_row(client, case.number)
    assert today.isoformat() in row and "今天到期" in row and "table-danger" not in row and "逾期" not in row
    # awarded 31 days ago: one day overdue, in red
    Award.objects.filter(pk=award.pk).update(awarded_on=today - dt.timedelta(days=31))
    row = _desk_row(client, case.number)
    assert (today - dt.timedelta(days=1)).isoformat() in row and "table-danger" in row and "逾期 1 天" in row
    page = client.get(reverse("payments:case", args=[case.pk])).content.decode()
    assert "第802号" in page and "逾期 1 天" in page
    # a large enterprise is not under the regulation's deadline
    award.supplier.is_sme = False
    award.supplier.save(update_fields=["is_sme"])
    row = _desk_row(client, case.number)
    assert "table-danger" not in row and "逾期" not in row


def test_a_contract_payment_is_due_30_days_after_acceptance_and_the_desk_sorts_by_due_date(flow, client):
    from contracts.models import PaymentTerm

    case1, contract = flow.full_contract()
    flow.acceptance(case1)
    term = contract.terms.get(kind="acceptance")
    term.refresh_from_db()
    assert term.reached_on == flow.today
    pay_case = flow.payment_case(contract, str(term.amount), term=term).case
    small, award = small_purchase(flow)
    Award.objects.filter(pk=award.pk).update(awarded_on=flow.today - dt.timedelta(days=40))
    client.force_login(flow.o.cashier)
    row = _desk_row(client, pay_case.number)
    assert (flow.today + dt.timedelta(days=30)).isoformat() in row and "30 天" in row
    body = client.get(reverse("payments:desk"), {"sort": "due"}).content.decode()
    assert body.index(f'data-case="{small.number}"') < body.index(f'data-case="{pay_case.number}"')
    body = client.get(reverse("payments:desk"), {"sort": "-due"}).content.decode()
    assert body.index(f'data-case="{pay_case.number}"') < body.index(f'data-case="{small.number}"')


def test_the_cashier_sees_the_invoice_the_clerk_gave_and_attaches_the_scan(flow, client):
    from contracts.models import DocKind, Payment

    _case, contract = flow.full_contract()
    payment = flow.payment_case(contract, "22800.00", invoice="44039999", submit=False)
    document_services.attach(owner=payment, kind=DocKind.INVOICE, upload=pdf("发票扫描件.pdf"), actor=flow.o.clerk)
    approval_services.case_submit(case=payment.case, actor=flow.o.clerk)
    approve_all(payment.case)
    client.force_login(flow.o.cashier)
    url = reverse("payments:case", args=[payment.case_id])
    page = client.get(url).content.decode()
    box = page[page.index('data-testid="invoice-on-file"'):page.index('data-testid="case-payments"')]
    assert "44039999" in box and "¥22,800.00" in box and "发票扫描件.pdf" in box and "无" not in box
    response = client.post(url, {"payee": f"supplier:{contract.supplier_id}", "amount": "22800.00",
                                 "paid_on": timezone.localdate().isoformat(), "bank_reference": "HD-HT-1"})
    assert response.status_code == 302
    paid = Disbursement.objects.get(case=payment.case)
    assert paid.invoice_number == "44039999"  # the invoice of the payment form
    # the cashier attaches the scan of the invoice paid; the clerk cannot
    form = {"owner": "disbursement", "owner_id": paid.pk, "kind": "invoice", "next": url}
    client.force_login(flow.o.clerk)
    client.post(reverse("documents:upload"), {**form, "file": pdf("伪造.pdf")})
    client.force_login(flow.o.cashier)
    client.post(reverse("documents:upload"), {**form, "file": pdf("付款发票.pdf")})
    from documents.selectors import documents_of

    assert [d.original_name for d in documents_of(paid)] == ["付款发票.pdf"]
    assert "付款发票.pdf" in client.get(url).content.decode()
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PAID


def test_the_invoice_amount_defaults_to_the_payment(flow):
    from contracts.models import Payment
    from contracts.sections import PaymentSection

    _case, contract = flow.full_contract()
    case = approval_services.case_create(matter=flow.catalogue["HT-FK"], applicant=flow.o.clerk,
                                         title=f"支付{contract.number}", amount="22800.00")
    assert PaymentSection().initial(case, flow.o.clerk) == {"invoice_amount": D("22800.00")}
    term = contract.terms.filter(is_active=True).order_by("seq").first()
    form = PaymentSection().form_class({"term": term.pk, "invoice_number": "44030077", "invoice_date": flow.today.isoformat(),
                                        "invoice_amount": ""}, case=case, user=flow.o.clerk)
    assert form.is_valid(), form.errors
    PaymentSection().save(case, form, flow.o.clerk)
    assert Payment.objects.get(case=case).invoice_amount == D("22800.00")  # left empty: the payment's amount
