"""In Chromium against the live server: a clerk applies for a payment from the contract page
(pre-filled from the next milestone), attaches the invoice and submits; after approval the
cashier pays from the payment page; the contract execution table shows it. No console
error, script error or CSP violation on any page."""

from __future__ import annotations

import re

import pytest

from approvals.models import Case
from contracts.models import Payment

from .conftest import PDF, approve_all

pytestmark = pytest.mark.e2e


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"script: {e}"))
    # a load the browser itself cancels (an htmx live check overtaken by the submit) is not a failure
    page.on(
        "requestfailed",
        lambda r: None if (r.failure and "ERR_ABORTED" in r.failure) else problems.append(f"request failed: {r.url}"),
    )
    return problems


def _sign_in(page, user, password):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def test_apply_for_a_payment_and_pay_it_in_the_browser(page, flow, office):
    problems = _watch(page)
    _case, contract = flow.full_contract()

    _sign_in(page, office.clerk, office.password)
    page.goto(f"/contracts/{contract.pk}/")
    page.click("[data-testid=request-payment]")
    page.wait_for_url(re.compile(r".*/approvals/case/\d+/edit/$"))
    assert page.input_value("input[name=amount]") == "22800.00"  # the advance, from the next milestone
    page.fill("#id_payment-invoice_number", "44031234")
    page.fill("#id_payment-invoice_date", flow.today.isoformat())
    page.fill("#id_payment-invoice_amount", "22800.00")
    page.set_input_files("#file_0", files=[{"name": "发票.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.click("[data-testid=submit]")
    page.wait_for_url(re.compile(r".*/approvals/case/\d+/$"))
    assert page.locator("[data-testid=payment-section]").is_visible()
    payment = Payment.objects.get(contract=contract)
    approve_all(Case.objects.get(pk=payment.case_id))

    _sign_in(page, office.cashier, office.password)
    page.goto(f"/contracts/payments/{payment.pk}/")
    page.once("dialog", lambda d: d.accept())
    page.click("[data-testid=pay]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=payment-status]").inner_text() == "已支付"

    page.goto("/contracts/")
    row = page.locator(f"tr[data-contract='{contract.number}']")
    assert "30.00%" in row.inner_text() and "¥22,800.00" in row.inner_text()
    page.goto(f"/contracts/{contract.pk}/")
    assert "¥22,800.00" in page.locator("[data-testid=paid]").inner_text()
    page.set_viewport_size({"width": 390, "height": 844})  # a leader's phone
    page.goto("/contracts/")
    assert page.locator("[data-testid=execution-table]").is_visible()
    assert problems == []


def test_the_rows_of_quotes_in_the_case_form(page, flow, office):
    problems = _watch(page)
    case = flow.request("80000.00")
    flow.purchase(case)
    _sign_in(page, office.clerk, office.password)
    page.goto(f"/approvals/case/{case.pk}/edit/")
    table = page.locator(".nq-rows")
    box = table.bounding_box()
    card = page.locator(".nq-rows").locator("xpath=ancestor::div[contains(@class,'card-body')]").bounding_box()
    assert box["width"] > card["width"] * 0.8  # the rows take the whole width of the section
    page.select_option("select[name=award-quotes-0-supplier]", str(flow.suppliers[0].pk))
    page.fill("input[name=award-quotes-0-amount]", "76000")
    page.fill("input[name=award-quotes-0-quoted_on]", flow.today.isoformat())
    page.select_option("#id_award-winner", str(flow.suppliers[0].pk))
    page.fill("#id_award-amount", "76000")
    page.fill("#id_award-reason", "最低价")
    page.click("button[name=action][value=save]")
    page.wait_for_url(re.compile(r".*/edit/$"))
    assert case.purchase.quotes.count() == 1
    page.goto(f"/approvals/case/{case.pk}/")
    assert page.locator("form.doc-upload").count() == 1
    assert problems == []
