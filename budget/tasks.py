"""Background work of the budget app: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task

from neiqiao.celery import app


@shared_task(acks_late=True, reject_on_worker_lost=True)
def build_export(job_id: str) -> bool:
    """Build a queued export of the execution table (safe to run twice: the job is claimed)."""
    from .exports import export_job_run

    return export_job_run(job_id=job_id)


@shared_task
def purge_exports() -> int:
    """Remove export files older than a day."""
    from .exports import purge_old_exports

    return purge_old_exports()


app.conf.beat_schedule["budget-purge-exports"] = {"task": "budget.tasks.purge_exports", "schedule": 3600.0}
