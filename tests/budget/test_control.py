"""Budget control on the money steps, through the ledger services (reserve, arrange,
release, commit, execute) on real PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, InternalError, connection, transaction

from budget import selectors, services
from budget.exceptions import BudgetError, BudgetExceeded
from budget.models import BudgetMovement, CaseBudget

pytestmark = pytest.mark.django_db

D = Decimal


def figures(line):
    return selectors.line_figures(line)


def test_submission_reserves_the_case_amount_on_its_line(lines, new_case, office):
    case = new_case("2500.00", line=lines.hard)
    warnings = services.case_budget_reserve(case=case, actor=office.clerk)
    assert warnings == []
    f = figures(lines.hard)
    assert f.in_approval == D("2500.00")
    assert f.available == D("7500.00")
    row = BudgetMovement.objects.get(case=case)
    assert (row.kind, row.stage, row.amount, row.actor) == ("reserve", "pending", D("2500.00"), office.clerk)
    assert CaseBudget.objects.get(case=case).state == CaseBudget.State.RESERVED


def test_resubmission_with_the_same_amount_reserves_nothing_more(lines, new_case, office):
    case = new_case("2500.00", line=lines.hard)
    services.case_budget_reserve(case=case, actor=office.clerk)
    services.case_budget_reserve(case=case, actor=office.clerk)
    assert BudgetMovement.objects.filter(case=case).count() == 1
    assert figures(lines.hard).in_approval == D("2500.00")


def test_resubmission_with_a_larger_amount_reserves_only_the_difference(lines, new_case, office):
    case = new_case("2500.00", line=lines.hard)
    services.case_budget_reserve(case=case, actor=office.clerk)
    case.amount = D("4000.00")
    services.case_budget_reserve(case=case, actor=office.clerk)
    amounts = list(BudgetMovement.objects.filter(case=case).order_by("id").values_list("kind", "amount"))
    assert amounts == [("reserve", D("2500.00")), ("reserve", D("1500.00"))]
    assert figures(lines.hard).in_approval == D("4000.00")


def test_a_reduced_amount_releases_the_difference(lines, new_case, office):
    case = new_case("2500.00", line=lines.hard)
    services.case_budget_reserve(case=case, actor=office.clerk)
    case.amount = D("1000.10")
    services.case_budget_reserve(case=case, actor=office.clerk)
    last = BudgetMovement.objects.filter(case=case).latest("id")
    assert (last.kind, last.amount) == ("release", D("-1499.90"))
    assert figures(lines.hard).in_approval == D("1000.10")
    assert figures(lines.hard).available == D("8999.90")


def test_changing_the_line_moves_the_reservation(lines, new_case, office):
    case = new_case("2500.00", line=lines.hard)
    services.case_budget_reserve(case=case, actor=office.clerk)
    case.status = "returned"
    services.case_budget_set(case=case, line=lines.other)
    services.case_budget_reserve(case=case, actor=office.clerk)
    assert figures(lines.hard).in_approval == D("0.00")
    assert figures(lines.other).in_approval == D("2500.00")


def test_hard_line_refuses_a_submission_beyond_available_with_a_clear_message(lines, new_case, office):
    services.case_budget_reserve(case=new_case("9000.00", line=lines.hard), actor=office.clerk)
    case = new_case("1500.00", line=lines.hard)
    with pytest.raises(BudgetExceeded) as exc:
        services.case_budget_reserve(case=case, actor=office.clerk)
    message = str(exc.value)
    assert "社区服务项目" in message and "30201 办公费" in message  # which line
    assert "¥1,000.00" in message  # available
    assert "¥1,500.00" in message  # asked
    assert "刚性控制" in message
    assert exc.value.available == D("1000.00") and exc.value.asked == D("1500.00")
    # nothing saved
    assert not BudgetMovement.objects.filter(case=case).exists()
    assert CaseBudget.objects.get(case=case).state == CaseBudget.State.DRAFT
    assert figures(lines.hard).available == D("1000.00")


def test_hard_line_accepts_exactly_the_available_amount(lines, new_case, office):
    services.case_budget_reserve(case=new_case("9999.99", line=lines.hard), actor=office.clerk)
    services.case_budget_reserve(case=new_case("0.01", line=lines.hard), actor=office.clerk)
    assert figures(lines.hard).available == D("0.00")
    with pytest.raises(BudgetExceeded):
        services.case_budget_reserve(case=new_case("0.01", line=lines.hard), actor=office.clerk)


def test_warn_line_lets_the_submission_through_and_records_the_warning(lines, new_case, office):
    case = new_case("6000.00", line=lines.warn)
    warnings = services.case_budget_reserve(case=case, actor=office.clerk)
    assert len(warnings) == 1
    assert "¥5,000.00" in warnings[0] and "¥6,000.00" in warnings[0] and "预警" in warnings[0]
    row = BudgetMovement.objects.get(case=case)
    assert row.warning == warnings[0]
    assert figures(lines.warn).available == D("-1000.00")


def test_uncontrolled_line_neither_refuses_nor_warns(lines, new_case, office):
    assert services.case_budget_reserve(case=new_case("5000.00", line=lines.free), actor=office.clerk) == []
    assert figures(lines.free).available == D("-4000.00")


def test_check_before_submission_matches_the_reservation(lines, new_case, office):
    case = new_case("12000.00", line=lines.hard)
    with pytest.raises(BudgetExceeded):
        services.case_budget_check(case=case)
    warn_case = new_case("6000.00", line=lines.warn)
    assert len(services.case_budget_check(case=warn_case)) == 1
    assert not BudgetMovement.objects.exists()


def test_a_spending_case_without_a_line_or_amount_is_refused(lines, new_case, office):
    with pytest.raises(BudgetError, match="预算指标"):
        services.case_budget_reserve(case=new_case("100.00"), actor=office.clerk)
    case = new_case(None, line=lines.hard)
    with pytest.raises(BudgetError, match="金额"):
        services.case_budget_reserve(case=case, actor=office.clerk)
    assert not BudgetMovement.objects.exists()


def test_a_line_of_another_unit_or_year_cannot_be_chosen(lines, new_case, office, year):
    case = new_case("100.00")
    with pytest.raises(BudgetError, match="新桥社区"):
        services.case_budget_set(case=case, line=lines.community)
    lines.hard.year = year - 1
    lines.hard.save()
    with pytest.raises(BudgetError, match=str(year - 1)):
        services.case_budget_set(case=case, line=lines.hard)
    assert not CaseBudget.objects.exists()


def test_approval_arranges_the_reservation(lines, new_case, office):
    case = new_case("2500.00", line=lines.hard)
    services.case_budget_reserve(case=case, actor=office.clerk)
    services.case_budget_arrange(case=case, actor=office.head)
    services.case_budget_arrange(case=case, actor=office.head)  # idempotent
    f = figures(lines.hard)
    assert (f.in_approval, f.arranged, f.available) == (D("0.00"), D("2500.00"), D("7500.00"))
    assert CaseBudget.objects.get(case=case).state == CaseBudget.State.ARRANGED
    assert BudgetMovement.objects.filter(case=case).count() == 3


def test_rejection_releases_everything_the_case_holds(lines, new_case, office):
    case = new_case("2500.00", line=lines.hard)
    services.case_budget_reserve(case=case, actor=office.clerk)
    released = services.case_budget_release(case=case, actor=office.head)
    assert released == D("2500.00")
    assert services.case_budget_release(case=case, actor=office.head) == D("0.00")  # idempotent
    assert figures(lines.hard).available == D("10000.00")
    assert CaseBudget.objects.get(case=case).state == CaseBudget.State.RELEASED


def test_ledger_is_append_only_in_the_database(lines, new_case, office):
    case = new_case("2500.00", line=lines.hard)
    services.case_budget_reserve(case=case, actor=office.clerk)
    row = BudgetMovement.objects.get(case=case)
    with pytest.raises(InternalError), transaction.atomic():
        BudgetMovement.objects.filter(pk=row.pk).update(amount=D("1.00"))
    with pytest.raises(InternalError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM budget_budgetmovement WHERE id = %s", [row.pk])
    assert BudgetMovement.objects.get(pk=row.pk).amount == D("2500.00")


def test_ledger_refuses_rows_of_the_wrong_sign(lines, new_case):
    case = new_case("10.00", line=lines.hard)
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetMovement.objects.create(line=lines.hard, kind="reserve", stage="pending", amount=D("-5.00"), case=case)
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetMovement.objects.create(line=lines.hard, kind="execute", amount=D("0.00"))


# --- contracts and payments (the interface issue 5 calls) ----------------------------------
def test_commit_converts_the_arranged_reservation_into_a_commitment(lines, new_case, office):
    case = new_case("3000.00", line=lines.hard)
    services.case_budget_reserve(case=case, actor=office.clerk)
    services.case_budget_arrange(case=case, actor=office.head)
    contract = office.unit  # any saved model serves as the generic source here
    rows = services.budget_commit(line=lines.hard, amount="2800.00", source=contract, case=case, actor=office.accountant)
    assert [(r.kind, r.amount) for r in rows] == [("release", D("-2800.00")), ("commit", D("2800.00"))]
    assert rows[-1].source == contract
    f = figures(lines.hard)
    assert (f.arranged, f.contracted, f.available) == (D("200.00"), D("2800.00"), D("7000.00"))


def test_commit_beyond_the_reservation_needs_room_on_a_hard_line(lines, new_case, office):
    case = new_case("3000.00", line=lines.hard)
    services.case_budget_reserve(case=case, actor=office.clerk)
    services.case_budget_arrange(case=case, actor=office.head)
    services.case_budget_reserve(case=new_case("6500.00", line=lines.hard), actor=office.clerk)  # 500 left
    with pytest.raises(BudgetExceeded) as exc:
        services.budget_commit(line=lines.hard, amount="4000.00", source=office.unit, case=case, actor=office.accountant)
    assert exc.value.available == D("500.00") and exc.value.asked == D("1000.00")
    assert not BudgetMovement.objects.filter(kind="commit").exists()
    rows = services.budget_commit(line=lines.hard, amount="3500.00", source=office.unit, case=case, actor=office.accountant)
    assert rows[-1].amount == D("3500.00")
    assert figures(lines.hard).available == D("0.00")


def test_payment_executes_against_the_contract_commitment(lines, new_case, office):
    case = new_case("3000.00", line=lines.hard)
    services.case_budget_reserve(case=case, actor=office.clerk)
    services.case_budget_arrange(case=case, actor=office.head)
    contract, payment = office.unit, office.community
    services.budget_commit(line=lines.hard, amount="3000.00", source=contract, case=case)
    rows = services.budget_execute(line=lines.hard, amount="1200.00", source=payment, commitment=contract, case=case,
                                   actor=office.cashier)
    assert [(r.kind, r.amount) for r in rows] == [("commit", D("-1200.00")), ("execute", D("1200.00"))]
    f = figures(lines.hard)
    assert (f.contracted, f.paid, f.available) == (D("1800.00"), D("1200.00"), D("7000.00"))
    assert f.execution_rate == D("12.00")
    released = services.budget_commit_release(source=contract)
    assert released == D("1800.00")
    assert figures(lines.hard).available == D("8800.00")


def test_payment_without_contract_uses_the_case_reservation(lines, new_case, office):
    case = new_case("3000.00", line=lines.hard)
    services.case_budget_reserve(case=case, actor=office.clerk)
    services.case_budget_arrange(case=case, actor=office.head)
    services.budget_execute(line=lines.hard, amount="3000.00", source=office.unit, case=case)
    f = figures(lines.hard)
    assert (f.arranged, f.paid, f.available) == (D("0.00"), D("3000.00"), D("7000.00"))


def test_payment_beyond_available_on_a_hard_line_is_refused(lines, office):
    with pytest.raises(BudgetExceeded):
        services.budget_execute(line=lines.hard, amount="10000.01", source=office.unit)
    assert not BudgetMovement.objects.exists()


@pytest.mark.parametrize("bad", ["0", "-5", "1.234", "abc", "1e20", "NaN"])
def test_money_steps_refuse_bad_amounts(lines, office, bad):
    with pytest.raises(BudgetError):
        services.budget_execute(line=lines.hard, amount=bad, source=office.unit)
    assert not BudgetMovement.objects.exists()


def test_an_arranged_form_cannot_move_to_another_line(lines, new_case, office):
    case = new_case("500.00", line=lines.hard)
    services.case_budget_reserve(case=case, actor=office.clerk)
    services.case_budget_arrange(case=case, actor=office.head)
    case.status = "draft"  # the next stage of the form is being filled in
    with pytest.raises(BudgetError, match="已批准"):
        services.case_budget_set(case=case, line=lines.other)
    assert CaseBudget.objects.get(case=case).line == lines.hard


def test_releasing_more_than_a_contract_commits_is_refused(lines, office):
    contract = office.unit
    services.budget_commit(line=lines.hard, amount="1000.00", source=contract)
    with pytest.raises(BudgetError, match="¥1,000.00"):
        services.budget_commit_release(source=contract, amount="1500.00")
    assert services.budget_commit_release(source=contract, amount="400.00") == D("400.00")
    assert figures(lines.hard).contracted == D("600.00")
    assert services.budget_commit_release(source=office.community) == D("0.00")  # nothing committed
