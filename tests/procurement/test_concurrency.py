"""Real concurrency on PostgreSQL in the supplier register: two clerks registering the same
credit code at the same moment. (The contract payment races are in tests/contracts.)"""

from __future__ import annotations

import pytest

from procurement import services
from procurement.exceptions import ProcurementError
from procurement.models import Supplier
from tests.concurrency import race


@pytest.mark.django_db(transaction=True)
def test_two_suppliers_registered_with_the_same_code_at_once(office):
    results, errors = race(
        lambda: services.supplier_create(actor=office.clerk, name="甲", credit_code="91350100M000100Y43"),
        lambda: services.supplier_create(actor=office.clerk2, name="乙", credit_code="91350100M000100Y43"),
    )
    refused = [e for e in errors if e is not None]
    assert len(refused) == 1 and isinstance(refused[0], ProcurementError) and refused[0].code == "duplicate"
    assert Supplier.objects.count() == 1
