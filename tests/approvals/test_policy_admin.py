"""The administrator edits routing policies in the browser (Django admin): steps inline,
Chinese labels, amount tiers that can neither overlap nor leave a gap."""

import pytest
from django.urls import reverse

from approvals.models import Policy, RouteStep

pytestmark = pytest.mark.django_db


def policy_post(name, min_amount, *, category="", matter="", steps=(("unit_head", "single"),)):
    data = {
        "name": name, "matter": matter, "category": category, "min_amount": min_amount,
        "on_unresolved": "refuse", "is_active": "on",
        "steps-TOTAL_FORMS": str(len(steps)), "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "1", "steps-MAX_NUM_FORMS": "1000",
    }
    for i, (kind, mode) in enumerate(steps):
        data.update({f"steps-{i}-order": str(i + 1), f"steps-{i}-name": "", f"steps-{i}-kind": kind,
                     f"steps-{i}-role": "", f"steps-{i}-mode": mode, f"steps-{i}-time_limit_hours": "8"})
    return data


def test_policy_page_is_in_chinese_with_inline_steps(client, office, catalogue):
    client.force_login(office.admin)
    body = client.get(reverse("admin:approvals_policy_add")).content.decode()
    assert "起始金额" in body and "审批人" in body and "会签" in body


def test_tier_starting_where_another_starts_is_refused(client, office, catalogue):
    client.force_login(office.admin)
    before = Policy.objects.count()
    r = client.post(reverse("admin:approvals_policy_add"), policy_post("重复档次", "10000"))
    assert r.status_code == 200
    assert "重叠" in r.content.decode()
    assert Policy.objects.count() == before


def test_scope_without_a_zero_tier_is_refused(client, office, catalogue):
    client.force_login(office.admin)
    r = client.post(reverse("admin:approvals_policy_add"), policy_post("人事大额", "5000", category="CW"))
    assert r.status_code == 200
    assert "¥0.00" in r.content.decode()
    assert not Policy.objects.filter(category="CW").exists()


def test_zero_tier_cannot_be_deleted_while_higher_tiers_remain(client, office, catalogue):
    client.force_login(office.admin)
    zero = Policy.objects.get(matter__isnull=True, category="", stage="", min_amount=0)
    r = client.post(reverse("admin:approvals_policy_delete", args=[zero.pk]), {"post": "yes"})
    assert r.status_code == 403
    assert Policy.objects.filter(pk=zero.pk).exists()


def test_changed_threshold_routes_the_next_form(client, office, catalogue, make_case):
    client.force_login(office.admin)
    tier = Policy.objects.get(matter__isnull=True, category="", stage="", min_amount=10000)
    data = policy_post(tier.name, "20000", steps=[(s.kind, s.mode) for s in tier.steps.all()])
    # keep the existing inline rows: edit form posts them as initial forms
    steps = list(tier.steps.all())
    data.update({"steps-TOTAL_FORMS": str(len(steps)), "steps-INITIAL_FORMS": str(len(steps))})
    for i, st in enumerate(steps):
        data[f"steps-{i}-id"] = str(st.pk)
        data[f"steps-{i}-policy"] = str(tier.pk)
    r = client.post(reverse("admin:approvals_policy_change", args=[tier.pk]), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    case = make_case("15000")
    kinds = list(RouteStep.objects.filter(case=case).order_by("order").values_list("kind", flat=True))
    assert kinds == ["unit_head", "finance_review", "leader"]  # 15,000 now falls in the lowest tier


def test_non_staff_cannot_reach_policy_admin(client, office, catalogue):
    client.force_login(office.leader)
    r = client.get(reverse("admin:approvals_policy_changelist"))
    assert r.status_code == 302 and "/admin/login/" in r["Location"]
