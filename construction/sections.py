"""The construction stages of the one form (``approvals.registry``). The project's records are
filled on the project page; the sections show them on the case and run the rules when a
stage is submitted, approved, returned or ended:

* ``project`` — initiation (立项: necessity, scale, 投资估算, funding), stage 0 of 工程立项;
* ``project_budget`` — the 初步设计概算, stage 1 of 工程立项;
* ``project_change`` — a design change or site visa (matter 工程变更（签证）);
* ``project_payment`` — a progress payment (matter 工程进度款支付);
* ``project_settlement`` — the settlement review with the audited amount (matter 工程结算审核).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from approvals.registry import CaseSection
from core.stages import Stage

from . import services
from .models import ChangeOrder, ProgressPayment, Project, Settlement


class _ProjectRecordSection(CaseSection):
    display_template = "construction/_section.html"
    _model = None

    def _record(self, case):
        return self._model.objects.select_related("project").filter(case=case).first() if case is not None else None

    def context(self, case, user):
        record = self._record(case)
        project = record if isinstance(record, Project) else getattr(record, "project", None)
        return {"record": record, "project": project, "kind": self.key}


class InitiationSection(_ProjectRecordSection):
    key = Stage.PROJECT
    label = gettext_lazy("Project initiation")
    money = True
    _model = Project

    def _record(self, case):
        return Project.objects.filter(case=case).first() if case is not None else None

    def validate_submit(self, case, actor):
        return services.initiation_submit(case=case)

    def on_approved(self, case, actor):
        services.initiation_approved(case=case)

    def on_returned(self, case, actor):
        services.initiation_returned(case=case)

    def on_rejected(self, case, actor):
        services.initiation_cancel(case=case)

    def on_withdrawn(self, case, actor):
        services.initiation_cancel(case=case)

    def snapshot(self, case):
        p = Project.objects.filter(case=case).first()
        if p is None:
            return None
        return {"number": p.number, "estimate": str(p.estimate), "kind": p.kind, "status": p.status,
                "funding": [[f.budget_line_id, str(f.amount)] for f in p.funding.all()]}


class BudgetSection(InitiationSection):
    key = Stage.PROJECT_BUDGET
    label = gettext_lazy("Design estimate (概算)")

    def validate_submit(self, case, actor):
        return services.budget_submit(case=case)

    def on_approved(self, case, actor):
        services.budget_approved(case=case)

    def snapshot(self, case):
        p = Project.objects.filter(case=case).first()
        if p is None:
            return None
        return {"number": p.number, "budget": str(p.budget_estimate or ""), "approved": str(p.approved_budget or "")}


class ChangeSection(_ProjectRecordSection):
    key = Stage.PROJECT_CHANGE
    label = gettext_lazy("Change order / site visa")
    money = True
    _model = ChangeOrder

    def validate_submit(self, case, actor):
        return services.change_order_submit(case=case)

    def on_submit(self, case, actor):
        services.change_order_route(case=case)

    def on_approved(self, case, actor):
        services.change_order_approved(case=case)

    def on_returned(self, case, actor):
        services.change_order_reopen(case=case)

    def on_rejected(self, case, actor):
        services.change_order_cancel(case=case)

    def on_withdrawn(self, case, actor):
        services.change_order_cancel(case=case)

    def snapshot(self, case):
        c = ChangeOrder.objects.filter(case=case).first()
        if c is None:
            return None
        return {"project": c.project_id, "amount": str(c.amount), "cumulative": str(c.cumulative), "share": str(c.share),
                "major": c.major, "status": c.status}


class ProgressPaymentSection(_ProjectRecordSection):
    key = Stage.PROJECT_PAYMENT
    label = gettext_lazy("Progress payment")
    money = True
    _model = ProgressPayment

    def validate_submit(self, case, actor):
        return services.progress_payment_submit(case=case)

    def on_approved(self, case, actor):
        services.progress_payment_approved(case=case)

    def on_returned(self, case, actor):
        services.progress_payment_reopen(case=case)

    def on_rejected(self, case, actor):
        services.progress_payment_cancel(case=case)

    def on_withdrawn(self, case, actor):
        services.progress_payment_cancel(case=case)

    def snapshot(self, case):
        p = ProgressPayment.objects.filter(case=case).first()
        if p is None:
            return None
        return {"project": p.project_id, "contract": p.contract_id, "amount": str(p.amount), "status": p.status}


class SettlementSection(_ProjectRecordSection):
    key = Stage.PROJECT_SETTLEMENT
    label = gettext_lazy("Settlement review")
    money = True
    _model = Settlement

    def validate_submit(self, case, actor):
        return services.settlement_submit(case=case)

    def on_approved(self, case, actor):
        services.settlement_approved(case=case)

    def on_returned(self, case, actor):
        services.settlement_reopen(case=case)

    def on_rejected(self, case, actor):
        services.settlement_cancel(case=case)

    def on_withdrawn(self, case, actor):
        services.settlement_cancel(case=case)

    def snapshot(self, case):
        s = Settlement.objects.filter(case=case).first()
        if s is None:
            return None
        return {"project": s.project_id, "amount": str(s.amount), "audited": str(s.audited_amount),
                "retention": str(s.retention), "status": s.status}


SECTIONS = (InitiationSection, BudgetSection, ChangeSection, ProgressPaymentSection, SettlementSection)
