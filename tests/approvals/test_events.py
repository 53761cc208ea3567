"""approvals emits case.approved and case.returned; listeners receive them after commit."""

import pytest

from approvals import services
from core import events

from .conftest import approve_all

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def seen():
    got = []
    for name in ("case.approved", "case.returned"):
        events.subscribe(name, key="test.seen", fn=lambda e, got=got: got.append((e.name, e.payload["case_id"])))
    yield got
    for name in ("case.approved", "case.returned"):
        events.unsubscribe(name, key="test.seen")


def test_final_approval_emits_case_approved(office, make_case, seen):
    case = approve_all(make_case("500"))
    assert case.status == "approved"
    assert ("case.approved", case.pk) in seen


def test_return_emits_case_returned(office, make_case, seen):
    case = make_case("500")
    services.case_approve(case=case, actor=office.head)
    services.case_return(case=case, actor=office.finance_reviewer, comment="请补充发票。")
    assert seen == [("case.returned", case.pk)]
