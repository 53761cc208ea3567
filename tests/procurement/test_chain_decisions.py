"""The demo's small purchase (¥8,380) through every stage over HTTP: at most 8 decisions in
all (issue 11 item 1), the case page says how many the whole chain took and groups the route
under stage headings with each stage's amount, and the printed form does the same under the
office's name."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from approvals.models import Case, CaseStage
from contracts.models import Contract, Payment

from .conftest import holders, pdf


def _login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _ok(response):
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


@pytest.mark.django_db
def test_the_small_purchase_chain_takes_at_most_eight_decisions_and_says_so(office, catalogue, line, suppliers, today):
    clerk = _login(office.clerk)
    decisions = 0

    def approve(case):
        nonlocal decisions
        for _ in range(20):
            case.refresh_from_db()
            people = holders(case)
            if not people:
                return
            _ok(_login(people[0]).post(reverse("approvals:decide", args=[case.pk]),
                                       {"decision": "approve", "comment": "同意。", "step_id": case.current_step_id}))
            decisions += 1

    def submit(case, data):
        header = {"title": case.title, "reason": case.reason, "amount": str(case.amount or "")}
        stage = case.stage
        _ok(clerk.post(reverse("approvals:edit", args=[case.pk]), {**header, **data, "action": "submit"}))
        case.refresh_from_db()
        # submitted, or passed at once where the stage's tier has no step (the method of a small purchase)
        assert case.status == Case.Status.IN_PROGRESS or case.stage > stage or case.status == Case.Status.APPROVED, case.status
        approve(case)
        case.refresh_from_db()
        assert case.stage > stage or case.status == Case.Status.APPROVED, (case.stage, case.status)

    _ok(clerk.post(reverse("approvals:create", args=[catalogue["CG-SQ"].pk]), {
        "title": "社区办公用品采购", "reason": "日常办公用品补充", "amount": "8380.00",
        "budget-line": line.pk, "file_0": pdf("采购需求.pdf"), "action": "submit",
    }))
    case = Case.objects.get(title="社区办公用品采购")
    approve(case)
    submit(case, {"purchase-category": "goods", "purchase-item_class": "办公用品", "purchase-method": "comparison"})
    quotes = {"award-quotes-0-supplier": suppliers[0].pk, "award-quotes-0-amount": "8380.00", "award-quotes-0-quoted_on": today,
              "award-quotes-1-supplier": suppliers[1].pk, "award-quotes-1-amount": "8600.00", "award-quotes-1-quoted_on": today,
              "award-quotes-2-supplier": suppliers[2].pk, "award-quotes-2-amount": "8900.00", "award-quotes-2-quoted_on": today,
              "award-winner": suppliers[0].pk, "award-amount": "8380.00", "award-reason": "最低价"}
    header = {"title": case.title, "reason": case.reason, "amount": "8380.00"}
    _ok(clerk.post(reverse("approvals:edit", args=[case.pk]), {**header, **quotes, "action": "save"}))
    for q in case.purchase.quotes.all():
        _ok(clerk.post(reverse("documents:upload"), {"owner": "quote", "owner_id": q.pk, "kind": "quote",
                                                     "file": pdf(f"报价单{q.pk}.pdf"), "next": "/"}))
    submit(case, quotes)
    contract_data = {
        "contract-title": "办公用品采购合同", "contract-amount": "8380.00", "contract-signed_on": today,
        "contract-start_date": today, "contract-end_date": today.replace(year=today.year + 1), "contract-summary": "一次交货",
        "contract-terms-0-kind": "acceptance", "contract-terms-0-name": "验收款", "contract-terms-0-percent": "100",
        "contract-terms-0-amount": "", "contract-terms-0-trigger": "acceptance", "contract-terms-0-due_date": "",
    }
    _ok(clerk.post(reverse("approvals:edit", args=[case.pk]), {**header, **contract_data, "action": "save"}))
    contract = Contract.objects.get(case=case)
    _ok(clerk.post(reverse("documents:upload"), {"owner": "contract", "owner_id": contract.pk, "kind": "contract_text",
                                                 "file": pdf("合同文本.pdf"), "next": "/"}))
    submit(case, contract_data)
    team = {"acceptance-accepted_on": today, "acceptance-result": "passed",
            "acceptance-members": [office.clerk.pk, office.heads["cgzx"].pk], "acceptance-opinion": "合格",
            "acceptance-terms": [contract.terms.get().pk]}
    _ok(clerk.post(reverse("approvals:edit", args=[case.pk]), {**header, **team, "action": "save"}))
    _ok(clerk.post(reverse("documents:upload"), {"owner": "acceptance", "owner_id": case.acceptance.pk,
                                                 "kind": "acceptance_report", "file": pdf("验收报告.pdf"), "next": "/"}))
    submit(case, team)
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED

    response = _ok(clerk.post(reverse("contracts:payment_request", args=[contract.pk])))
    pay_case = Case.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-2]))
    payment = Payment.objects.get(case=pay_case)
    _ok(clerk.post(response["Location"], {
        "title": pay_case.title, "reason": pay_case.reason, "amount": "8380.00", "payment-term": payment.term_id,
        "payment-invoice_number": "44030009", "payment-invoice_date": today, "payment-invoice_amount": "8380.00",
        "file_0": pdf("发票.pdf"), "action": "submit",
    }))
    approve(pay_case)
    pay_case.refresh_from_db()
    assert pay_case.status == Case.Status.APPROVED

    assert decisions <= 8, decisions
    # the case page counts the same decisions, the payment case's included
    page = _login(office.head).get(reverse("approvals:detail", args=[case.pk])).content.decode()
    assert f"全链条共审批决定 {decisions} 次" in page
    # the route is grouped by stage, each heading with the amount that stage routed by
    stages = list(CaseStage.objects.filter(case=case).order_by("stage"))
    assert len(stages) == len(case.stages) >= 5
    assert page.count('data-testid="route-stage"') == len(case.stages)
    assert "第1阶段：预算指标" in page and "¥8,380.00" in page
    for record in stages:
        assert record.amount == D("8380.00"), record.key

    # the printed form: the office's name, stage headings and the trail with its column heads
    from pypdf import PdfReader

    pdf_response = _login(office.head).get(reverse("approvals:pdf", args=[case.pk]))
    assert pdf_response.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_response.content)).pages)
    squashed = "".join(text.split())
    assert settings.OFFICE_NAME in squashed
    assert "第1阶段：预算指标" in squashed and "第2阶段" in squashed
    assert f"全链条共审批决定{decisions}次" in squashed
    trail = squashed[squashed.index("审批留痕"):]
    assert trail.startswith("审批留痕时间操作操作人"), trail[:60]
