"""The pages and the API of the resident's way in: the public landing, registration in three
steps, the profile and its contacts, linked accounts offered by the cabinet, the UO's link
codes; and their forbidden paths."""

import pytest
from django.test import Client

from domovoy.directory.models import User
from domovoy.residents.models import AccountLinkCode
from tests.fixtures import api_as

from .conftest import last_code

pytestmark = [pytest.mark.django_db]
PASSWORD = "Ключ-от-дома-42"


# --- Pages ---------------------------------------------------------------------------------


@pytest.mark.req("S1")
def test_a_visitor_sees_a_landing_with_the_ways_in(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    for target in ("/outages/", "/register/", "/access/", "/login/"):
        assert f'href="{target}' in html
    assert "Зарегистрироваться" in html and "Как получить доступ" in html
    access = client.get("/access/").content.decode()
    assert "администратора своей организации" in access


def test_a_signed_in_user_keeps_the_home_page(client_of, anna):
    page = client_of(anna).get("/")
    assert page.status_code == 200
    assert "Добро пожаловать" in page.content.decode()
    assert "Профиль" in page.content.decode()


@pytest.mark.req("S1")
def test_a_resident_registers_through_the_pages_and_is_signed_in(client, sms):
    answer = client.post("/register/", {"contact": "8 910 555-01-02"})
    assert answer.status_code == 302 and answer["Location"] == "/register/confirm/"
    page = client.get("/register/confirm/").content.decode()
    assert "+7 910 555-01-02" in page
    wrong = client.post("/register/confirm/", {"action": "confirm", "code": "12"})
    assert "Неверный код" in wrong.content.decode()
    assert client.get("/register/password/").status_code == 302  # not confirmed yet
    code = last_code("+79105550102")
    answer = client.post("/register/confirm/", {"action": "confirm", "code": code})
    assert answer["Location"] == "/register/password/"
    form = {"last_name": "Иванова", "first_name": "Мария", "middle_name": ""}
    mismatch = client.post("/register/password/", {**form, "password1": PASSWORD, "password2": "x"})
    assert "Пароли не совпадают" in mismatch.content.decode()
    answer = client.post(
        "/register/password/", {**form, "password1": PASSWORD, "password2": PASSWORD}
    )
    assert answer["Location"] == "/profile/accounts/"
    user = User.objects.get(phone="+79105550102")
    assert user.is_resident
    assert client.get("/profile/").context["user"] == user


def test_a_registered_phone_is_told_to_its_holder_with_a_way_to_sign_in(client, sms, anna):
    client.post("/register/", {"contact": anna.phone})
    page = client.post("/register/confirm/", {"action": "confirm", "code": last_code(anna.phone)})
    html = page.content.decode()
    assert "уже зарегистрирован" in html and 'href="/login/"' in html


@pytest.mark.req("S7")
def test_the_registration_form_names_a_bad_contact(client, sms):
    page = client.post("/register/", {"contact": "позвоните мне"})
    assert page.status_code == 200
    assert "не распознан" in page.content.decode()


@pytest.mark.req("S1")
def test_sending_codes_too_often_is_a_form_error_not_a_crash(client, sms):
    for _n in range(3):
        client.post("/register/", {"contact": "+79105550102"})
    page = client.post("/register/", {"contact": "+79105550102"})
    assert page.status_code == 200
    assert "Слишком много кодов" in page.content.decode()


@pytest.mark.req("D3")
@pytest.mark.req("R1")
def test_a_linked_account_is_offered_in_the_cabinet(client_of, anna, flat):
    client = client_of(anna)
    before = client.get("/requests/my/new/").content.decode()
    assert "кв. 12" not in before
    answer = client.post(
        "/profile/accounts/",
        {"action": "owner", "owner-number": "7700120012", "owner-last_name": "семина"},
    )
    assert answer.status_code == 302
    assert "7700120012" in client.get("/profile/accounts/").content.decode()
    assert "кв. 12" in client.get("/requests/my/new/").content.decode()


@pytest.mark.req("S5")
def test_a_wrong_pair_on_the_page_gets_the_generic_error(client_of, anna, flat):
    page = client_of(anna).post(
        "/profile/accounts/",
        {"action": "owner", "owner-number": "7700120012", "owner-last_name": "Петров"},
    )
    assert "не совпадают" in page.content.decode()
    assert not anna.accounts.exists()


def test_the_profile_shows_contacts_and_the_channels_page_links_to_it(client_of, anna):
    client = client_of(anna)
    html = client.get("/profile/").content.decode()
    assert "+7 910 123-45-67" in html and anna.email in html
    assert 'href="/notifications/settings/"' in html
    assert 'href="/profile/"' in client.get("/notifications/settings/").content.decode()


def test_a_new_phone_on_the_profile_needs_its_code(client_of, anna, sms):
    client = client_of(anna)
    client.post("/profile/contact/", {"action": "send", "contact": "+7 910 555 77 88"})
    anna.refresh_from_db()
    assert anna.phone == "+79101234567"
    client.post("/profile/contact/", {"action": "confirm", "code": last_code("+79105557788")})
    anna.refresh_from_db()
    assert anna.phone == "+79105557788"


@pytest.mark.req("S5")
def test_markup_in_a_name_is_shown_as_text(client_of, anna):
    client = client_of(anna)
    client.post(
        "/profile/",
        {"last_name": "<script>alert(1)</script>", "first_name": "Анна", "middle_name": ""},
    )
    html = client.get("/profile/").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


@pytest.mark.req("S2")
def test_staff_have_no_profile_page_and_residents_no_link_codes_page(
    client_of, uo_dispatcher, anna
):
    assert client_of(uo_dispatcher).get("/profile/").status_code == 403
    assert Client().get("/profile/").status_code == 302  # to the login
    client = Client()
    client.force_login(anna)
    assert client.get("/link-codes/").status_code == 403


@pytest.mark.req("D4")
@pytest.mark.req("S2")
def test_the_uo_issues_a_code_on_its_page_and_another_uo_cannot(
    client_of, uo_dispatcher, other_uo_dispatcher, flat
):
    page = client_of(uo_dispatcher).post("/link-codes/", {"number": "7700120012"})
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    code = page.context["issued"]["code"]
    assert code in page.content.decode()
    assert client_of(uo_dispatcher).get("/link-codes/").content.decode().count(code) == 0
    other = client_of(other_uo_dispatcher).post("/link-codes/", {"number": "7700120012"})
    assert "не управляет" in other.content.decode()
    assert AccountLinkCode.objects.count() == 1


# --- API -----------------------------------------------------------------------------------


@pytest.mark.req("S1")
@pytest.mark.req("S6")
def test_a_resident_registers_and_links_through_the_api(api, sms, flat):
    answer = api.post("/api/v1/registration/", {"contact": "+79105550102"}, format="json")
    assert answer.status_code == 202
    token = answer.json()["token"]
    wrong = api.post(
        "/api/v1/registration/confirm/", {"token": token, "code": "000"}, format="json"
    )
    assert (wrong.status_code, wrong.json()["code"]) == (400, "wrong_code")
    code = last_code("+79105550102")
    assert (
        api.post(
            "/api/v1/registration/confirm/", {"token": token, "code": code}, format="json"
        ).status_code
        == 200
    )
    done = api.post(
        "/api/v1/registration/complete/",
        {"token": token, "last_name": "Иванова", "first_name": "Мария", "password": PASSWORD},
        format="json",
    )
    assert done.status_code == 201 and done.json()["phone"] == "+79105550102"
    # Signed in by the session the last call opened.
    linked = api.post(
        "/api/v1/profile/accounts/", {"number": "7700120012", "last_name": "СЁМИНА"}, format="json"
    )
    assert linked.status_code == 201 and linked.json()["number"] == "7700120012"
    assert [a["id"] for a in api.get("/api/v1/profile/").json()["accounts"]] == [flat.pk]


def test_the_api_rate_limit_answers_429(api, sms):
    for _n in range(3):
        api.post("/api/v1/registration/", {"contact": "+79105550102"}, format="json")
    answer = api.post("/api/v1/registration/", {"contact": "+79105550102"}, format="json")
    assert (answer.status_code, answer.json()["code"]) == (429, "too_many_requests")


@pytest.mark.req("S2")
def test_the_api_keeps_profiles_and_accounts_to_their_owner(api, anna, boris, flat):
    assert api.get("/api/v1/profile/").status_code in (401, 403)
    flat.residents.add(anna)
    boris_api = api_as(boris)
    assert boris_api.get("/api/v1/profile/").json()["accounts"] == []
    assert boris_api.delete(f"/api/v1/profile/accounts/{flat.pk}/").status_code == 404
    assert anna in flat.residents.all()
    assert api_as(anna).delete(f"/api/v1/profile/accounts/{flat.pk}/").status_code == 204


@pytest.mark.req("D4")
@pytest.mark.req("S2")
def test_link_codes_through_the_api(anna, uo_dispatcher, other_uo_dispatcher, flat):
    foreign = api_as(other_uo_dispatcher).post(
        "/api/v1/link-codes/", {"account_number": "7700120012"}, format="json"
    )
    assert foreign.status_code == 403
    assert (
        api_as(anna)
        .post("/api/v1/link-codes/", {"account_number": "7700120012"}, format="json")
        .status_code
        == 403
    )
    missing = api_as(uo_dispatcher).post(
        "/api/v1/link-codes/", {"account_number": "1"}, format="json"
    )
    assert missing.status_code == 404
    issued = api_as(uo_dispatcher).post(
        "/api/v1/link-codes/", {"account_number": "7700120012"}, format="json"
    )
    assert issued.status_code == 201 and issued["Cache-Control"] == "no-store"
    code = issued.json()["code"]
    linked = api_as(anna).post("/api/v1/profile/accounts/", {"code": code}, format="json")
    assert linked.status_code == 201
    again = api_as(anna).post("/api/v1/profile/accounts/", {"code": code}, format="json")
    assert (again.status_code, again.json()["code"]) == (400, "bad_link_code")
