"""Procurement test data: suppliers with valid unified social credit codes (GB 32100-2015 check
character computed by ``procurement.validators.make_credit_code``)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from procurement.models import Supplier
from procurement.validators import make_credit_code


class SupplierFactory(DjangoModelFactory):
    class Meta:
        model = Supplier

    class Params:
        n = factory.Sequence(lambda n: n + 1)

    name = factory.LazyAttribute(lambda o: f"深圳市测试供应商{o.n}有限公司")
    credit_code = factory.LazyAttribute(lambda o: make_credit_code(area="440306", org8=f"MA5F{o.n:04d}"))
    bank_account = factory.LazyAttribute(lambda o: f"40000230092000{o.n:05d}")


__all__ = ["SupplierFactory"]
