"""The same agreement and token operations through the API (S1, G 3.1.6)."""

import datetime as dt

import pytest
from django.utils import timezone
from knox.models import AuthToken

from domovoy.api.models import IntegrationAgreement
from tests.fixtures import token_client

pytestmark = [pytest.mark.req("S1"), pytest.mark.django_db]


def _payload(**overrides):
    today = timezone.localdate()
    data = {
        "number": "21-ИС/2026",
        "system_name": "Биллинг ЕИРЦ",
        "parties": "Администрация; ЕИРЦ",
        "valid_from": today.isoformat(),
        "valid_to": (today + dt.timedelta(days=90)).isoformat(),
        "scopes": ["outages:read"],
    }
    data.update(overrides)
    return data


def test_the_technical_operator_manages_an_agreement_end_to_end(api, technical_operator, territory):
    api.force_authenticate(technical_operator)
    created = api.post(
        "/api/v1/integrations/", _payload(territory=territory["city"].pk), format="json"
    )
    assert created.status_code == 201, created.json()
    agreement = created.json()
    assert agreement["territory"] == territory["city"].pk
    assert agreement["is_valid"] is True
    assert agreement["token_count"] == 0

    issued = api.post(f"/api/v1/integrations/{agreement['id']}/tokens/", {}, format="json")
    assert issued.status_code == 201
    assert issued["Cache-Control"] == "no-store"
    token = issued.json()["token"]
    key = issued.json()["token_key"]

    assert token_client(token).get("/api/v1/me/").status_code == 200
    listed = api.get(f"/api/v1/integrations/{agreement['id']}/tokens/").json()
    assert [t["token_key"] for t in listed] == [key]
    assert "token" not in listed[0]
    assert listed[0]["last_used"] is not None

    uses = api.get(f"/api/v1/integrations/{agreement['id']}/uses/").json()
    assert uses["count"] == 1
    assert uses["results"][0]["path"] == "/api/v1/me/"

    detail = api.get(f"/api/v1/integrations/{agreement['id']}/").json()
    assert detail["token_count"] == 1

    revoked = api.delete(f"/api/v1/integrations/{agreement['id']}/tokens/{key}/")
    assert revoked.status_code == 204
    assert token_client(token).get("/api/v1/me/").status_code == 401
    missing = api.delete(f"/api/v1/integrations/{agreement['id']}/tokens/{key}/")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


@pytest.mark.req("S2")
def test_a_uo_dispatcher_cannot_create_agreements_through_the_api(api, uo_dispatcher):
    api.force_authenticate(uo_dispatcher)
    assert api.post("/api/v1/integrations/", _payload(), format="json").status_code == 403
    assert api.get("/api/v1/integrations/").status_code == 403
    assert not IntegrationAgreement.objects.exists()


@pytest.mark.req("S2")
def test_a_uo_dispatcher_cannot_issue_tokens_through_the_api(api, uo_dispatcher, make_agreement):
    agreement = make_agreement()
    api.force_authenticate(uo_dispatcher)
    response = api.post(f"/api/v1/integrations/{agreement.pk}/tokens/", {}, format="json")
    assert response.status_code == 403
    assert not AuthToken.objects.exists()


@pytest.mark.req("S2")
def test_anonymous_callers_get_401_or_403(api):
    assert api.get("/api/v1/integrations/").status_code in (401, 403)


@pytest.mark.req("S7")
def test_bad_input_gets_a_json_error_with_fields_and_stores_nothing(api, technical_operator):
    api.force_authenticate(technical_operator)
    response = api.post(
        "/api/v1/integrations/",
        _payload(scopes=["root:write"], valid_to="2000-01-01"),
        format="json",
    )
    assert response.status_code == 400
    assert "scopes" in response.json()["fields"]
    response = api.post("/api/v1/integrations/", _payload(valid_to="2000-01-01"), format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_agreement"
    assert body["fields"]["valid_to"] == ["Дата окончания раньше даты начала"]
    assert not IntegrationAgreement.objects.exists()


@pytest.mark.req("S7")
def test_a_token_beyond_the_agreement_is_refused_in_json(api, technical_operator, make_agreement):
    agreement = make_agreement()
    api.force_authenticate(technical_operator)
    response = api.post(
        f"/api/v1/integrations/{agreement.pk}/tokens/",
        {"expires_on": (agreement.valid_to + dt.timedelta(days=1)).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "expiry_after_agreement"
    assert not AuthToken.objects.exists()
