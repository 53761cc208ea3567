"""Template helpers of the budget pages: money, rates and drill-down links."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django import template
from django.urls import NoReverseMatch, reverse

from approvals.money import format_yuan, round_money

register = template.Library()


@register.filter
def money(value) -> str:
    """1234567.8 -> 1,234,567.80 (no currency sign: for dense tables)."""
    if value is None or value == "":
        return ""
    return f"{round_money(value):,.2f}"


@register.filter
def yuan(value) -> str:
    return format_yuan(value)


@register.filter
def pct(value) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value):.2f}%"


@register.filter
def negative(value) -> bool:
    return value is not None and value < 0


@register.simple_tag
def drill(figure: str, *, line=None, group=None, year=None, unit_id=None, fund_source=None, economic_code=None) -> str:
    """The ledger page filtered to the rows behind one figure of the table."""
    params: dict = {"figure": figure}
    if line is not None:
        params["line"] = line.pk
    else:
        if year:
            params["year"] = year
        if group is not None:
            if group.unit_id:
                params["unit"] = group.unit_id
            if group.project:
                params["project"] = group.project
            if group.economic_code:
                params["economic_code"] = group.economic_code
        if unit_id and "unit" not in params:
            params["unit"] = unit_id
        if economic_code:
            params["economic_code"] = economic_code
        if fund_source:
            params["fund_source"] = fund_source
    return f"{reverse('budget:ledger')}?{urlencode(params)}"


@register.simple_tag
def case_url(case) -> str:
    if case is None:
        return ""
    try:
        return reverse("approvals:detail", args=[case.pk])
    except NoReverseMatch:  # pragma: no cover - approvals without a case page
        return ""
