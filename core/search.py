"""The search box in the top bar. Apps register a provider ``fn(user, q, limit) -> list of
{"url", "title", "subtitle"}`` that returns only what the user may see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Provider:
    key: str
    label: str
    fn: Callable


PROVIDERS: list[Provider] = []


def register(key: str, label, fn: Callable) -> None:
    PROVIDERS[:] = [p for p in PROVIDERS if p.key != key]
    PROVIDERS.append(Provider(key, label, fn))


def search(user, q: str, limit: int = 20) -> list[dict]:
    q = (q or "").strip()[:100]
    if len(q) < 2:
        return []
    return [{"key": p.key, "label": p.label, "results": p.fn(user, q, limit)} for p in PROVIDERS]
