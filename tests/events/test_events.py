import pytest
from django.db import transaction

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

