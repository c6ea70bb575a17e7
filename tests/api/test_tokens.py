"""Integration tokens: scopes, territory, revocation, validity, the log of use (S1, G 3.1.6)."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from knox.models import AuthToken

from domovoy.api.auth import token_territory
from domovoy.api.models import SCOPE_CODES, TokenUse
from domovoy.audit.services import acting_as
from domovoy.directory.services import organization_update
from tests import factories as f
from tests.fixtures import token_client

pytestmark = [pytest.mark.req("S1"), pytest.mark.django_db]


def test_a_token_calls_me_and_its_use_is_logged(make_agreement, make_token):
    agreement = make_agreement(scopes=["directory:read"])
    token = make_token(agreement)
    response = token_client(token).get("/api/v1/me/?probe=1")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == agreement.user.username
    assert body["integration"]["number"] == agreement.number
    assert body["integration"]["scopes"] == ["directory:read"]
    use = TokenUse.objects.get()
    assert use.agreement == agreement
    assert use.method == "GET"
    assert use.path == "/api/v1/me/?probe=1"
    assert use.token_key == token[: len(use.token_key)]


def test_a_token_without_the_audit_scope_is_refused_by_the_audit_endpoint(
    make_agreement, make_token
):
    token = make_token(make_agreement(scopes=["directory:read"]))
    response = token_client(token).get("/api/v1/audit/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_a_token_with_the_audit_scope_reads_the_audit_log(make_agreement, make_token):
    token = make_token(make_agreement(scopes=["audit:read"]))
    response = token_client(token).get("/api/v1/audit/")
    assert response.status_code == 200
    # The agreement's own creation is in the log.
    assert any(r["model"] == "соглашение об интеграции" for r in response.json()["results"])


def test_a_read_scope_does_not_allow_writes(make_agreement, make_token):
    token = make_token(make_agreement(scopes=["audit:read"]))
    response = token_client(token).post("/api/v1/audit/", {}, format="json")
    assert response.status_code == 403


def test_a_revoked_token_gets_401(make_agreement, make_token, technical_operator):
    from domovoy.api.services import integration_token_revoke

    agreement = make_agreement()
    token = make_token(agreement)
    client = token_client(token)
    assert client.get("/api/v1/me/").status_code == 200
    key = AuthToken.objects.get(user=agreement.user).token_key
    integration_token_revoke(actor=technical_operator, agreement=agreement, token_key=key)
    assert client.get("/api/v1/me/").status_code == 401


def test_a_token_of_an_expired_agreement_gets_401(make_agreement, make_token):
    today = timezone.localdate()
    agreement = make_agreement(valid_to=today + dt.timedelta(days=3))
    token = make_token(agreement)
    assert token_client(token).get("/api/v1/me/").status_code == 200
    later = timezone.now() + dt.timedelta(days=5)
    with time_machine.travel(later, tick=False):
        response = token_client(token).get("/api/v1/me/")
    assert response.status_code == 401
    assert TokenUse.objects.count() == 1  # the refused call is not logged as a use


def test_a_token_of_a_terminated_agreement_gets_401_before_the_token_expires(
    make_agreement, make_token
):
    agreement = make_agreement()
    token = make_token(agreement)
    # The agreement is cut short (e.g. terminated early); the token itself has not expired.
    agreement.valid_to = timezone.localdate() - dt.timedelta(days=1)
    agreement.save()
    assert AuthToken.objects.get(user=agreement.user).expiry > timezone.now()
    response = token_client(token).get("/api/v1/me/")
    assert response.status_code == 401
    assert "Срок действия соглашения" in response.json()["message"]


def test_a_token_of_an_agreement_not_yet_in_force_gets_401(make_agreement, make_token):
    today = timezone.localdate()
    agreement = make_agreement(
        valid_from=today + dt.timedelta(days=2), valid_to=today + dt.timedelta(days=30)
    )
    token = make_token(agreement)
    assert token_client(token).get("/api/v1/me/").status_code == 401


def test_a_made_up_token_gets_401(api):
    api.credentials(HTTP_AUTHORIZATION="Token " + "a" * 64)
    assert api.get("/api/v1/me/").status_code == 401


def test_a_token_expires_no_later_than_the_agreements_last_day(make_agreement, make_token):
    agreement = make_agreement()
    make_token(agreement)
    expiry = timezone.localtime(AuthToken.objects.get(user=agreement.user).expiry)
    assert expiry.date() == agreement.valid_to + dt.timedelta(days=1)
    assert expiry.time() == dt.time(0, 0)


def test_the_service_account_cannot_sign_in_with_a_password(make_agreement, client):
    agreement = make_agreement()
    assert not agreement.user.has_usable_password()


def test_token_territory_is_the_agreements_territory(make_agreement, make_token, territory):
    limited = make_token(make_agreement(territory=territory["district"]))
    body = token_client(limited).get("/api/v1/me/").json()
    assert body["integration"]["territory"] == territory["district"].pk
    whole = make_token(make_agreement())
    assert token_client(whole).get("/api/v1/me/").json()["integration"]["territory"] is None


def test_token_territory_is_none_for_a_persons_session(rf, functional_operator):
    request = rf.get("/")
    request.user = functional_operator
    assert token_territory(request) is None


@pytest.mark.req("S2")
def test_a_territory_token_reads_only_its_territorys_audit_entries(
    make_agreement, make_token, territory, functional_operator
):
    here = f.OrganizationFactory(kinds=["uo"], territory=territory["district"])
    there = f.OrganizationFactory(kinds=["uo"], territory=territory["other_district"])
    with acting_as(functional_operator):
        organization_update(organization=here, data={"working_hours": "пн–пт 8:00–17:00"})
        organization_update(organization=there, data={"working_hours": "пн–пт 8:00–17:00"})
    token = make_token(make_agreement(scopes=["audit:read"], territory=territory["district"]))
    rows = token_client(token).get("/api/v1/audit/?action=update").json()["results"]
    assert [r["object_id"] for r in rows] == [str(here.pk)]
    whole = make_token(make_agreement(scopes=["audit:read"]))
    rows = token_client(whole).get("/api/v1/audit/?action=update").json()["results"]
    assert {r["object_id"] for r in rows} == {str(here.pk), str(there.pk)}


@pytest.mark.req("S5")
def test_a_token_cannot_read_the_personal_data_access_log(make_agreement, make_token):
    token = make_token(make_agreement(scopes=["audit:read"]))
    assert token_client(token).get("/api/v1/audit/personal-data/").status_code == 403


def test_a_token_cannot_manage_integrations(make_agreement, make_token):
    token = make_token(make_agreement(scopes=SCOPE_CODES))
    client = token_client(token)
    assert client.get("/api/v1/integrations/").status_code == 403
    response = client.post(
        "/api/v1/integrations/",
        {
            "number": "X",
            "system_name": "X",
            "parties": "X",
            "valid_from": "2026-01-01",
            "valid_to": "2026-12-31",
            "scopes": ["audit:read"],
        },
        format="json",
    )
    assert response.status_code == 403
