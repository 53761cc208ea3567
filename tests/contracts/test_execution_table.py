"""合同执行情况表: figures per contract, filters, drill-down, a formatted .xlsx export, and a
fixed number of queries however many contracts."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from approvals.models import Case
from contracts import selectors
from contracts.models import Contract
from tests.approvals.factories import CaseFactory, MatterFactory
from tests.contracts.factories import ContractFactory, ContractPaymentFactory, PaymentTermFactory
from tests.xlsx_checks import assert_print_ready, sum_rows, value


@pytest.fixture
def two_contracts(flow):
    case1, c1 = flow.full_contract()
    flow.pay(flow.payment_case(c1, "22800.00"))
    flow.acceptance(case1)
    case2, c2 = flow.full_contract("60000.00", award="50000.00", terms=[
        {"kind": "acceptance", "name": "", "percent": D("95"), "amount": None, "trigger": "acceptance", "due_date": None},
        {"kind": "retention", "name": "质保金", "percent": D("5"), "amount": None, "trigger": "date",
         "due_date": flow.today + dt.timedelta(days=365)},
    ])
    return c1, c2


def test_rows_show_paid_unpaid_next_milestone_acceptance_and_retention(flow, two_contracts):
    c1, c2 = two_contracts
    rows = {r.contract.pk: r for r in (selectors.exec_row(c) for c in selectors.execution_queryset(user=flow.o.head))}
    r1, r2 = rows[c1.pk], rows[c2.pk]
    assert (r1.amount, r1.paid, r1.unpaid, r1.percent_paid) == (D("76000.00"), D("22800.00"), D("53200.00"), D("30.00"))
    assert r1.next_term.kind == "acceptance" and r1.next_rest == D("53200.00") and r1.accepted_on == flow.today
    assert r2.paid == D("0.00") and r2.accepted_on is None
    assert r2.retention_held == D("2500.00") and r2.retention_release == flow.today + dt.timedelta(days=365)
    totals = selectors.execution_totals(selectors.execution_queryset(user=flow.o.head))
    assert (totals.amount, totals.paid, totals.retention_held, totals.count) == (D("126000.00"), D("22800.00"), D("2500.00"), 2)


def test_filters(flow, two_contracts, client):
    c1, c2 = two_contracts
    client.force_login(flow.o.head)
    url = reverse("contracts:index")
    body = client.get(url, {"supplier": c1.supplier_id}).content.decode()
    assert c1.number in body
    Contract.objects.filter(pk=c2.pk).update(signed_on=c2.signed_on.replace(year=c2.signed_on.year - 1))
    assert client.get(url, {"year": flow.today.year - 1}).content.decode().count('data-contract="') == 1
    assert client.get(url, {"unit": flow.o.unit.pk}).content.decode().count('data-contract="') == 2
    client.force_login(flow.o.supervisor)  # sees every unit, so may filter by another
    assert client.get(url, {"unit": flow.o.community.pk}).content.decode().count('data-contract="') == 0
    assert client.get(url, {"status": "ending"}).content.decode().count('data-contract="') == 0
    assert client.get(url, {"q": c2.number}).content.decode().count('data-contract="') == 1
    assert client.get(url, {"unit": "not-a-number", "page": "x"}).status_code == 200


def test_drill_down_to_the_contract_and_its_chain(flow, two_contracts, client):
    c1, _c2 = two_contracts
    client.force_login(flow.o.head)
    body = client.get(reverse("contracts:detail", args=[c1.pk])).content.decode()
    assert c1.number in body and c1.supplier.name in body and reverse("chain:node", args=["contract", c1.pk]) in body
    body = client.get(reverse("chain:node", args=["contract", c1.pk])).content.decode()  # the chain view
    for text in (c1.number, c1.supplier.name, c1.case.number, reverse("budget:line_detail", args=[flow.line.pk]),
                 reverse("procurement:purchase_detail", args=[c1.purchase_id])):
        assert text in body


def test_export_is_a_formatted_workbook(flow, two_contracts, client):
    c1, c2 = two_contracts
    client.force_login(flow.o.head)
    response = client.get(reverse("contracts:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb.active
    assert ws.freeze_panes == "B4"
    header = [c.value for c in ws[3]]
    amount_col = header.index(next(h for h in header if h and ("合同金额" in h or "Contract amount" in h)))
    first, last, totals_row = assert_print_ready(ws, title="合同执行情况表", money_col=amount_col + 1)
    assert flow.o.head.get_full_name() in ws["A2"].value
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    numbers = [r[0] for r in rows[:-1]]
    assert sorted(numbers) == sorted([c1.number, c2.number])
    assert (first, last, totals_row) == (4, 5, 6) and ws.max_row == 6
    total = ws.cell(row=totals_row, column=amount_col + 1)
    assert total.value == f"=SUM({total.column_letter}4:{total.column_letter}5)" and sum_rows(total.value) == {4, 5}
    assert value(ws, total) == 126000 and ws.cell(row=ws.max_row, column=1).font.bold


def _bulk_contracts(office, supplier, n):
    """Contracts made directly (the table's query count does not depend on how they came)."""
    today = dt.date.today()
    for i in range(n):
        case = CaseFactory(matter=MatterFactory(code="T-HT", name="测试合同", stages=["contract"]),
                           applicant=office.clerk, unit=office.unit, status=Case.Status.APPROVED)
        c = ContractFactory(case=case, unit=office.unit, supplier=supplier, title=f"合同{i}")
        t1 = PaymentTermFactory(contract=c, seq=1, kind="advance", amount=D("300.00"), trigger="signing", reached_on=today)
        PaymentTermFactory(contract=c, seq=2, kind="retention", amount=D("700.00"), trigger="date", due_date=today)
        ContractPaymentFactory(term=t1, case__applicant=office.clerk, case__unit=office.unit, paid_by=office.cashier)


def test_the_table_runs_a_fixed_number_of_queries(office, suppliers, client, django_assert_max_num_queries):
    client.force_login(office.head)
    url = reverse("contracts:index")
    _bulk_contracts(office, suppliers[0], 2)
    client.get(url)  # warm caches (content types, session)
    with django_assert_max_num_queries(22) as few:
        assert client.get(url).status_code == 200
    _bulk_contracts(office, suppliers[1], 30)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        body = client.get(url).content.decode()
    assert body.count('data-contract="') == 32
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_export_runs_a_fixed_number_of_queries(office, suppliers, client, django_assert_max_num_queries):
    client.force_login(office.head)
    _bulk_contracts(office, suppliers[0], 2)
    url = reverse("contracts:export")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        b"".join(client.get(url).streaming_content)
    _bulk_contracts(office, suppliers[1], 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        b"".join(client.get(url).streaming_content)


def test_supplier_list_and_totals_run_a_fixed_number_of_queries(flow, client, django_assert_max_num_queries):
    client.force_login(flow.o.head)
    for url in (reverse("procurement:supplier_list"), reverse("procurement:supplier_totals"), reverse("procurement:index"),
                reverse("procurement:results"), reverse("contracts:payment_list") + "?tab=all"):
        client.get(url)
        with django_assert_max_num_queries(16):
            assert client.get(url).status_code == 200
