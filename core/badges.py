"""Counts shown in the navigation (e.g. the inbox). Apps register a callable
``fn(user) -> int`` under a navigation key; counts are computed lazily, once per page."""

from __future__ import annotations

from collections.abc import Callable

_PROVIDERS: dict[str, Callable] = {}


def register(key: str, fn: Callable) -> None:
    _PROVIDERS[key] = fn


class LazyBadges:
    def __init__(self, user):
        self._user = user
        self._cache: dict[str, int] = {}

    def __getitem__(self, key: str) -> int:
        if key not in self._cache:
            fn = _PROVIDERS.get(key)
            self._cache[key] = fn(self._user) if fn else 0
        return self._cache[key]

    def get(self, key, default=0):
        return self[key]
