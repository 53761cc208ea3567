"""Contract payments already paid become payments of the one payment desk (payments.Payment),
with ``source_key="contract"`` and ``source_id`` = the contracts.Payment they pay. The
contract-side record keeps the contract, the milestone and its paid state, so the contract
figures and the budget ledger (whose rows already exist) do not change. Each moved row also
gets its first history entry. Reversible: the moved rows are deleted again."""

from django.db import migrations


def forwards(apps, schema_editor):
    ContractPayment = apps.get_model("contracts", "Payment")
    Disbursement = apps.get_model("payments", "Payment")
    History = apps.get_model("payments", "HistoricalPayment")
    taken = set(
        Disbursement.objects.filter(status="paid", amount__gt=0).exclude(invoice_number="")
        .values_list("invoice_code", "invoice_number")
    )
    moved = set(Disbursement.objects.filter(source_key="contract").values_list("source_id", flat=True))
    for cp in ContractPayment.objects.filter(status="paid").select_related("supplier").order_by("paid_at", "id"):
        if cp.pk in moved:
            continue
        number = "".join((cp.invoice_number or "").split()).upper()[:30]
        note = ""
        if number and ("", number) in taken:
            # the old rule was per supplier: the same number of another supplier's invoice
            note = f"发票号{number}与其他发票重复，迁移时未计入唯一约束"[:200]
            number = ""
        taken.add(("", number))
        fields = dict(
            case_id=cp.case_id, source_key="contract", source_id=cp.pk, payee_kind="supplier",
            payee_name=cp.supplier.name[:200], payee_ref=cp.supplier_id,
            bank_name=(cp.supplier.bank_name or "—")[:100], bank_account=(cp.supplier.bank_account or "—")[:40],
            amount=cp.amount, invoice_code="", invoice_number=number, note=note, status="paid",
            paid_on=cp.paid_on, paid_by_id=cp.paid_by_id, paid_at=cp.paid_at or cp.created_at,
            bank_reference=cp.bank_reference or "", voided_reason="",
        )
        row = Disbursement.objects.create(**fields)
        History.objects.create(id=row.pk, refund_of_id=None, history_date=row.paid_at, history_type="+",
                               history_user_id=cp.paid_by_id, history_change_reason="迁移自合同付款", **fields)


def backwards(apps, schema_editor):
    Disbursement = apps.get_model("payments", "Payment")
    History = apps.get_model("payments", "HistoricalPayment")
    ids = list(Disbursement.objects.filter(source_key="contract").values_list("pk", flat=True))
    History.objects.filter(id__in=ids).delete()
    Disbursement.objects.filter(pk__in=ids).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0003_verbose_names_for_the_admin"),
        ("payments", "0001_payments_payment"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
