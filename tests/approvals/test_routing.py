"""Tiered delegated routing: the chain follows the amount, resolves roles to people at
submission, never routes a form to its applicant, auto-passes the same approver twice."""

from decimal import Decimal

import pytest

from approvals import services
from approvals.exceptions import ApprovalError, RouteUnresolved
from approvals.models import Action, Case, Notification, Policy, PolicyStep, RouteStep, StepKind
from org.models import Role, User

from .conftest import approve_all, holders

pytestmark = pytest.mark.django_db


def kinds(case):
    return list(
        RouteStep.objects.filter(case=case, version=case.route_version).order_by("order").values_list("kind", flat=True)
    )


@pytest.mark.parametrize(
    "amount, expected",
    [
        ("9999.99", ["unit_head", "finance_review", "leader"]),
        ("10000.00", ["unit_head", "finance_review", "leader", "finance_leader"]),
        ("49999.99", ["unit_head", "finance_review", "leader", "finance_leader"]),
        ("50000.00", ["unit_head", "finance_review", "leader", "finance_leader", "principal"]),
        ("300000.00", ["unit_head", "finance_review", "leader", "finance_leader", "principal", "collective"]),
    ],
)
def test_route_follows_the_amount_tier(make_case, amount, expected):
    case = make_case(amount)
    assert kinds(case) == expected
    assert case.status == Case.Status.IN_PROGRESS
    assert case.current_step.kind == "unit_head"


def test_steps_resolve_to_people_of_the_applicants_unit(office, make_case):
    case = make_case("20000")
    steps = {s.kind: s for s in RouteStep.objects.filter(case=case)}
    names = lambda s: {a.user.username for a in s.assignees.all()}  # noqa: E731
    assert names(steps["unit_head"]) == {"gfb_head"}
    assert names(steps["finance_review"]) == {"caiwu"}
    assert names(steps["leader"]) == {office.leader.username}
    assert names(steps["finance_leader"]) == {office.finance_leader.username}


def test_full_chain_approves_and_finishes(make_case):
    case = approve_all(make_case("12000"))
    assert case.status == Case.Status.APPROVED
    assert case.finished_at is not None
    assert Action.objects.filter(case=case, kind=Action.Kind.FINISH).count() == 1


def test_nobody_approves_their_own_form(office, make_case):
    case = make_case("500", applicant=office.clerk)
    # the applicant is not the holder; even if they try, they are refused
    with pytest.raises(ApprovalError):
        services.case_approve(case=case, actor=office.clerk)
    assert all(u.pk != office.clerk.pk for s in RouteStep.objects.filter(case=case) for u in [a.user for a in s.assignees.all()])


def test_unit_head_applicant_skips_own_step_with_a_record(office, make_case):
    case = make_case("500", applicant=office.head)
    first = RouteStep.objects.get(case=case, kind="unit_head")
    assert first.status == RouteStep.Status.CANCELLED
    assert not first.assignees.exists()
    assert case.current_step.kind == "finance_review"
    assert Action.objects.filter(case=case, kind=Action.Kind.AUTO_PASS, step=first).exists()


def test_same_person_twice_in_a_row_is_auto_passed(office, make_case):
    # 财政办's leader in charge is also the leader in charge of finance
    czb_clerk = User.objects.create(username="czb_clerk", unit=office.units["czb"], roles=[Role.CLERK])
    case = make_case("20000", applicant=czb_clerk)
    services.case_approve(case=case, actor=office.heads["czb"])
    services.case_approve(case=case, actor=office.finance_reviewer)
    services.case_approve(case=case, actor=office.finance_leader, comment="同意")
    case.refresh_from_db()
    fin = RouteStep.objects.get(case=case, kind="finance_leader")
    assert fin.status == RouteStep.Status.AUTO_PASSED
    assert case.status == Case.Status.APPROVED
    assert Action.objects.filter(case=case, kind=Action.Kind.AUTO_PASS, step=fin).count() == 1


def test_step_resolving_to_nobody_is_refused_and_admin_told(office, make_case, spend):
    office.unit.leader_in_charge = None
    office.unit.save()
    case = make_case("500", submit=False)
    with pytest.raises(RouteUnresolved) as exc:
        services.case_submit(case=case, actor=office.clerk)
    assert "分管领导" in str(exc.value) or "Leader in charge" in str(exc.value)
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT
    assert not RouteStep.objects.filter(case=case).exists()
    assert Notification.objects.filter(user=office.admin, text__contains=case.number).exists()


def test_unresolved_step_can_go_to_administrators_by_policy(office, make_case):
    Policy.objects.filter(matter__isnull=True, category="").update(on_unresolved=Policy.Unresolved.ADMIN)
    office.unit.leader_in_charge = None
    office.unit.save()
    case = make_case("500")
    leader_step = RouteStep.objects.get(case=case, kind="leader")
    assert {a.user_id for a in leader_step.assignees.all()} == {office.admin.pk}


def test_policy_change_never_rewires_a_case_in_flight(office, make_case):
    case = make_case("5000")
    before = kinds(case)
    tier = Policy.objects.get(matter__isnull=True, category="", stage="", min_amount=0)
    PolicyStep.objects.create(policy=tier, order=9, kind=StepKind.PRINCIPAL)
    approve_all(case)
    assert kinds(case) == before
    later = make_case("5000")
    assert kinds(later) == before + ["principal"]


def test_countersign_needs_every_holder(office, make_case):
    second = User.objects.create(username="caiwu_b", unit=office.units["czb"], roles=[Role.FINANCE_REVIEWER])
    tier = Policy.objects.get(matter__isnull=True, category="", stage="", min_amount=0)
    tier.steps.filter(kind=StepKind.FINANCE_REVIEW).update(mode="all")
    case = make_case("500")
    services.case_approve(case=case, actor=office.head)
    services.case_approve(case=case, actor=office.finance_reviewer)
    case.refresh_from_db()
    assert case.current_step.kind == "finance_review"  # still waiting for the second
    services.case_approve(case=case, actor=second)
    case.refresh_from_db()
    assert case.current_step.kind == "leader"


def test_any_one_of_several_is_enough(office, make_case):
    User.objects.create(username="caiwu_c", unit=office.units["czb"], roles=[Role.FINANCE_REVIEWER])
    case = make_case("500")
    services.case_approve(case=case, actor=office.head)
    assert len(holders(case)) == 2
    services.case_approve(case=case, actor=office.finance_reviewer)
    case.refresh_from_db()
    assert case.current_step.kind == "leader"


def test_category_policy_routes_documents_through_functional_department(office, catalogue):
    case = services.case_create(matter=catalogue["BW-FW"], applicant=office.clerk, title="关于开展安全检查的通知")

    with pytest.raises(ApprovalError):
        services.case_submit(case=case, actor=office.clerk)  # 文稿 missing
    from django.core.files.base import ContentFile

    from documents.models import Document as Att

    att = Att(owner=case, kind="文稿", original_name="通知.pdf", extension=".pdf", size=10, content_type="application/pdf",
              sha256="0" * 64, uploaded_by=office.clerk)
    att.file.save("x.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    services.case_submit(case=case, actor=office.clerk)
    case.refresh_from_db()
    assert kinds(case) == ["unit_head", "functional", "leader"]
    functional = RouteStep.objects.get(case=case, kind="functional")
    assert {a.user.username for a in functional.assignees.all()} == {"dzb_head"}


def test_amount_tiers_use_decimal_boundaries_exactly(make_case):
    assert len(kinds(make_case(Decimal("9999.99")))) == 3
    assert len(kinds(make_case(Decimal("10000.00")))) == 4


def test_collective_step_records_the_meeting_with_minutes(office, make_case):
    import datetime

    from documents.models import Document

    case = make_case("350000")
    for actor in (office.head, office.finance_reviewer, office.leader, office.finance_leader):
        services.case_approve(case=case, actor=actor)
    services.case_approve(case=case, actor=office.principal)  # principal step
    case.refresh_from_db()
    assert case.current_step.kind == "collective"
    # never auto-passed, even though the principal just approved the previous step
    assert case.current_step.status == RouteStep.Status.ACTIVE
    today = datetime.date.today()
    minutes = {"original_name": "纪要.pdf", "extension": ".pdf", "content_type": "application/pdf", "size": 10,
               "sha256": "1" * 64, "file": "cases/11/minutes.pdf"}
    with pytest.raises(ApprovalError):  # no minutes with the decision
        services.case_approve(case=case, actor=office.principal, meeting_date=today, meeting_name="党工委会议")
    with pytest.raises(ApprovalError):  # no meeting date/name
        services.case_approve(case=case, actor=office.principal, minutes=minutes)
    with pytest.raises(ApprovalError):  # a meeting in the future
        services.case_approve(case=case, actor=office.principal, meeting_date=today + datetime.timedelta(days=2),
                              meeting_name="党工委会议", minutes=minutes)
    assert not Document.objects.filter(case=case).exists()
    services.case_approve(case=case, actor=office.principal, meeting_date=today, meeting_name="党工委会议", minutes=minutes)
    case.refresh_from_db()
    step = RouteStep.objects.get(case=case, kind="collective")
    assert case.status == Case.Status.APPROVED
    assert step.meeting_name == "党工委会议" and step.meeting_date == today
    assert Document.objects.get(case=case).kind == "会议纪要"
    assert Action.objects.filter(case=case, kind="attach", comment__contains="sha256=" + "1" * 64).exists()
