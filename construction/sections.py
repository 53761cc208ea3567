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

from approvals.registry import CaseSection, choice_label, field_label, money_text
from core.stages import Stage

from . import services
from .models import ChangeOrder, ProgressPayment, Project, ProjectFunding, Settlement


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
                "funding": [[f.budget_line_id, str(f.amount), f.budget_line.label]
                            for f in p.funding.select_related("budget_line__unit")],
                "name": p.name, "location": p.location, "necessity": p.necessity, "scale": p.scale}

    def describe(self, snapshot):
        funding = [f"{f[2] if len(f) > 2 else f'#{f[0]}'} {money_text(f[1])}" for f in snapshot.get("funding") or []]
        return [
            (field_label(Project, "name"), snapshot.get("name") or ""),
            (field_label(Project, "kind"), choice_label(Project, "kind", snapshot.get("kind"))),
            (field_label(Project, "location"), snapshot.get("location") or ""),
            (field_label(Project, "necessity"), snapshot.get("necessity") or ""),
            (field_label(Project, "scale"), snapshot.get("scale") or ""),
            (field_label(Project, "estimate"), money_text(snapshot.get("estimate"))),
            (str(ProjectFunding._meta.verbose_name_plural), "；".join(funding)),
        ]


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

    def describe(self, snapshot):
        return [(field_label(Project, "budget_estimate"), money_text(snapshot.get("budget")))]


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
                "major": c.major, "status": c.status, "kind": c.kind, "reason": c.reason}

    def describe(self, snapshot):
        return [
            (field_label(ChangeOrder, "kind"), choice_label(ChangeOrder, "kind", snapshot.get("kind"))),
            (field_label(ChangeOrder, "amount"), money_text(snapshot.get("amount"))),
            (field_label(ChangeOrder, "reason"), snapshot.get("reason") or ""),
            (field_label(ChangeOrder, "cumulative"), money_text(snapshot.get("cumulative"))),
            (field_label(ChangeOrder, "share"), f"{snapshot['share']}%" if snapshot.get("share") else ""),
        ]


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
        return {"project": p.project_id, "contract": p.contract_id, "amount": str(p.amount), "status": p.status,
                "invoice_number": p.invoice_number}

    def describe(self, snapshot):
        return [
            (field_label(ProgressPayment, "amount"), money_text(snapshot.get("amount"))),
            (field_label(ProgressPayment, "invoice_number"), snapshot.get("invoice_number") or ""),
        ]


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
                "retention": str(s.retention), "status": s.status, "defects_until": str(s.defects_until)}

    def describe(self, snapshot):
        return [
            (field_label(Settlement, "amount"), money_text(snapshot.get("amount"))),
            (field_label(Settlement, "audited_amount"), money_text(snapshot.get("audited"))),
            (field_label(Settlement, "retention"), money_text(snapshot.get("retention"))),
            (field_label(Settlement, "defects_until"), snapshot.get("defects_until") or ""),
        ]


SECTIONS = (InitiationSection, BudgetSection, ChangeSection, ProgressPaymentSection, SettlementSection)
