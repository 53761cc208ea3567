"""Guessed ids: people bound to a unit (the clerk, their unit head, their leader in charge, a
clerk of a community) reach nothing of another unit by typing its id — not its case, the case's
actions, attachments, PDF, budget line, ledger, purchase, contract, contract documents or
payments, nor another person's export — and no POST with a guessed id changes anything.
Ids that do not exist give 404 to everyone, also to those who read everything."""

from __future__ import annotations

from django.urls import reverse

from .conftest import changed_tables, fingerprint


def _outsiders(world):
    o = world.office
    return {"clerk": o.clerk, "unit_head": o.head, "leader": o.leader, "community_clerk": o.community_clerk}


def _foreign_gets(w):
    return [
        reverse("approvals:detail", args=[w.foreign.pk]),
        reverse("approvals:edit", args=[w.foreign.pk]),
        reverse("approvals:pdf", args=[w.foreign.pk]),
        reverse("documents:download", args=[w.foreign_attachment.pk]),
        reverse("documents:preview", args=[w.foreign_attachment.pk]),
        reverse("approvals:preview", args=[w.spend.pk]) + f"?case={w.foreign.pk}&amount=1",
        reverse("budget:line_detail", args=[w.foreign_line.pk]),
        reverse("budget:ledger") + f"?line={w.foreign_line.pk}",
        reverse("procurement:purchase_detail", args=[w.purchase.pk]),
        reverse("documents:download", args=[w.contract_doc.pk]),
        reverse("contracts:detail", args=[w.contract.pk]),
        reverse("contracts:payment_detail", args=[w.payment.pk]),
    ]


def _foreign_posts(w):
    step = {"step_id": w.foreign.current_step_id}
    return [
        (reverse("approvals:decide", args=[w.foreign.pk]), {"decision": "approve", "comment": "同意。", **step}),
        (reverse("approvals:decide", args=[w.foreign.pk]), {"decision": "reject", "comment": "不同意", **step}),
        (reverse("approvals:withdraw", args=[w.foreign.pk]), {"comment": "撤回"}),
        (reverse("approvals:urge", args=[w.foreign.pk]), {}),
        (reverse("approvals:comment", args=[w.foreign.pk]), {"comment": "越权评论"}),
        (reverse("approvals:copy", args=[w.foreign.pk]), {"users": [w.office.clerk2.pk]}),
        (reverse("approvals:edit", args=[w.foreign.pk]), {"title": "改标题", "amount": "1", "action": "save"}),
        (reverse("approvals:batch_approve"), {"case": [w.foreign.pk]}),
        (reverse("approvals:delegation_end", args=[w.delegation.pk]), {}),  # the leader's, not theirs
        (reverse("contracts:payment_request", args=[w.contract.pk]), {}),
        (reverse("contracts:supplement_request", args=[w.contract.pk]), {}),
        (reverse("contracts:payment_pay", args=[w.payment.pk]), {"paid_on": "2026-01-05", "bank_reference": "X"}),
        (reverse("documents:delete", args=[w.contract_doc.pk]), {}),
        (reverse("documents:replace", args=[w.contract_doc.pk]), {}),
    ]


def test_other_units_records_are_out_of_reach_by_id(client, world):
    wrong = []
    for who, person in _outsiders(world).items():
        client.force_login(person)
        for path in _foreign_gets(world):
            status = client.get(path).status_code
            if status not in (403, 404):
                wrong.append(f"GET {path} as {who}: {status}")
    assert not wrong, "\n".join(wrong)


def test_posts_with_guessed_ids_change_nothing(client, world):
    before = fingerprint()
    wrong = []
    for who, person in _outsiders(world).items():
        client.force_login(person)
        for path, data in _foreign_posts(world):
            if who == "leader" and "delegations" in path:
                continue  # the leader's own delegation: ending it is theirs to do
            response = client.post(path, data)
            ok = response.status_code in (403, 404) or (
                # batch approval answers with a message: "no longer waiting for you"
                path == reverse("approvals:batch_approve") and response.status_code == 302
            )
            if not ok:
                wrong.append(f"POST {path} as {who}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
    assert changed_tables(before) == []


def test_an_export_belongs_to_whoever_asked_for_it(client, world):
    for person in (world.office.accountant, world.office.admin, world.office.supervisor, world.office.clerk):
        client.force_login(person)
        for name in ("budget:export_job", "budget:export_progress", "budget:export_download"):
            assert client.get(reverse(name, args=[world.job.pk])).status_code == 403, (person.username, name)
    client.force_login(world.office.finance_reviewer)
    response = client.get(reverse("budget:export_download", args=[world.job.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")


def test_a_document_cannot_be_uploaded_onto_another_units_record(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents.models import Document

    from .conftest import PDF_BYTES

    count = Document.objects.count()
    client.force_login(world.office.clerk)
    for owner, pk in (("contract", world.contract.pk), ("payment", world.payment.pk), ("acceptance", world.acceptance.pk)):
        upload = SimpleUploadedFile("伪造.pdf", PDF_BYTES, content_type="application/pdf")
        response = client.post(reverse("documents:upload"),
                               {"owner": owner, "owner_id": pk, "kind": "other", "file": upload})
        assert response.status_code in (403, 404), (owner, response.status_code)
    assert Document.objects.count() == count


def test_lists_and_search_show_nothing_of_another_unit(client, world):
    # the control: someone who reads everything finds the form by its title
    client.force_login(world.office.supervisor)
    assert world.foreign.number in client.get(reverse("search") + "?q=" + world.foreign.title).content.decode()
    client.force_login(world.office.clerk)
    pages = [
        reverse("search") + "?q=" + world.foreign.title,
        reverse("search") + "?q=" + world.foreign.number,
        reverse("approvals:inbox_tab", args=["done"]) + f"?unit={world.foreign.unit_id}",
        reverse("approvals:mine") + f"?unit={world.foreign.unit_id}",
        reverse("budget:ledger") + f"?unit={world.foreign_line.unit_id}",
        reverse("budget:index") + f"?unit={world.foreign_line.unit_id}",
        reverse("procurement:index") + f"?unit={world.purchase.unit_id}",
        reverse("contracts:index") + f"?unit={world.contract.unit_id}",
        reverse("contracts:payment_list") + "?tab=all",
    ]
    secrets = [world.foreign.number, world.foreign.title, world.foreign_line.project, world.purchase.case.number,
               world.contract.number, world.payment.case.number]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.content.decode()
        leaked = [s for s in secrets if s in body and s not in path]
        assert not leaked, f"{path} shows {leaked}"


def test_a_suppliers_workbook_holds_only_what_the_person_may_read(client, world):
    import io

    from openpyxl import load_workbook

    def cells(person) -> str:
        client.force_login(person)
        response = client.get(reverse("procurement:supplier_records_export", args=[world.supplier.pk]))
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
        return " ".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)

    assert world.contract.number in cells(world.office.supervisor)  # the control
    for person in (world.office.clerk, world.office.head, world.office.leader):
        text = cells(person)
        assert world.contract.number not in text and world.payment.case.number not in text, person.username


def test_ids_that_do_not_exist_are_not_found_for_everyone(client, world):
    missing = 10**9
    paths = [
        reverse("approvals:detail", args=[missing]),
        reverse("approvals:edit", args=[missing]),
        reverse("approvals:pdf", args=[missing]),
        reverse("documents:download", args=[missing]),
        reverse("approvals:create", args=[missing]),
        reverse("approvals:preview", args=[missing]),
        reverse("budget:line_detail", args=[missing]),
        reverse("budget:export_job", args=["00000000-0000-0000-0000-000000000000"]),
        reverse("procurement:purchase_detail", args=[missing]),
        reverse("procurement:supplier_detail", args=[missing]),
        reverse("documents:download", args=[missing]),
        reverse("contracts:detail", args=[missing]),
        reverse("contracts:payment_detail", args=[missing]),
    ]
    for person in world.office.by_role.values():
        client.force_login(person)
        for path in paths:
            assert client.get(path).status_code == 404, (person.username, path)
