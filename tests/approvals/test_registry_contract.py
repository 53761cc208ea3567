"""The registry's contract: every hook the engine calls is declared on CaseSection; a section
with a misspelt hook or a taken key is refused at registration; a matter naming a stage no
app registered is refused by the admin form, by the system check and when a case is filed."""

from __future__ import annotations

import pytest
from django.core import checks
from django.core.exceptions import ValidationError
from django.urls import reverse

from approvals import registry, services
from approvals.exceptions import ApprovalError
from approvals.models import Case, Matter

pytestmark = pytest.mark.django_db


def test_every_registered_section_uses_only_declared_hooks():
    sections = registry.all_sections()
    assert {"budget", "purchase", "contract", "payment"} <= set(sections)
    for section in sections.values():
        public = {n for cls in type(section).__mro__ if cls not in (registry.CaseSection, object)
                  for n in vars(cls) if not n.startswith("_")}
        assert public <= registry.HOOKS, (section.key, public - registry.HOOKS)
    assert "snapshot" in vars(registry.CaseSection)  # declared: the trail calls it without getattr


def test_a_misspelt_hook_is_refused_at_registration():
    class Careless(registry.CaseSection):
        key = "careless"

        def on_approve(self, case, actor):  # the engine calls on_approved
            pass

    with pytest.raises(TypeError, match="on_approve"):
        registry.register(Careless())
    assert registry.get("careless") is None


def test_a_key_taken_by_another_app_is_refused():
    class Impostor(registry.CaseSection):
        key = "budget"

    with pytest.raises(ValueError, match="already registered"):
        registry.register(Impostor())
    assert type(registry.get("budget")).__module__ == "budget.sections"


def test_the_admin_form_refuses_an_unknown_stage(client, office):
    matter = Matter(code="T-BAD", name="错配事项", category="CW", stages=["budgte"])
    with pytest.raises(ValidationError) as exc:
        matter.full_clean()
    assert "budgte" in str(exc.value)
    client.force_login(office.admin)
    response = client.post(reverse("admin:approvals_matter_add"), {
        "code": "T-BAD", "name": "错配事项", "category": "CW", "stages": "budgte", "resubmit_mode": "returning_step",
        "sort_order": 0, "is_active": "on",
    })
    assert response.status_code == 200
    assert "budgte" in response.content.decode() and "未知" in response.content.decode()
    assert not Matter.objects.filter(code="T-BAD").exists()


def test_the_system_check_names_a_matter_with_an_unknown_stage(office):
    Matter.objects.create(code="T-BAD", name="错配事项", category="CW", stages=["budget", "purchse"])
    errors = [e for e in checks.run_checks(databases=["default"], tags=[checks.Tags.database]) if e.id == "approvals.E001"]
    assert len(errors) == 1 and "T-BAD" in errors[0].msg and "purchse" in errors[0].msg
    assert not [e for e in checks.run_checks(tags=[checks.Tags.database]) if e.id == "approvals.E001"]  # no DB: skipped


def test_filing_a_case_of_a_misconfigured_matter_is_refused(office):
    matter = Matter.objects.create(code="T-BAD", name="错配事项", category="CW", stages=["budgte"], spends_money=True)
    with pytest.raises(ApprovalError) as exc:
        services.case_create(matter=matter, applicant=office.clerk, title="测试", amount="100")
    assert exc.value.code == "unknown_stage" and "budgte" in exc.value.message
    assert not Case.objects.exists()


def test_every_section_that_records_content_describes_it_for_people():
    """A section with a snapshot labels its fields itself (the resubmission card would otherwise
    show the snapshot's raw keys), and the default describes any snapshot as recorded."""
    for section in registry.all_sections().values():
        cls = type(section)
        if cls.snapshot is not registry.CaseSection.snapshot:
            assert cls.describe is not registry.CaseSection.describe, section.key
    assert registry.CaseSection().describe({"qty": 3, "tags": ["a", "b"], "ok": True}) == [
        ("qty", "3"), ("tags", "a、b"), ("ok", "是")]
    assert registry.money_text("1234.5") == "¥1,234.50" and registry.money_text(None) == ""
