"""The trail cannot be changed (not even by raw SQL through the app's connection); the
verifier finds the first broken link; the PDF prints in Chinese with capitals and trail."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import InternalError
from django.urls import reverse
from pypdf import PdfReader

from approvals.models import Action
from tests.dba import going_around_triggers

from .conftest import approve_all

pytestmark = pytest.mark.django_db


def test_raw_update_and_delete_of_the_trail_are_refused(make_case):
    case = make_case("500")
    entry = Action.objects.filter(case=case).first()
    for sql in (f"UPDATE approvals_action SET comment = 'x' WHERE id = {entry.pk}", f"DELETE FROM approvals_action WHERE id = {entry.pk}"):
        with pytest.raises(InternalError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
    assert Action.objects.get(pk=entry.pk).comment == entry.comment


@pytest.mark.parametrize("table,statements", [
    ("approvals_action", ["UPDATE approvals_action SET comment = 'x'", "DELETE FROM approvals_action", "TRUNCATE approvals_action"]),
    ("budget_budgetmovement", ["TRUNCATE budget_budgetmovement"]),
])
def test_the_session_switch_of_pgtrigger_does_not_turn_the_guard_off(make_case, table, statements):
    """pgtrigger's own triggers return early when the session sets ``pgtrigger.ignore`` to
    their names, which any database user may do; ours have no such switch."""
    make_case("500")
    with connection.cursor() as cur:
        cur.execute("SELECT array_agg(tgname::text) FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname LIKE 'pgtrigger_%%'", [table])
        (names,) = cur.fetchone()
    assert len(names) == 2
    for sql in statements:
        with pytest.raises(InternalError, match="append-only|Cannot"), transaction.atomic(), connection.cursor() as cur:
            cur.execute("SELECT set_config('pgtrigger.ignore', %s, true)", ["{" + ",".join(names) + "}"])
            cur.execute(sql)
    assert Action.objects.exists()


def test_verify_trail_reports_intact_chain(make_case, capsys):
    approve_all(make_case("20000"))
    call_command("verify_trail")
    assert "trail intact" in capsys.readouterr().out


def test_verify_trail_finds_the_first_altered_entry(make_case):
    case = approve_all(make_case("500"))
    victim = Action.objects.filter(case=case, kind="approve").first()
    with going_around_triggers():  # a DBA going around the app
        Action.objects.filter(pk=victim.pk).update(comment="篡改")
    with pytest.raises(CommandError) as exc:
        call_command("verify_trail")
    assert f"entry {victim.pk}" in str(exc.value)


def test_verify_trail_finds_a_removed_entry(make_case):
    case = approve_all(make_case("500"))
    entries = list(Action.objects.filter(case=case).order_by("id"))
    with going_around_triggers():
        Action.objects.filter(pk=entries[2].pk).delete()
    with pytest.raises(CommandError) as exc:
        call_command("verify_trail")
    assert f"entry {entries[3].pk}" in str(exc.value)


def test_trail_cannot_be_changed_in_admin(client, office, make_case):
    case = make_case("500")
    entry = Action.objects.filter(case=case).first()
    client.force_login(office.admin)
    assert client.get(reverse("admin:approvals_action_changelist")).status_code == 200
    r = client.post(reverse("admin:approvals_action_change", args=[entry.pk]), {"comment": "x"})
    assert r.status_code in (302, 403) or "comment" not in r.content.decode()
    assert client.post(reverse("admin:approvals_action_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert Action.objects.get(pk=entry.pk).comment == entry.comment


def test_pdf_prints_chinese_title_capitals_and_trail(client, office, make_case):
    case = approve_all(make_case("234567.89", title="街道办公楼空调维修采购"))
    client.force_login(office.clerk)
    r = client.get(reverse("approvals:pdf", args=[case.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    compact = text.replace(" ", "").replace("\n", "")
    assert "街道办公楼空调维修采购" in compact
    assert "贰拾叁万肆仟伍佰陆拾柒元捌角玖分" in compact
    assert "¥234,567.89" in compact
    assert office.head.full_name.replace(" ", "") in compact


@pytest.mark.parametrize("table", ["approvals_action", "approvals_stepassignee", "budget_budgetmovement"])
def test_truncate_of_an_append_only_table_is_refused(make_case, table):
    make_case("500")
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {table}")
        before = cur.fetchone()[0]
    with pytest.raises(InternalError, match="TRUNCATE is refused"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"TRUNCATE {table} CASCADE")
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {table}")
        assert cur.fetchone()[0] == before
