"""Number sequences (core.sequences): one row per series and year, taken FOR UPDATE, so numbers
issued at once are distinct and consecutive, and a rolled-back number is issued again."""

import threading

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from core.models import Sequence
from core.sequences import next_number

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_threads_get_twenty_distinct_consecutive_numbers():
    n = 20
    barrier = threading.Barrier(n)
    got, errors = [], []

    def worker():
        try:
            barrier.wait()
            with transaction.atomic():
                got.append(next_number("case:CW", 2026))
        except Exception as exc:  # surfaced to the test
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert sorted(got) == list(range(1, n + 1))
    assert Sequence.objects.get(key="case:CW", year=2026).last == n
    assert Sequence.objects.filter(key="case:CW").count() == 1


def test_series_and_years_count_apart_and_a_rolled_back_number_is_issued_again():
    assert [next_number("contract", 2026) for _ in range(3)] == [1, 2, 3]
    assert next_number("contract", 2027) == 1 and next_number("case:CG", 2026) == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_number("contract", 2026) == 4
        raise RuntimeError("the case was not saved")
    assert next_number("contract", 2026) == 4  # no gap


def test_the_migration_carries_the_old_counters_over():
    executor = MigrationExecutor(connection)
    before = [("approvals", "0008_action_kind_pay"), ("contracts", "0004_contract_payments_into_payments")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    old.get_model("approvals", "CaseSequence").objects.create(year=2026, category="CW", last=41)
    old.get_model("contracts", "ContractSequence").objects.create(year=2026, last=7)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # forward again to the latest of every app
    assert next_number("case:CW", 2026) == 42
    assert next_number("contract", 2026) == 8
