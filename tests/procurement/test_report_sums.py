"""Every supplier figure equals the SQL sum of its records, on data where a join would
multiply rows: a supplier with several qualifications (one expired), two awards with three
quote documents each, two contracts and a payment (issue: a Sum joined with a Count doubled a
supplier's award total when it had two qualifications: ¥553,000 shown, ¥276,500 true)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from procurement import selectors
from procurement.models import SupplierQualification

pytestmark = pytest.mark.django_db


def sql_one(sql: str, params: list) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


@pytest.fixture
def busy_supplier(flow):
    supplier = flow.suppliers[0]
    for name, until in (("营业执照", None), ("ISO9001", dt.date(2099, 1, 1))):
        SupplierQualification.objects.create(supplier=supplier, name=name, valid_until=until)
    _case1, contract1 = flow.full_contract(amount="80000.00", award="76000.00")
    _case2, _contract2 = flow.full_contract(amount="60000.00", award="55000.00")
    flow.pay(flow.payment_case(contract1, "22800.00"))
    # lapsed after the awards (an expired one would have refused them: PRO-08)
    SupplierQualification.objects.create(supplier=supplier, name="安全生产许可证", valid_until=dt.date(2020, 1, 1))
    return supplier


def expected(supplier, year):
    awards, awarded = sql_one(
        "SELECT count(*), coalesce(sum(amount), 0) FROM procurement_award "
        "WHERE supplier_id = %s AND status = 'awarded' AND extract(year FROM awarded_on) = %s",
        [supplier.pk, year],
    )
    (expired,) = sql_one(
        "SELECT count(*) FROM procurement_supplierqualification WHERE supplier_id = %s AND valid_until < current_date",
        [supplier.pk],
    )
    contracts, contracted = sql_one(
        "SELECT count(*), coalesce(sum(amount), 0) FROM contracts_contract "
        "WHERE supplier_id = %s AND status IN ('active', 'completed') AND extract(year FROM signed_on) = %s",
        [supplier.pk, year],
    )
    (paid,) = sql_one(
        "SELECT coalesce(sum(amount), 0) FROM contracts_payment "
        "WHERE supplier_id = %s AND status = 'paid' AND extract(year FROM paid_on) = %s",
        [supplier.pk, year],
    )
    return {"awards": awards, "awarded": D(awarded), "expired": expired, "contracts": contracts,
            "contracted": D(contracted), "paid": D(paid)}


def test_the_data_really_has_rows_a_join_would_multiply(busy_supplier, flow):
    e = expected(busy_supplier, flow.today.year)
    assert busy_supplier.qualifications.count() == 3
    assert e["awards"] == 2 and e["awarded"] == D("131000.00") and e["expired"] == 1
    assert e["contracts"] == 2 and e["paid"] == D("22800.00")


def test_supplier_list_figures_equal_the_sql_sums(busy_supplier, flow):
    e = expected(busy_supplier, flow.today.year)
    row = selectors.supplier_list(year=flow.today.year).get(pk=busy_supplier.pk)
    assert (row.year_awards, row.year_amount, row.expired_count) == (e["awards"], e["awarded"], e["expired"])


def test_supplier_totals_figures_equal_the_sql_sums(busy_supplier, flow):
    e = expected(busy_supplier, flow.today.year)
    row = selectors.supplier_year_totals(year=flow.today.year).get(pk=busy_supplier.pk)
    assert (row.year_awards, row.year_amount, row.year_contracts, row.year_contracted, row.year_paid) == (
        e["awards"], e["awarded"], e["contracts"], e["contracted"], e["paid"]
    )


def _sheet_row(client, url, name):
    wb = load_workbook(io.BytesIO(b"".join(client.get(url).streaming_content)))
    return next(r for r in wb.worksheets[0].iter_rows(values_only=True) if r and r[0] == name)


def test_supplier_exports_equal_the_sql_sums(client, busy_supplier, flow):
    e = expected(busy_supplier, flow.today.year)
    client.force_login(flow.o.finance_reviewer)
    row = _sheet_row(client, reverse("procurement:supplier_export"), busy_supplier.name)
    assert (row[9], D(str(row[10])), row[11]) == (e["awards"], e["awarded"], e["expired"])
    row = _sheet_row(client, reverse("procurement:supplier_totals_export"), busy_supplier.name)
    assert (row[2], D(str(row[3])), row[4], D(str(row[5])), D(str(row[6]))) == (
        e["awards"], e["awarded"], e["contracts"], e["contracted"], e["paid"]
    )
