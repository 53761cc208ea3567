"""The people picker searches on the server by name, unit and position (a few queries, at most
PEOPLE_LIMIT people) and says so when nobody matches; the live checks follow every field."""

import pytest
from django.urls import reverse

from approvals import selectors
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _pick(client, case, **params):
    return client.get(reverse("approvals:people", args=[case.pk]), params).content.decode()


def test_search_by_name_unit_and_position(client, office, make_case):
    case = make_case("500")
    client.force_login(office.head)
    assert "陈建国" in _pick(client, case, q="陈建")  # name
    by_title = _pick(client, case, q="分管财政")  # position
    assert "陈建国" in by_title and "林志强" not in by_title
    by_unit = _pick(client, case, q=office.leader.unit.name)  # unit
    assert "林志强" in by_unit and "何文斌" in by_unit
    assert f'value="{office.clerk.pk}"' not in _pick(client, case, q=office.clerk.get_full_name())  # never the applicant


def test_a_query_matching_nobody_says_so(client, office, make_case):
    case = make_case("500")
    client.force_login(office.head)
    body = _pick(client, case, q="查无此人")
    assert 'data-testid="people-none"' in body and "无匹配人员" in body and 'data-testid="person-option"' not in body


def test_at_most_the_limit_in_constant_queries_and_chosen_people_stay(client, office, make_case, django_assert_max_num_queries):
    case = make_case("500")
    UserFactory.create_batch(selectors.PEOPLE_LIMIT + 5, unit=office.clerk.unit, title="网格员")
    client.force_login(office.head)
    with django_assert_max_num_queries(12):
        body = _pick(client, case, q="网格员", field="users", users=[office.leader.pk])
    assert body.count('data-testid="person-option"') == selectors.PEOPLE_LIMIT
    assert 'data-testid="people-more"' in body
    assert f'value="{office.leader.pk}" id="pick-users-{office.leader.pk}" checked' in body  # chosen before, kept
    assert 'type="checkbox"' in body
    assert 'type="radio"' in _pick(client, case, q="网格员", field="person")
    assert client.get(reverse("approvals:people", args=[case.pk]), {"field": "evil"}).status_code == 404


def test_case_page_offers_search_pickers_not_a_list_of_everyone(client, office, make_case):
    case = make_case("500")
    client.force_login(office.head)
    page = client.get(reverse("approvals:detail", args=[case.pk])).content.decode()
    assert 'data-testid="picker-search-person"' in page and 'data-testid="picker-search-users"' in page
    assert "陈建国" not in page.split('data-testid="more-actions"')[1].split("</details>")[0]


def test_acceptance_team_widget_renders_only_the_chosen_people(office):
    from approvals.forms import PeoplePicker
    from org.models import User

    html = PeoplePicker().render("acceptance-members", [office.leader.pk], attrs={"id": "id_acceptance-members"})
    assert "林志强" in html and "checked" in html and "陈建国" not in html
    assert reverse("approvals:people_search") in html and User.objects.count() > 5


def test_the_general_search_needs_sign_in(client, office):
    url = reverse("approvals:people_search")
    assert client.get(url, {"q": "陈"}).status_code == 302
    client.force_login(office.clerk)
    body = client.get(url, {"q": "陈", "field": "acceptance-members"}).content.decode()
    assert "陈建国" in body and 'name="acceptance-members"' in body


def test_live_checks_follow_the_section_fields_and_a_locked_amount_is_never_asked_for(client, office, spend, make_case):
    client.force_login(office.clerk)
    form = client.get(reverse("approvals:create", args=[spend.pk])).content.decode()
    assert "input changed delay:400ms from:#id_amount" in form
    case = make_case("500")
    case.stage, case.status = 1, "draft"
    case.stages = ["x", "y"]
    case.save()
    body = client.get(reverse("approvals:preview", args=[spend.pk]), {"case": case.pk}).content.decode()
    assert "此事项须填写金额" not in body and "伍佰元整" in body
    new = client.get(reverse("approvals:preview", args=[spend.pk]), {"amount": ""}).content.decode()
    assert "此事项须填写金额" in new  # a new form still asks for it
