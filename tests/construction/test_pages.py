"""The project pages through the Django test client: who sees and changes what, constant
queries on the ledger, the .xlsx export, and a project from initiation to handover."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.db.models import Sum
from openpyxl import load_workbook

from tests.xlsx_checks import assert_print_ready, sum_rows, value

from approvals.models import Case, StepKind
from assets.models import AssetCard
from construction.models import ChangeOrder, ContractRole, ProgressPayment, Project

from .conftest import PROGRESS_TERMS, holders

D = Decimal
pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00"
       b"\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


def upload(name="材料.pdf", content=PDF, ctype="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=ctype)


def test_the_ledger_runs_constant_queries_and_totals(client, works):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(3):
        works.project("200000.00", name=f"民生微实事{i}", approve=False)
    client.force_login(works.o.clerk)
    client.get(reverse("construction:index"))  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("construction:index"))
    for i in range(4):
        works.project("200000.00", name=f"道路修缮{i}", approve=False)
    with CaptureQueriesContext(connection) as more:
        body = client.get(reverse("construction:index")).content.decode()
    assert len(more) == len(few) <= 16, [q["sql"][:120] for q in more.captured_queries]
    assert body.count('data-project="GC-') == 7 and "¥1,400,000.00" in body


def test_another_unit_does_not_see_the_project(client, works):
    p = works.project("200000.00", approve=False)
    client.force_login(works.o.community_clerk)
    assert client.get(reverse("construction:detail", args=[p.pk])).status_code == 404
    assert p.number not in client.get(reverse("construction:index")).content.decode()
    client.force_login(works.o.supervisor)
    assert client.get(reverse("construction:detail", args=[p.pk])).status_code == 200
    assert client.post(reverse("construction:act", args=[p.pk, "start"]), {"on": "2026-01-01"}).status_code in (403, 405)
    client.force_login(works.o.heads["jsb"])  # the works department reads every project
    assert client.get(reverse("construction:detail", args=[p.pk])).status_code == 200


def test_export_is_a_formatted_workbook(client, works):
    works.project("300000.00", approve=False)
    client.force_login(works.o.clerk)
    response = client.get(reverse("construction:export"))
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb.active
    first, last, totals = assert_print_ready(ws, title="工程项目台账", money_col=6)
    assert ws.cell(row=4, column=6).value == 300000
    # the totals row is a SUM over exactly the data rows and equals the SQL sum of the estimates
    assert sum_rows(ws.cell(row=totals, column=6).value) == set(range(first, last + 1))
    assert value(ws, ws.cell(row=totals, column=6)) == Project.objects.aggregate(s=Sum("estimate"))["s"]


def test_the_new_project_form_shows_the_rule_and_saves_nothing(client, works):
    client.force_login(works.o.clerk)
    before = Project.objects.count()
    r = client.post(reverse("construction:new"), {"name": "路灯改造", "location": "上星路", "kind": "municipal",
                                                  "estimate": "100000.00", "necessity": "照明不足", "line_0": works.line.pk,
                                                  "amount_0": "90000.00"})
    assert r.status_code == 200 and "须等于投资估算" in r.content.decode()
    assert Project.objects.count() == before


def test_starting_without_supervision_is_refused_on_the_page(client, works):
    p = works.project("1000000.00")
    works.link(p, "900000.00")
    client.force_login(works.o.clerk)
    r = client.post(reverse("construction:act", args=[p.pk, "start"]), {"on": timezone.localdate().isoformat()}, follow=True)
    assert "ENG-02" in r.content.decode()
    p.refresh_from_db()
    assert p.status == Project.Status.ESTIMATED


# --- from initiation to handover through the pages ------------------------------------------------------
def _submit(client, case):
    case.refresh_from_db()
    client.force_login(case.applicant)
    data = {"title": case.title, "reason": case.reason, "amount": str(case.amount or ""), "action": "submit"}
    r = client.post(reverse("approvals:edit", args=[case.pk]), data)
    assert r.status_code == 302, r.content.decode()[:3000]
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS, case.status


def _approve_all(client, case):
    kinds = []
    for _ in range(20):
        case.refresh_from_db()
        if case.status != Case.Status.IN_PROGRESS:
            break
        step = case.current_step
        kinds.append(step.kind)
        client.force_login(holders(case)[0])
        data = {"decision": "approve", "comment": "同意。", "step_id": step.pk, "round": case.round}
        if step.kind == StepKind.COLLECTIVE:
            data.update(meeting_date=timezone.localdate().isoformat(), meeting_name="党工委会议", minutes=upload("会议纪要.pdf"))
        assert client.post(reverse("approvals:decide", args=[case.pk]), data).status_code == 302
    case.refresh_from_db()
    return kinds


def _attach_case(client, case, kinds):
    client.force_login(case.applicant)
    for kind in kinds:
        r = client.post(reverse("approvals:attach", args=[case.pk]), {"kind": kind, "file": upload(f"{kind}.pdf")})
        assert r.status_code == 302


def _attach_project(client, p, kind, name="材料.pdf"):
    client.force_login(p.created_by)
    r = client.post(reverse("documents:upload"), {"owner": "project", "owner_id": p.pk, "kind": kind, "file": upload(name),
                                                  "next": reverse("construction:detail", args=[p.pk])})
    assert r.status_code == 302


def _act(client, p, action, data, *, ok=True):
    client.force_login(p.created_by)
    r = client.post(reverse("construction:act", args=[p.pk, action]), data, follow=True)
    body = r.content.decode()
    if ok:
        assert "alert-danger" not in body or "data-testid=\"missing\"" in body, body[:2000]
    return body


def test_a_project_from_initiation_to_handover(client, works, django_assert_max_num_queries):
    o, today = works.o, timezone.localdate().isoformat()
    client.force_login(o.clerk)
    assert client.get(reverse("construction:new")).status_code == 200
    r = client.post(reverse("construction:new"), {
        "name": "新桥社区党群服务中心改造", "location": "新桥社区上星路21号", "kind": "renovation", "estimate": "1500000.00",
        "necessity": "服务中心建成已逾二十年，设施老化", "scale": "改造面积1200平方米", "line_0": works.line.pk,
        "amount_0": "1500000.00"})
    assert r.status_code == 302
    p = Project.objects.get(name="新桥社区党群服务中心改造")
    assert p.supervision_required
    # 立项: the feasibility study on the form, submitted, approved up to the collective decision (≥ ¥300,000)
    _attach_case(client, p.case, ["可行性研究报告"])
    _submit(client, p.case)
    kinds = _approve_all(client, p.case)
    assert StepKind.COLLECTIVE in kinds
    p.refresh_from_db()
    assert p.status == Project.Status.INITIATED
    # 概算: the book on the project, the amount on the page, the stage submitted and approved
    _attach_project(client, p, "budget_book", "概算书.pdf")
    _act(client, p, "budget", {"amount": "1580000.00"})
    _submit(client, p.case)
    _approve_all(client, p.case)
    p.refresh_from_db()
    assert p.status == Project.Status.ESTIMATED and p.approved_budget == D("1580000.00")
    # tender and contracts through procurement and contracts (their own pages and tests); linked on our page
    construction = works.contract("1200000.00", terms=PROGRESS_TERMS)
    supervision = works.contract("36000.00", category="services", supplier=1)
    _act(client, p, "link", {"contract": construction.pk, "role": ContractRole.CONSTRUCTION})
    body = _act(client, p, "start", {"on": today}, ok=False)
    assert "ENG-02" in body  # no supervision yet
    _act(client, p, "link", {"contract": supervision.pk, "role": ContractRole.SUPERVISION})
    _act(client, p, "start", {"on": today})
    p.refresh_from_db()
    assert p.status == Project.Status.BUILDING
    # a progress report with a photo, then a progress payment within 80% of the work done, paid at the desk
    client.force_login(o.clerk)
    r = client.post(reverse("construction:act", args=[p.pk, "progress"]), {
        "reported_on": today, "work_done": "600000.00", "note": "主体结构完成",
        "photo": upload("现场.png", PNG, "image/png")}, follow=True)
    assert "alert-danger" not in r.content.decode()
    body = _act(client, p, "payment", {"amount": "480000.01", "invoice_number": "44030001"}, ok=False)
    assert "已完工程价款" in body and not ProgressPayment.objects.exists()
    _act(client, p, "payment", {"amount": "480000.00", "invoice_number": "44030001"})
    pay = ProgressPayment.objects.get(project=p)
    _attach_case(client, pay.case, ["工程进度报告", "发票"])
    _submit(client, pay.case)
    _approve_all(client, pay.case)
    pay.refresh_from_db()
    assert pay.status == ProgressPayment.Status.APPROVED
    client.force_login(o.cashier)
    r = client.post(reverse("payments:case", args=[pay.case_id]), {
        "payee": f"supplier:{construction.supplier_id}", "amount": "480000.00", "paid_on": today,
        "bank_reference": "BR001"})
    assert r.status_code == 302
    pay.refresh_from_db()
    assert pay.status == ProgressPayment.Status.PAID
    # the contract's paid amount (and CON-01) count the progress payment (contracts.registry)
    from django.db import connection

    from contracts.registry import paid_elsewhere
    with connection.cursor() as cur:
        cur.execute(f"SELECT SUM(amount) FROM {ProgressPayment._meta.db_table} WHERE contract_id = %s AND status = 'paid'",
                    [construction.pk])
        assert paid_elsewhere(construction) == cur.fetchone()[0] == Decimal("480000.00")
    # a change order over 10% of the construction contract: the principal and the collective decision are added
    _act(client, p, "change", {"kind": "design", "amount": "130000.00", "reason": "增设无障碍电梯"})
    change = ChangeOrder.objects.get(project=p)
    _attach_case(client, change.case, ["变更说明", "造价审核意见"])
    _submit(client, change.case)
    change.refresh_from_db()
    assert change.major and change.share == D("10.83")
    kinds = _approve_all(client, change.case)
    assert StepKind.PRINCIPAL in kinds and StepKind.COLLECTIVE in kinds
    change.refresh_from_db()
    assert change.status == ChangeOrder.Status.APPROVED
    # completion acceptance with its report
    _attach_project(client, p, "completion", "竣工验收报告.pdf")
    _act(client, p, "complete", {"on": today})
    p.refresh_from_db()
    assert p.status == Project.Status.COMPLETED
    # settlement review: retention above 3% refused on the page, then filed within it
    body = _act(client, p, "settlement", {"amount": "1330000.00", "audited_amount": "1300000.00", "retention": "39000.01",
                                          "defects_until": "2028-12-31", "auditor": "广东正信工程造价咨询有限公司"}, ok=False)
    assert "建质〔2017〕138号" in body
    _act(client, p, "settlement", {"amount": "1330000.00", "audited_amount": "1300000.00", "retention": "39000.00",
                                   "defects_until": "2028-12-31", "auditor": "广东正信工程造价咨询有限公司"})
    s = p.settlement
    _attach_case(client, s.case, ["结算书", "审计报告"])
    _submit(client, s.case)
    _approve_all(client, s.case)
    p.refresh_from_db()
    assert p.status == Project.Status.SETTLED
    # handover before the final accounts: cards at an estimate; the final accounts adjust them
    _act(client, p, "handover", {"on": today, "receiving_unit": o.community.pk, "name_0": "党群服务中心（改造）",
                                 "class_0": "buildings", "value_0": "1100000.00", "name_1": "无障碍电梯", "class_1": "equipment",
                                 "value_1": "200000.00"})
    cards = list(AssetCard.objects.order_by("id"))
    assert len(cards) == 2 and all(c.estimated for c in cards) and cards[0].source_ref == p.number
    _act(client, p, "final", {"total_cost": "1320000.00", "on": today})
    p.refresh_from_db()
    assert p.status == Project.Status.CLOSED
    cards = list(AssetCard.objects.order_by("id"))
    assert not any(c.estimated for c in cards) and sum(c.value for c in cards) == D("1320000.00")
    # the project page shows the whole chain with its materials
    client.force_login(o.clerk)
    with django_assert_max_num_queries(60):
        body = client.get(reverse("construction:detail", args=[p.pk])).content.decode()
    for text in (construction.number, supervision.number, change.case.number, pay.case.number, s.case.number,
                 "概算书.pdf", "竣工验收报告.pdf", "现场.png", cards[0].number, "10.83", "data-testid=\"deadline\""):
        assert text in body, text


def test_the_chain_view_shows_the_project_between_its_case_and_its_contracts(client, works):
    p = works.project("300000.00")
    contract = works.link(p, "250000.00")
    client.force_login(works.o.clerk)
    page = client.get(reverse("construction:detail", args=[p.pk])).content.decode()
    assert reverse("chain:node", args=["project", p.pk]) in page
    for start in (("project", p.pk), ("contract", contract.pk)):
        body = client.get(reverse("chain:node", args=start)).content.decode()
        assert p.number in body and contract.number in body and p.case.number in body
        assert reverse("construction:detail", args=[p.pk]) in body
