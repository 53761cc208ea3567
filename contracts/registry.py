"""Money paid against a contract outside the contract's own payment records (``contracts.Payment``).

A higher module that pays against a contract through its own forms — construction's progress
payments (工程进度款) — registers a provider here, so that the contract's paid amount and the
contract-amount cap (CON-01) count those payments too. The contracts app never imports the
provider's module (layers: construction → contracts)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

ZERO = Decimal("0")

# key → fn(contract_ids) -> {contract_id: paid amount}; one grouped query per provider
_PROVIDERS: dict[str, Callable[[list[int]], dict[int, Decimal]]] = {}


def register_paid_provider(key: str, fn: Callable[[list[int]], dict[int, Decimal]]) -> None:
    """Register (or replace, by key) a provider of money paid against contracts."""
    _PROVIDERS[key] = fn


def paid_elsewhere_by_contract(contract_ids) -> dict[int, Decimal]:
    """Per contract id: what the registered providers paid against it (ids without payments absent)."""
    ids = sorted({int(i) for i in contract_ids})
    out: dict[int, Decimal] = {}
    if not ids:
        return out
    for _key, fn in sorted(_PROVIDERS.items()):
        for cid, amount in fn(ids).items():
            if amount:
                out[cid] = out.get(cid, ZERO) + amount
    return out


def paid_elsewhere(contract) -> Decimal:
    """What the registered providers paid against one contract."""
    return paid_elsewhere_by_contract([contract.pk]).get(contract.pk, ZERO)
