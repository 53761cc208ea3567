"""Every URL of the project, requested (GET) as every role and as an anonymous visitor, gives
the status written in the table below. The table is checked against a walk of the URL
configuration: a URL added without an entry here fails ``test_every_url_has_an_entry``.

Reading the table: ``st(200, clerk=404)`` means 200 for every signed-in role except the
clerk, who gets 404; anonymous visitors get 302 (to sign-in) unless ``anon=`` says otherwise.
The records come from the ``world`` fixture: ``foreign`` is a form of another unit (采购中心)
that the clerk, their unit head and their leader in charge may not read."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin
from django.urls import reverse

from org.models import Role

from core.middleware import READ_ONLY_MAY_POST

from .conftest import ANON, ROLES, changed_tables, fingerprint, login_as, walk_urls

WIDE = (Role.FINANCE_REVIEWER, Role.ACCOUNTANT, Role.CASHIER, Role.PRINCIPAL, Role.SUPERVISOR, Role.ADMIN)
UNIT_BOUND = (Role.CLERK, Role.UNIT_HEAD, Role.LEADER)
BUDGET_MANAGERS = (Role.FINANCE_REVIEWER, Role.ACCOUNTANT, Role.ADMIN)
DESK = (Role.CASHIER, Role.ACCOUNTANT, Role.SUPERVISOR, Role.ADMIN)
THRESHOLD_READERS = (Role.SUPERVISOR, Role.ADMIN)


def st(default: int, *, anon: int = 302, **overrides: int) -> dict[str, int]:
    table = {role: default for role in ROLES}
    table[ANON] = anon
    table.update(overrides)
    return table


def only(roles, ok: int, other: int, *, anon: int = 302) -> dict[str, int]:
    return st(other, anon=anon, **{str(r): ok for r in roles})


HIDDEN_FROM_UNIT = {str(r): 404 for r in UNIT_BOUND}  # deny by default: a guessed id is "not found"

# name (or route for unnamed patterns) -> (path for the world, expected statuses)
TABLE = {
    "home": (lambda w: reverse("home"), st(200)),
    "healthz": (lambda w: reverse("healthz"), st(200, anon=200)),
    "login": (lambda w: reverse("login"), st(302, anon=200)),
    "logout": (lambda w: reverse("logout"), st(405)),  # sign-out is a POST
    "module": (lambda w: reverse("module", args=["risk"]), st(200)),
    "search": (lambda w: reverse("search") + "?q=采购", st(200)),
    # approvals
    "approvals:inbox": (lambda w: reverse("approvals:inbox"), st(200)),
    "approvals:inbox_tab": (lambda w: reverse("approvals:inbox_tab", args=["done"]), st(200)),
    "approvals:mine": (lambda w: reverse("approvals:mine"), st(200)),
    "approvals:batch_approve": (lambda w: reverse("approvals:batch_approve"), st(405)),
    "approvals:new": (lambda w: reverse("approvals:new"), st(200)),
    "approvals:create": (lambda w: reverse("approvals:create", args=[w.spend.pk]), st(200)),
    "approvals:preview": (lambda w: reverse("approvals:preview", args=[w.spend.pk]) + "?amount=100", st(200)),
    "approvals:detail": (lambda w: reverse("approvals:detail", args=[w.foreign.pk]), st(200, **HIDDEN_FROM_UNIT)),
    # only the applicant edits their draft; others who may read it are sent to its page
    "approvals:edit": (lambda w: reverse("approvals:edit", args=[w.own.pk]), st(302, clerk=200)),
    "approvals:decide": (lambda w: reverse("approvals:decide", args=[w.foreign.pk]), st(405)),
    "approvals:withdraw": (lambda w: reverse("approvals:withdraw", args=[w.foreign.pk]), st(405)),
    "approvals:urge": (lambda w: reverse("approvals:urge", args=[w.foreign.pk]), st(405)),
    "approvals:comment": (lambda w: reverse("approvals:comment", args=[w.foreign.pk]), st(405)),
    "approvals:copy": (lambda w: reverse("approvals:copy", args=[w.foreign.pk]), st(405)),
    "approvals:attach": (lambda w: reverse("approvals:attach", args=[w.foreign.pk]), st(405)),
    "approvals:pdf": (lambda w: reverse("approvals:pdf", args=[w.foreign.pk]), st(200, **HIDDEN_FROM_UNIT)),
    "approvals:delete": (lambda w: reverse("approvals:delete", args=[w.own.pk]), st(405)),  # a POST
    "approvals:people_search": (lambda w: reverse("approvals:people_search") + "?field=person&q=a", st(200)),
    "approvals:people": (lambda w: reverse("approvals:people", args=[w.foreign.pk]), st(200, **HIDDEN_FROM_UNIT)),
    "approvals:delegations": (lambda w: reverse("approvals:delegations"), st(200)),
    "approvals:delegation_end": (lambda w: reverse("approvals:delegation_end", args=[w.delegation.pk]), st(405)),
    # the approval thresholds: administrators edit, supervisors read, everyone else is refused
    "approvals:thresholds": (lambda w: reverse("approvals:thresholds"), only(THRESHOLD_READERS, 200, 403)),
    "approvals:threshold_preview": (lambda w: reverse("approvals:threshold_preview"), only(THRESHOLD_READERS, 200, 403)),
    "approvals:threshold_edit": (lambda w: reverse("approvals:threshold_edit", args=[_tier().pk]),
                                 only(THRESHOLD_READERS, 200, 403)),
    "approvals:notifications": (lambda w: reverse("approvals:notifications"), st(200)),
    "approvals:notifications_read_all": (lambda w: reverse("approvals:notifications_read_all"), st(405)),
    # budget
    "budget:index": (lambda w: reverse("budget:index"), st(200)),
    "budget:line_detail": (lambda w: reverse("budget:line_detail", args=[w.foreign_line.pk]),
                           only(WIDE, 200, 403)),
    "budget:ledger": (lambda w: reverse("budget:ledger"), st(200)),
    "budget:import": (lambda w: reverse("budget:import"), only(BUDGET_MANAGERS, 200, 403)),
    "budget:import_template": (lambda w: reverse("budget:import_template"), only(BUDGET_MANAGERS, 200, 403)),
    "budget:export": (lambda w: reverse("budget:export"), st(405)),
    # an export belongs to the person who asked for it
    "budget:export_job": (lambda w: reverse("budget:export_job", args=[w.job.pk]), st(403, finance_reviewer=200)),
    "budget:export_progress": (lambda w: reverse("budget:export_progress", args=[w.job.pk]), st(403, finance_reviewer=200)),
    "budget:export_download": (lambda w: reverse("budget:export_download", args=[w.job.pk]), st(403, finance_reviewer=200)),
    # procurement: purchases by unit scope; suppliers and results are for every member of staff
    "procurement:index": (lambda w: reverse("procurement:index"), st(200)),
    "procurement:purchase_detail": (lambda w: reverse("procurement:purchase_detail", args=[w.purchase.pk]),
                                    st(200, **HIDDEN_FROM_UNIT)),
    "procurement:results": (lambda w: reverse("procurement:results"), st(200)),
    "procurement:thresholds": (lambda w: reverse("procurement:thresholds"), st(200)),
    "procurement:supplier_list": (lambda w: reverse("procurement:supplier_list"), st(200)),
    "procurement:supplier_export": (lambda w: reverse("procurement:supplier_export"), st(200)),
    "procurement:supplier_totals": (lambda w: reverse("procurement:supplier_totals"), st(200)),
    "procurement:supplier_totals_export": (lambda w: reverse("procurement:supplier_totals_export"), st(200)),
    # the supervisor reads everything and changes nothing: no supplier registration either
    "procurement:supplier_create": (lambda w: reverse("procurement:supplier_create"), st(200, **{str(Role.SUPERVISOR): 403})),
    "procurement:supplier_detail": (lambda w: reverse("procurement:supplier_detail", args=[w.supplier.pk]), st(200)),
    # the workbook holds only the records the person may read (test_guessed_ids)
    "procurement:supplier_records_export": (lambda w: reverse("procurement:supplier_records_export", args=[w.supplier.pk]),
                                            st(200)),
    # editing a supplier: the procurement centre and administrators (no one of 采购中心 in the role table)
    "procurement:supplier_edit": (lambda w: reverse("procurement:supplier_edit", args=[w.supplier.pk]), st(403, admin=200)),
    "procurement:supplier_blacklist": (lambda w: reverse("procurement:supplier_blacklist", args=[w.supplier.pk]), st(405)),
    "procurement:qualification_add": (lambda w: reverse("procurement:qualification_add", args=[w.supplier.pk]), st(405)),
    # documents (a contract's file; a case's material is in test_guessed_ids)
    "documents:upload": (lambda w: reverse("documents:upload"), st(405)),
    "documents:download": (lambda w: reverse("documents:download", args=[w.contract_doc.pk]), st(200, **HIDDEN_FROM_UNIT)),
    "documents:delete": (lambda w: reverse("documents:delete", args=[w.contract_doc.pk]), st(405)),
    "documents:preview": (lambda w: reverse("documents:preview", args=[w.contract_doc.pk]), st(200, **HIDDEN_FROM_UNIT)),
    "documents:replace": (lambda w: reverse("documents:replace", args=[w.contract_doc.pk]), st(405)),
    # payments: the desk is for the cashier, the accountant and the supervisor (and administrators)
    "payments:desk": (lambda w: reverse("payments:desk"), only(DESK, 200, 403)),
    "payments:history": (lambda w: reverse("payments:history"), only(DESK, 200, 403)),
    "payments:case": (lambda w: reverse("payments:case", args=[w.foreign.pk]), only(DESK, 200, 403)),
    "payments:refund": (lambda w: reverse("payments:refund", args=[w.foreign.pk]), st(405)),
    "payments:void": (lambda w: reverse("payments:void", args=[w.foreign.pk]), st(405)),
    # contracts
    "contracts:index": (lambda w: reverse("contracts:index"), st(200)),
    "contracts:export": (lambda w: reverse("contracts:export"), st(200)),
    "contracts:detail": (lambda w: reverse("contracts:detail", args=[w.contract.pk]), st(200, **HIDDEN_FROM_UNIT)),
    "contracts:payment_request": (lambda w: reverse("contracts:payment_request", args=[w.contract.pk]), st(405)),
    "contracts:supplement_request": (lambda w: reverse("contracts:supplement_request", args=[w.contract.pk]), st(405)),
    "contracts:payment_list": (lambda w: reverse("contracts:payment_list"), st(200)),
    "contracts:payment_detail": (lambda w: reverse("contracts:payment_detail", args=[w.payment.pk]), st(200, **HIDDEN_FROM_UNIT)),
    "contracts:payment_pay": (lambda w: reverse("contracts:payment_pay", args=[w.payment.pk]), st(405)),
    # construction: the ledger for every role (each sees their scope), a project of 采购中心 hidden from the
    # units it does not belong to; supervisors read and file nothing
    "construction:index": (lambda w: reverse("construction:index"), st(200)),
    "construction:export": (lambda w: reverse("construction:export"), st(200)),
    "construction:new": (lambda w: reverse("construction:new"), st(200, supervisor=403)),
    "construction:detail": (lambda w: reverse("construction:detail", args=[_project(w).pk]), st(200, **HIDDEN_FROM_UNIT)),
    "construction:act": (lambda w: reverse("construction:act", args=[_project(w).pk, "start"]), st(405)),
    # the chain view: readable as its starting record (the foreign contract), records the person may not read
    # inside it are placeholders (tests/chain)
    "chain:node": (lambda w: reverse("chain:node", args=["contract", w.contract.pk]), st(200, **HIDDEN_FROM_UNIT)),
    # risk: the warning desk for supervisors, the principal and the administrator (every warning) and the
    # leaders in charge (their units'); the world's warning is of 采购中心, which the leader does not supervise
    "risk:index": (lambda w: reverse("risk:index"), only((Role.SUPERVISOR, Role.PRINCIPAL, Role.ADMIN, Role.LEADER), 200, 403)),
    "risk:detail": (lambda w: reverse("risk:detail", args=[w.warning.pk]),
                    st(403, supervisor=200, principal=200, admin=200, leader=404)),
    "risk:act": (lambda w: reverse("risk:act", args=[w.warning.pk]), st(405)),
    "risk:suppliers": (lambda w: reverse("risk:suppliers"), only((Role.SUPERVISOR, Role.PRINCIPAL, Role.ADMIN), 200, 403)),
    "risk:benford": (lambda w: reverse("risk:benford"), only((Role.SUPERVISOR, Role.PRINCIPAL, Role.ADMIN), 200, 403)),
    # the administration: staff only; everyone else is sent to the admin's sign-in
    "admin:index": (lambda w: reverse("admin:index"), st(302, admin=200)),
    "admin:login": (lambda w: reverse("admin:login"), st(200, admin=302, anon=200)),
    "admin:logout": (lambda w: reverse("admin:logout"), st(302, admin=405)),
    "admin:password_change": (lambda w: reverse("admin:password_change"), st(302, admin=200)),
    "admin:password_change_done": (lambda w: reverse("admin:password_change_done"), st(302, admin=200)),
    "admin:auth_user_password_change": (lambda w: reverse("admin:auth_user_password_change", args=[w.office.clerk.pk]),
                                        st(302, admin=200)),
    # "view on site" of a case: no model has a public page, so nothing to redirect to
    "admin:view_on_site": (lambda w: reverse("admin:view_on_site", args=[_ct(w.foreign), w.foreign.pk]), st(302, admin=404)),
    "admin:autocomplete": (lambda w: reverse("admin:autocomplete"), st(302, admin=403)),
    "admin:jsi18n": (lambda w: reverse("admin:jsi18n"), st(302, admin=200)),
    "admin:app_list": (lambda w: reverse("admin:app_list", args=["approvals"]), st(302, admin=200)),
    "admin/(?P<url>.*)$": (lambda w: "/admin/no-such-page/", st(302, admin=404)),
}

# Every model in the administration, and what the administrator may do with it there.
# Records that change only through their services (cases, the trail, the budget ledger and
# what hangs off it) are read-only: no add, no change, no delete.
EDIT, READ_ONLY, NO_ADD, NO_DELETE = "edit", "read-only", "no-add", "no-delete"
ADMIN_MODELS = {
    "auth.group": EDIT,
    "axes.accessattempt": NO_ADD,
    "axes.accesslog": NO_ADD,
    "axes.accessfailurelog": NO_ADD,
    "org.unit": EDIT,
    "org.user": EDIT,
    "org.functionaldepartment": EDIT,
    "approvals.policy": EDIT,
    "approvals.matter": EDIT,
    "approvals.delegation": EDIT,
    "approvals.case": READ_ONLY,
    "documents.document": READ_ONLY,
    "approvals.action": READ_ONLY,
    "budget.budgetline": EDIT,
    "budget.budgetmovement": READ_ONLY,
    "budget.casebudget": READ_ONLY,
    "budget.budgetadjustment": READ_ONLY,
    "budget.exportjob": READ_ONLY,
    "procurement.threshold": EDIT,
    "core.workday": EDIT,  # the working-day calendar (core.workcalendar)
    "procurement.supplier": NO_DELETE,  # quotes, awards, contracts and payments point at it
    # filed as cases and changed only through them (test_admin_writes.py)
    "procurement.purchase": READ_ONLY,
    "procurement.award": READ_ONLY,
    "contracts.contract": READ_ONLY,
    "contracts.payment": READ_ONLY,
    "contracts.supplement": READ_ONLY,
    "contracts.acceptance": READ_ONLY,
    "risk.rulesetting": EDIT,
    "risk.riskwarning": READ_ONLY,  # handled on the warning desk, raised by the engine
    "risk.run": READ_ONLY,
    "payments.payment": READ_ONLY,
    "construction.limit": EDIT,  # the shares and periods of the construction rules, effective-dated
    "construction.project": READ_ONLY,  # filed and changed through the project pages and their cases
    "construction.changeorder": READ_ONLY,
    "construction.settlement": READ_ONLY,
    "assets.assetcard": READ_ONLY,  # created by the handover of a project
    "payments.paymentdeadline": EDIT,  # 付款期限 (保障中小企业款项支付条例), effective-dated
}
ADMIN_ACTIONS = ("changelist", "add", "change", "delete", "history", "simple_history")


def _project(w):
    """A project of 采购中心 (created once per world), for the construction pages."""
    if getattr(w, "project", None) is None:
        from construction import demo as construction_demo
        from construction import services as construction_services
        from procurement import demo as procurement_demo

        procurement_demo.seed_thresholds()
        construction_demo.configure_matters()
        w.project = construction_services.project_create(
            actor=w.foreign_clerk, name="采购中心办公区修缮", location="新桥大道1号", kind="repair", estimate="50000.00",
            funding=[(w.foreign_line, Decimal("50000.00"))])
    return w.project


def _tier():
    from approvals.models import Policy

    return Policy.objects.filter(min_amount__gt=0).order_by("id").first()


def _ct(obj) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


def _admin_model_of(name: str):
    """(model, action) when ``name`` is a per-model admin URL, else None. The unnamed
    ``admin/<app>/<model>/<id>/`` pattern (old links, redirected to the change page) is
    the action "redirect"."""
    for model in admin.site._registry:
        app, model_name = model._meta.app_label, model._meta.model_name
        prefix = f"admin:{app}_{model_name}_"
        if name.startswith(prefix) and name[len(prefix):] in ADMIN_ACTIONS:
            return model, name[len(prefix):]
        if name == f"admin/{app}/{model_name}/<path:object_id>/":
            return model, "redirect"
    return None


def _sample(model, world):
    """A record of the model to open in the administration."""
    from approvals.models import Policy

    if model is Policy:  # not the ¥0 tier, which cannot be deleted while higher tiers remain
        return Policy.objects.filter(min_amount__gt=0).order_by("id").first()
    obj = model.objects.order_by("pk").first()
    if obj is None:
        obj = _make(model, world)
    return obj


def _make(model, world):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group

    common = {"user_agent": "pytest", "ip_address": "127.0.0.1", "username": "nobody", "http_accept": "*/*", "path_info": "/"}
    if model is Group:
        return Group.objects.create(name="审计组")
    if model is AccessAttempt:
        return AccessAttempt.objects.create(**common, get_data="", post_data="", failures_since_start=1)
    if model is AccessLog:
        return AccessLog.objects.create(**common)
    if model is AccessFailureLog:
        return AccessFailureLog.objects.create(**common)
    from core.models import Workday

    if model is Workday:
        return Workday.objects.create(date="2025-10-13", is_workday=False, name="防汛停工", regulation="街道通知")
    from budget.models import BudgetAdjustment

    if model is BudgetAdjustment:
        from approvals import services
        from approvals.models import Matter
        from budget import services as budget_services

        case = services.case_create(matter=Matter.objects.get(code="CW-YSTZ"), applicant=world.office.clerk,
                                    title="追加办公费", amount="1000")
        return budget_services.budget_adjustment_set(case=case, kind="increase", line=world.line)
    from payments.models import Payment, PaymentDeadline

    if model is PaymentDeadline:
        return PaymentDeadline.objects.create(days=30, max_agreed_days=60, regulation="保障中小企业款项支付条例第九条",
                                              effective_from="2025-06-01")
    if model is Payment:  # a row as the desk writes it, to look at in the administration
        return Payment.objects.create(case=world.own, source_key="reimbursement", payee_kind="person",
                                      payee_name=world.office.clerk.get_full_name(), payee_ref=world.office.clerk.pk,
                                      bank_name="工商银行", bank_account="6222000011112222", amount=Decimal("800.00"),
                                      paid_by=world.office.cashier)
    from construction.models import ChangeOrder, Project, Settlement

    if model is Project:
        return _project(world)
    if model in (ChangeOrder, Settlement):  # rows as the project page files them, to look at in the administration
        from approvals import services
        from approvals.models import Matter

        code = "GC-BG" if model is ChangeOrder else "GC-JS"
        case = services.case_create(matter=Matter.objects.get(code=code), applicant=world.foreign_clerk, title="样例",
                                    amount="1000")
        if model is ChangeOrder:
            return ChangeOrder.objects.create(project=_project(world), case=case, kind="visa", amount=Decimal("1000"),
                                              reason="样例")
        return Settlement.objects.create(project=_project(world), case=case, amount=Decimal("1000"),
                                         audited_amount=Decimal("990"), defects_until="2028-01-01", auditor="样例事务所")
    from assets.models import AssetCard

    if model is AssetCard:
        from assets import services as asset_services

        p = _project(world)
        return asset_services.asset_card_create(name="样例资产", asset_class="buildings", value="1000", unit=p.unit,
                                                acquired_on=world.delegation.start, source_kind="construction.project",
                                                source_id=p.pk, source_ref=p.number, actor=world.foreign_clerk)
    raise AssertionError(f"no sample record for {model._meta.label}: add one to tests/security/test_url_table.py")


def _admin_expected(label: str, action: str) -> dict[str, int]:
    kind = ADMIN_MODELS[label]
    ok = 200
    if action == "add" and kind in (READ_ONLY, NO_ADD):
        ok = 403
    if action == "delete" and kind in (READ_ONLY, NO_DELETE):
        ok = 403
    if action == "redirect":
        ok = 302
    return st(302, admin=ok)


def _admin_path(model, action, world) -> str:
    opts = model._meta
    name = f"admin:{opts.app_label}_{opts.model_name}_{action}"
    if action in ("changelist", "add"):
        return reverse(name)
    obj = _sample(model, world)
    if action == "redirect":
        return f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/"
    if action == "simple_history":
        record = obj.history.order_by("-history_id").first()
        assert record is not None, f"{opts.label} keeps no history for {obj!r}"
        return reverse(name, args=[obj.pk, record.history_id])
    return reverse(name, args=[obj.pk])


def _walked():
    for route, name, _callback in walk_urls():
        yield route, (name or route)


def test_every_url_has_an_entry():
    missing, unknown_admin = [], []
    for route, key in _walked():
        found = _admin_model_of(key)
        if found:
            model, _action = found
            if model._meta.label_lower not in ADMIN_MODELS:
                unknown_admin.append(model._meta.label_lower)
        elif key not in TABLE:
            missing.append(f"{key}  ({route})")
    assert not missing, "URLs without an entry in the security table:\n" + "\n".join(missing)
    assert not unknown_admin, "admin models without an entry in ADMIN_MODELS: " + ", ".join(sorted(set(unknown_admin)))
    stale = set(TABLE) - {key for _route, key in _walked()}
    assert not stale, f"entries for URLs that no longer exist: {sorted(stale)}"


def _check(client, world, cases) -> list[str]:
    wrong = []
    for role in ROLES:
        login_as(client, world, role)
        for label, path, expected in cases:
            response = client.get(path)
            got, want = response.status_code, expected[role]
            if got != want:
                wrong.append(f"{label:<34} {role:<17} {path}: got {got}, expected {want}")
            elif got == 302 and role == ANON and not label.startswith("admin"):
                assert response["Location"].startswith(reverse("login")), (label, response["Location"])
    return wrong


def test_every_page_as_every_role(client, world):
    cases = []
    for route, key in _walked():
        if _admin_model_of(key) or key not in TABLE:
            continue
        build, expected = TABLE[key]
        cases.append((key, build(world), expected))
    wrong = _check(client, world, cases)
    assert not wrong, "unexpected statuses:\n" + "\n".join(wrong)


def test_every_administration_page_as_every_role(client, world):
    cases = []
    for _route, key in _walked():
        found = _admin_model_of(key)
        if not found:
            continue
        model, action = found
        label = model._meta.label_lower
        if label not in ADMIN_MODELS:
            continue  # reported by test_every_url_has_an_entry
        cases.append((f"{key}", _admin_path(model, action, world), _admin_expected(label, action)))
    wrong = _check(client, world, cases)
    assert not wrong, "unexpected statuses:\n" + "\n".join(wrong)


def test_the_supervisor_may_post_to_no_url_but_a_few(client, world):
    """The table's write check for the supervisor (reads everything, changes nothing): a POST to
    every URL of the project, admin pages included, with data that would pass most forms, is
    refused with 403 and changes no table, except the few writes of their own session or of a
    read (core.middleware.READ_ONLY_MAY_POST)."""
    client.force_login(world.office.supervisor)
    data = {"comment": "请说明理由。", "reason": "核查", "decision": "approve", "amount": "100.00", "title": "x",
            "name": "某公司", "users": [world.office.leader.pk], "deputy": world.office.leader.pk}
    targets = []
    for _route, key in _walked():
        if key in READ_ONLY_MAY_POST:
            continue
        found = _admin_model_of(key)
        if found:
            model, action = found
            if model._meta.label_lower not in ADMIN_MODELS:
                continue
            targets.append((key, _admin_path(model, action, world)))  # may create the record it opens
        else:
            targets.append((key, TABLE[key][0](world)))
    before = fingerprint()
    wrong = []
    for key, path in targets:
        response = client.post(path, data)
        if response.status_code != 403:
            wrong.append(f"{key}: {path} got {response.status_code}")
        elif "不作任何修改" not in response.content.decode():
            wrong.append(f"{key}: {path} refused without saying why")
    assert not wrong, "\n".join(wrong)
    assert changed_tables(before) == []
    assert {"login", "logout", "admin:logout", "budget:export", "risk:act",
            "approvals:notifications_read_all"} == READ_ONLY_MAY_POST
