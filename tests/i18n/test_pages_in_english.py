"""Russian is the UI's default language; English is the second one, chosen through the
language switch (/i18n/setlang/) or asked for by the browser."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from domovoy.core.validators import validate_inn

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _restore_language():
    """The test client leaves the last request's language active in the thread."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


def choose_language(client, code, next_url):
    response = client.post(reverse("set_language"), {"language": code, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url
    return response


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_login_page_is_in_russian_by_default(client):
    body = page(client, reverse("login"))
    assert '<html lang="ru">' in body
    assert "Вход в систему" in body and "Подать заявку на подключение организации" in body
    assert "Sign in to the system" not in body


def test_choosing_english_turns_the_login_page_into_english_and_russian_turns_it_back(client):
    login = reverse("login")
    response = choose_language(client, "en", login)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    body = page(client, login)
    assert '<html lang="en">' in body
    assert "Sign in to the system" in body
    assert "Submit an organization connection request" in body
    assert '<option value="en" selected>' in body
    assert "Вход в систему" not in body and "Пароль" not in body

    choose_language(client, "ru", login)
    body = page(client, login)
    assert "Вход в систему" in body and "Sign in to the system" not in body


def test_a_language_outside_the_two_offered_leaves_the_page_in_russian(client):
    login = reverse("login")
    choose_language(client, "de", login)
    body = page(client, login)
    assert '<html lang="ru">' in body and "Вход в систему" in body


def test_a_browser_asking_for_english_gets_english_until_the_user_chooses_russian(client):
    login = reverse("login")
    body = client.get(login, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert "Sign in to the system" in body
    choose_language(client, "ru", login)
    body = client.get(login, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert "Вход в систему" in body


def test_the_choice_survives_signing_in_and_the_wrong_password_message_is_english(
    client, uo_dispatcher
):
    login = reverse("login")
    choose_language(client, "en", login)
    refused = client.post(login, {"username": "uodisp", "password": "wrong"})
    assert "Invalid login or password." in refused.content.decode()
    response = client.post(login, {"username": "uodisp", "password": "secret-pass-1"})
    assert response.status_code == 302
    body = page(client, reverse("home"))
    assert "Welcome" in body and "Sign out" in body and "Добро пожаловать" not in body


def test_the_building_registry_renders_its_headings_navigation_and_rows_in_english(
    client, uo_dispatcher, building
):
    client.force_login(uo_dispatcher)
    buildings = reverse("directory:buildings")
    choose_language(client, "en", buildings)
    body = page(client, buildings)
    for text in (
        '<h1 class="h3">Building registry</h1>',
        "<th>Management company</th>",
        "<th>Address</th>",
        ">Buildings</a>",
        ">My organization</a>",
        "Sign out",
        "Total buildings: 1",
        building.address,
    ):
        assert text in body, text
    for text in ("Реестр домов", "Управляющая организация", "Всего домов", "Выйти"):
        assert text not in body, text


def test_the_building_page_shows_its_sections_and_choice_labels_in_english(
    client, uo_dispatcher, building
):
    client.force_login(uo_dispatcher)
    url = reverse("directory:building", args=[building.pk])
    choose_language(client, "en", url)
    body = page(client, url)
    for text in ("Management history", "Currently managed by", "Resource suppliers", "Hot water"):
        assert text in body, text
    assert "История управления" not in body and "Горячая вода" not in body


def test_plural_forms_follow_english_rules(client, functional_operator, uo, other_uo):
    client.force_login(functional_operator)
    url = reverse("directory:organizations")
    choose_language(client, "en", url)
    response = client.get(url)
    count = response.context["page"].paginator.count
    assert count >= 3
    assert f"{count} organizations found" in response.content.decode()
    one = page(client, url, q=uo.inn)
    assert "1 organization found" in one and "organizations found" not in one


def test_python_side_messages_are_translated_when_english_is_active():
    with pytest.raises(ValidationError) as refused:
        validate_inn("500100732259", legal_form="legal")
    with translation.override("en"):
        assert refused.value.messages == ["A legal entity's INN has 10 digits"]
    assert refused.value.messages == ["ИНН юридического лица состоит из 10 цифр"]


def test_a_residents_request_list_is_in_english(client, resident):
    client.force_login(resident)
    url = reverse("servicedesk:resident_list")
    choose_language(client, "en", url)
    body = page(client, url)
    for text in ("My requests", "Notifications", "No requests yet.", "Submit a request"):
        assert text in body, text
    assert "Мои заявки" not in body and "Уведомления" not in body
