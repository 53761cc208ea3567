"""Row locks: two approvers at once, a double click, and case numbers issued in parallel."""

import threading

import pytest
from django.db import connection

from approvals import services
from approvals.exceptions import ApprovalError
from approvals.models import Action, Case, StepAssignee
from org.models import Role, User

pytestmark = pytest.mark.django_db(transaction=True)


def run_parallel(fns):
    barrier = threading.Barrier(len(fns))
    results = [None] * len(fns)

    def worker(i, fn):
        try:
            barrier.wait()
            results[i] = ("ok", fn())
        except ApprovalError as exc:
            results[i] = ("refused", exc.message)
        except Exception as exc:  # surfaced to the test
            results[i] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_approvers_on_one_any_step_record_exactly_one_decision(office, make_case):
    second = User.objects.create(username="caiwu_b", unit=office.units["czb"], roles=[Role.FINANCE_REVIEWER])
    case = make_case("500")
    services.case_approve(case=case, actor=office.head)
    step_id = Case.objects.get(pk=case.pk).current_step_id
    results = run_parallel(
        [
            lambda: services.case_approve(case=case, actor=office.finance_reviewer, step_id=step_id),
            lambda: services.case_approve(case=case, actor=second, step_id=step_id),
        ]
    )
    assert sorted(r[0] for r in results) == ["ok", "refused"], results
    assert StepAssignee.objects.filter(step_id=step_id, decision="approved").count() == 1
    assert Action.objects.filter(case=case, kind="approve", step_id=step_id).count() == 1


def test_double_click_records_one_decision(office, make_case):
    case = make_case("500")
    step_id = case.current_step_id
    results = run_parallel(
        [lambda: services.case_approve(case=case, actor=office.head, step_id=step_id) for _ in range(4)]
    )
    assert [r[0] for r in results].count("ok") == 1, results
    assert Action.objects.filter(case=case, kind="approve").count() == 1


def test_parallel_first_submissions_issue_distinct_consecutive_numbers(office, spend):
    n = 12
    drafts = [services.case_create(matter=spend, applicant=office.clerk, title="并发", amount="10") for _ in range(n)]
    assert all(d.number == "" for d in drafts)  # a draft has no number yet
    results = run_parallel(
        [lambda d=d: services.case_submit(case=d, actor=office.clerk) for d in drafts]
    )
    assert all(r[0] == "ok" for r in results), results
    numbers = sorted(Case.objects.filter(pk__in=[d.pk for d in drafts]).values_list("number", flat=True))
    assert len(set(numbers)) == n
    seqs = sorted(int(num.rsplit("-", 1)[1]) for num in numbers)
    assert seqs == list(range(seqs[0], seqs[0] + n))


def test_trail_chain_stays_valid_under_parallel_writes(office, make_case):
    from approvals.trail import verify_chain

    cases = [make_case("100") for _ in range(6)]
    run_parallel([lambda c=c: services.case_comment(case=c, actor=office.finance_reviewer, comment="并发评论") for c in cases])
    checked, broken = verify_chain()
    assert broken is None
    assert checked >= 6 * 3


def test_two_tiers_added_to_one_scope_at_once_are_both_named_from_their_ranges(office, catalogue):
    """Two administrators split the default tiers at the same time: the scope's lock makes the
    second wait and then see the first's new tier, so every name fits its range."""
    from decimal import Decimal

    from approvals import tiers
    from approvals.models import Policy

    low, mid = Policy.objects.filter(matter__isnull=True, category="", stage="").order_by("min_amount")[:2]
    results = run_parallel([
        lambda: tiers.tier_split(tier=low, at=Decimal("5000"), actor=office.admin),
        lambda: tiers.tier_split(tier=mid, at=Decimal("20000"), actor=office.admin),
    ])
    assert [r[0] for r in results] == ["ok", "ok"], results
    scope = list(Policy.objects.filter(matter__isnull=True, category="", stage="").order_by("min_amount"))
    assert [t.min_amount for t in scope] == [0, 5000, 10000, 20000, 50000, 300000]
    assert [t.name for t in scope] == tiers.scope_names(scope)
