"""Background work of contracts: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task

from core.locks import run_once


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_reminders() -> int:
    """Daily: contracts ending and milestones falling due within 30 days. Safe to run twice
    (each reminder is recorded once; one scan at a time)."""
    from .services import reminders_send

    with run_once("contracts.send_reminders", timeout=3600) as mine:
        return reminders_send() if mine else 0
