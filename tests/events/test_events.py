import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction

from core import events
from org.models import Unit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def seen():
    got = []
    events.subscribe("payment.paid", key="test.listener", fn=lambda e: got.append(e.payload))
    yield got
    events.unsubscribe("payment.paid", key="test.listener")


def test_event_is_delivered_after_commit_only(seen):
    with transaction.atomic():
        events.emit("payment.paid", payment_id=1)
        assert seen == []
    assert seen == [{"payment_id": 1}]


def test_rolled_back_write_emits_nothing(seen):
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            events.emit("payment.paid", payment_id=2)
            raise RuntimeError
    assert seen == []


def test_second_delivery_is_a_no_op(seen):
    event = events.emit("payment.paid", payment_id=3)
    events.deliver(event)
    assert seen == [{"payment_id": 3}]


def test_listener_failure_keeps_business_write_and_is_retried():
    calls = []

    def flaky(event):
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("boom")

    events.subscribe("case.approved", key="test.flaky", fn=flaky)
    try:
        with transaction.atomic():
            Unit.objects.create(name="事件测试科", code="EVT")
            events.emit("case.approved", case_id=1)
    finally:
        events.unsubscribe("case.approved", key="test.flaky")
    assert Unit.objects.filter(code="EVT").exists()
    assert len(calls) == 2


def test_unknown_event_is_refused():
    with pytest.raises(events.UnknownEvent):
        events.emit("no.such.event")



def test_each_listener_gets_a_delivery_row_in_the_business_transaction(seen):
    from core.models import EventDelivery

    with transaction.atomic():
        event = events.emit("payment.paid", payment_id=4)
        row = EventDelivery.objects.get(event_id=event.id, listener="test.listener")
        assert (row.listener, row.status) == ("test.listener", EventDelivery.Status.PENDING)
    row.refresh_from_db()
    assert row.status == EventDelivery.Status.DONE and row.attempts == 1 and row.delivered_at


def test_a_delivery_left_pending_by_a_dead_process_is_delivered_by_beat(seen):
    from core import tasks
    from core.models import EventDelivery

    # the business transaction committed its delivery row, then the process died before on_commit ran
    row = EventDelivery.objects.create(event_id="6f1c0a52-5f7e-4e43-9b5e-0a5b3c1d2e3f", name="payment.paid",
                                       payload={"payment_id": 5}, listener="test.listener")
    EventDelivery.objects.filter(pk=row.pk).update(created_at=row.created_at - dt.timedelta(minutes=5))
    assert tasks.deliver_events.delay().get() == 1
    row.refresh_from_db()
    assert row.status == EventDelivery.Status.DONE
    assert seen == [{"payment_id": 5}]
    assert events.deliver_pending(older_than_seconds=0) == 0  # nothing twice
    assert seen == [{"payment_id": 5}]


def test_two_processes_delivering_at_once_handle_the_event_once():
    from core.models import EventDelivery

    calls = []
    gate = threading.Barrier(2)

    def slow(event):
        calls.append(event.payload)
        Unit.objects.create(name=f"事件{len(calls)}", code=f"EV{len(calls)}")
        time.sleep(0.3)

    events.subscribe("contract.signed", key="test.slow", fn=slow)
    try:
        row = EventDelivery.objects.create(event_id="0b8f4c2e-1d3a-4c5b-8e6f-7a9b0c1d2e3f", name="contract.signed",
                                           payload={"contract_id": 9}, listener="test.slow")

        def worker():
            gate.wait()
            events.deliver_pending(older_than_seconds=0)
            connection.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        events.unsubscribe("contract.signed", key="test.slow")
    row.refresh_from_db()
    assert row.status == EventDelivery.Status.DONE and row.attempts == 1
    assert calls == [{"contract_id": 9}] and Unit.objects.filter(code__startswith="EV").count() == 1


def test_a_listener_failing_every_time_is_marked_failed_and_its_writes_undone():
    from core.models import EventDelivery

    def broken(event):
        Unit.objects.create(name="半截写入", code="HALF")
        raise ValueError("ledger closed")

    events.subscribe("acceptance.confirmed", key="test.broken", fn=broken)
    try:
        with transaction.atomic():
            Unit.objects.create(name="验收科", code="ACC")
            event = events.emit("acceptance.confirmed", acceptance_id=1)
    finally:
        events.unsubscribe("acceptance.confirmed", key="test.broken")
    row = EventDelivery.objects.get(event_id=event.id, listener="test.broken")
    assert row.status == EventDelivery.Status.FAILED and row.attempts == events.RETRIES
    assert "ledger closed" in row.last_error
    assert Unit.objects.filter(code="ACC").exists() and not Unit.objects.filter(code="HALF").exists()
