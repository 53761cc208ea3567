"""Celery application: worker and beat run the risk rules, reminders and report builds."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "neiqiao.settings")

app = Celery("neiqiao")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic work. Each app's own tasks module adds entries through `beat_schedule`.
app.conf.beat_schedule = {
    "core-heartbeat": {"task": "core.tasks.heartbeat", "schedule": 300.0},
}
