"""The administration cannot be used to rewrite what the services keep: the trail, cases,
the budget ledger and what hangs off it, contracts and payments refuse change and delete
even for a superuser, and nothing changes in the database. (Opening those pages is in the
URL table.)"""

from __future__ import annotations

from django.forms.models import model_to_dict
from django.urls import reverse

from approvals.models import Action, Case
from budget.models import BudgetMovement, CaseBudget, ExportJob
from contracts.models import Contract, Payment

from .conftest import changed_tables, fingerprint


def _form_data(obj, **changes) -> dict:
    """What the change form would post for ``obj``, with ``changes``."""
    import datetime as dt

    from django.utils import timezone

    data = {}
    for key, value in model_to_dict(obj).items():
        if isinstance(value, dt.datetime):  # the admin's split date/time widget
            local = timezone.localtime(value)
            data[f"{key}_0"], data[f"{key}_1"] = local.date().isoformat(), local.time().strftime("%H:%M:%S")
            continue
        if value is None:
            value = ""
        elif isinstance(value, list):
            value = [getattr(v, "pk", v) for v in value]
        elif hasattr(value, "pk"):
            value = value.pk
        data[key] = value
    data.update(changes)
    data["_save"] = "保存"
    return data


def test_records_kept_by_the_services_refuse_change_and_delete_in_the_admin(client, world):
    o = world.office
    client.force_login(o.admin)
    records = [
        Action.objects.filter(case=world.foreign).first(),
        world.foreign,
        BudgetMovement.objects.filter(case=world.foreign).first(),
        CaseBudget.objects.get(case=world.foreign),
        world.job,
    ]
    before = fingerprint()
    for obj in records:
        opts = obj._meta
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
        response = client.post(change, _form_data(obj, comment="篡改", title="篡改", amount="1.00", note="篡改"))
        assert response.status_code == 403, (opts.label, "change", response.status_code)
        response = client.post(delete, {"post": "yes"})
        assert response.status_code == 403, (opts.label, "delete", response.status_code)
    # bulk delete from the change list is refused too
    for model in (Action, Case, BudgetMovement):
        opts = model._meta
        ids = list(model.objects.values_list("pk", flat=True)[:3])
        response = client.post(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
                               {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
        assert response.status_code in (200, 302, 403), opts.label
    assert changed_tables(before) == []
    assert ExportJob.objects.filter(pk=world.job.pk).exists()


def test_contracts_and_payments_cannot_be_rewritten_in_the_admin(client, world):
    client.force_login(world.office.admin)
    payment, contract = world.payment, world.contract
    before = fingerprint()
    response = client.post(reverse("admin:contracts_payment_change", args=[payment.pk]),
                           _form_data(payment, amount="76000.00", status=Payment.Status.PAID,
                                      paid_by=world.office.cashier.pk, paid_on="2026-01-05"))
    assert response.status_code == 403
    payment.refresh_from_db()
    assert payment.amount == world.payment.amount and payment.status == Payment.Status.APPROVED
    response = client.post(reverse("admin:contracts_contract_delete", args=[contract.pk]), {"post": "yes"})
    assert response.status_code == 403 and Contract.objects.filter(pk=contract.pk).exists()
    assert changed_tables(before) == []
