"""The whole chain through the pages, as the people would click it (Django test client):
budget line → purchase request → three quotes → award → contract with terms → acceptance →
two payments → the contract execution table and the budget execution table updated, the
supplier totals updated, and the whole chain (the chain view) reached from each of its records."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from approvals.models import Case
from budget.selectors import line_figures
from contracts.models import Contract, Payment
from documents.models import Document
from procurement.models import Award, Purchase

from .conftest import holders, pdf


def _login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _approve_stage(case):
    """Every approver of the stage approves from the case page."""
    for _ in range(20):
        case.refresh_from_db()
        people = holders(case)
        if not people:
            return
        r = _login(people[0]).post(reverse("approvals:decide", args=[case.pk]),
                                   {"decision": "approve", "comment": "同意。", "step_id": case.current_step_id})
        assert r.status_code == 302


def _header(case):
    return {"title": case.title, "reason": case.reason, "amount": str(case.amount or "")}


def _ok(response):
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


def _submit_stage(clerk, case, data, *, expect_stage):
    """Save the stage's section, then submit it; the case moves to ``expect_stage`` once approved."""
    url = reverse("approvals:edit", args=[case.pk])
    _ok(clerk.post(url, {**_header(case), **data, "action": "submit"}))
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS, [m.message for m in clerk.get(url).context["messages"]]
    _approve_stage(case)
    case.refresh_from_db()
    assert case.stage_key == expect_stage or (expect_stage is None and case.status == Case.Status.APPROVED)


def _upload(client, owner, owner_id, kind, name):
    _ok(client.post(reverse("documents:upload"),
                    {"owner": owner, "owner_id": owner_id, "kind": kind, "file": pdf(name), "next": "/"}))


@pytest.mark.django_db
def test_the_whole_chain_in_the_browser_pages(office, catalogue, line, suppliers, today):
    clerk = _login(office.clerk)

    # 1. the purchase request with its budget line (stage "budget")
    matter = catalogue["CG-SQ"]
    assert "采购需求" in clerk.get(reverse("approvals:create", args=[matter.pk])).content.decode()
    _ok(clerk.post(reverse("approvals:create", args=[matter.pk]), {
        "title": "新桥社区党群服务中心办公设备采购", "reason": "服务中心新增10个工位", "amount": "98000.00",
        "budget-line": line.pk, "file_0": pdf("采购需求.pdf"), "action": "submit",
    }))
    case = Case.objects.get(title="新桥社区党群服务中心办公设备采购")
    assert case.status == Case.Status.IN_PROGRESS
    _approve_stage(case)
    case.refresh_from_db()
    assert case.stage_key == "purchase" and line_figures(line).arranged == D("98000.00")

    # 2. the method: the form proposes it from amount and category
    edit = clerk.get(reverse("approvals:edit", args=[case.pk])).content.decode()
    assert "purchase-method" in edit
    _submit_stage(clerk, case, {"purchase-category": "goods", "purchase-item_class": "办公设备",
                                "purchase-method": "comparison"}, expect_stage="award")
    assert Purchase.objects.get(case=case).status == Purchase.Status.METHOD_APPROVED

    # 3. three quotes (market survey), each with its document, and the award
    quotes = {"award-quotes-0-supplier": suppliers[0].pk, "award-quotes-0-amount": "95600.00", "award-quotes-0-quoted_on": today,
              "award-quotes-1-supplier": suppliers[1].pk, "award-quotes-1-amount": "97800.00", "award-quotes-1-quoted_on": today,
              "award-quotes-2-supplier": suppliers[2].pk, "award-quotes-2-amount": "99500.00", "award-quotes-2-quoted_on": today,
              "award-winner": suppliers[0].pk, "award-amount": "95600.00", "award-reason": "最低价且满足采购需求"}
    _ok(clerk.post(reverse("approvals:edit", args=[case.pk]), {**_header(case), **quotes, "action": "save"}))
    purchase = Purchase.objects.get(case=case)
    assert purchase.quotes.count() == 3
    page = clerk.get(reverse("approvals:detail", args=[case.pk])).content.decode()
    assert page.count('name="kind" value="quote"') == 3  # an upload box per quote on the case page
    for q in purchase.quotes.all():
        _upload(clerk, "quote", q.pk, "quote", f"报价单-{q.supplier.name}.pdf")
    _submit_stage(clerk, case, quotes, expect_stage="contract")
    award = Award.objects.get(purchase=purchase)
    assert award.status == Award.Status.AWARDED and award.published_at
    assert suppliers[0].name in clerk.get(reverse("procurement:results")).content.decode()

    # 4. the contract, pre-filled from the award, with payment terms
    edit = clerk.get(reverse("approvals:edit", args=[case.pk]))
    form = edit.context["section_form"]
    assert form.initial["amount"] == D("95600.00") and "supplier" not in form.fields
    contract_data = {
        "contract-title": "办公设备采购合同", "contract-amount": "95600.00", "contract-signed_on": today,
        "contract-start_date": today, "contract-end_date": today.replace(year=today.year + 1),
        "contract-summary": "交货期15天，质保一年",
        "contract-terms-0-kind": "advance", "contract-terms-0-name": "预付款", "contract-terms-0-percent": "30",
        "contract-terms-0-amount": "", "contract-terms-0-trigger": "signing", "contract-terms-0-due_date": "",
        "contract-terms-1-kind": "acceptance", "contract-terms-1-name": "验收款", "contract-terms-1-percent": "70",
        "contract-terms-1-amount": "", "contract-terms-1-trigger": "acceptance", "contract-terms-1-due_date": "",
    }
    bad = {**contract_data, "contract-terms-1-percent": "60"}
    response = clerk.post(reverse("approvals:edit", args=[case.pk]), {**_header(case), **bad, "action": "save"})
    assert response.status_code == 400 and "¥9,560.00" in response.content.decode()  # terms must add up
    assert not Contract.objects.filter(case=case).exists()
    _ok(clerk.post(reverse("approvals:edit", args=[case.pk]), {**_header(case), **contract_data, "action": "save"}))
    contract = Contract.objects.get(case=case)
    _upload(clerk, "contract", contract.pk, "contract_text", "合同文本.pdf")
    _submit_stage(clerk, case, contract_data, expect_stage="acceptance")
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    assert line_figures(line).contracted == D("95600.00")
    _upload(clerk, "contract", contract.pk, "contract_scan", "合同盖章扫描件.pdf")

    # 5. acceptance by two people, one from outside the unit
    acc_term = contract.terms.get(kind="acceptance")
    single = {"acceptance-accepted_on": today, "acceptance-result": "passed", "acceptance-members": [office.clerk.pk],
              "acceptance-opinion": "合格", "acceptance-terms": [acc_term.pk]}
    response = clerk.post(reverse("approvals:edit", args=[case.pk]), {**_header(case), **single, "action": "save"})
    assert response.status_code == 400 and "公共服务办公室" in response.content.decode()
    team = {**single, "acceptance-members": [office.clerk.pk, office.heads["cgzx"].pk]}
    _ok(clerk.post(reverse("approvals:edit", args=[case.pk]), {**_header(case), **team, "action": "save"}))
    _upload(clerk, "acceptance", case.acceptance.pk, "acceptance_report", "验收报告.pdf")
    _submit_stage(clerk, case, team, expect_stage=None)
    acc_term.refresh_from_db()
    assert acc_term.reached_on == today

    # 6. two payments, each started from the contract page, each paid by the cashier
    cashier = _login(office.cashier)
    for n, (expected, invoice) in enumerate([(D("28680.00"), "44030001"), (D("66920.00"), "44030002")]):
        response = _ok(clerk.post(reverse("contracts:payment_request", args=[contract.pk])))
        pay_case = Case.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-2]))
        assert pay_case.amount == expected  # pre-filled from the next due milestone
        payment = Payment.objects.get(case=pay_case)
        _ok(clerk.post(response["Location"], {
            **_header(pay_case), "payment-term": payment.term_id, "payment-invoice_number": invoice,
            "payment-invoice_date": today, "payment-invoice_amount": str(expected), "file_0": pdf("发票.pdf"), "action": "submit",
        }))
        pay_case.refresh_from_db()
        assert pay_case.status == Case.Status.IN_PROGRESS
        _approve_stage(pay_case)
        _ok(cashier.post(reverse("contracts:payment_pay", args=[payment.pk]), {"paid_on": today}))
        payment.refresh_from_db()
        assert payment.status == Payment.Status.PAID, n

    # 7. the tables
    contract.refresh_from_db()
    assert contract.status == Contract.Status.COMPLETED
    head = _login(office.head)
    table = head.get(reverse("contracts:index")).content.decode()
    assert contract.number in table and "100.00%" in table
    fig = line_figures(line)
    assert fig.paid == D("95600.00") and fig.contracted == D("0.00") and fig.arranged == D("0.00")
    budget_table = head.get(reverse("budget:index")).content.decode()
    assert "¥95,600.00" in budget_table
    totals = head.get(reverse("procurement:supplier_totals")).content.decode()
    assert suppliers[0].name in totals and "¥95,600.00" in totals
    supplier_page = head.get(reverse("procurement:supplier_detail", args=[suppliers[0].pk])).content.decode()
    assert contract.number in supplier_page and "¥95,600.00" in supplier_page

    # 8. the whole chain from each record: its page links to the chain view, which shows every record
    payments = list(Payment.objects.filter(contract=contract))
    pages = [
        (reverse("budget:line_detail", args=[line.pk]), ("budget_line", line.pk)),
        (reverse("approvals:detail", args=[case.pk]), ("case", case.pk)),
        (reverse("procurement:purchase_detail", args=[purchase.pk]), ("purchase", purchase.pk)),
        (reverse("contracts:detail", args=[contract.pk]), ("contract", contract.pk)),
        *[(reverse("contracts:payment_detail", args=[p.pk]), ("payment", p.pk)) for p in payments],
        *[(reverse("approvals:detail", args=[p.case_id]), ("case", p.case_id)) for p in payments],
    ]
    for url, start in pages:
        chain_url = reverse("chain:node", args=start)
        assert chain_url in head.get(url).content.decode(), url
        body = head.get(chain_url).content.decode()
        for link in (reverse("budget:line_detail", args=[line.pk]), reverse("contracts:detail", args=[contract.pk]),
                     reverse("procurement:purchase_detail", args=[purchase.pk]),
                     reverse("procurement:supplier_detail", args=[suppliers[0].pk]),
                     reverse("approvals:detail", args=[case.pk]),
                     *[reverse("contracts:payment_detail", args=[p.pk]) for p in payments]):
            assert link in body, (chain_url, link)
        for name in ("合同文本.pdf", "合同盖章扫描件.pdf", "验收报告.pdf", "报价单-"):
            assert name in body, (chain_url, name)
    line_page = head.get(reverse("budget:line_detail", args=[line.pk])).content.decode()
    assert case.number in line_page
    # 3 quotes, contract text and scan, acceptance report (besides the forms' own materials)
    assert Document.objects.exclude(owner_type__app_label="approvals").count() == 6
