"""The risk engine: findings become warnings keyed by rule + records; running twice raises
nothing new; a warning whose cause is gone closes itself with a note; the administrator's
parameter is what the next scan uses; one scan at a time; each rule's writes are atomic."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from approvals import rules as registry
from approvals.rules import Finding, Rule
from budget import services as budget_services
from budget.models import BudgetLine
from risk import engine
from risk.models import RiskWarning, RuleSetting, Run, WarningAction

pytestmark = pytest.mark.django_db


@pytest.fixture
def lines(office):
    year = timezone.localdate().year

    def line(project, amount, used):
        ln = budget_services.budget_line_create(
            year=year, unit=office.unit, project=project, functional_code="2010301", functional_name="行政运行",
            economic_code="30201", economic_name="办公费", amount=Decimal(amount))
        if used:
            budget_services.budget_execute(line=ln, amount=Decimal(used), source=office.unit, actor=office.accountant)
        return ln

    return {"over": line("已用九成", "10000.00", "9000.00"), "under": line("差一分", "10000.00", "8999.99"),
            "empty": line("未用", "10000.00", None)}


def _bud02(kind=Run.Kind.FULL):
    return engine.scan(kind=kind, codes={"BUD-02"})


def test_a_line_at_the_threshold_raises_one_warning_and_just_under_raises_none(lines):
    run = _bud02()
    assert run.status == Run.Status.DONE and run.opened == 1
    warning = RiskWarning.objects.get(rule_code="BUD-02")
    assert warning.records == [["budget.budgetline", lines["over"].pk]]
    assert warning.figures["used_share"] == "90.00" and warning.severity == "low"
    assert "90.00%" in warning.message
    assert WarningAction.objects.filter(warning=warning, kind="opened").count() == 1
    assert run.per_rule["BUD-02"]["findings"] == 1 and 2 <= run.per_rule["BUD-02"]["queries"] <= 8


def test_running_twice_raises_nothing_new(lines):
    _bud02()
    second = _bud02()
    assert second.opened == 0 and second.closed == 0 and second.findings == 1
    assert RiskWarning.objects.filter(rule_code="BUD-02").count() == 1


def test_a_warning_whose_cause_is_gone_closes_itself_with_a_note(office, lines):
    _bud02()
    # the line is raised (an approved adjustment): 45% used now
    BudgetLine.objects.filter(pk=lines["over"].pk).update(amount=Decimal("20000.00"))
    run = _bud02()
    assert run.closed == 1
    warning = RiskWarning.objects.get(rule_code="BUD-02")
    assert warning.status == RiskWarning.Status.CLOSED and warning.close_note and warning.closed_at
    assert warning.actions.filter(kind="auto_closed").exists()


def test_the_administrators_parameter_is_what_the_next_scan_uses(lines):
    _bud02()  # creates the settings row from the defaults
    setting = RuleSetting.objects.get(code="BUD-02")
    assert setting.params == {"share": "90"}
    setting.params = {"share": "85"}
    setting.save()
    run = _bud02()
    assert run.opened == 1  # the "差一分" line (89.99%) now crosses 85%
    assert set(RiskWarning.objects.filter(status="open").values_list("figures__threshold", flat=True)) == {"85", "90"}


def test_a_switched_off_rule_does_not_run(lines):
    RuleSetting.objects.create(code="BUD-02", enabled=False, severity="low")
    run = _bud02()
    assert run.findings == 0 and "BUD-02" not in run.per_rule
    assert not RiskWarning.objects.exists()


def test_one_scan_at_a_time(lines):
    with connection.cursor() as cursor:  # another process holds the scan
        cursor.execute("SELECT pg_advisory_lock(%s)", [engine.SCAN_LOCK_KEY])
    try:
        import threading

        result = {}

        def other():
            from django.db import connection as own

            result["run"] = _bud02()
            own.close()

        t = threading.Thread(target=other)
        t.start()
        t.join()
        assert result["run"] is None
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [engine.SCAN_LOCK_KEY])
    assert _bud02() is not None


class _Exploding(Rule):
    code = "TST-01"

    def scan(self, params, scope=None):
        yield Finding(records=(("org.unit", 1),), message="first")
        raise RuntimeError("worker killed")


def test_a_rule_that_dies_mid_run_leaves_no_half_written_findings(lines):
    registry.register_rule(_Exploding())
    try:
        run = engine.scan(codes={"BUD-02", "TST-01"})
    finally:
        registry._RULES.pop("TST-01", None)
    assert run.status == Run.Status.FAILED and "worker killed" in run.error
    assert "error" in run.per_rule["TST-01"]
    assert not RiskWarning.objects.filter(rule_code="TST-01").exists()
    # the other rule completed
    assert RiskWarning.objects.filter(rule_code="BUD-02").count() == 1
    assert _bud02().opened == 0


def test_the_incompatible_duties_rule_reports_a_case_approved_by_its_applicant(office):
    from approvals import demo, services
    from approvals.models import Action, Matter
    from tests.dba import going_around_triggers

    demo.seed()
    Matter.objects.update(stages=[])
    case = services.case_create(matter=Matter.objects.get(code="CW-SQSP"), applicant=office.clerk, title="自批",
                                amount="100")
    services.case_submit(case=case, actor=office.clerk)
    assert engine.scan(codes={"GOV-03"}).opened == 0  # the engine never lets this happen
    with going_around_triggers():
        Action.objects.filter(case=case, kind="submit").update(kind="approve")  # written around the engine
    run = engine.scan(codes={"GOV-03"})
    assert run.opened == 1
    assert RiskWarning.objects.get(rule_code="GOV-03").records == [["approvals.case", case.pk]]


@pytest.mark.django_db(transaction=True)
def test_a_payment_event_runs_the_rules_concerned_after_commit(office, lines):
    from core import events

    assert not RiskWarning.objects.exists()
    from django.db import transaction

    with transaction.atomic():
        events.emit("payment.paid", payment_id=0)
        assert not RiskWarning.objects.exists()  # nothing before the commit
    run = Run.objects.get(kind=Run.Kind.EVENT)
    concerned = {code for code, rule in registry.rules().items() if "payment.paid" in rule.events}
    assert {"BUD-01", "BUD-02", "CON-01", "CON-02", "CON-07"} <= concerned
    assert run.status == Run.Status.DONE and set(run.per_rule) == concerned
    assert RiskWarning.objects.filter(rule_code="BUD-02").count() == 1


def test_the_command_reports_each_rule(lines, capsys):
    from django.core.management import call_command

    call_command("risk_scan", "BUD-02", "BUD-05")
    out = capsys.readouterr().out
    assert "BUD-02: 1 findings, 1 opened" in out and "BUD-05: 0 findings" in out and "risk scan done" in out
