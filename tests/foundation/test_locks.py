"""The single-run lock of periodic tasks (core.locks.run_once) on a real Redis cache: a second
run while one is going is skipped, the same task id (a redelivered task) goes on, and every
periodic task of the beat schedule takes it."""

import threading

import pytest
from django.core.cache import cache

from core.locks import PREFIX, run_once

pytestmark = pytest.mark.redis


def _drop_keys(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter("test-locks:*"):  # only ours: the Redis database is shared with Celery tests
        client.delete(key)


@pytest.fixture
def redis_cache(settings, redis_url):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url,
                                   "KEY_PREFIX": "test-locks"}}
    _drop_keys(redis_url)
    yield cache
    _drop_keys(redis_url)


def test_a_second_concurrent_run_is_skipped_and_the_lock_is_released_after(redis_cache):
    inside, release = threading.Event(), threading.Event()
    seen = {}

    def first():
        with run_once("scan", timeout=60, owner="task-1") as mine:
            seen["first"] = mine
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(10)
    with run_once("scan", timeout=60, owner="task-2") as mine:
        seen["second"] = mine
    assert redis_cache.get(PREFIX + "scan") == "task-1"  # the skipped run left the holder's lock alone
    release.set()
    thread.join(10)
    assert seen == {"first": True, "second": False}
    assert redis_cache.get(PREFIX + "scan") is None
    with run_once("scan", timeout=60, owner="task-3") as mine:
        assert mine


def test_the_same_task_id_re_enters_its_own_lock(redis_cache):
    # the run of task-1 died with its worker: its lock is still there until it expires
    redis_cache.set(PREFIX + "scan", "task-1", timeout=600)
    with run_once("scan", timeout=600, owner="task-2") as mine:
        assert not mine
    with run_once("scan", timeout=600, owner="task-1") as mine:  # task-1 redelivered
        assert mine
    assert redis_cache.get(PREFIX + "scan") is None


def test_a_held_lock_expires_after_its_timeout(redis_cache):
    import time

    redis_cache.set(PREFIX + "scan", "dead", timeout=1)
    time.sleep(1.2)
    with run_once("scan", timeout=60, owner="next") as mine:
        assert mine


@pytest.mark.django_db
def test_the_urging_task_is_skipped_while_another_run_holds_the_lock(redis_cache, office):
    from approvals.tasks import urge_overdue

    redis_cache.set(PREFIX + "approvals.urge_overdue", "other-run", timeout=600)
    assert urge_overdue.apply(task_id="this-run").get() == 0
    assert redis_cache.get(PREFIX + "approvals.urge_overdue") == "other-run"
    assert urge_overdue.apply(task_id="other-run").get() == 0  # re-enters (nothing overdue) and releases
    assert redis_cache.get(PREFIX + "approvals.urge_overdue") is None


@pytest.mark.django_db
def test_every_periodic_task_takes_the_lock(redis_cache, settings, tmp_path):
    from neiqiao.celery import app

    settings.TRAIL_CHECKPOINT = str(tmp_path / "checkpoint.json")
    app.loader.import_default_modules()  # every tasks module
    names = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {"approvals.urge_overdue", "budget.tasks.purge_exports", "contracts.tasks.send_reminders"} <= names
    for name in sorted(names):
        key = PREFIX + name.replace(".tasks.", ".")
        redis_cache.set(key, "another-run", timeout=600)
        app.tasks[name].apply(task_id=f"{name}-now").get()
        assert redis_cache.get(key) == "another-run", name  # skipped: the holder's lock untouched
        app.tasks[name].apply(task_id="another-run").get()
        assert redis_cache.get(key) is None, name  # the holder ran and released it
