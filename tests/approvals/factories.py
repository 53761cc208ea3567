"""Approvals test data: spending matters and cases made directly, for tests of services and pages
that do not go through approval routing."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from approvals.models import Case, Category, Matter
from tests.factories import UserFactory


class MatterFactory(DjangoModelFactory):
    class Meta:
        model = Matter
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T-ZC{n:03d}")
    name = "测试经费支出"
    category = Category.FINANCE
    spends_money = True
    amount_required = True
    stages = factory.LazyFunction(lambda: ["budget"])


class CaseFactory(DjangoModelFactory):
    class Meta:
        model = Case

    number = factory.Sequence(lambda n: f"XQ-T-CW-{n:05d}")
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    matter = factory.SubFactory(MatterFactory)
    category = Category.FINANCE
    applicant = factory.SubFactory(UserFactory)
    unit = factory.LazyAttribute(lambda o: o.applicant.unit)
    title = "购置办公用品"
    amount = Decimal("100.00")
    status = Case.Status.DRAFT


__all__ = ["CaseFactory", "MatterFactory"]
