"""Return and resubmit, reject, withdraw, comment, urge, copy, delegation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from approvals import services
from approvals.exceptions import ApprovalError, StaleAction
from approvals.models import Action, Case, Delegation, Matter, Notification, RouteStep
from approvals.permissions import visible_cases
from approvals.selectors import pending_for

from .conftest import approve_all, holders

pytestmark = pytest.mark.django_db


def test_return_sends_form_back_to_applicant_with_reason(office, make_case):
    case = make_case("500")
    services.case_approve(case=case, actor=office.head)
    services.case_return(case=case, actor=office.finance_reviewer, comment="请补充发票。")
    case.refresh_from_db()
    assert case.status == Case.Status.RETURNED
    assert case.return_reason == "请补充发票。"
    assert holders(case) == []
    assert Notification.objects.filter(user=office.clerk, text__contains="请补充发票").exists()


def test_return_and_reject_need_a_reason(office, make_case):
    case = make_case("500")
    for fn in (services.case_return, services.case_reject):
        with pytest.raises(ApprovalError):
            fn(case=case, actor=office.head, comment="  ")
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS
    assert not Action.objects.filter(case=case, kind__in=["return", "reject"]).exists()


def test_resubmit_goes_back_to_the_step_that_returned_it(office, make_case):
    case = make_case("500")
    services.case_approve(case=case, actor=office.head)
    services.case_return(case=case, actor=office.finance_reviewer, comment="金额有误")
    services.case_update(case=case, actor=office.clerk, title=case.title, reason="已更正", amount="450")
    services.case_resubmit(case=case, actor=office.clerk, comment="已更正金额")
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS
    assert case.current_step.kind == "finance_review"
    head_step = RouteStep.objects.get(case=case, kind="unit_head")
    assert head_step.status == RouteStep.Status.APPROVED
    assert approve_all(case).status == Case.Status.APPROVED


def test_resubmit_from_start_when_the_matter_says_so(office, make_case, spend):
    spend.resubmit_mode = Matter.Resubmit.FROM_START
    spend.save()
    case = make_case("500")
    services.case_approve(case=case, actor=office.head)
    services.case_return(case=case, actor=office.finance_reviewer, comment="重新报批")
    services.case_resubmit(case=case, actor=office.clerk)
    case.refresh_from_db()
    assert case.current_step.kind == "unit_head"


def test_resubmit_into_another_tier_rebuilds_the_route(office, make_case):
    case = make_case("5000")
    services.case_return(case=case, actor=office.head, comment="金额应含安装费")
    services.case_update(case=case, actor=office.clerk, title=case.title, amount="60000")
    services.case_resubmit(case=case, actor=office.clerk)
    case.refresh_from_db()
    current = RouteStep.objects.filter(case=case, version=case.route_version)
    assert "principal" in current.values_list("kind", flat=True)
    assert case.current_step.kind == "unit_head"


def test_reject_ends_the_case(office, make_case):
    case = make_case("500")
    services.case_reject(case=case, actor=office.head, comment="不符合规定")
    case.refresh_from_db()
    assert case.status == Case.Status.REJECTED
    assert not RouteStep.objects.filter(case=case, status__in=["pending", "active"]).exists()
    with pytest.raises(StaleAction):
        services.case_approve(case=case, actor=office.finance_reviewer)


def test_withdraw_before_the_first_decision(office, make_case):
    case = make_case("500")
    services.case_withdraw(case=case, actor=office.clerk)
    case.refresh_from_db()
    assert case.status == Case.Status.WITHDRAWN
    assert pending_for(office.head).count() == 0


def test_withdraw_refused_after_a_decision(office, make_case):
    case = make_case("500")
    services.case_approve(case=case, actor=office.head)
    with pytest.raises(ApprovalError):
        services.case_withdraw(case=case, actor=office.clerk)
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS


def test_only_the_applicant_submits_and_withdraws(office, make_case):
    case = make_case("500", submit=False)
    with pytest.raises(ApprovalError):
        services.case_submit(case=case, actor=office.clerk2)
    with pytest.raises(ApprovalError):
        services.case_withdraw(case=case, actor=office.clerk2)


def test_second_submit_is_refused(office, make_case):
    case = make_case("500")
    with pytest.raises(StaleAction):
        services.case_submit(case=case, actor=office.clerk)
    assert Action.objects.filter(case=case, kind="submit").count() == 1


def test_urge_reminds_the_holder_and_is_rate_limited(office, make_case):
    case = make_case("500")
    before = Notification.objects.filter(user=office.head).count()
    services.case_urge(case=case, actor=office.clerk)
    assert Notification.objects.filter(user=office.head).count() == before + 1
    with pytest.raises(ApprovalError):
        services.case_urge(case=case, actor=office.clerk)
    assert Action.objects.filter(case=case, kind="urge").count() == 1


def test_overdue_steps_are_urged_automatically_in_working_hours(office, make_case):
    case = make_case("500")
    step = case.current_step
    # activated two working days ago
    RouteStep.objects.filter(pk=step.pk).update(activated_at=timezone.now() - timedelta(days=4))
    assert services.urge_overdue_steps() == 1
    assert services.urge_overdue_steps() == 0  # idempotent: just urged
    urge = Action.objects.get(case=case, kind="urge")
    assert urge.actor is None


def test_comment_is_recorded(office, make_case):
    # a reader who may write (the supervisor changes nothing: tests/security/test_supervisor_writes.py)
    case = make_case("500")
    services.case_comment(case=case, actor=office.finance_reviewer, comment="请注意支出标准")
    assert Action.objects.filter(case=case, kind="comment", actor=office.finance_reviewer).exists()
    with pytest.raises(ApprovalError):
        services.case_comment(case=case, actor=office.finance_reviewer, comment="   ")


def test_copy_lets_the_person_read_the_case(office, make_case):
    case = make_case("500")
    outsider = office.community_clerk
    assert not visible_cases(outsider).filter(pk=case.pk).exists()
    services.case_copy(case=case, actor=office.clerk, users=[outsider])
    assert visible_cases(outsider).filter(pk=case.pk).exists()
    assert Notification.objects.filter(user=outsider, case=case).exists()


def test_delegate_decides_on_behalf_of_leader(office, make_case):
    today = timezone.localdate()
    Delegation.objects.create(principal=office.leader, deputy=office.principal, start=today, end=today + timedelta(days=3))
    case = make_case("500")
    services.case_approve(case=case, actor=office.head)
    services.case_approve(case=case, actor=office.finance_reviewer)
    assert pending_for(office.principal).filter(pk=case.pk).exists()
    services.case_approve(case=case, actor=office.principal, comment="同意（代）")
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED
    act = Action.objects.get(case=case, kind="approve", actor=office.principal)
    assert act.on_behalf_of == office.leader


def test_delegation_outside_its_dates_or_scope_gives_nothing(office, make_case):
    today = timezone.localdate()
    Delegation.objects.create(principal=office.leader, deputy=office.principal, start=today - timedelta(days=9), end=today - timedelta(days=1))
    Delegation.objects.create(principal=office.leader, deputy=office.supervisor, start=today, end=today, category="RS")
    case = make_case("500")
    services.case_approve(case=case, actor=office.head)
    services.case_approve(case=case, actor=office.finance_reviewer)
    for person in (office.principal, office.supervisor):
        assert not pending_for(person).filter(pk=case.pk).exists()
        with pytest.raises(StaleAction):
            services.case_approve(case=case, actor=person)


def test_batch_approve_only_low_risk_items(office, make_case, catalogue):
    low = catalogue["CW-BGYP"]
    a = make_case("300", matter=low)
    b = make_case("300")  # not low risk
    done, failed = services.batch_approve(cases=[a, b], actor=office.head, comment="同意。")
    assert [c.pk for c in done] == [a.pk]
    assert [c.pk for c, _ in failed] == [b.pk]
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.current_step.kind == "finance_review"
    assert b.current_step.kind == "unit_head"


def test_notices_are_mailed_when_a_mail_server_is_configured(office, make_case, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.EMAIL_HOST = "smtp.office.example"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    office.head.email = "head@office.example"
    office.head.save()
    with django_capture_on_commit_callbacks(execute=True):
        make_case("500")
    assert [m.to for m in mailoutbox] == [["head@office.example"]]
    assert "待您审批" in mailoutbox[0].subject


def test_no_mail_server_means_in_app_notices_only(office, make_case, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.EMAIL_HOST = ""
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case("500")
    assert mailoutbox == []
    assert Notification.objects.filter(user=office.head, case=case).exists()


def test_handover_passes_the_step_to_another_person(office, make_case):
    case = make_case("500")
    services.case_handover(case=case, actor=office.head, to_user=office.heads["dzb"], comment="出差，请代为审核")
    assert [u.pk for u in holders(case)] == [office.heads["dzb"].pk]
    assert visible_cases(office.heads["dzb"]).filter(pk=case.pk).exists()
    services.case_approve(case=case, actor=office.heads["dzb"])
    case.refresh_from_db()
    assert case.current_step.kind == "finance_review"
    assert Action.objects.filter(case=case, kind="handover", actor=office.head).exists()
    with pytest.raises(ApprovalError):
        services.case_handover(case=case, actor=office.finance_reviewer, to_user=office.clerk)  # the applicant


def test_add_approver_inserts_a_step_after_the_current_one(office, make_case):
    case = make_case("500")
    services.case_add_approver(case=case, actor=office.head, user=office.heads["jsb"], comment="请建设办把关")
    orders = list(RouteStep.objects.filter(case=case).order_by("order").values_list("kind", flat=True))
    assert orders == ["unit_head", "added", "finance_review", "leader"]
    services.case_approve(case=case, actor=office.head)
    assert [u.pk for u in holders(case)] == [office.heads["jsb"].pk]
    services.case_approve(case=case, actor=office.heads["jsb"])
    assert holders(case)[0].pk == office.finance_reviewer.pk


def test_return_to_an_earlier_step(office, make_case):
    case = make_case("500")
    services.case_approve(case=case, actor=office.head)
    services.case_approve(case=case, actor=office.finance_reviewer)
    first = RouteStep.objects.get(case=case, kind="unit_head")
    with pytest.raises(ApprovalError):
        services.case_return_to_step(case=case, actor=office.leader, target_step_id=first.pk, comment="")
    services.case_return_to_step(case=case, actor=office.leader, target_step_id=first.pk, comment="请部门重新核实")
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS
    assert case.current_step_id == first.pk
    assert [u.pk for u in holders(case)] == [office.head.pk]
    approve_all(case)
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED
    assert Action.objects.filter(case=case, kind="approve", actor=office.finance_reviewer).count() == 2


def test_return_to_a_later_or_pending_step_is_refused(office, make_case):
    case = make_case("500")
    leader_step = RouteStep.objects.get(case=case, kind="leader")
    with pytest.raises(ApprovalError):
        services.case_return_to_step(case=case, actor=office.head, target_step_id=leader_step.pk, comment="x")
    case.refresh_from_db()
    assert case.current_step.kind == "unit_head"


def test_the_beat_task_urges_overdue_steps(office, make_case):
    from approvals.tasks import urge_overdue

    case = make_case("500")
    RouteStep.objects.filter(pk=case.current_step_id).update(activated_at=timezone.now() - timedelta(days=5))
    assert urge_overdue.delay().get() == 1
    assert Notification.objects.filter(user=office.head, text__contains="催办").exists()


def test_urging_counts_no_hours_in_a_holiday_week(office, make_case):
    """国庆节 2025 (1–8 Oct) is off: a step waiting from the evening of 30 Sep is not overdue
    on 8 Oct (six weekdays later), and is after one full working day on 9 Oct."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Shanghai")
    case = make_case("500")
    RouteStep.objects.filter(pk=case.current_step_id).update(
        activated_at=dt.datetime(2025, 9, 30, 17, 30, tzinfo=tz), time_limit_hours=7
    )
    assert services.urge_overdue_steps(now=dt.datetime(2025, 10, 8, 18, 0, tzinfo=tz)) == 0
    assert not Action.objects.filter(case=case, kind="urge").exists()
    assert services.urge_overdue_steps(now=dt.datetime(2025, 10, 9, 17, 0, tzinfo=tz)) == 0  # 6.5 hours
    assert services.urge_overdue_steps(now=dt.datetime(2025, 10, 9, 17, 30, tzinfo=tz)) == 1
    assert Action.objects.filter(case=case, kind="urge", actor=None).count() == 1
