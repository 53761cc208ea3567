"""Regression tests for the defects an independent review found in the approvals engine."""

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.db.utils import InternalError
from django.urls import reverse
from django.utils import timezone

from approvals import services
from approvals.exceptions import ApprovalError, RouteUnresolved, StaleAction
from approvals.models import Action, Case, Delegation, Notification, Policy, PolicyStep, RouteStep, StepAssignee, StepKind
from approvals.permissions import visible_cases
from approvals.selectors import pending_for
from approvals.trail import verify_chain
from org.models import Role, User

from .conftest import holders

pytestmark = pytest.mark.django_db


def test_a_route_held_only_by_the_applicant_is_refused_not_approved_by_nobody(office, catalogue):
    matter = catalogue["HQ-ZCLY"]
    tier = Policy.objects.create(name="只有部门负责人", matter=matter, min_amount=0)
    PolicyStep.objects.create(policy=tier, order=1, kind=StepKind.UNIT_HEAD)
    case = services.case_create(matter=matter, applicant=office.head, title="领用电脑")
    with pytest.raises(RouteUnresolved):
        services.case_submit(case=case, actor=office.head)
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT
    assert Notification.objects.filter(user=office.admin, case=case).exists()


def test_transition_locks_only_the_case_row(office, make_case):
    from django.test.utils import CaptureQueriesContext

    case = make_case("500")
    with CaptureQueriesContext(connection) as ctx:
        services.case_approve(case=case, actor=office.head)
    locking = [q["sql"] for q in ctx.captured_queries if "FOR UPDATE" in q["sql"]]
    assert any('FOR UPDATE OF "approvals_case"' in sql for sql in locking)
    # every lock names its own table only: no accidental locks on joined rows
    assert all(" FOR UPDATE OF " in sql for sql in locking), [sql[-80:] for sql in locking]


@pytest.fixture
def plain_stages():
    """Two stage sections with nothing to fill in (s1, s2), registered for the test only."""
    from approvals import registry

    made = [registry.register(type(f"Plain{k}", (registry.CaseSection,), {"key": k, "label": k})()) for k in ("s1", "s2")]
    yield made
    for section in made:
        registry._SECTIONS.pop(section.key, None)


def test_header_cannot_change_after_the_first_stage(office, catalogue, plain_stages):
    from approvals.models import Matter

    matter = catalogue["CW-SQSP"]
    Matter.objects.filter(pk=matter.pk).update(stages=["s1", "s2"])  # two stages with nothing to fill in
    matter.refresh_from_db()
    case = services.case_create(matter=matter, applicant=office.clerk, title="两阶段", amount="5000")
    services.case_submit(case=case, actor=office.clerk)
    for actor in (office.head, office.finance_reviewer, office.leader):
        services.case_approve(case=case, actor=actor)
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT and case.stage == 1
    with pytest.raises(ApprovalError):
        services.case_update(case=case, actor=office.clerk, title="两阶段", amount="900000")
    case.refresh_from_db()
    assert case.amount == 5000


def test_stages_are_fixed_when_the_case_is_filed(office, catalogue, plain_stages):
    from approvals.models import Matter

    matter = catalogue["CW-SQSP"]
    Matter.objects.filter(pk=matter.pk).update(stages=["s1", "s2"])
    matter.refresh_from_db()
    case = services.case_create(matter=matter, applicant=office.clerk, title="阶段固定", amount="500")
    Matter.objects.filter(pk=matter.pk).update(stages=["s1"])
    case.refresh_from_db()
    assert case.stage_list == ["s1", "s2"]


def test_a_page_from_an_earlier_round_is_stale(office, make_case):
    second_head = User.objects.create(username="gfb_head2", unit=office.unit, roles=[Role.UNIT_HEAD])
    case = make_case("800")
    seen = (case.current_step_id, case.round)
    services.case_return(case=case, actor=second_head, comment="金额再核实")
    services.case_update(case=case, actor=office.clerk, title=case.title, amount="9999")
    services.case_resubmit(case=case, actor=office.clerk)
    with pytest.raises(StaleAction):
        services.case_approve(case=case, actor=office.head, step_id=seen[0], round_=seen[1])
    done, failed = services.batch_approve(cases=[case], actor=office.head, seen={case.pk: seen})
    assert done == [] and len(failed) == 1


def test_a_decided_opinion_cannot_be_changed_even_by_raw_sql(office, make_case):
    case = make_case("500")
    services.case_approve(case=case, actor=office.head, comment="同意")
    row = StepAssignee.objects.get(step__case=case, decision="approved")
    with pytest.raises(InternalError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE approvals_stepassignee SET decision = 'rejected' WHERE id = %s", [row.pk])
    assert StepAssignee.objects.get(pk=row.pk).decision == "approved"


def test_duplicate_step_orders_are_refused_in_admin(client, office, catalogue):
    client.force_login(office.admin)
    data = {
        "name": "重复顺序", "matter": catalogue["HQ-CLSY"].pk, "category": "", "min_amount": "0",
        "on_unresolved": "refuse", "is_active": "on",
        "steps-TOTAL_FORMS": "2", "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "1", "steps-MAX_NUM_FORMS": "1000",
    }
    for i, kind in enumerate(["unit_head", "leader"]):
        data.update({f"steps-{i}-order": "1", f"steps-{i}-name": "", f"steps-{i}-kind": kind, f"steps-{i}-role": "",
                     f"steps-{i}-mode": "single", f"steps-{i}-time_limit_hours": "8"})
    r = client.post(reverse("admin:approvals_policy_add"), data)
    assert r.status_code == 200 and "有两个步骤的顺序相同" in r.content.decode()
    assert not Policy.objects.filter(matter=catalogue["HQ-CLSY"]).exists()


def test_handing_back_reopens_the_earlier_holder(office, make_case):
    case = make_case("500")
    other = office.heads["dzb"]
    services.case_handover(case=case, actor=office.head, to_user=other)
    services.case_handover(case=case, actor=other, to_user=office.head)
    assert [u.pk for u in holders(case)] == [office.head.pk]
    services.case_approve(case=case, actor=office.head)
    case.refresh_from_db()
    assert case.current_step.kind == "finance_review"


def test_an_applicant_who_stands_in_cannot_act_on_their_own_form(office, make_case):
    today = timezone.localdate()
    Delegation.objects.create(principal=office.head, deputy=office.clerk, start=today, end=today)
    case = make_case("500")
    assert not pending_for(office.clerk).filter(pk=case.pk).exists()
    for fn, extra in (
        (services.case_handover, {"to_user": office.clerk2}),
        (services.case_reject, {"comment": "x"}),
        (services.case_return, {"comment": "x"}),
        (services.case_add_approver, {"user": office.clerk2}),
    ):
        with pytest.raises(ApprovalError):
            fn(case=case, actor=office.clerk, **extra)
    assert holders(case)[0].pk == office.head.pk


def test_category_limited_stand_in_sees_only_that_category(office, make_case):
    today = timezone.localdate()
    Delegation.objects.create(principal=office.head, deputy=office.community_clerk, start=today, end=today, category="RS")
    case = make_case("500")  # a CW case waiting for the head
    assert not visible_cases(office.community_clerk).filter(pk=case.pk).exists()


def test_only_applicant_and_approvers_may_copy(office, make_case):
    case = make_case("500")
    services.case_copy(case=case, actor=office.clerk, users=[office.clerk2])
    with pytest.raises(ApprovalError):
        services.case_copy(case=case, actor=office.clerk2, users=[office.community_clerk])
    with pytest.raises(ApprovalError):
        services.case_copy(case=case, actor=office.supervisor, users=[office.community_clerk])
    assert not visible_cases(office.community_clerk).filter(pk=case.pk).exists()
    # copying twice tells nobody twice
    before = Notification.objects.filter(user=office.clerk2).count()
    assert services.case_copy(case=case, actor=office.clerk, users=[office.clerk2]) == 0
    assert Notification.objects.filter(user=office.clerk2).count() == before


def test_reactivated_step_is_not_urged_at_once(office, make_case):
    case = make_case("500")
    services.case_approve(case=case, actor=office.head)
    RouteStep.objects.filter(pk=Case.objects.get(pk=case.pk).current_step_id).update(
        activated_at=timezone.now() - datetime.timedelta(days=5)
    )
    assert services.urge_overdue_steps() == 1
    services.case_return(case=case, actor=office.finance_reviewer, comment="补充")
    services.case_resubmit(case=case, actor=office.clerk)
    assert services.urge_overdue_steps() == 0


def test_resubmit_into_an_unroutable_tier_tells_the_admin(office, make_case):
    case = make_case("5000")
    services.case_return(case=case, actor=office.head, comment="改金额")
    services.case_update(case=case, actor=office.clerk, title=case.title, amount="60000")
    User.objects.filter(roles__contains=[Role.PRINCIPAL]).update(is_active=False)
    with pytest.raises(RouteUnresolved):
        services.case_resubmit(case=case, actor=office.clerk)
    assert Notification.objects.filter(user=office.admin, case=case).exists()


@pytest.mark.parametrize("query", ["older_than_days=99999999", "min_amount=Infinity", "max_amount=NaN", "min_amount=1e400"])
def test_crafted_inbox_filters_do_not_crash(client, office, make_case, query):
    make_case("500")
    client.force_login(office.head)
    assert client.get(reverse("approvals:inbox") + "?" + query).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_approve_with_minutes_and_a_comment_at_once_do_not_deadlock(office, make_case):
    case = make_case("350000")
    for actor in (office.head, office.finance_reviewer, office.leader, office.finance_leader, office.principal):
        services.case_approve(case=case, actor=actor)
    minutes = {"original_name": "纪要.pdf", "extension": ".pdf", "content_type": "application/pdf", "size": 10,
               "sha256": "2" * 64, "file": "cases/22/m.pdf"}
    results = []
    barrier = threading.Barrier(2)

    def run(fn):
        try:
            barrier.wait()
            fn()
            results.append("ok")
        except Exception as exc:  # a deadlock would surface here
            results.append(repr(exc))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(lambda: services.case_approve(
            case=case, actor=office.principal, meeting_date=datetime.date.today(), meeting_name="党工委会议", minutes=minutes),)),
        threading.Thread(target=run, args=(lambda: services.case_comment(case=case, actor=office.clerk, comment="请尽快"),)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == ["ok", "ok"], results
    assert verify_chain()[1] is None
