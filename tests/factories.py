"""factory_boy factories for organisation data. Other apps' tests import these.

    UnitFactory(code="GFB", name="公共服务办公室")
    UserFactory(unit=unit, roles=[Role.UNIT_HEAD])     # or a trait: UserFactory(head=True)
    FunctionalDepartmentFactory(field=FunctionalDepartment.Field.MONEY, unit=finance_office)

Every user's password is ``PASSWORD`` unless given.
"""

from __future__ import annotations

import factory
from django.contrib.auth.hashers import make_password
from factory.django import DjangoModelFactory

from org.models import FunctionalDepartment, Role, Unit, User

PASSWORD = "Test@2026pass"


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"U{n:03d}")
    name = factory.Sequence(lambda n: f"测试部门{n:03d}")
    kind = Unit.Kind.DEPARTMENT
    sort_order = factory.Sequence(lambda n: n)

    class Params:
        community = factory.Trait(kind=Unit.Kind.COMMUNITY, name=factory.Sequence(lambda n: f"测试社区{n:03d}"))
        leadership = factory.Trait(kind=Unit.Kind.LEADERSHIP, name="街道领导班子")


def _password_hash(password: str = PASSWORD) -> str:
    return make_password(password)


class UserFactory(DjangoModelFactory):
    """A clerk of a new unit unless told otherwise; traits name the other roles."""

    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n:04d}")
    full_name = factory.Faker("name", locale="zh_CN")
    unit = factory.SubFactory(UnitFactory)
    title = ""
    roles = factory.LazyFunction(lambda: [Role.CLERK])
    password = factory.LazyFunction(_password_hash)
    is_active = True

    class Params:
        clerk = factory.Trait(roles=[Role.CLERK])
        head = factory.Trait(roles=[Role.UNIT_HEAD])
        finance_reviewer = factory.Trait(roles=[Role.FINANCE_REVIEWER])
        accountant = factory.Trait(roles=[Role.ACCOUNTANT])
        cashier = factory.Trait(roles=[Role.CASHIER])
        leader = factory.Trait(roles=[Role.LEADER])
        principal = factory.Trait(roles=[Role.PRINCIPAL])
        supervisor = factory.Trait(roles=[Role.SUPERVISOR])
        admin = factory.Trait(roles=[Role.ADMIN], is_staff=True, is_superuser=True)


class FunctionalDepartmentFactory(DjangoModelFactory):
    class Meta:
        model = FunctionalDepartment
        django_get_or_create = ("field",)

    field = factory.Iterator(FunctionalDepartment.Field.values)
    unit = factory.SubFactory(UnitFactory)
