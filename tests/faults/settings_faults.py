"""Settings of the processes the fault tests start (web server, workers): the project's own
settings, read from the environment as in production, with one difference — every budget
export goes through the background job (so that a request enqueues a Celery task)."""

from neiqiao.settings import *  # noqa: F403

BUDGET_EXPORT_SYNC_LIMIT = 0
