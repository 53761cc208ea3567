"""The Celery app discovers tasks from every app, schedules the heartbeat, and a real worker
executes it through Redis."""

import uuid

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache

from neiqiao.celery import app as celery_app


def test_tasks_are_discovered_and_the_beat_schedule_names_registered_tasks():
    celery_app.loader.import_default_modules()
    assert "core.tasks.heartbeat" in celery_app.tasks
    for entry in celery_app.conf.beat_schedule.values():
        assert entry["task"] in celery_app.tasks, entry


def test_without_a_broker_tasks_run_eagerly(settings):
    from core.tasks import heartbeat

    cache.delete("core:heartbeat")
    result = heartbeat.delay()
    assert result.successful()
    assert cache.get("core:heartbeat") == result.get()


@pytest.mark.redis
def test_a_real_worker_runs_the_heartbeat_through_redis(redis_url):
    # A separate app configured like neiqiao's, pointed at Redis, on a queue of its own so that
    # parallel test runs sharing the Redis database do not take each other's tasks.
    app = Celery("neiqiao-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    queue = f"test-{uuid.uuid4().hex}"
    app.conf.update(
        broker_url=redis_url,
        result_backend=redis_url,
        task_always_eager=False,
        task_default_queue=queue,
        broker_connection_retry_on_startup=False,
        task_ignore_result=False,  # the project ignores results by default; this test reads one
    )
    app.loader.import_module("core.tasks")
    app.loader.import_module("celery.contrib.testing.tasks")  # the ping task start_worker uses
    cache.delete("core:heartbeat")
    with start_worker(app, queues=[queue], pool="solo", perform_ping_check=True, shutdown_timeout=10):
        result = app.tasks["core.tasks.heartbeat"].apply_async(queue=queue, ignore_result=False)
        stamp = result.get(timeout=20)
    assert result.status == "SUCCESS"
    assert cache.get("core:heartbeat") == stamp
