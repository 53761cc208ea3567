"""Number sequences: one table, one function.

``next_number(key, year)`` returns the next number of a series in a year (1, 2, 3, …). The row
is created race-free (``INSERT … ON CONFLICT DO NOTHING``) and then taken ``SELECT … FOR
UPDATE``: concurrent callers queue on the row, and the lock is held until the caller's
transaction ends, so a number whose transaction rolls back is issued again (no gaps, no
repeats). Call it inside the caller's ``transaction.atomic()``, late and briefly: in the lock
order of ``approvals.services`` sequences come after the case and its steps.

Keys in use: ``"case:<category>"`` (approvals: XQ-2026-CW-00042), ``"contract"`` (HT-2026-0042).
"""

from __future__ import annotations

from django.db import transaction

from .models import Sequence


def next_number(key: str, year: int) -> int:
    with transaction.atomic():
        Sequence.objects.bulk_create([Sequence(key=key, year=year, last=0)], ignore_conflicts=True)
        seq = Sequence.objects.select_for_update().get(key=key, year=year)
        seq.last += 1
        seq.save(update_fields=["last"])
        return seq.last
