"""Fixtures of the documents tests: the procurement tests' catalogue, suppliers, budget line and
``flow`` (real services and routing) for files owned by forms and their quotes."""

from tests.procurement.conftest import (  # noqa: F401  (fixtures)
    catalogue,
    flow,
    line,
    media_root,
    suppliers,
    today,
)
