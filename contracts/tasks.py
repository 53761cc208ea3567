"""Background work of contracts: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_reminders() -> int:
    """Daily: contracts ending and milestones falling due within 30 days. Safe to run twice
    (each reminder is recorded once; the scan takes an advisory lock)."""
    from .services import reminders_send

    return reminders_send()
