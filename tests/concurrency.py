"""Run jobs in threads released together, each with its own database connection (tests marked
``django_db(transaction=True)``): the helper of the concurrency tests."""

from __future__ import annotations

import threading

from django.db import connection


def race(*jobs):
    """Run the jobs in threads released together; return (results, errors)."""
    barrier = threading.Barrier(len(jobs))
    results, errors = [None] * len(jobs), [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait(timeout=10)
            results[i] = job()
        except Exception as exc:  # collected and asserted on below
            errors[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors
