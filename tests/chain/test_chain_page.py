"""The chain page (关联查询): from any record of a chain the same chain, in stage order, with
amounts, states and files; nodes the person may not read shown as placeholders; a fixed number
of queries however long the chain."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from chain.selectors import chain_for
from contracts.models import Contract, Payment

from .conftest import build_small


def _url(kind, pk):
    return reverse("chain:node", args=[kind, pk])


def _starts(c):
    yield "budget_line", c.contract.budget_line_id
    yield "case", c.case.pk
    yield "purchase", c.purchase.pk
    yield "contract", c.contract.pk
    for p in c.payments:
        yield "payment", p.pk
        yield "case", p.case_id
    for s in c.supplements:
        yield "supplement", s.pk
        yield "case", s.case_id
    if c.acceptance is not None:
        yield "acceptance", c.acceptance.pk


def _members(chain):
    return {(stage.kind.key, n.pk) for stage in chain.stages for n in stage.nodes}


def test_every_record_of_the_chain_shows_the_same_chain(flow, large):
    supervisor = flow.o.supervisor
    expected = None
    for kind, pk in _starts(large):
        chain = chain_for(supervisor, kind, pk)
        assert chain.start.kind.key == kind and chain.start.pk == pk
        members = _members(chain)
        if expected is None:
            expected = members
        assert members == expected, (kind, pk)
    assert {k for k, _pk in expected} == {"budget_line", "case", "purchase", "contract", "supplement", "acceptance", "payment"}
    # the forms: the request, the supplement's and the two payments'
    assert len([1 for k, _ in expected if k == "case"]) == 4
    assert len([1 for k, _ in expected if k == "payment"]) == 2


def test_stages_in_order_with_amounts_states_and_summary(client, flow, large):
    client.force_login(flow.o.head)
    body = client.get(_url("payment", large.payments[0].pk)).content.decode()
    order = [m for m in re.findall(r'data-testid="stage-([a-z_]+)"', body)]
    assert order == ["budget_line", "case", "purchase", "contract", "supplement", "acceptance", "payment"]
    contract = large.contract
    assert contract.amount == D("108000.00")
    summary = re.search(r'data-testid="chain-summary".*?</table>', body, re.S).group(0)
    assert "¥1,000,000.00" in summary  # the budget line
    assert "¥100,000.00" in summary  # the award
    assert "¥108,000.00" in summary  # the contract with its supplement
    assert re.search(r'data-testid="sum-paid">¥108,000.00<', summary)
    assert re.search(r'data-testid="sum-to-pay">¥0.00<', summary)
    # each record: number, state, link to its own page
    assert contract.number in body and reverse("contracts:detail", args=[contract.pk]) in body
    with translation.override("zh-hans"):
        completed, paid = str(Contract.Status.COMPLETED.label), str(Payment.Status.PAID.label)
    node = re.search(rf'data-testid="node-contract-{contract.pk}".*?</ul>', body, re.S).group(0)
    assert f'data-testid="state">{completed}<' in node and "¥108,000.00" in node
    for p in large.payments:
        node = re.search(rf'data-testid="node-payment-{p.pk}".*?</ul>', body, re.S).group(0)
        assert f'data-testid="state">{paid}<' in node and f"¥{p.amount:,.2f}" in node
    for p in large.payments:
        assert reverse("contracts:payment_detail", args=[p.pk]) in body
        assert p.case.number in body
    assert "¥100,000.00 → ¥108,000.00" in body
    # the starting record is highlighted
    assert f'class="chain-node is-start" data-testid="node-payment-{large.payments[0].pk}"' in body
    # files, with download links: the quotes, the contract text, the acceptance report
    for name in ("报价单.pdf", "合同.pdf", "验收报告.pdf"):
        assert name in body, name
    download = re.escape(reverse("documents:download", args=[12345])).replace("12345", r"\d+")
    # 3 quotes, the contract text, the acceptance report, and the forms' own materials
    assert len(re.findall(download, body)) >= 5 + 4
    # the supplier, from the award and the contract
    assert reverse("procurement:supplier_detail", args=[flow.suppliers[0].pk]) in body
    assert 'data-testid="node-hidden"' not in body


def test_small_chain_figures(client, flow, small):
    client.force_login(flow.o.clerk)  # the applicant
    body = client.get(_url("contract", small.contract.pk)).content.decode()
    assert re.search(r'data-testid="sum-awarded">¥76,000.00<', body)
    assert re.search(r'data-testid="sum-contracted">¥76,000.00<', body)
    assert re.search(r'data-testid="sum-paid">¥22,800.00<', body)
    assert re.search(r'data-testid="sum-to-pay">¥53,200.00<', body)
    with translation.override("zh-hans"):
        assert f'data-testid="state">{Payment.Status.PAID.label}<' in body
    assert 'data-testid="stage-acceptance"' not in body  # no acceptance yet: no empty stage


def test_the_page_reads_in_chinese_and_prints_without_a_cdn(client, flow, small):
    client.force_login(flow.o.head)
    body = client.get(_url("purchase", small.purchase.pk)).content.decode()
    for words in ("全链条", "预算指标", "采购", "合同", "支付", "已支付", "尚待支付", "打印"):
        assert words in body, words
    assert "chain/chain.css" in body and "http://" not in body.replace("http://testserver", "") and "https://" not in body
    assert "@media print" in open(finders.find("chain/chain.css"), encoding="utf-8").read()


def test_anonymous_is_sent_to_sign_in(client, flow, small):
    response = client.get(_url("contract", small.contract.pk))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_clerk_of_another_unit_gets_not_found(client, flow, small):
    client.force_login(flow.o.community_clerk)
    for kind, pk in _starts(small):
        assert client.get(_url(kind, pk)).status_code == 404, kind


def test_unknown_kind_or_record_is_not_found(client, flow, small):
    client.force_login(flow.o.supervisor)
    assert client.get(_url("voucher", 1)).status_code == 404
    assert client.get(_url("contract", 999999)).status_code == 404


def test_the_applicant_sees_every_record_of_their_chain(client, flow, small):
    client.force_login(flow.o.clerk)
    body = client.get(_url("case", small.case.pk)).content.decode()
    assert 'data-testid="node-hidden"' not in body
    assert small.contract.number in body and "报价单.pdf" in body


def test_a_record_the_person_may_not_read_is_a_placeholder(client, flow, small):
    """The procurement centre reads every unit's purchases and contracts, but not the budget
    line of another unit nor a payment form it had no part in: those show as 无权查看, with
    no number, amount or file, and stay out of the figures."""
    cgzx = flow.o.heads["cgzx"]
    client.force_login(cgzx)
    chain = chain_for(cgzx, "contract", small.contract.pk)
    hidden = {(s.kind.key) for s in chain.stages for n in s.nodes if not n.visible}
    assert "budget_line" in hidden
    body = client.get(_url("contract", small.contract.pk)).content.decode()
    assert body.count('data-testid="node-hidden"') == chain.hidden >= 1
    assert "无权查看" in body
    assert flow.line.project not in body and "¥1,000,000.00" not in body
    assert re.search(r'data-testid="sum-budget">—<', body)
    assert 'data-testid="chain-hidden-note"' in body
    assert small.contract.number in body  # what it may read is shown


def test_a_supervisor_sees_everything(client, flow, small):
    client.force_login(flow.o.supervisor)
    body = client.get(_url("budget_line", flow.line.pk)).content.decode()
    assert 'data-testid="node-hidden"' not in body
    assert small.contract.number in body and small.payments[0].case.number in body


def test_a_budget_line_shows_every_chain_on_it_but_a_contract_only_its_own(client, flow, small):
    other = build_small(flow, title="采购社区图书室书架", invoice="44039999")
    client.force_login(flow.o.head)
    body = client.get(_url("budget_line", flow.line.pk)).content.decode()
    for c in (small, other):
        assert c.contract.number in body and c.payments[0].case.number in body
    assert re.search(r'data-testid="sum-contracted">¥152,000.00<', body)
    assert re.search(r'data-testid="sum-paid">¥45,600.00<', body)
    body = client.get(_url("contract", small.contract.pk)).content.decode()
    assert small.contract.number in body and other.contract.number not in body


# session, user, the walk (about five rounds of one fetch per kind and one query per link), the
# visibility checks, the files, the menu badges: bounded by the shape of the chain, not its size
# (each registered link function — construction's projects add three — is one query per round)
MAX_QUERIES = 60


@pytest.mark.parametrize("size", ["small", "large"])
def test_the_page_runs_a_bounded_number_of_queries(client, flow, size, request, django_assert_max_num_queries):
    c = request.getfixturevalue(size)
    client.force_login(flow.o.head)
    for kind, pk in _starts(c):
        client.get(_url(kind, pk))  # warm the session and content-type caches
        with django_assert_max_num_queries(MAX_QUERIES):
            assert client.get(_url(kind, pk)).status_code == 200, kind


def _count(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_more_records_of_the_same_shape_take_no_more_queries(client, flow, small):
    client.force_login(flow.o.head)
    url = _url("budget_line", flow.line.pk)
    one = _count(client, url)
    more = [build_small(flow, title=f"采购社区办公设备第{n}批", invoice=f"4403888{n}") for n in range(3)]
    body = client.get(url).content.decode()
    assert all(c.contract.number in body for c in more)
    assert _count(client, url) == one  # four chains, four contracts, four payments: the same queries
