"""The contract and budget execution tables and their exports equal the SQL sums of their records
(issue 9 item 6), on data with several qualifications per supplier, several documents per contract
and several payments per contract. The supplier reports are in test_report_sums.py."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from approvals import services as approval_services
from approvals.money import format_yuan
from budget.models import BudgetMovement
from contracts.models import Contract, DocKind, Payment
from documents import services as document_services
from procurement.models import SupplierQualification

from .conftest import approve_all, pdf


def sql(query: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def workbook_rows(response) -> list[list]:
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(r) for ws in wb.worksheets for r in ws.iter_rows(values_only=True)]


def row_with(rows: list[list], key) -> list:
    found = [r for r in rows if key in r]
    assert len(found) == 1, (key, found)
    return found[0]


def money(value) -> D:
    return D(str(value)).quantize(D("0.01"))


@pytest.fixture
def busy(flow, today):
    """Two purchases won by the same supplier, three qualifications on each of the first two
    suppliers (one expired), extra documents on each contract, and two payments on each."""
    contracts = []
    for award in ("76000.00", "200500.00"):
        case = flow.request(str(D(award) + 4000))
        flow.purchase(case)
        flow.quotes(case, prices=(award, str(D(award) + 3000), str(D(award) + 5500)))
        contract = flow.contract(case, amount=award, approve=False)
        for name in ("补充协议.pdf", "附件.pdf"):
            document_services.attach(owner=contract, kind=DocKind.CONTRACT_TEXT, upload=pdf(name),
                                                 actor=case.applicant)
        approval_services.case_submit(case=case, actor=case.applicant)
        approve_all(case)
        contract.refresh_from_db()
        contracts.append(contract)
    for supplier in flow.suppliers[:2]:
        for i, until in enumerate((today + dt.timedelta(days=300), today + dt.timedelta(days=30), today - dt.timedelta(days=1))):
            SupplierQualification.objects.create(supplier=supplier, name=f"资质{i}", number=f"Z{i}", valid_until=until)
    for n, contract in enumerate(contracts):
        advance = contract.terms.filter(is_active=True).order_by("seq").first()
        half = (advance.amount / 2).quantize(D("0.01"))
        flow.pay(flow.payment_case(contract, str(half), term=advance, invoice=f"4403{n}001"))
        flow.pay(flow.payment_case(contract, str(advance.amount - half), term=advance, invoice=f"4403{n}002"))
    return contracts


def test_contract_execution_table_and_export_show_the_sql_sums(flow, busy, client):
    paid = dict(sql(
        f"SELECT contract_id, SUM(amount) FROM {Payment._meta.db_table} WHERE status = %s GROUP BY contract_id",
        [Payment.Status.PAID],
    ))
    amounts = dict(sql(f"SELECT id, amount FROM {Contract._meta.db_table}", []))
    client.force_login(flow.o.head)
    body = client.get(reverse("contracts:index")).content.decode()
    rows = workbook_rows(client.get(reverse("contracts:export")))
    for contract in busy:
        assert format_yuan(paid[contract.pk]) in body
        row = row_with(rows, contract.number)
        values = [money(v) for v in row if isinstance(v, (int, float, D)) and not isinstance(v, bool)]
        assert amounts[contract.pk] in values and paid[contract.pk] in values
        assert amounts[contract.pk] - paid[contract.pk] in values
        assert 2 * paid[contract.pk] not in values
    total_paid = sum(paid.values())
    assert format_yuan(total_paid) in body


def test_budget_execution_table_and_export_show_the_sql_sums(flow, busy, client):
    line = flow.line
    by_kind = dict(sql(
        f"SELECT kind, SUM(amount) FROM {BudgetMovement._meta.db_table} WHERE line_id = %s GROUP BY kind",
        [line.pk],
    ))
    executed = by_kind[BudgetMovement.Kind.EXECUTE]
    committed = by_kind[BudgetMovement.Kind.COMMIT]
    assert executed == sum(p.amount for c in busy for p in c.payments.filter(status=Payment.Status.PAID))
    client.force_login(flow.o.head)
    body = client.get(reverse("budget:index"), {"year": line.year}).content.decode()
    assert format_yuan(executed) in body and format_yuan(committed) in body
    rows = workbook_rows(client.post(reverse("budget:export"), {"year": line.year}))
    row = row_with(rows, f"{line.economic_code} {line.economic_name}")
    values = [money(v) for v in row if isinstance(v, (int, float, D)) and not isinstance(v, bool)]
    assert executed in values and committed in values
