"""Fixtures of the contract tests: the same catalogue, thresholds, suppliers, budget line and
``flow`` as the procurement tests (a contract is the stage after the award)."""

from tests.procurement.conftest import (  # noqa: F401  (fixtures)
    approve_all,
    big_line,
    catalogue,
    flow,
    holders,
    line,
    media_root,
    pdf,
    suppliers,
    today,
)
