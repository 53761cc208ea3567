"""The one money parser (core.money): what people type is read the same on every path."""

from decimal import Decimal as D

import pytest

from core.money import AmountError, MoneyField, parse_amount, try_parse_amount


@pytest.mark.parametrize("typed, value", [
    ("12345.67", D("12345.67")), ("1,234.50", D("1234.50")), ("¥1,234.5", D("1234.50")), ("１２３", D("123.00")),
    ("１，２３４．５０", D("1234.50")), (" 88 ", D("88.00")), ("12.500", D("12.50")), (D("7"), D("7.00")),
])
def test_amounts_people_type_are_read(typed, value):
    assert parse_amount(typed) == value


@pytest.mark.parametrize("typed, code", [
    ("1e5", "invalid"), ("NaN", "invalid"), ("Infinity", "invalid"), ("-Infinity", "invalid"), ("1e999999999", "too_large"), ("1e30", "too_large"),
    (D("NaN"), "invalid"), ("12.345", "decimals"), ("1,23", "invalid"), ("abc", "invalid"), ("1000000000000", "too_large"),
    ("-5", "not_positive"), ("0", "not_positive"), ("0x10", "invalid"), ("1_000", "invalid"),
])
def test_what_is_not_an_amount_is_refused_with_its_message(typed, code):
    with pytest.raises(AmountError) as e:
        parse_amount(typed)
    assert e.value.code == code and str(e.value)


def test_zero_and_negative_only_where_allowed():
    assert parse_amount("0", allow_zero=True) == D("0.00")
    with pytest.raises(AmountError) as e:
        parse_amount("-1", allow_zero=True)
    assert e.value.code == "negative"
    assert parse_amount("-12.30", allow_negative=True) == D("-12.30")  # a refund


def test_previews_get_none_instead_of_an_error():
    assert try_parse_amount("NaN") is None and try_parse_amount("") is None and try_parse_amount("1,000") == D("1000.00")


def test_the_form_field_gives_the_message():
    field = MoneyField(required=False)
    assert field.clean("1,234.50") == D("1234.50") and field.clean("") is None
    with pytest.raises(Exception) as e:
        field.clean("1e5")
    assert "12345.67" in str(e.value)
