"""CSRF on every POST: every URL of the project (the walk of the URL configuration, with the
records of ``world``) refuses a POST without a CSRF token — as the administrator, who may
reach every view, as the clerk, and as an anonymous visitor — and nothing in the database
changes. With the token, the same kind of request goes through (so the 403 came from the
CSRF check, not from something else)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from approvals.models import Action, Case

from .conftest import changed_tables, fingerprint, walk_urls
from .test_url_table import TABLE, _admin_model_of, _admin_path

# what a real form would send, so that without the CSRF check the request would act
FORM_DATA = {
    "approvals:decide": lambda w: {"decision": "reject", "comment": "不同意", "step_id": w.foreign.current_step_id},
    "approvals:comment": lambda w: {"comment": "伪造的评论"},
    "approvals:withdraw": lambda w: {"comment": "伪造撤回"},
    "approvals:batch_approve": lambda w: {"case": [w.foreign.pk]},
    "approvals:delegations": lambda w: {"deputy": w.office.admin.pk, "start": "2026-01-01", "end": "2026-12-31"},
    "approvals:threshold_edit": lambda w: {"action": "start", "start-amount": "12345"},
    "budget:export": lambda w: {"year": w.year},
    "procurement:supplier_create": lambda w: {"name": "伪造供应商", "credit_code": "91440300MA5F00019X"},
    "procurement:supplier_blacklist": lambda w: {"reason": "伪造拉黑"},
    "contracts:payment_pay": lambda w: {"paid_on": "2026-01-02", "bank_reference": "X"},
    "login": lambda w: {"username": w.office.clerk.username, "password": w.office.password},
}


def _targets(world):
    for route, name, _cb in walk_urls():
        key = name or route
        found = _admin_model_of(key)
        if found:
            model, action = found
            yield key, _admin_path(model, action, world)
        else:
            yield key, TABLE[key][0](world)


def _token(client) -> str:
    """The token a page's forms carry (the sign-in page for visitors, the home page's
    sign-out form for people signed in)."""
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 200
    return client.cookies["csrftoken"].value


def test_every_post_without_a_token_is_refused_and_changes_nothing(world):
    targets = list(_targets(world))
    before = fingerprint()
    wrong = []
    for who in ("admin", "clerk", None):
        client = Client(enforce_csrf_checks=True)
        if who:
            client.force_login(getattr(world.office, who))
        for key, path in targets:
            data = FORM_DATA.get(key, lambda w: {})(world)
            response = client.post(path, data)
            if response.status_code != 403:
                wrong.append(f"{key} as {who or 'anonymous'}: {path} gave {response.status_code}")
    assert not wrong, "POST without a CSRF token was not refused:\n" + "\n".join(wrong)
    assert changed_tables(before) == [], "a refused POST changed the database"


def test_the_same_posts_with_a_token_go_through(world):
    """The control: with the token the forms act, so the refusals above are the CSRF check's."""
    case = world.foreign
    assert case.current_step.kind == "unit_head"
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.office.heads["cgzx"])
    token = _token(client)
    response = client.post(reverse("approvals:comment", args=[case.pk]), {"comment": "请补充", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    response = client.post(
        reverse("approvals:decide", args=[case.pk]),
        {"decision": "approve", "comment": "同意。", "step_id": case.current_step_id},
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.current_step.kind == "finance_review"
    assert Action.objects.filter(case=case, kind__in=["comment", "approve"]).count() == 2

    anonymous = Client(enforce_csrf_checks=True)
    token = _token(anonymous)
    response = anonymous.post(reverse("login"), {"username": world.office.clerk.username, "password": world.office.password,
                                                 "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert Case.objects.filter(pk=case.pk, status="in_progress").exists()
