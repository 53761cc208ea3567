from __future__ import annotations

from .models import RiskWarning
from .permissions import may_open_desk, visible_warnings


def live_count(user) -> int:
    """The navigation badge: warnings not yet closed that the person may see."""
    if not may_open_desk(user):
        return 0
    return visible_warnings(user).filter(status__in=RiskWarning.LIVE).count()
