"""The technical operator's pages for integration agreements and tokens (S1, G 3.1.6)."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from domovoy.api.models import IntegrationAgreement, TokenUse
from domovoy.audit.models import AuditEntry
from tests.fixtures import token_client

pytestmark = [pytest.mark.req("S1"), pytest.mark.django_db]


def _form(**overrides):
    today = timezone.localdate()
    data = {
        "number": "17-ИС/2026",
        "system_name": "Портал Добродел",
        "parties": "Администрация г. Костромы; АО «Портал»",
        "valid_from": today.isoformat(),
        "valid_to": (today + dt.timedelta(days=180)).isoformat(),
        "scopes": ["requests:read", "audit:read"],
        "territory": "",
        "organization_inn": "",
    }
    data.update(overrides)
    return data


def test_the_technical_operator_sees_the_integrations_list(
    client, technical_operator, make_agreement
):
    make_agreement(number="5-ИС/2026", system_name="ЕДС")
    client.force_login(technical_operator)
    response = client.get(reverse("integrations:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "5-ИС/2026" in body and "ЕДС" in body


@pytest.mark.req("S2")
@pytest.mark.parametrize("who", ["uo_dispatcher", "functional_operator"])
def test_others_cannot_open_the_integrations_pages(client, request, who, make_agreement):
    agreement = make_agreement()
    client.force_login(request.getfixturevalue(who))
    for url in (
        reverse("integrations:list"),
        reverse("integrations:create"),
        reverse("integrations:detail", args=[agreement.pk]),
        reverse("integrations:uses", args=[agreement.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("integrations:create"), _form()).status_code == 403
    assert client.post(reverse("integrations:issue", args=[agreement.pk])).status_code == 403
    assert not AuthToken.objects.exists()


@pytest.mark.req("S2")
def test_an_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("integrations:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_creating_an_agreement_creates_its_service_account(
    client, technical_operator, territory, uo
):
    client.force_login(technical_operator)
    response = client.post(
        reverse("integrations:create"),
        _form(territory=territory["district"].pk, organization_inn=uo.inn),
    )
    agreement = IntegrationAgreement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("integrations:detail", args=[agreement.pk])
    assert agreement.scopes == ["requests:read", "audit:read"]
    assert agreement.territory == territory["district"]
    assert agreement.organization == uo
    assert agreement.user.username.startswith("integration-")
    assert not agreement.user.has_usable_password()
    entry = AuditEntry.objects.get(model_label="api.integrationagreement")
    assert entry.actor == technical_operator
    assert entry.changes["number"] == [None, "17-ИС/2026"]


@pytest.mark.req("S7")
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"scopes": []}, "Обязательное поле"),
        ({"scopes": ["everything:write"]}, "everything:write"),
        ({"valid_to": "2020-01-01"}, "Дата окончания раньше даты начала"),
        ({"organization_inn": "7700000000"}, "Организация с таким ИНН не подключена"),
        ({"number": ""}, "Обязательное поле"),
    ],
)
def test_a_bad_agreement_is_refused_and_nothing_is_stored(
    client, technical_operator, overrides, message
):
    users = get_user_model().objects.count()
    client.force_login(technical_operator)
    response = client.post(reverse("integrations:create"), _form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not IntegrationAgreement.objects.exists()
    assert get_user_model().objects.count() == users


@pytest.mark.req("S7")
def test_a_duplicate_agreement_number_is_refused(client, technical_operator, make_agreement):
    make_agreement(number="17-ИС/2026")
    client.force_login(technical_operator)
    response = client.post(reverse("integrations:create"), _form())
    assert "уже зарегистрировано" in response.content.decode()
    assert IntegrationAgreement.objects.count() == 1


def test_a_token_is_shown_once_then_listed_without_its_secret(
    client, technical_operator, make_agreement
):
    agreement = make_agreement()
    client.force_login(technical_operator)
    response = client.post(reverse("integrations:issue", args=[agreement.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = response.context["token"]
    assert token in response.content.decode()
    assert "показывается один раз" in response.content.decode()
    detail = client.get(reverse("integrations:detail", args=[agreement.pk])).content.decode()
    key = AuthToken.objects.get(user=agreement.user).token_key
    assert key in detail
    assert token not in detail
    assert "не использовался" in detail
    # The shown token works.
    assert token_client(token).get("/api/v1/me/").status_code == 200
    detail = client.get(reverse("integrations:detail", args=[agreement.pk])).content.decode()
    assert "не использовался" not in detail


@pytest.mark.req("S7")
def test_a_token_cannot_outlive_its_agreement(client, technical_operator, make_agreement):
    agreement = make_agreement()
    client.force_login(technical_operator)
    after_end = (agreement.valid_to + dt.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("integrations:issue", args=[agreement.pk]), {"expires_on": after_end}
    )
    assert response.status_code == 400
    assert f"Не позже {agreement.valid_to:%d.%m.%Y}" in response.content.decode()
    assert not AuthToken.objects.exists()


def test_a_shorter_token_expires_at_the_end_of_the_chosen_day(
    client, technical_operator, make_agreement
):
    agreement = make_agreement()
    day = timezone.localdate() + dt.timedelta(days=30)
    client.force_login(technical_operator)
    client.post(reverse("integrations:issue", args=[agreement.pk]), {"expires_on": day.isoformat()})
    expiry = timezone.localtime(AuthToken.objects.get().expiry)
    assert (expiry.date(), expiry.time()) == (day + dt.timedelta(days=1), dt.time(0, 0))


@pytest.mark.req("S7")
def test_no_token_is_issued_for_an_expired_agreement(client, technical_operator, make_agreement):
    today = timezone.localdate()
    agreement = make_agreement(
        valid_from=today - dt.timedelta(days=60), valid_to=today - dt.timedelta(days=1)
    )
    client.force_login(technical_operator)
    response = client.post(reverse("integrations:issue", args=[agreement.pk]))
    assert response.status_code == 400
    assert "Срок действия соглашения истёк" in response.content.decode()
    assert not AuthToken.objects.exists()


def test_revoking_a_token_on_the_page_stops_it(
    client, technical_operator, make_agreement, make_token
):
    agreement = make_agreement()
    token = make_token(agreement)
    key = AuthToken.objects.get().token_key
    client.force_login(technical_operator)
    assert client.get(reverse("integrations:revoke", args=[agreement.pk, key])).status_code == 405
    response = client.post(reverse("integrations:revoke", args=[agreement.pk, key]))
    assert response.status_code == 302
    assert not AuthToken.objects.exists()
    assert token_client(token).get("/api/v1/me/").status_code == 401
    assert AuditEntry.objects.filter(action="delete", object_id=key).exists()


def test_a_token_of_another_agreement_cannot_be_revoked_through_this_one(
    client, technical_operator, make_agreement, make_token
):
    mine, other = make_agreement(), make_agreement()
    make_token(other)
    key = AuthToken.objects.get().token_key
    client.force_login(technical_operator)
    client.post(reverse("integrations:revoke", args=[mine.pk, key]))
    assert AuthToken.objects.filter(token_key=key).exists()


def test_the_use_log_is_paginated(client, technical_operator, make_agreement, make_token):
    agreement = make_agreement()
    token = make_token(agreement)
    api = token_client(token)
    for i in range(55):
        api.get(f"/api/v1/me/?call={i}")
    assert TokenUse.objects.filter(agreement=agreement).count() == 55
    client.force_login(technical_operator)
    first = client.get(reverse("integrations:uses", args=[agreement.pk]))
    assert "call=54" in first.content.decode()
    assert "call=0<" not in first.content.decode()
    assert "Страница 1 из 2" in first.content.decode()
    second = client.get(reverse("integrations:uses", args=[agreement.pk]) + "?page=2")
    assert "/api/v1/me/?call=0<" in second.content.decode()
