"""Celery reminders: contracts ending and milestones falling due within 30 days, each sent
once however often the scan runs."""

from __future__ import annotations

import datetime as dt

from approvals.models import Notification
from contracts import services
from contracts.models import Contract, PaymentTerm, Reminder
from contracts.tasks import send_reminders


def test_milestone_due_and_contract_ending_are_reminded_once(flow, office):
    _case, contract = flow.full_contract()
    # the acceptance milestone falls due in 20 days (conftest); the contract ends in 25
    Contract.objects.filter(pk=contract.pk).update(end_date=flow.today + dt.timedelta(days=25))
    before = Notification.objects.filter(user=office.clerk).count()
    sent = send_reminders.delay().get()
    assert sent == 2
    texts = list(Notification.objects.filter(user=office.clerk).order_by("-id").values_list("text", flat=True)[:2])
    assert any(contract.number in t for t in texts)
    assert Notification.objects.filter(user=office.head, text__contains=contract.number).count() == 2
    assert send_reminders.delay().get() == 0  # idempotent
    assert Notification.objects.filter(user=office.clerk).count() == before + 2
    assert Reminder.objects.filter(contract=contract).count() == 2


def test_paid_milestones_and_far_dates_are_not_reminded(flow):
    _case, contract = flow.full_contract()
    PaymentTerm.objects.filter(contract=contract).update(due_date=flow.today + dt.timedelta(days=45))
    advance = contract.terms.get(kind="advance")
    PaymentTerm.objects.filter(pk=advance.pk).update(due_date=flow.today + dt.timedelta(days=5))
    flow.pay(flow.payment_case(contract, "22800.00", term=advance))
    assert services.reminders_send() == 0


def test_a_changed_due_date_is_reminded_again(flow):
    _case, contract = flow.full_contract()
    assert services.reminders_send() == 1
    PaymentTerm.objects.filter(contract=contract, kind="acceptance").update(due_date=flow.today + dt.timedelta(days=10))
    assert services.reminders_send() == 1
    assert services.reminders_send(today=flow.today + dt.timedelta(days=40)) == 0
