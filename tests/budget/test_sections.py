"""The budget sections plugged into the one form, driven through the approvals services
(create, submit, approve, reject, return, resubmit, withdraw) on the seeded catalogue."""

from __future__ import annotations

from decimal import Decimal

import pytest

from approvals import demo as approvals_demo
from approvals import services as approvals
from approvals.exceptions import ApprovalError
from approvals.models import Action, Case, Matter
from budget import selectors
from budget.forms import BudgetAdjustmentForm, BudgetSectionForm
from budget.models import BudgetAdjustment, BudgetMovement, CaseBudget
from budget.sections import BudgetAdjustmentSection, BudgetSection

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def catalogue(office):
    approvals_demo.seed()
    return {m.code: m for m in Matter.objects.all()}


def holders(case):
    case.refresh_from_db()
    if not case.current_step_id:
        return []
    return [a.user for a in case.current_step.assignees.filter(round=case.round, decision="").select_related("user")]


def approve_all(case):
    for _ in range(20):
        people = holders(case)
        if not people:
            break
        approvals.case_approve(case=case, actor=people[0], comment="同意。")
    case.refresh_from_db()
    return case


@pytest.fixture
def spending(office, catalogue, lines):
    """Create a spending case through approvals and fill its budget section via the form."""

    def make(amount="3000.00", *, line=None, applicant=None):
        applicant = applicant or office.clerk
        case = approvals.case_create(matter=catalogue["CW-SQSP"], applicant=applicant, title="购置办公桌椅",
                                     reason="办公需要", amount=amount)
        form = BudgetSectionForm({"budget-line": str((line or lines.hard).pk)}, prefix="budget", case=case, user=applicant)
        assert form.is_valid(), form.errors
        BudgetSection().save(case, form, applicant)
        return case

    return make


def test_submission_reserves_and_approval_arranges(spending, lines, office):
    case = spending("3000.00")
    assert approvals.case_submit(case=case, actor=office.clerk) == []
    assert selectors.line_figures(lines.hard).in_approval == D("3000.00")
    case = approve_all(case)
    assert case.status == Case.Status.APPROVED
    f = selectors.line_figures(lines.hard)
    assert (f.in_approval, f.arranged, f.available) == (D("0.00"), D("3000.00"), D("7000.00"))
    assert CaseBudget.objects.get(case=case).state == CaseBudget.State.ARRANGED


def test_hard_line_refusal_leaves_the_form_a_draft_with_nothing_saved(spending, lines, office):
    case = spending("12000.00")
    with pytest.raises(ApprovalError) as exc:
        approvals.case_submit(case=case, actor=office.clerk)
    assert "¥10,000.00" in str(exc.value) and "¥12,000.00" in str(exc.value)
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT
    assert not BudgetMovement.objects.exists()
    assert not Action.objects.filter(case=case, kind=Action.Kind.SUBMIT).exists()


def test_warn_line_submission_goes_through_and_the_warning_is_on_the_trail(spending, lines, office):
    case = spending("6000.00", line=lines.warn)
    warnings = approvals.case_submit(case=case, actor=office.clerk)
    # the line's own warning, then the risk rules BUD-01 (over the line) and BUD-02 (120% used)
    assert len(warnings) == 3 and "¥5,000.00" in warnings[0] and "BUD-01" in warnings[1] and "BUD-02" in warnings[2]
    assert all(w in Action.objects.get(case=case, kind=Action.Kind.SUBMIT).comment for w in warnings)
    assert BudgetMovement.objects.get(case=case).warning == warnings[0]


def test_rejection_releases_the_reservation(spending, lines, office):
    case = spending("3000.00")
    approvals.case_submit(case=case, actor=office.clerk)
    approvals.case_reject(case=case, actor=holders(case)[0], comment="不符合规定。")
    assert selectors.line_figures(lines.hard).available == D("10000.00")
    assert CaseBudget.objects.get(case=case).state == CaseBudget.State.RELEASED


def test_return_keeps_the_reservation_and_withdrawal_releases_it(spending, lines, office):
    case = spending("3000.00")
    approvals.case_submit(case=case, actor=office.clerk)
    approvals.case_return(case=case, actor=holders(case)[0], comment="请补充材料。")
    assert selectors.line_figures(lines.hard).in_approval == D("3000.00")
    approvals.case_withdraw(case=case, actor=office.clerk)
    assert selectors.line_figures(lines.hard).in_approval == D("0.00")


def test_resubmission_with_a_reduced_amount_releases_the_difference(spending, lines, office):
    case = spending("3000.00")
    approvals.case_submit(case=case, actor=office.clerk)
    approvals.case_return(case=case, actor=holders(case)[0], comment="金额偏高。")
    case.refresh_from_db()
    approvals.case_update(case=case, actor=office.clerk, title=case.title, reason=case.reason, amount="2000.00")
    case.refresh_from_db()
    approvals.case_resubmit(case=case, actor=office.clerk)
    assert selectors.line_figures(lines.hard).in_approval == D("2000.00")
    kinds = list(BudgetMovement.objects.filter(case=case).order_by("id").values_list("kind", "amount"))
    assert kinds == [("reserve", D("3000.00")), ("release", D("-1000.00"))]


def test_spending_form_without_a_budget_line_cannot_be_submitted(office, catalogue, lines):
    case = approvals.case_create(matter=catalogue["CW-SQSP"], applicant=office.clerk, title="无指标支出", amount="100.00")
    with pytest.raises(ApprovalError, match="预算指标"):
        approvals.case_submit(case=case, actor=office.clerk)
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT


def test_section_form_offers_only_the_units_lines_of_the_year_with_availability(office, lines, spending):
    case = spending("100.00")
    form = BudgetSectionForm(prefix="budget", case=case, user=office.clerk)
    choices = list(form.fields["line"].queryset)
    assert lines.community not in choices and lines.hard in choices
    label = form.fields["line"].label_from_instance([c for c in choices if c.pk == lines.hard.pk][0])
    assert "¥10,000.00" in label
    bad = BudgetSectionForm({"budget-line": str(lines.community.pk)}, prefix="budget", case=case, user=office.clerk)
    assert not bad.is_valid()
    assert "不能用于" in bad.errors["line"][0]


def test_live_amount_check_while_typing(office, lines):
    section = BudgetSection()
    ok = section.check_amount(None, "2000", {"budget-line": str(lines.hard.pk)}, office.clerk)
    assert ok[0]["level"] == "ok" and "¥8,000.00" in ok[0]["text"]
    err = section.check_amount(None, "12000", {"budget-line": str(lines.hard.pk)}, office.clerk)
    assert err[0]["level"] == "error" and "¥10,000.00" in err[0]["text"]
    warn = section.check_amount(None, "6000", {"budget-line": str(lines.warn.pk)}, office.clerk)
    assert warn[0]["level"] == "warning"
    # a line of another unit tells the clerk nothing about its figures
    hidden = section.check_amount(None, "1", {"budget-line": str(lines.community.pk)}, office.clerk)
    assert hidden[0]["level"] == "warning" and "20,000" not in hidden[0]["text"]


# --- adjustments ---------------------------------------------------------------------------
@pytest.fixture
def adjustment(office, catalogue):
    matter = catalogue["CW-YSTZ"]
    matter.required_attachments = []  # the seeded matter asks for a written explanation; not under test here
    matter.save()

    def make(kind, amount, line, to_line=None, applicant=None):
        applicant = applicant or office.finance_reviewer
        case = approvals.case_create(matter=matter, applicant=applicant, title="预算调整", reason="工作需要", amount=amount,
                                     unit=line.unit)
        data = {"budget_adjustment-kind": kind, "budget_adjustment-line": str(line.pk)}
        if to_line:
            data["budget_adjustment-to_line"] = str(to_line.pk)
        form = BudgetAdjustmentForm(data, prefix="budget_adjustment", case=case, user=applicant)
        assert form.is_valid(), form.errors
        BudgetAdjustmentSection().save(case, form, applicant)
        return case

    return make


def test_increase_is_applied_when_the_adjustment_is_approved(adjustment, lines, office):
    case = adjustment("increase", "5000.00", lines.hard)
    approvals.case_submit(case=case, actor=office.finance_reviewer)
    assert selectors.line_figures(lines.hard).adjustments == D("0.00")
    approve_all(case)
    f = selectors.line_figures(lines.hard)
    assert (f.adjustments, f.adjusted, f.available) == (D("5000.00"), D("15000.00"), D("15000.00"))
    assert BudgetAdjustment.objects.get(case=case).state == BudgetAdjustment.State.APPLIED
    row = BudgetMovement.objects.get(case=case, kind="adjust")
    assert case.number in row.note


def test_transfer_holds_the_money_in_approval_and_moves_it_on_approval(adjustment, lines, office):
    case = adjustment("transfer", "4000.00", lines.hard, lines.other)
    approvals.case_submit(case=case, actor=office.finance_reviewer)
    assert selectors.line_figures(lines.hard).available == D("6000.00")  # held
    approve_all(case)
    hard, other = selectors.line_figures(lines.hard), selectors.line_figures(lines.other)
    assert (hard.adjusted, hard.in_approval, hard.available) == (D("6000.00"), D("0.00"), D("6000.00"))
    assert (other.adjusted, other.available) == (D("12000.00"), D("12000.00"))


def test_decrease_beyond_available_is_refused_even_on_a_warn_line(adjustment, lines, office, new_case):
    from budget import services

    services.case_budget_reserve(case=new_case("4500.00", line=lines.warn), actor=office.clerk)
    case = adjustment("decrease", "1000.00", lines.warn)
    with pytest.raises(ApprovalError, match="¥500.00"):
        approvals.case_submit(case=case, actor=office.finance_reviewer)
    assert not BudgetMovement.objects.filter(case=case).exists()


def test_rejected_decrease_releases_the_held_amount(adjustment, lines, office):
    case = adjustment("decrease", "1000.00", lines.hard)
    approvals.case_submit(case=case, actor=office.finance_reviewer)
    assert selectors.line_figures(lines.hard).available == D("9000.00")
    approvals.case_reject(case=case, actor=holders(case)[0], comment="不同意。")
    f = selectors.line_figures(lines.hard)
    assert (f.adjusted, f.available) == (D("10000.00"), D("10000.00"))


def test_transfer_form_needs_two_different_lines(office, lines, catalogue):
    form = BudgetAdjustmentForm({"budget_adjustment-kind": "transfer", "budget_adjustment-line": str(lines.hard.pk),
                                 "budget_adjustment-to_line": str(lines.hard.pk)},
                                prefix="budget_adjustment", case=None, user=office.finance_reviewer)
    assert not form.is_valid()
    assert "两个不同" in form.errors["to_line"][0]


def test_case_page_shows_the_budget_section(client, spending, lines, office):
    from django.urls import reverse

    case = spending("3000.00")
    approvals.case_submit(case=case, actor=office.clerk)
    client.force_login(office.clerk)
    html = client.get(reverse("approvals:detail", args=[case.pk])).content.decode()
    assert "社区服务项目" in html and "已预占（审批中）" in html and "¥7,000.00" in html
    assert reverse("budget:line_detail", args=[lines.hard.pk]) in html


def test_line_history_shows_each_adjustment_with_its_case(client, adjustment, lines, office):
    from django.urls import reverse

    case = adjustment("transfer", "1500.00", lines.hard, lines.other)
    approvals.case_submit(case=case, actor=office.finance_reviewer)
    approve_all(case)
    client.force_login(office.head)
    for line, arrow in ((lines.hard, "调入指标"), (lines.other, "调出指标")):
        html = client.get(reverse("budget:line_detail", args=[line.pk])).content.decode()
        block = html.split('data-testid="adjustments"')[1].split("</ul>")[0]
        assert case.number in block and "指标间调剂" in block and "已生效" in block and arrow in block


def test_a_resubmission_shows_the_budget_line_it_moved_to(client, spending, lines, office):
    """The budget section describes itself to the resubmission card: the line by its name."""
    import re

    from django.urls import reverse

    from approvals import selectors as approval_selectors

    case = spending("3000.00", line=lines.hard)
    approvals.case_submit(case=case, actor=office.clerk)
    approvals.case_return(case=case, actor=holders(case)[0], comment="请改用差旅费指标。")
    client.force_login(office.clerk)
    r = client.post(reverse("approvals:edit", args=[case.pk]), {
        "title": case.title, "reason": case.reason, "amount": "2500.00", "budget-line": str(lines.warn.pk),
        "action": "submit", "comment": "改用差旅费指标，金额2500元。",
    })
    assert r.status_code == 302
    case.refresh_from_db()
    assert approval_selectors.resubmission_diff(case) == [
        approval_selectors.Change("", "金额", "¥3,000.00", "¥2,500.00"),
        approval_selectors.Change("预算指标", "预算指标", lines.hard.label, lines.warn.label),
    ]
    client.force_login(office.head)
    body = client.get(reverse("approvals:detail", args=[case.pk])).content.decode()
    card = body[body.index('data-testid="resubmission-card"'):body.index('class="row g-3 case-columns"')]
    assert lines.hard.label in card and lines.warn.label in card and "改用差旅费指标，金额2500元。" in card
    assert "¥3,000.00" in card and "¥2,500.00" in card
    assert re.search(r"<th colspan=\"3\" class=\"small\">预算指标</th>", card)
