from __future__ import annotations

from approvals.exceptions import ApprovalError


class AssetError(ApprovalError):
    """An asset card action that cannot be done; the message names the rule."""
