"""The role the app connects as (manage.py db_app_role) can serve the app and nothing more:
it reads and writes the ordinary tables, appends to the trail, and cannot empty, alter or
switch off the guards of any table — not by TRUNCATE, not by disabling a trigger, not by
``session_replication_role``, not by pgtrigger's ``pgtrigger.ignore`` switch."""

import uuid

import psycopg2
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from approvals import demo, services
from approvals.models import Action, Matter

pytestmark = pytest.mark.django_db(transaction=True)


def _trigger(table: str, name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname LIKE %s", [table, f"pgtrigger_{name}_%"]
        )
        return cursor.fetchone()[0]


@pytest.fixture
def app_role(db, monkeypatch):
    role = f"neiqiao_app_t{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("DATABASE_APP_PASSWORD", "app-role-pass")
    call_command("db_app_role", role)
    call_command("db_app_role", role)  # idempotent
    db = settings.DATABASES["default"]
    conn = psycopg2.connect(
        host=db["HOST"] or None, port=db["PORT"] or None, dbname=db["NAME"], user=role, password="app-role-pass",
    )
    conn.autocommit = True
    try:
        yield conn
    finally:
        conn.close()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP OWNED BY "{role}"')
            cursor.execute(f'DROP ROLE "{role}"')


@pytest.fixture
def make_case(office):
    demo.seed()
    Matter.objects.update(stages=[])
    matter = Matter.objects.get(code="CW-SQSP")

    def make(amount):
        case = services.case_create(matter=matter, applicant=office.clerk, title="购置办公桌椅", reason="办公需要",
                                    amount=amount)
        services.case_submit(case=case, actor=office.clerk)
        return case

    return make


def _run(conn, sql: str, *params):
    with conn.cursor() as cursor:
        cursor.execute(sql, params or None)
        return cursor.fetchall() if cursor.description else None


def _refused(conn, sql: str, *params) -> str:
    with pytest.raises(psycopg2.Error) as exc:
        _run(conn, sql, *params)
    return str(exc.value)


def test_the_app_role_serves_the_app(app_role, office, make_case):
    case = make_case("500")
    entries = Action.objects.filter(case=case).count()
    assert entries
    # reads, writes ordinary rows, appends to the trail
    assert _run(app_role, "SELECT count(*) FROM approvals_action WHERE case_id = %s", case.pk)[0][0] == entries
    _run(app_role, "UPDATE approvals_case SET title = title || '' WHERE id = %s", case.pk)
    _run(app_role, "SELECT pg_advisory_xact_lock(1)")
    _run(app_role, "SELECT nextval(pg_get_serial_sequence('approvals_action', 'id'))")
    _run(app_role, "INSERT INTO django_session (session_key, session_data, expire_date) VALUES ('k', 'd', now())")


def test_the_app_role_cannot_empty_alter_or_unguard_a_table(app_role, office, make_case):
    case = make_case("500")
    entry = Action.objects.filter(case=case).first()
    assert "permission denied" in _refused(app_role, "TRUNCATE approvals_action")
    assert "permission denied" in _refused(app_role, "TRUNCATE approvals_case")
    assert "permission denied" in _refused(app_role, "TRUNCATE budget_budgetmovement")
    assert "must be owner" in _refused(app_role, "ALTER TABLE approvals_action DISABLE TRIGGER ALL")
    assert "must be owner" in _refused(app_role, f"DROP TRIGGER {_trigger('approvals_action', 'action_append_only')} ON approvals_action")
    assert "must be owner" in _refused(app_role, "DROP TABLE approvals_case")
    assert "permission denied" in _refused(app_role, "SET session_replication_role = replica")
    assert "permission denied" in _refused(app_role, "CREATE TABLE public.sneaky (id int)")
    # the trail and the ledger: no UPDATE or DELETE right at all
    assert "permission denied" in _refused(app_role, "UPDATE approvals_action SET comment = 'x' WHERE id = %s", entry.pk)
    assert "permission denied" in _refused(app_role, "DELETE FROM approvals_action WHERE id = %s", entry.pk)
    assert "permission denied" in _refused(app_role, "DELETE FROM budget_budgetmovement")
    assert Action.objects.get(pk=entry.pk).comment == entry.comment


def test_the_role_name_is_checked(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="lower-case"):
        call_command("db_app_role", 'x"; DROP TABLE approvals_case; --')
