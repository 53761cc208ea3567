"""Celery application: worker and beat run the risk rules, reminders and report builds."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "neiqiao.settings")

app = Celery("neiqiao")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic work, all in one place so beat never depends on which task modules it imported.
# Each task takes core.locks.run_once, so overlapping runs are skipped.
app.conf.beat_schedule = {
    "core-heartbeat": {"task": "core.tasks.heartbeat", "schedule": 300.0},
    "core-deliver-events": {"task": "core.tasks.deliver_events", "schedule": 60.0},
    "approvals-urge-overdue": {"task": "approvals.urge_overdue", "schedule": 15 * 60.0},
    "approvals-checkpoint-trail": {"task": "approvals.checkpoint_trail", "schedule": 10 * 60.0},
    "budget-purge-exports": {"task": "budget.tasks.purge_exports", "schedule": 3600.0},
    "budget-requeue-exports": {"task": "budget.tasks.requeue_exports", "schedule": 60.0},
    "risk-nightly-scan": {"task": "risk.scan", "schedule": crontab(hour=1, minute=30), "kwargs": {"kind": "full"}},
    "risk-hourly-scan": {"task": "risk.scan", "schedule": crontab(minute=20), "kwargs": {"kind": "hourly"}},
    "contracts-reminders": {"task": "contracts.tasks.send_reminders", "schedule": crontab(hour=8, minute=0)},
    "construction-final-accounts": {"task": "construction.tasks.remind_final_accounts", "schedule": crontab(hour=8, minute=10)},
}
