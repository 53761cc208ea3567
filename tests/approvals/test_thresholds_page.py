"""审批权限设置: the administrator reads and edits every matter's and stage's tiers in one
table of the app, tier names follow their ranges, a refused edit saves nothing, the preview
is the engine's route, and the history says who changed what."""

from decimal import Decimal as D

import pytest
from django.test.utils import CaptureQueriesContext
from django.db import connection
from django.urls import reverse

from approvals import tiers
from approvals.models import Policy, PolicyStep, RouteStep, StepKind

pytestmark = pytest.mark.django_db

PAGE = "approvals:thresholds"


def default_tiers():
    return list(Policy.objects.filter(matter__isnull=True, category="", stage="", is_active=True).order_by("min_amount"))


def snapshot():
    """Everything an edit could change: tiers and steps."""
    return (
        sorted(Policy.objects.values_list("pk", "name", "min_amount", "is_active", "matter_id", "category", "stage")),
        sorted(PolicyStep.objects.values_list("pk", "policy_id", "order", "name", "kind", "role", "field", "mode",
                                              "time_limit_hours")),
    )


def edit_url(tier):
    return reverse("approvals:threshold_edit", args=[tier.pk])


def steps_post(tier_steps, *, rows=None):
    """The steps formset as the page posts it: ``rows`` of (id, order, kind, mode, role, delete)."""
    rows = rows if rows is not None else [(s.pk, i, s.kind, s.mode, s.role, False) for i, s in enumerate(tier_steps, 1)]
    data = {"action": "steps", "steps-TOTAL_FORMS": str(len(rows)), "steps-INITIAL_FORMS": str(len(tier_steps)),
            "steps-MIN_NUM_FORMS": "0", "steps-MAX_NUM_FORMS": "30"}
    for i, (pk, order, kind, mode, role, delete) in enumerate(rows):
        data.update({f"steps-{i}-id": str(pk or ""), f"steps-{i}-ORDER": str(order), f"steps-{i}-name": "",
                     f"steps-{i}-kind": kind, f"steps-{i}-role": role, f"steps-{i}-field": "",
                     f"steps-{i}-mode": mode, f"steps-{i}-time_limit_hours": "8"})
        if delete:
            data[f"steps-{i}-DELETE"] = "on"
    return data


# --- names ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("start", "end", "label"), [
    ("0", "50000", "5万元以下"),
    ("50000", "500000", "5万元（含）至50万元"),
    ("500000", None, "50万元（含）以上"),
    ("0", None, "不限金额"),
    ("15000", "12345.60", "1.5万元（含）至¥12,345.60"),
    ("5000", "10000", "¥5,000（含）至1万元"),
    ("12345", None, "¥12,345（含）以上"),
])
def test_range_label_in_wan_when_round_else_yuan(start, end, label):
    assert tiers.range_label(D(start), D(end) if end else None) == label


def test_seeded_tiers_are_named_from_their_ranges(catalogue):
    assert [t.name for t in default_tiers()] == [
        "默认审批（1万元以下）", "默认审批（1万元（含）至5万元）", "默认审批（5万元（含）至30万元）", "默认审批（30万元（含）以上）"]
    contract = Policy.objects.get(matter__isnull=True, category="", stage="contract", min_amount=0)
    assert contract.name == "合同（1万元以下）"


def test_migration_renames_stale_names(catalogue):
    import importlib

    from django.db.migrations.loader import MigrationLoader

    name = "0014_rename_tiers_from_their_ranges"
    migration = importlib.import_module(f"approvals.migrations.{name}")
    apps = MigrationLoader(connection).project_state(("approvals", name)).apps  # the models as the migration sees them
    low = default_tiers()[0]
    Policy.objects.filter(pk=low.pk).update(name="1万元以下（旧名）")
    before = Policy.history.filter(id=low.pk).count()
    migration.rename(apps, None)
    low.refresh_from_db()
    assert low.name == "默认审批（1万元以下）"
    assert Policy.history.filter(id=low.pk).count() == before + 1  # the rename is in the history


# --- access ----------------------------------------------------------------------------------
def test_administrator_sees_every_tier_in_one_table(client, office, catalogue):
    client.force_login(office.admin)
    r = client.get(reverse(PAGE))
    assert r.status_code == 200
    body = r.content.decode()
    assert "审批权限设置" in body
    shown = {int(pk) for pk in r.context["used_by"]} | {row["tier"].pk for row in r.context["unused"]}
    assert shown == set(Policy.objects.values_list("pk", flat=True))  # every tier has a row
    for name in Policy.objects.values_list("name", flat=True):
        assert name in body
    assert "1万元（含）至5万元" in body and "5万元（含）至30万元" in body
    # the step chain, with who approves and the mode
    assert "单位负责人" in body or "部门负责人" in body
    assert "或签" in body
    assert 'data-testid="start-form"' not in body  # edits are on the tier's page
    assert reverse("approvals:threshold_edit", args=[default_tiers()[1].pk]) in body


def test_matter_with_stages_lists_the_tiers_of_each_stage(client, office, catalogue):
    spend = catalogue["CW-SQSP"]
    spend.stages = ["budget", "contract"]
    spend.save()
    client.force_login(office.admin)
    r = client.get(reverse(PAGE))
    group = next(g for g in r.context["groups"] if g["matter"].pk == spend.pk)
    names = [row["tier"].name for row in group["rows"]]
    assert names[:4] == [t.name for t in default_tiers()]  # the budget stage falls back to the whole-matter default
    assert "合同（1万元以下）" in names[4:]


def test_administrator_nav_entry(client, office, catalogue):
    client.force_login(office.admin)
    assert reverse(PAGE) in client.get(reverse("home")).content.decode()
    client.force_login(office.clerk)
    assert reverse(PAGE) not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("who", ["clerk", "head", "leader", "principal", "finance_reviewer"])
def test_others_are_refused(client, office, catalogue, who):
    client.force_login(getattr(office, who))
    tier = default_tiers()[1]
    assert client.get(reverse(PAGE)).status_code == 403
    assert client.get(reverse("approvals:threshold_preview")).status_code == 403
    assert client.get(edit_url(tier)).status_code == 403
    before = snapshot()
    assert client.post(edit_url(tier), {"action": "start", "start-amount": "20000"}).status_code == 403
    assert snapshot() == before


def test_anonymous_is_sent_to_sign_in(client, catalogue):
    r = client.get(reverse(PAGE))
    assert r.status_code == 302 and "login" in r["Location"]


def test_supervisor_reads_but_changes_nothing(client, office, catalogue):
    client.force_login(office.supervisor)
    tier = default_tiers()[1]
    r = client.get(reverse(PAGE))
    assert r.status_code == 200 and 'data-testid="read-only"' in r.content.decode()
    r = client.get(edit_url(tier))
    assert r.status_code == 200
    body = r.content.decode()
    assert 'data-testid="start-form"' not in body and 'data-testid="steps-form"' not in body
    before = snapshot()
    for data in ({"action": "start", "start-amount": "20000"}, {"action": "split", "split-amount": "20000"},
                 {"action": "merge"}, steps_post(list(tier.steps.all()))):
        assert client.post(edit_url(tier), data).status_code == 403
    assert snapshot() == before


def test_post_without_csrf_token_is_refused(office, catalogue):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(office.admin)
    tier = default_tiers()[1]
    before = snapshot()
    assert client.post(edit_url(tier), {"action": "start", "start-amount": "20000"}).status_code == 403
    assert snapshot() == before


# --- editing ---------------------------------------------------------------------------------
def test_moving_a_bound_renames_both_neighbours(client, office, catalogue, make_case):
    client.force_login(office.admin)
    low, mid, *_ = default_tiers()
    r = client.post(edit_url(mid), {"action": "start", "start-amount": "20000"})
    assert r.status_code == 302
    low.refresh_from_db()
    mid.refresh_from_db()
    assert mid.min_amount == D("20000")
    assert low.name == "默认审批（2万元以下）"
    assert mid.name == "默认审批（2万元（含）至5万元）"
    case = make_case("15000")  # now in the lowest tier
    assert case.policy_id == low.pk
    assert list(RouteStep.objects.filter(case=case).values_list("kind", flat=True)) == ["unit_head", "finance_review", "leader"]


@pytest.mark.parametrize(("which", "action", "amount", "message"), [
    (0, "start", "5000", "最低档次必须从 ¥0.00 起"),  # a gap below ¥5,000
    (1, "start", "0", "会重叠"),  # onto the lowest tier's start
    (1, "start", "50000", "会重叠"),  # onto the next tier's start
    (1, "start", "60000", "会重叠"),  # past the next tier
    (2, "start", "5000", "会重叠"),  # below the tier below's start
    (1, "start", "-5", "金额不能为负数"),
    (1, "start", "abc", "金额须为"),
    (1, "start", "1e5", "金额须为"),
    (1, "start", "", "请填写金额"),
    (1, "split", "10000", "会重叠"),  # at the tier's own start
    (1, "split", "50000", "会重叠"),  # at the next tier's start
    (3, "split", "100000", "会重叠"),  # below the top tier's start
    (1, "split", "-1", "金额不能为负数"),
    (1, "split", "二万", "金额须为"),
    (0, "merge", None, "最低档次不能删除"),
])
def test_refused_edit_shows_why_and_saves_nothing(client, office, catalogue, which, action, amount, message):
    client.force_login(office.admin)
    tier = default_tiers()[which]
    before = snapshot()
    data = {"action": action}
    if amount is not None:
        data[f"{action}-amount"] = amount
    r = client.post(edit_url(tier), data)
    assert r.status_code == 400
    assert message in r.content.decode()
    assert snapshot() == before


def test_split_adds_a_tier_with_a_copy_of_the_steps(client, office, catalogue):
    client.force_login(office.admin)
    low, mid, high, top = default_tiers()
    r = client.post(edit_url(high), {"action": "split", "split-amount": "100000"})
    assert r.status_code == 302
    new = Policy.objects.get(matter__isnull=True, category="", stage="", min_amount=D("100000"))
    assert r["Location"] == edit_url(new)
    high.refresh_from_db()
    assert high.name == "默认审批（5万元（含）至10万元）"
    assert new.name == "默认审批（10万元（含）至30万元）"
    assert [(s.order, s.kind, s.mode) for s in new.steps.all()] == [(s.order, s.kind, s.mode) for s in high.steps.all()]
    top.refresh_from_db()
    assert top.name == "默认审批（30万元（含）以上）"  # untouched


def test_merge_removes_a_tier_and_renames_the_one_below(client, office, catalogue):
    client.force_login(office.admin)
    low, mid, high, top = default_tiers()
    r = client.post(edit_url(high), {"action": "merge"})
    assert r.status_code == 302
    assert not Policy.objects.filter(pk=high.pk).exists()
    assert not PolicyStep.objects.filter(policy_id=high.pk).exists()
    mid.refresh_from_db()
    assert mid.name == "默认审批（1万元（含）至30万元）"
    assert [t.pk for t in default_tiers()] == [low.pk, mid.pk, top.pk]


def test_steps_are_reordered_changed_removed_and_added(client, office, catalogue):
    client.force_login(office.admin)
    tier = default_tiers()[0]  # unit head, finance review (any), leader
    head, finance, leader = tier.steps.all()
    rows = [
        (leader.pk, 1, leader.kind, "single", "", False),
        (head.pk, 2, head.kind, "single", "", False),
        (finance.pk, 3, finance.kind, "any", "", True),  # removed
        (None, 3, StepKind.POSITION, "all", "cashier", False),  # added: the cashier, countersign
    ]
    r = client.post(edit_url(tier), steps_post([head, finance, leader], rows=rows))
    assert r.status_code == 302, r.content.decode()[:3000]
    assert [(s.order, s.kind, s.role, s.mode) for s in tier.steps.all()] == [
        (1, "leader", "", "single"), (2, "unit_head", "", "single"), (3, "position", "cashier", "all")]
    assert PolicyStep.objects.filter(pk=leader.pk, order=1).exists()  # the same step, moved


def test_position_step_without_its_position_is_refused(client, office, catalogue):
    client.force_login(office.admin)
    tier = default_tiers()[0]
    steps = list(tier.steps.all())
    rows = [(s.pk, i, s.kind, s.mode, "", False) for i, s in enumerate(steps, 1)]
    rows.append((None, 4, StepKind.POSITION, "single", "", False))
    before = snapshot()
    r = client.post(edit_url(tier), steps_post(steps, rows=rows))
    assert r.status_code == 400
    assert "“指定岗位”步骤须选择岗位" in r.content.decode()
    assert snapshot() == before


# --- preview -------------------------------------------------------------------------------
@pytest.mark.parametrize("amount", ["500", "15000", "60000", "400000"])
def test_preview_is_the_route_the_engine_builds(client, office, catalogue, make_case, spend, amount):
    case = make_case(amount)
    engine = [(st.name, sorted(a.user_id for a in st.assignees.all()))
              for st in RouteStep.objects.filter(case=case).order_by("order").prefetch_related("assignees")]
    client.force_login(office.admin)
    r = client.get(reverse("approvals:threshold_preview"),
                   {"amount": amount, "matter": spend.pk, "unit": office.unit.pk})
    assert r.status_code == 200
    preview = r.context["preview"]
    assert preview["policy"] == case.policy
    assert [(s.name, sorted(u.pk for u in s.users)) for s in preview["steps"]] == engine
    body = r.content.decode()
    assert spend.name in body and office.unit.name in body
    assert office.leader.get_full_name() in body  # the people, by name


def test_preview_on_the_page_without_javascript(client, office, catalogue, spend):
    client.force_login(office.supervisor)
    r = client.get(reverse(PAGE), {"amount": "60000", "matter": spend.pk, "unit": office.unit.pk})
    assert r.status_code == 200
    assert "将走这条审批路线" in r.content.decode()
    assert r.context["preview"]["policy"] == default_tiers()[2]


def test_preview_refuses_an_amount_that_is_not_one(client, office, catalogue, spend):
    client.force_login(office.admin)
    r = client.get(reverse("approvals:threshold_preview"), {"amount": "abc", "matter": spend.pk, "unit": office.unit.pk})
    assert r.status_code == 200
    assert r.context["preview"] is None
    assert "金额须为" in r.content.decode()


# --- history ---------------------------------------------------------------------------------
def test_history_shows_who_changed_what(client, office, catalogue):
    client.force_login(office.admin)
    low, mid, *_ = default_tiers()
    client.post(edit_url(mid), {"action": "start", "start-amount": "20000"})
    rows = client.get(reverse(PAGE)).context["history"]
    newest = rows[:2]
    assert {h["who"] for h in newest} == {office.admin.get_full_name()}
    change = next(h for h in newest if "2万元（含）至5万元" in h["what"])
    assert {"field": "起始金额（元）", "old": "¥10,000.00", "new": "¥20,000.00"} in change["changes"]
    renamed = next(h for h in newest if h is not change)
    assert any(c["old"] == "默认审批（1万元以下）" and c["new"] == "默认审批（2万元以下）" for c in renamed["changes"])
    body = client.get(edit_url(mid)).content.decode()
    assert office.admin.get_full_name() in body and "¥20,000.00" in body


def test_history_records_the_changes_of_steps(client, office, catalogue):
    client.force_login(office.admin)
    tier = default_tiers()[0]
    steps = list(tier.steps.all())
    for mode in ("single", "all"):  # the seeded steps have no history yet: the second edit has one to compare with
        rows = [(s.pk, i, s.kind, mode if i == 2 else s.mode, "", False) for i, s in enumerate(steps, 1)]
        assert client.post(edit_url(tier), steps_post(steps, rows=rows)).status_code == 302
    history = client.get(edit_url(tier)).context["history"]
    assert history[0]["who"] == office.admin.get_full_name()
    mode = next(c for c in history[0]["changes"] if c["field"] == "方式")
    assert "单人审批" in mode["old"] and "会签" in mode["new"]


# --- the Django admin names tiers the same way ---------------------------------------------
def test_admin_change_of_a_bound_renames_both_neighbours(client, office, catalogue):
    from tests.approvals.test_policy_admin import policy_post

    client.force_login(office.admin)
    low, mid, *_ = default_tiers()
    steps = list(mid.steps.all())
    data = policy_post("", "20000", steps=[(s.kind, s.mode) for s in steps])
    data.update({"steps-TOTAL_FORMS": str(len(steps)), "steps-INITIAL_FORMS": str(len(steps))})
    for i, st in enumerate(steps):
        data[f"steps-{i}-id"] = str(st.pk)
        data[f"steps-{i}-policy"] = str(mid.pk)
    r = client.post(reverse("admin:approvals_policy_change", args=[mid.pk]), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    low.refresh_from_db()
    mid.refresh_from_db()
    assert (low.name, mid.name) == ("默认审批（2万元以下）", "默认审批（2万元（含）至5万元）")


def test_admin_added_tier_is_named_and_its_neighbour_renamed(client, office, catalogue):
    from tests.approvals.test_policy_admin import policy_post

    client.force_login(office.admin)
    r = client.post(reverse("admin:approvals_policy_add"), policy_post("任意名称", "100000"))
    assert r.status_code == 302, r.content.decode()[:2000]
    names = [t.name for t in default_tiers()]
    assert names[2:4] == ["默认审批（5万元（含）至10万元）", "默认审批（10万元（含）至30万元）"]


# --- queries -------------------------------------------------------------------------------
def test_page_runs_a_fixed_number_of_queries(client, office, catalogue, django_assert_max_num_queries):
    client.force_login(office.admin)
    url = reverse(PAGE)
    tiers.tier_split(tier=default_tiers()[3], at=D("400000"), actor=office.admin)  # some history to show
    with django_assert_max_num_queries(25) as few:
        assert client.get(url).status_code == 200
    for tier in default_tiers()[:3]:
        tiers.tier_split(tier=tier, at=tier.min_amount + D("5000"), actor=office.admin)
    contract = Policy.objects.get(matter__isnull=True, category="", stage="contract", min_amount=0)
    tiers.tier_split(tier=contract, at=D("3000"), actor=office.admin)
    with django_assert_max_num_queries(25) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_tier_page_runs_a_fixed_number_of_queries(client, office, catalogue, django_assert_max_num_queries):
    client.force_login(office.admin)
    tier = default_tiers()[1]
    tiers.tier_split(tier=tier, at=D("11000"), actor=office.admin)  # some history to show
    with CaptureQueriesContext(connection) as few:
        client.get(edit_url(tier))
    newest = tier
    for at in ("10500", "10700", "10900"):
        newest = tiers.tier_split(tier=newest, at=D(at), actor=office.admin)
    with django_assert_max_num_queries(25) as many:
        assert client.get(edit_url(tier)).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_services_refuse_anyone_but_an_administrator(office, catalogue):
    tier = default_tiers()[1]
    before = snapshot()
    for who in (office.supervisor, office.clerk, office.principal):
        with pytest.raises(tiers.TierError) as e:
            tiers.tier_set_start(tier=tier, min_amount=D("20000"), actor=who)
        assert e.value.code == "read_only"
    assert snapshot() == before
