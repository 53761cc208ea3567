"""ENG-01 … ENG-06 on both sides of their thresholds, over records made by the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from approvals.rules import get_rule
from construction.models import ContractRole, Project

D = Decimal
pytestmark = pytest.mark.django_db


def found(code, project, **scope):
    rule = get_rule(code)
    return [f for f in rule.scan(rule.defaults(), scope or None) if ("construction.project", project.pk) in f.records]


def test_all_five_rules_are_registered_with_their_events():
    for code in ("ENG-01", "ENG-02", "ENG-03", "ENG-04", "ENG-05", "ENG-06"):
        rule = get_rule(code)
        assert rule is not None and rule.events, code


def test_eng01_changes_over_their_share(works):
    p, c = works.building(construction="1000000.00")
    works.change(p, "100000.00")  # exactly 10%
    assert found("ENG-01", p) == []
    works.change(p, "0.01")
    [f] = found("ENG-01", p)
    assert f.figures["share"] == "10.00" and f.figures["changes"] == "100000.01"


def test_eng02_supervision_missing(works):
    below = works.project("999999.99", name="路面修缮")
    at = works.project("1000000.00", name="服务中心改造")
    assert found("ENG-02", below) == []
    assert len(found("ENG-02", at)) == 1
    works.link(at, "30000.00", ContractRole.SUPERVISION, supplier=1)
    assert found("ENG-02", at) == []


def test_eng03_over_the_approved_estimate(works):
    p = works.project("1000000.00")
    works.link(p, "1000000.00")  # exactly the 概算
    assert found("ENG-03", p) == []
    Project.objects.filter(pk=p.pk).update(approved_budget=D("999999.99"))  # the 概算 lowered by an import
    [f] = found("ENG-03", p)
    assert f.figures["committed"] == "1000000.00"


def test_eng04_implausibly_fast_completion(works):
    p, c = works.building(estimate="1500000.00", construction="1000000.01")
    works.complete(p)
    [f] = found("ENG-04", p)
    assert f.figures["days"] == 0
    rule = get_rule("ENG-04")
    assert not [f for f in rule.scan({**rule.defaults(), "days": 0}) if ("construction.project", p.pk) in f.records]
    assert not [f for f in rule.scan({**rule.defaults(), "amount": D("1000000.01")})
                if ("construction.project", p.pk) in f.records]


def test_eng05_completed_but_not_handed_over(works):
    p, c = works.building(construction="900000.00")
    works.complete(p)
    assert found("ENG-05", p, on=works.today + dt.timedelta(days=90)) == []
    assert len(found("ENG-05", p, on=works.today + dt.timedelta(days=91))) == 1


def test_the_completion_event_feeds_the_risk_engine(works, django_capture_on_commit_callbacks):
    from risk.models import RiskWarning

    p, c = works.building(estimate="1500000.00", construction="1000000.01")
    with django_capture_on_commit_callbacks(execute=True):
        works.complete(p)
    warning = RiskWarning.objects.get(rule_code="ENG-04")
    assert warning.key == f"construction.project:{p.pk}|contracts.contract:{c.pk}"


DEFERRED_TERMS = [
    {"kind": "acceptance", "name": "竣工验收后付款", "percent": D("97"), "amount": None, "trigger": "acceptance",
     "due_date": None},
    {"kind": "retention", "name": "质量保证金", "percent": D("3"), "amount": None, "trigger": "date",
     "due_date": dt.date.today() + dt.timedelta(days=730)},
]


def test_eng06_payment_plan_deferring_all_payment_to_completion(works, client):
    from django.urls import reverse

    with_progress = works.project("1500000.00", name="进度款工程")
    works.link(with_progress, "1200000.00")  # 80% progress payments: paid before completion
    assert found("ENG-06", with_progress) == []
    deferred = works.project("1500000.00", name="竣工后付款工程")
    c = works.link(deferred, "1200000.00", terms=DEFERRED_TERMS, supplier=1)
    [f] = found("ENG-06", deferred)
    assert f.figures["contract"] == c.number and ("contracts.contract", c.pk) in f.records
    # and the project page says so, in Chinese; the other project's page does not
    client.force_login(works.o.clerk)
    body = client.get(reverse("construction:detail", args=[deferred.pk])).content.decode()
    assert 'data-testid="prefinancing"' in body and "垫资" in body and c.number in body
    body = client.get(reverse("construction:detail", args=[with_progress.pk])).content.decode()
    assert 'data-testid="prefinancing"' not in body
