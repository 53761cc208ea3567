"""Pages: deny by default, unit scoping (404 for others' records), the supplier register with
its checks, the blacklist, documents behind the owner's access rule, the cashier's desk."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from contracts.models import DocKind, Payment
from documents.models import Document
from procurement.models import Supplier
from procurement.models import DocKind as ProcurementDocKind
from tests.factories import UserFactory

from .conftest import pdf


@pytest.fixture
def chain(flow):
    case, contract = flow.full_contract()
    payment = flow.payment_case(contract, "22800.00")
    return case, contract, payment


def test_a_person_without_a_role_is_denied(client, office):
    nobody = UserFactory(username="nobody", unit=office.unit, roles=[])
    client.force_login(nobody)
    for name in ("procurement:index", "contracts:index", "procurement:supplier_list", "contracts:payment_list",
                 "procurement:results", "procurement:thresholds"):
        assert client.get(reverse(name)).status_code == 403, name


def test_records_of_another_unit_are_not_found(client, flow, chain):
    case, contract, payment = chain
    client.force_login(flow.o.community_clerk)
    assert client.get(reverse("contracts:detail", args=[contract.pk])).status_code == 404
    assert client.get(reverse("contracts:payment_detail", args=[payment.pk])).status_code == 404
    assert client.get(reverse("procurement:purchase_detail", args=[contract.purchase_id])).status_code == 404
    doc = Document.objects.filter(kind=DocKind.CONTRACT_TEXT).first()
    assert client.get(reverse("documents:download", args=[doc.pk])).status_code == 404
    assert contract.number not in client.get(reverse("contracts:index")).content.decode()
    assert client.get(reverse("contracts:detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("who", ["head", "supervisor", "finance_reviewer", "leader"])
def test_the_unit_its_leader_finance_and_supervisors_see_the_chain(client, flow, chain, who):
    _case, contract, payment = chain
    client.force_login(getattr(flow.o, who))
    body = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert contract.number in body
    assert client.get(reverse("contracts:payment_detail", args=[payment.pk])).status_code == 200


def test_the_procurement_centre_sees_every_units_purchases(client, flow, chain):
    _case, contract, _payment = chain
    client.force_login(flow.o.heads["cgzx"])
    assert client.get(reverse("procurement:purchase_detail", args=[contract.purchase_id])).status_code == 200


def test_register_a_supplier_with_an_invalid_code_shows_the_rule(client, office):
    client.force_login(office.clerk)
    response = client.post(reverse("procurement:supplier_create"), {"name": "深圳市某公司", "credit_code": "91350100M000100Y44",
                                                                     "is_sme": "on"})
    assert response.status_code == 400
    assert "GB 32100-2015" in response.content.decode()
    assert not Supplier.objects.exists()


def test_register_a_supplier_and_detect_the_duplicate(client, office):
    client.force_login(office.clerk)
    url = reverse("procurement:supplier_create")
    response = client.post(url, {"name": "深圳市某公司", "credit_code": "91350100m000100y43"})
    supplier = Supplier.objects.get()
    assert response.status_code == 302 and supplier.credit_code == "91350100M000100Y43" and supplier.created_by == office.clerk
    response = client.post(url, {"name": "深圳市某公司2", "credit_code": "91350100M000100Y43"})
    assert response.status_code == 400 and "深圳市某公司" in response.content.decode()
    assert Supplier.objects.count() == 1


def test_only_the_procurement_centre_head_blacklists(client, office, suppliers):
    s = suppliers[0]
    url = reverse("procurement:supplier_blacklist", args=[s.pk])
    client.force_login(office.clerk)
    client.post(url, {"reason": "失信", "action": "add"})
    s.refresh_from_db()
    assert not s.blacklisted
    client.force_login(office.heads["cgzx"])
    client.post(url, {"reason": "列入失信被执行人名单", "action": "add"})
    s.refresh_from_db()
    assert s.blacklisted and s.blacklisted_by == office.heads["cgzx"]
    body = client.get(reverse("procurement:supplier_detail", args=[s.pk])).content.decode()
    assert "列入失信被执行人名单" in body
    client.post(url, {"reason": "已履行判决", "action": "lift"})
    s.refresh_from_db()
    assert not s.blacklisted


def test_qualification_with_scan_and_expiry(client, office, suppliers, today):
    s = suppliers[0]
    client.force_login(office.heads["cgzx"])
    client.post(reverse("procurement:qualification_add", args=[s.pk]),
                {"name": "营业执照", "number": "N1", "valid_until": "2020-01-01", "file": pdf("执照.pdf")})
    q = s.qualifications.get()
    body = client.get(reverse("procurement:supplier_detail", args=[s.pk])).content.decode()
    assert "营业执照" in body
    doc = Document.objects.get(owner_id=q.pk, kind=ProcurementDocKind.QUALIFICATION)
    assert client.get(reverse("documents:download", args=[doc.pk])).status_code == 200
    client.force_login(office.clerk)
    client.post(reverse("procurement:qualification_add", args=[s.pk]), {"name": "x"})
    assert s.qualifications.count() == 1


def test_document_upload_refused_outside_the_stage(client, flow, chain):
    case, contract, _payment = chain
    client.force_login(case.applicant)
    response = client.post(reverse("documents:upload"), {
        "owner": "contract", "owner_id": contract.pk, "kind": "contract_text", "file": pdf(), "next": "/",
    })
    assert response.status_code == 302
    assert Document.objects.filter(kind=DocKind.CONTRACT_TEXT).count() == 1
    response = client.post(reverse("documents:upload"), {
        "owner": "contract", "owner_id": contract.pk, "kind": "contract_scan", "file": pdf("盖章.pdf"), "next": "https://evil.example/",
    })
    assert response["Location"] != "https://evil.example/"
    assert Document.objects.filter(kind=DocKind.CONTRACT_SCAN).count() == 1


def test_thresholds_page_lists_the_table(client, flow):
    client.force_login(flow.o.clerk)
    body = client.get(reverse("procurement:thresholds")).content.decode()
    assert "国办发〔2019〕55号" in body and "国家发展改革委令第16号" in body


def test_supplier_exports(client, flow, chain):
    from openpyxl import load_workbook
    import io

    client.force_login(flow.o.head)
    for url in (reverse("procurement:supplier_export"), reverse("procurement:supplier_totals_export"),
                reverse("procurement:supplier_records_export", args=[flow.suppliers[0].pk])):
        response = client.get(url)
        wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        values = [c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row]
        assert flow.suppliers[0].name in values or any(flow.suppliers[0].name in str(v) for v in values)
    wb = load_workbook(io.BytesIO(b"".join(client.get(
        reverse("procurement:supplier_records_export", args=[flow.suppliers[0].pk])).streaming_content)))
    assert len(wb.worksheets) == 5
    contracts = [r for r in wb.worksheets[3].iter_rows(min_row=4, values_only=True)]
    assert contracts[0][1] == chain[1].number and contracts[0][4] == 76000


def test_supplier_exports_are_ready_to_print_with_totals_as_formulas(client, flow, chain):
    """Every sheet of the three supplier exports: merged title, header and borders, landscape
    fitted to width, header repeated, autofilter, page numbers; the totals row adds up
    exactly the data rows, with formulas."""
    import io

    from django.conf import settings
    from openpyxl import load_workbook

    from tests.xlsx_checks import assert_print_ready, sum_rows, value

    client.force_login(flow.o.head)
    money_cols = {"procurement:supplier_export": 11, "procurement:supplier_totals_export": 4}
    for name in ("procurement:supplier_export", "procurement:supplier_totals_export", "procurement:supplier_records_export"):
        args = [flow.suppliers[0].pk] if name.endswith("records_export") else []
        wb = load_workbook(io.BytesIO(b"".join(client.get(reverse(name, args=args)).streaming_content)))
        for ws in wb.worksheets:
            first, last, totals_row = assert_print_ready(ws, title=ws["A1"].value.removeprefix(settings.OFFICE_NAME).strip(),
                                                         money_col=money_cols.get(name))
            assert flow.o.head.get_full_name() in ws["A2"].value
            assert totals_row == last + 1 == ws.max_row, (name, ws.title)
            formulas = [c for c in ws[totals_row] if isinstance(c.value, str) and c.value.startswith("=SUM(")]
            if last >= first:
                assert formulas, (name, ws.title)
                for cell in formulas:
                    assert sum_rows(cell.value) == set(range(first, last + 1))
                    assert value(ws, cell) == sum(D(str(ws.cell(row=r, column=cell.column).value or 0))
                                                  for r in range(first, last + 1))
    wb = load_workbook(io.BytesIO(b"".join(client.get(
        reverse("procurement:supplier_records_export", args=[flow.suppliers[0].pk])).streaming_content)))
    contracts = wb.worksheets[3]
    assert contracts.cell(row=contracts.max_row, column=5).value == "=SUM(E4)"
    assert value(contracts, contracts.cell(row=contracts.max_row, column=5)) == 76000


def test_the_admin_shows_contracts_and_payments_but_cannot_rewrite_them(client, flow, chain):
    _case, contract, payment = chain
    client.force_login(flow.o.admin)
    flow.o.admin.is_staff = flow.o.admin.is_superuser = True
    flow.o.admin.save()
    assert client.get(reverse("admin:contracts_contract_change", args=[contract.pk])).status_code == 200  # view only
    assert client.post(reverse("admin:contracts_payment_change", args=[payment.pk]), {"amount": "1.00"}).status_code == 403
    assert client.post(reverse("admin:contracts_contract_delete", args=[contract.pk]), {"post": "yes"}).status_code == 403
    assert client.post(reverse("admin:procurement_award_delete", args=[contract.award_id]), {"post": "yes"}).status_code == 403
    payment.refresh_from_db()
    assert payment.amount == D("22800.00") and Payment.objects.filter(pk=payment.pk).exists()
    # thresholds stay editable there, with the overlap check
    from procurement.models import Threshold

    t = Threshold.objects.get(kind="open_tender", category="goods")
    response = client.post(reverse("admin:procurement_threshold_add"), {
        "kind": "open_tender", "category": "goods", "amount": "3000000", "regulation": "x", "effective_from": "2025-01-01",
        "note": "",
    })
    assert response.status_code == 200 and Threshold.objects.filter(kind="open_tender", category="goods").count() == 1
    assert t.amount == D("2000000.00")
