"""Background work of construction: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task

from core.locks import run_once


@shared_task(acks_late=True, reject_on_worker_lost=True)
def remind_final_accounts() -> int:
    """Daily: final accounts falling due within 15 days or overdue (财建〔2016〕503号: within 3
    months of completion). Safe to run twice (each project is reminded once; one scan at a time)."""
    from .services import final_accounts_remind

    with run_once("construction.remind_final_accounts", timeout=3600) as mine:
        return final_accounts_remind() if mine else 0
