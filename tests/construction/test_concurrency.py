"""The project row lock: two change orders submitted at the same moment, each within the room
left under the 概算 alone but not together: one is routed, the other refused (ENG-03)."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections

from approvals import services as approval_services
from approvals.exceptions import ApprovalError
from construction.models import ChangeOrder


@pytest.mark.django_db(transaction=True)
def test_two_changes_cannot_together_exceed_the_budget(works):
    p, c = works.building(estimate="1300000.00", construction="1200000.00", supervision="30000.00")  # room 70,000
    first = works.change(p, "40000.00", submit=False)
    second = works.change(p, "40000.00", submit=False)
    for ch in (first, second):
        works.flow.attach_required(ch.case)
    barrier = threading.Barrier(2)
    outcomes = []

    def submit(change):
        try:
            barrier.wait()
            approval_services.case_submit(case=change.case, actor=works.o.clerk)
            outcomes.append("ok")
        except ApprovalError as exc:
            outcomes.append(str(exc))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=submit, args=(ch,)) for ch in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert outcomes.count("ok") == 1 and any("ENG-03" in o for o in outcomes), outcomes
    assert ChangeOrder.objects.filter(project=p, status=ChangeOrder.Status.IN_APPROVAL).count() == 1
