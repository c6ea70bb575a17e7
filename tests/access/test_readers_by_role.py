"""Readers decided by role, one rule per right for pages, API and menu (issue 9: items 4, 12c,
12d; S2, S5). The full role × object grid is tests/security/test_permission_matrix.py."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from domovoy.audit.models import PersonalDataAccess
from domovoy.servicedesk import services
from domovoy.servicedesk.models import Channel
from tests import factories as f

PHONE = "+79101234567"


@pytest.fixture
def press(control_org):
    """«СМИ / общественная организация»: staff of a control body by kind, public by role."""
    return f.employee(control_org, roles=["media"], username="press").user


@pytest.fixture
def flat(building):
    premises, account = f.premises_with_account(building, "17", owner="Сидоренко")
    return premises, account


def page(user):
    client = Client()
    client.force_login(user)
    return client


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _card_shows_personal(user, sr):
    body = page(user).get(f"/requests/work/{sr.number}/").content.decode()
    return PHONE in body or "Смирнова" in body


def _api_shows_personal(user, sr):
    response = api(user).get(f"/api/v1/requests/{sr.pk}/")
    if response.status_code == 404:
        return None
    data = response.json()
    shown = (data["phone"], data["caller_name"], data["premises_number"], data["premises"])
    masked = (
        "***" in data["phone"],
        "***" in data["caller_name"],
        data["premises_number"] == "кв. ***",
        data["premises"] is None,
    )
    assert len(set(masked)) == 1, f"half-masked answer for {user}: {shown}"
    return not masked[0]


@pytest.mark.req("S5")
@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("uo_dispatcher", True),
        ("controller", False),
        ("functional_operator", False),
        ("technical_operator", False),
    ],
)
def test_the_card_and_the_api_show_the_applicants_data_to_the_same_readers(
    request, who, sees, anna, classifier, building, flat, links
):
    """One rule (``servicedesk.view_personal_data``): the staff card and the API agree on the
    phone, the name and the flat, for parties and for readers who are not party."""
    premises, _account = flat
    sr = services.service_request_create(
        building=building, premises=premises, topic=classifier["entrance-door"],
        text="Сломан доводчик", channel=Channel.WEB, author=anna, actor=anna,
    )  # fmt: skip
    user = request.getfixturevalue(who)
    assert _card_shows_personal(user, sr) is sees
    assert _api_shows_personal(user, sr) is sees
    card = page(user).get(f"/requests/work/{sr.number}/").content.decode()
    flat_on_card = f"{premises.get_kind_display()} {premises.number}" in card
    assert flat_on_card is sees


@pytest.mark.req("S5")
def test_the_api_logs_a_staff_members_read_of_personal_data_as_the_page_does(
    sr, uo_dispatcher, anna
):
    assert api(uo_dispatcher).get(f"/api/v1/requests/{sr.pk}/").status_code == 200
    detail = PersonalDataAccess.objects.get(user=uo_dispatcher)
    assert detail.subject == f"service_request:{sr.pk}" and "api" in detail.purpose
    assert api(uo_dispatcher).get("/api/v1/requests/").status_code == 200
    assert PersonalDataAccess.objects.filter(user=uo_dispatcher).count() == 2
    # The applicant reading her own request is not a staff read.
    assert api(anna).get(f"/api/v1/requests/{sr.pk}/").status_code == 200
    assert not PersonalDataAccess.objects.filter(user=anna).exists()


@pytest.mark.req("S2")
def test_the_call_centre_reads_status_and_public_comments_but_no_internal_notes(
    sr, uo_dispatcher, call_operator
):
    from domovoy.servicedesk import conversation

    conversation.comment_add(
        request=sr, author=uo_dispatcher, text="Позвонить подрядчику", is_public=False
    )
    conversation.comment_add(request=sr, author=uo_dispatcher, text="Мастер придёт", is_public=True)
    client = page(call_operator)
    assert client.get(f"/requests/work/{sr.number}/").status_code == 404
    body = client.get(f"/requests/call/r/{sr.number}/").content.decode()
    assert "Мастер придёт" in body and "Позвонить подрядчику" not in body
    comments = api(call_operator).get(f"/api/v1/requests/{sr.pk}/comments/").json()
    assert [c["text"] for c in comments] == ["Мастер придёт"]
    assert api(call_operator).get(f"/api/v1/requests/{sr.pk}/").json()["phone"] == PHONE


@pytest.mark.req("S2")
def test_the_media_role_sees_what_the_public_sees_and_the_published_statistics(
    press, sr, building, flat
):
    client = page(press)
    assert client.get(f"/requests/work/{sr.number}/").status_code == 404
    assert client.get(f"/directory/buildings/{building.pk}/").status_code == 403
    assert client.get("/audit/").status_code == 403
    assert client.get("/requests/stats/").status_code == 200
    assert api(press).get("/api/v1/accounts/").status_code == 403
    assert api(press).get("/api/v1/requests/").json()["count"] == 0
    menu = [label for label, _url in client.get("/").context["nav_items"]]
    assert "Статистика" in menu
    assert not {"Аудит", "Дома", "Организации"} & set(menu)


@pytest.mark.req("S2")
def test_the_menu_offers_what_the_permissions_allow(controller, call_operator, uo_dispatcher):
    def menu(user):
        return {label for label, _url in page(user).get("/").context["nav_items"]}

    assert {"Аудит", "Дома", "Организации", "Статистика"} <= menu(controller)
    assert "Аудит" not in menu(call_operator) and "Аудит" not in menu(uo_dispatcher)
    # The queue item follows the queue page's own rule (a controller has no queue: 403).
    assert "Очередь заявок" in menu(uo_dispatcher) and "Очередь заявок" not in menu(controller)
    assert page(controller).get("/requests/queue/").status_code == 403


# --- 12c: logins of staff ---------------------------------------------------------------------


@pytest.mark.req("S5")
def test_staff_logins_are_for_the_organisation_itself_and_the_operators(
    uo, uo_dispatcher, other_uo_admin, controller, functional_operator
):
    def api_logins(user):
        rows = api(user).get("/api/v1/employees/", {"organization": uo.pk}).json()["results"]
        return {r["username"] for r in rows}

    def page_shows_login(user):
        body = page(user).get(f"/directory/organizations/{uo.pk}/staff/").content.decode()
        assert "Петров" in body  # names, positions and roles stay visible
        return ">uodisp<" in body

    for user in (uo_dispatcher, functional_operator):
        assert "uodisp" in api_logins(user) and page_shows_login(user)
    for user in (other_uo_admin, controller):
        assert api_logins(user) == {""} and not page_shows_login(user)


# --- 12d: requests on a building where the resident does not live ---------------------------


@pytest.mark.req("S2")
def test_a_request_on_a_building_where_the_resident_has_no_address_is_flagged(
    anna, classifier, building, flat, links, uo_dispatcher, territory, uo
):
    _premises, account = flat
    account.residents.add(anna)
    neighbour = f.BuildingFactory(territory=territory["district"], street="ул. Ленина")
    f.manage(neighbour, uo)
    f.premises_with_account(neighbour, "3", owner="Кузнецов")

    def file_on(target):
        return services.service_request_create(
            building=target, topic=classifier["entrance-door"], text="Течь во дворе",
            channel=Channel.WEB, author=anna, actor=anna,
        )  # fmt: skip

    home, elsewhere = file_on(building), file_on(neighbour)
    assert (home.off_address, elsewhere.off_address) == (False, True)
    card = page(uo_dispatcher).get(f"/requests/work/{elsewhere.number}/").content.decode()
    assert "не по адресу проживания" in card
    queue = page(uo_dispatcher).get("/requests/queue/").content.decode()
    assert queue.count("не по адресу проживания") == 1
    assert api(uo_dispatcher).get(f"/api/v1/requests/{elsewhere.pk}/").json()["off_address"]


@pytest.mark.req("S5")
def test_a_resident_learns_no_flats_of_a_building_where_she_does_not_live(
    anna, building, flat, territory, call_operator
):
    _premises, account = flat
    neighbour = f.BuildingFactory(territory=territory["district"], street="ул. Ленина")
    f.premises_with_account(neighbour, "3", owner="Кузнецов")
    url = "/requests/address/premises/"

    def options(user, target):
        return page(user).get(url, {"building": target.pk}).content.decode()

    assert 'value="17"' not in options(anna, building)
    account.residents.add(anna)
    assert 'value="17"' in options(anna, building)
    assert 'value="3"' not in options(anna, neighbour)
    # The call centre fills in any caller's address.
    assert 'value="3"' in options(call_operator, neighbour)
