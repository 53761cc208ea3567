"""The one money parser of the system, and its form field.

Every amount typed by a person (a form, a live check, a route preview, a filter, an imported
spreadsheet cell) goes through ``parse_amount``: yuan with at most 2 decimals, written as
``12345.67``, ``1,234.50``, ``¥1,234.50`` or with full-width digits (``１２３``). Refused, with
one clear message each: exponents (``1e5``), ``NaN``/``Infinity``, more than 2 decimals,
amounts above the database's 14 digits, zero or negative amounts unless the caller allows
them (a refund, an adjustment that lowers a line).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # DecimalField(max_digits=14, decimal_places=2)
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_EXPONENT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)[eE][+-]?\d+$")

MESSAGES = {
    "invalid": _("The amount must be a number in yuan, e.g. 12345.67."),
    "decimals": _("The amount may have at most 2 decimal places (fen)."),
    "too_large": _("The amount is too large."),
    "not_positive": _("The amount must be greater than zero."),
    "negative": _("The amount may not be negative."),
}


class AmountError(ValueError):
    def __init__(self, code: str):
        self.code = code
        super().__init__(str(MESSAGES[code]))


def parse_amount(value, *, allow_zero: bool = False, allow_negative: bool = False) -> Decimal:
    """The amount as a Decimal with 2 places; raises AmountError with a readable message."""
    if isinstance(value, Decimal):
        amount = value
        if not amount.is_finite():
            raise AmountError("invalid")
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()  # full-width digits, comma and point
        text = text.replace("¥", "").replace("￥", "").replace(" ", "")
        if _EXPONENT.match(text):  # 1e5 is no way to write yuan; a huge one is named as too large
            raise AmountError("too_large" if Decimal(text).adjusted() > MAX_AMOUNT.adjusted() else "invalid")
        if not (_PLAIN.match(text) or _GROUPED.match(text)):
            raise AmountError("invalid")
        try:
            amount = Decimal(text.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the patterns admit only plain numerals
            raise AmountError("invalid") from None
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(CENT):
        raise AmountError("decimals")
    if abs(amount) > MAX_AMOUNT:
        raise AmountError("too_large")
    if amount < 0 and not allow_negative:
        raise AmountError("negative" if allow_zero else "not_positive")
    if amount == 0 and not (allow_zero or allow_negative):
        raise AmountError("not_positive")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def try_parse_amount(value, **kwargs) -> Decimal | None:
    """The amount, or None when empty or not an amount (live previews that must not fail)."""
    if value in (None, ""):
        return None
    try:
        return parse_amount(value, **kwargs)
    except AmountError:
        return None


class MoneyField(forms.CharField):
    """A form field for an amount in yuan, parsed by ``parse_amount``."""

    def __init__(self, *, allow_zero: bool = False, allow_negative: bool = False, **kwargs):
        self.allow_zero, self.allow_negative = allow_zero, allow_negative
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "maxlength": "40"})

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_amount(value, allow_zero=self.allow_zero, allow_negative=self.allow_negative)
        except AmountError as e:
            raise ValidationError(str(e), code=e.code) from None
