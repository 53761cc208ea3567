"""Every amount field of procurement and contracts reads through the one money parser
(core.money): NaN, Infinity and huge exponents give the parser's clear message."""

import inspect

import pytest
from django import forms

import contracts.forms
import procurement.forms
from core.money import MoneyField
from procurement.models import Supplier

BAD = {"NaN": "元", "Infinity": "元", "1e999999999": "过大", "12.345": "2位小数", "0": "大于零"}


def _declared_amount_fields():
    for module in (procurement.forms, contracts.forms):
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                for field_name, field in cls.base_fields.items():
                    if "amount" in field_name:
                        yield f"{cls.__name__}.{field_name}", field


def test_every_amount_field_is_a_money_field():
    fields = dict(_declared_amount_fields())
    assert len(fields) >= 3
    assert {name for name, f in fields.items() if not isinstance(f, MoneyField)} == set()
    rows = {c.name: c.field for c in procurement.forms.quote_columns(Supplier.objects.none())}
    rows |= {f"term_{c.name}": c.field for c in contracts.forms.term_columns()}
    assert isinstance(rows["amount"], MoneyField) and isinstance(rows["term_amount"], MoneyField)


@pytest.mark.parametrize("value, says", BAD.items())
def test_bad_amounts_get_the_parsers_message(value, says):
    with pytest.raises(forms.ValidationError) as exc:
        procurement.forms.money_field("金额").clean(value)
    assert says in " ".join(exc.value.messages)
