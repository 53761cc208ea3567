"""System checks of the approvals engine (run by ``manage.py check``, ``migrate`` and at start-up)."""

from __future__ import annotations

from django.core import checks
from django.db import DatabaseError

from . import registry


@checks.register(checks.Tags.database)
def matters_name_registered_stages(app_configs=None, databases=None, **kwargs):
    """approvals.E001: an active matter whose stages name a section no app registered.

    A database check: Django runs it when a command names the databases — ``migrate`` (the
    stack's migrate service, which runs before the web app and the worker start) and
    ``check --database default``."""
    if not databases:
        return []
    from .models import Matter

    errors = []
    try:
        rows = list(Matter.objects.filter(is_active=True).values_list("code", "name", "stages"))
    except DatabaseError:  # not migrated yet: migrate itself runs this check first
        return []
    for code, name, stages in rows:
        unknown = registry.unknown_stages(stages)
        if unknown:
            errors.append(checks.Error(
                f"matter {code} ({name}) names stage sections no app registered: {', '.join(unknown)}",
                hint=f"registered: {', '.join(registry.all_sections())}; correct the matter in the admin",
                id="approvals.E001",
            ))
    return errors
