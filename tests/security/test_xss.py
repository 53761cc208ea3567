"""XSS payloads typed into every text field a person fills — the case form (title, reason),
an attachment's file name, comments, the decision opinion, the return reason, the note on
resubmission, a delegation's reason, the search box and the list filters, and a supplier's
fields — come back inert on every page that shows them: no element, attribute, handler or
script of the payload's own appears in the HTML, only its escaped text."""

from __future__ import annotations

from html.parser import HTMLParser

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from approvals.models import Case
from procurement.models import Supplier
from procurement.validators import make_credit_code

from .conftest import PDF_BYTES

MARK = "xss7f3a"
PAYLOADS = [
    f"<script>window.{MARK}=1</script>",
    f'<img src=x onerror="{MARK}()">',
    f'"><svg onload={MARK}()>',
    f"'><a href=javascript:{MARK}()>x</a>",
    f"<iframe srcdoc='<script>{MARK}()</script>'></iframe>",
]
ONE = "".join(PAYLOADS)


class _Injected(HTMLParser):
    """Finds markup that came from a payload: a tag whose attributes carry the mark, or a
    script/iframe/svg element containing it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if MARK in name:
                self.found.append(f"<{tag} {name}>")
            elif MARK in value and (
                name.startswith("on") or name == "srcdoc"
                or (name in ("href", "src", "action", "formaction") and value.strip().lower().startswith("javascript:"))
            ):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag in ("script", "svg", "iframe") and MARK in str(attrs):
            self.found.append(f"<{tag}>")
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_data(self, data):
        if MARK in data and self.stack and self.stack[-1] in ("script", "style"):
            self.found.append(f"<{self.stack[-1]}>{data[:60]}")


def injected(html: str) -> list[str]:
    parser = _Injected()
    parser.feed(html)
    return parser.found


def _shows(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    body = response.content.decode()
    assert not injected(body), f"{path}: {injected(body)}"
    return body


def test_payloads_in_every_field_of_a_case_render_inert(client, world):
    o = world.office
    client.force_login(o.clerk)
    upload = SimpleUploadedFile(f'<img src=x onerror="{MARK}()">.pdf', PDF_BYTES, content_type="application/pdf")
    response = client.post(reverse("approvals:create", args=[world.spend.pk]), {
        "title": ONE[:200], "reason": ONE, "amount": "100.00", "budget-line": world.line.pk,
        "file_other": upload, "action": "submit",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get(title=ONE[:200])
    assert case.reason == ONE  # stored as typed, escaped on output

    client.force_login(o.head)
    client.post(reverse("approvals:comment", args=[case.pk]), {"comment": ONE})
    client.post(reverse("approvals:decide", args=[case.pk]), {"decision": "return", "comment": ONE, "step_id": case.current_step_id})
    client.force_login(o.clerk)
    for path in (reverse("approvals:detail", args=[case.pk]), reverse("approvals:edit", args=[case.pk])):
        body = _shows(client, path)
        assert "&lt;script&gt;window.xss7f3a=1&lt;/script&gt;" in body  # the text is there, escaped
    response = client.post(reverse("approvals:edit", args=[case.pk]), {
        "title": ONE[:200], "reason": ONE, "amount": "100.00", "budget-line": world.line.pk, "comment": ONE, "action": "submit",
    })
    assert response.status_code == 302
    client.force_login(o.head)
    case.refresh_from_db()
    client.post(reverse("approvals:decide", args=[case.pk]), {"decision": "approve", "comment": ONE, "step_id": case.current_step_id})

    pages = [
        reverse("approvals:detail", args=[case.pk]),
        reverse("approvals:inbox_tab", args=["done"]),
        reverse("approvals:notifications"),
        reverse("search") + "?q=" + "xss7f3a",
        reverse("budget:line_detail", args=[world.line.pk]),
        reverse("budget:ledger") + f"?line={world.line.pk}",
    ]
    for path in pages:
        _shows(client, path)
    client.force_login(o.clerk)
    for path in (reverse("approvals:mine"), reverse("approvals:notifications"), reverse("approvals:detail", args=[case.pk])):
        _shows(client, path)
    client.force_login(o.finance_reviewer)  # the form is waiting for them now
    for path in (reverse("approvals:inbox"), reverse("approvals:detail", args=[case.pk])):
        _shows(client, path)
    client.force_login(o.admin)
    for path in (reverse("admin:approvals_case_changelist") + "?q=xss7f3a", reverse("admin:approvals_case_change", args=[case.pk]),
                 reverse("admin:approvals_action_changelist")):
        _shows(client, path)


def test_reflected_input_renders_inert(client, world):
    client.force_login(world.office.clerk)
    for path in ("search", "approvals:inbox", "approvals:mine"):
        for param in ("q", "min_amount", "max_amount", "matter", "unit", "status", "sort", "page"):
            for payload in PAYLOADS:
                response = client.get(reverse(path), {param: payload})
                assert response.status_code in (200, 404), (path, param, response.status_code)
                assert not injected(response.content.decode()), (path, param, payload)
    for path in ("budget:index", "budget:ledger", "procurement:index", "procurement:supplier_list", "contracts:index"):
        for payload in PAYLOADS:
            response = client.get(reverse(path), {"q": payload, "year": payload, "unit": payload, "fund_source": payload,
                                                  "figure": payload, "project": payload, "economic_code": payload})
            assert response.status_code == 200, (path, response.status_code)
            assert not injected(response.content.decode()), (path, payload)


def test_payloads_in_a_delegation_and_a_supplier_render_inert(client, world):
    o = world.office
    client.force_login(o.leader)
    response = client.post(reverse("approvals:delegations"), {
        "deputy": o.finance_leader.pk, "start": "2026-01-01", "end": "2026-01-31", "reason": ONE[:200],
    })
    assert response.status_code == 302
    _shows(client, reverse("approvals:delegations"))

    client.force_login(o.clerk)
    response = client.post(reverse("procurement:supplier_create"), {
        "name": ONE[:200], "credit_code": make_credit_code(area="440306", org8="MA5FX001"),
        "legal_representative": PAYLOADS[1][:50], "address": ONE[:200], "contact_person": PAYLOADS[1][:50],
        "phone": "0755-1234567", "bank_name": ONE[:100], "bank_account": "6222000011112222", "note": ONE[:300],
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    supplier = Supplier.objects.get(name=ONE[:200])
    for path in (reverse("procurement:supplier_detail", args=[supplier.pk]), reverse("procurement:supplier_list"),
                 reverse("procurement:supplier_list") + "?q=xss7f3a", reverse("search") + "?q=xss7f3a"):
        _shows(client, path)


def test_the_detector_sees_raw_payloads():
    for payload in PAYLOADS:
        assert injected(f"<p>{payload}</p>"), payload
    from django.utils.html import escape

    for payload in PAYLOADS:
        assert not injected(f"<p>{escape(payload)}</p><input value=\"{escape(payload)}\">"), payload
    assert not injected(f"<a href='?q={MARK}'>")  # the text as a query value is fine
    assert injected(f"<a href=' javascript:{MARK}()'>")
