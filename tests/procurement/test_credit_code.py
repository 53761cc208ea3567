"""统一社会信用代码 (GB 32100-2015): structure and check character, and duplicate detection."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from procurement import services
from procurement.exceptions import ProcurementError
from procurement.models import Supplier
from procurement.validators import credit_code_check_char, make_credit_code, normalise_credit_code, validate_credit_code

# Published examples (the standard's own and well-known companies) with correct check characters.
VALID = ["91350100M000100Y43", "91110000600037341L", "91440300708461136T"]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass(code):
    assert validate_credit_code(code) == code


def test_lower_case_full_width_and_spaces_are_normalised():
    assert normalise_credit_code(" ９１350100m000100y43 ") == "91350100M000100Y43"
    assert validate_credit_code("9135 0100 m000 100y 43") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("code", "code_name"),
    [
        ("91350100M000100Y44", "credit_code_check"),  # wrong check character
        ("91350100M000100Y4", "credit_code_length"),
        ("91350100M000100Y433", "credit_code_length"),
        ("9135010OM000100Y43", "credit_code_chars"),  # letter O in the area code
        ("91350100M000100I43", "credit_code_chars"),  # I is not used
        ("", "credit_code_length"),
    ],
)
def test_invalid_codes_are_refused_naming_the_standard(code, code_name):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    assert exc.value.code == code_name
    assert "GB 32100-2015" in exc.value.messages[0]


def test_every_single_character_change_is_detected():
    code = VALID[0]
    charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for pos in range(17):
        for ch in charset:
            if ch == code[pos] or (2 <= pos <= 7 and not ch.isdigit()):
                continue
            changed = code[:pos] + ch + code[pos + 1:]
            assert credit_code_check_char(changed[:17]) != code[17] or changed == code


def test_made_codes_are_valid():
    code = make_credit_code(area="440306", org8="MA5FXQ12")
    assert validate_credit_code(code) == code


def test_register_refuses_invalid_code_and_saves_nothing(office):
    with pytest.raises(ProcurementError) as exc:
        services.supplier_create(actor=office.clerk, name="深圳市某某有限公司", credit_code="91350100M000100Y44")
    assert "GB 32100-2015" in exc.value.message
    assert not Supplier.objects.exists()


def test_duplicate_credit_code_is_detected_naming_the_existing_supplier(office):
    first = services.supplier_create(actor=office.clerk, name="深圳市甲公司", credit_code=VALID[0])
    with pytest.raises(ProcurementError) as exc:
        services.supplier_create(actor=office.clerk2, name="深圳市甲公司（重复）", credit_code=VALID[0].lower())
    assert exc.value.code == "duplicate"
    assert first.name in exc.value.message
    assert Supplier.objects.count() == 1


def test_changing_a_code_to_another_suppliers_code_is_refused(office):
    a = services.supplier_create(actor=office.clerk, name="甲", credit_code=VALID[0])
    b = services.supplier_create(actor=office.clerk, name="乙", credit_code=VALID[1])
    with pytest.raises(ProcurementError):
        services.supplier_update(supplier=b, actor=office.heads["cgzx"], credit_code=a.credit_code)
    b.refresh_from_db()
    assert b.credit_code == VALID[1]


# --- GB 11714: the organisation code inside the credit code (characters 9-17) ----------------------------
def _code_with_wrong_org_check(area="440306", org8="MA5F0001"):
    """18th character right (passes GB 32100's own check), organisation-code check character wrong."""
    from procurement.validators import org_code_check_char

    right = org_code_check_char(org8)
    wrong = "1" if right != "1" else "2"
    first17 = f"91{area}{org8}{wrong}"
    return first17 + credit_code_check_char(first17)


def test_published_codes_have_valid_organisation_codes():
    from procurement.validators import org_code_problem

    for code in VALID:
        assert org_code_problem(code) is None


def test_a_wrong_organisation_code_check_is_found_although_the_18th_character_is_right():
    from procurement.validators import org_code_problem

    code = _code_with_wrong_org_check()
    assert validate_credit_code(code) == code  # GB 32100's check alone accepts it
    problem = org_code_problem(code)
    assert problem and "GB 11714" in problem and code[8:17] in problem


def test_registering_such_a_code_asks_for_confirmation_and_saves_nothing(client, office):
    from django.urls import reverse

    code = _code_with_wrong_org_check()
    client.force_login(office.clerk)
    response = client.post(reverse("procurement:supplier_create"), {"name": "深圳市某公司", "credit_code": code})
    assert response.status_code == 400
    body = response.content.decode()
    assert "GB 11714" in body and "登记证书" in body
    assert not Supplier.objects.exists()


def test_a_confirmed_code_is_saved_with_who_confirmed_it_and_when(client, office):
    from django.urls import reverse

    code = _code_with_wrong_org_check()
    client.force_login(office.clerk)
    response = client.post(reverse("procurement:supplier_create"),
                           {"name": "深圳市某公司", "credit_code": code, "confirm_org_code": "on"})
    supplier = Supplier.objects.get()
    assert response.status_code == 302
    assert supplier.org_code_confirmed_by == office.clerk and supplier.org_code_confirmed_at is not None
    assert office.clerk.full_name in client.get(reverse("procurement:supplier_detail", args=[supplier.pk])).content.decode()


def test_a_valid_code_needs_no_confirmation_and_records_none(office):
    code = make_credit_code(area="440306", org8="MA5F0002")
    supplier = services.supplier_create(actor=office.clerk, name="深圳市某公司", credit_code=code)
    assert supplier.org_code_confirmed_by is None and supplier.org_code_confirmed_at is None


def test_editing_a_confirmed_supplier_keeps_the_confirmation_and_a_new_wrong_code_needs_its_own(office):
    code = _code_with_wrong_org_check()
    supplier = services.supplier_create(actor=office.clerk, name="深圳市某公司", credit_code=code, org_code_confirmed=True)
    manager = office.procurement_head if hasattr(office, "procurement_head") else office.admin
    supplier = services.supplier_update(supplier=supplier, actor=manager, phone="0755-1234567")
    assert supplier.org_code_confirmed_at is not None
    other = _code_with_wrong_org_check(org8="MA5F0003")
    with pytest.raises(ProcurementError) as e:
        services.supplier_update(supplier=supplier, actor=manager, credit_code=other)
    assert e.value.code == "org_code_unconfirmed"
    supplier.refresh_from_db()
    assert supplier.credit_code == code
