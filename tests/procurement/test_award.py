"""Quotes (market survey) and the award: at least three documented quotes for an inquiry, a
usable winner within its quote and the budget; approved awards are published internally."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from approvals import services as approval_services
from approvals.models import Case
from documents import services as document_services
from documents.exceptions import DocumentError
from documents.models import Document
from procurement import services
from procurement.exceptions import ProcurementError
from procurement.models import Award, Purchase, Quote, SupplierQualification
from procurement.models import DocKind as ProcurementDocKind

from .conftest import pdf


@pytest.fixture
def at_award(flow):
    case = flow.request("80000.00")
    flow.purchase(case, method="internal_inquiry")
    return case


def _refused(case, code):
    with pytest.raises(ProcurementError) as exc:
        approval_services.case_submit(case=case, actor=case.applicant)
    assert exc.value.code == code
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT and case.stage_key == "award"
    assert Award.objects.get(purchase__case=case).status == Award.Status.DRAFT
    return exc.value.message


def test_three_documented_quotes_and_an_award_are_approved_and_published(flow, at_award):
    award = flow.quotes(at_award)
    assert award.status == Award.Status.AWARDED and award.published_at is not None
    assert award.supplier == flow.suppliers[0] and award.amount == D("76000.00")
    assert Purchase.objects.get(case=at_award).status == Purchase.Status.AWARDED
    at_award.refresh_from_db()
    assert at_award.stage_key == "contract"


def test_an_inquiry_with_two_quotes_is_refused_naming_the_rule(flow, at_award):
    flow.quotes(at_award, prices=("76000.00", "79000.00"), approve=False)
    message = _refused(at_award, "too_few_quotes")
    assert "3" in message and "PRO-05" in message


def test_a_quote_without_its_document_does_not_count(flow, at_award):
    award = flow.quotes(at_award, docs=False, approve=False)
    for q in award.purchase.quotes.order_by("amount")[:2]:
        document_services.attach(owner=q, kind=ProcurementDocKind.QUOTE, upload=pdf(), actor=at_award.applicant)
    assert "2" in _refused(at_award, "too_few_quotes")


def test_a_blacklisted_winner_is_refused(flow, at_award):
    supplier = flow.suppliers[0]
    services.supplier_blacklist(supplier=supplier, actor=flow.o.heads["cgzx"], reason="列入失信被执行人名单")
    flow.quotes(at_award, approve=False)
    message = _refused(at_award, "blacklisted")
    assert supplier.name in message and "PRO-08" in message


def test_a_winner_with_an_expired_qualification_is_refused(flow, at_award, today):
    SupplierQualification.objects.create(supplier=flow.suppliers[0], name="营业执照", valid_until=today - dt.timedelta(days=1))
    flow.quotes(at_award, approve=False)
    assert "营业执照" in _refused(at_award, "qualification_expired")


def test_an_award_above_the_purchase_budget_is_refused(flow, at_award):
    flow.quotes(at_award, prices=("86000.00", "89000.00", "91000.00"), approve=False)
    assert "¥80,000.00" in _refused(at_award, "award_above_budget")


def test_an_award_above_the_winners_quote_is_refused(flow, at_award):
    flow.quotes(at_award, amount="77000.00", approve=False)
    _refused(at_award, "award_above_quote")


def test_identical_quotes_are_warned(flow, at_award):
    flow.quotes(at_award, prices=("76000.00", "76000.00", "81500.00"), approve=False)
    warnings = approval_services.case_submit(case=at_award, actor=at_award.applicant)
    assert any("PRO-06" in w for w in warnings)


def test_quotes_follow_the_rows_removed_rows_go_with_their_documents(flow, at_award):
    award = flow.quotes(at_award, approve=False)
    gone = award.purchase.quotes.get(supplier=flow.suppliers[2])
    rows = [{"supplier": q.supplier, "amount": q.amount, "quoted_on": q.quoted_on} for q in award.purchase.quotes.exclude(pk=gone.pk)]
    services.award_set(case=at_award, actor=at_award.applicant, quotes=rows, winner=flow.suppliers[0], amount=D("76000"), reason="x")
    assert not Quote.objects.filter(pk=gone.pk).exists()
    assert not Document.objects.filter(owner_id=gone.pk, kind=ProcurementDocKind.QUOTE).exists()


def test_the_same_supplier_cannot_quote_twice(flow, at_award):
    s = flow.suppliers[0]
    rows = [{"supplier": s, "amount": D("1"), "quoted_on": flow.today}, {"supplier": s, "amount": D("2"), "quoted_on": flow.today}]
    with pytest.raises(ProcurementError):
        services.award_set(case=at_award, actor=at_award.applicant, quotes=rows, winner=s, amount=D("1"), reason="x")
    assert not Quote.objects.filter(purchase__case=at_award).exists()


def test_quote_documents_only_while_the_award_stage_is_filled(flow, at_award):
    award = flow.quotes(at_award)
    q = award.purchase.quotes.first()
    before = Document.objects.count()
    with pytest.raises(DocumentError, match="报价"):
        document_services.attach(owner=q, kind=ProcurementDocKind.QUOTE, upload=pdf(), actor=at_award.applicant)
    assert Document.objects.count() == before


def test_published_results_are_listed_for_all_staff(client, flow, at_award):
    flow.quotes(at_award)
    client.force_login(flow.o.community_clerk)
    response = client.get(reverse("procurement:results"))
    assert response.status_code == 200
    assert flow.suppliers[0].name in response.content.decode()
