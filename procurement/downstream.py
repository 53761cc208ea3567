"""What the apps after procurement (contracts) add to its supplier pages — a supplier's
contracts and payments — registered by them in their ``AppConfig.ready()``, so procurement
imports none of them. Nothing registered: the pages show procurement's own records only.
(The chain of records after a purchase is the chain app's, through ``core.chain``.)"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Downstream:
    # a supplier: rows per year {"year", "contracts", "contracted", "paid"}
    supplier_years: Callable[..., list[dict]]  # (supplier)
    # a supplier: {"contracts": queryset, "payments": queryset} within the unit scope (None = every unit)
    supplier_records: Callable[..., dict]  # (supplier, scope)
    # annotations year_contracts, year_contracted, year_paid for a Supplier queryset in a year
    supplier_year_annotations: Callable[..., dict]  # (year)


_registered: list[Downstream] = []


def register(downstream: Downstream) -> None:
    _registered[:] = [downstream]


def get() -> Downstream | None:
    return _registered[0] if _registered else None
