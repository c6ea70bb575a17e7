"""The staff request card and the API answer the same status for the same refusal (issue 10,
item 4): a stale version and the request's state 409, a wrong party 403, bad input 400 — through
the public paths (the card's form post and ``/api/v1/requests/{id}/<action>/``)."""

import pytest
from rest_framework.test import APIClient

from domovoy.servicedesk import services
from domovoy.servicedesk.models import ServiceRequest

from .helpers import post_action, state

pytestmark = pytest.mark.django_db


def _api(user, sr, action, **data):
    client = APIClient()
    client.force_authenticate(user)
    return client.post(f"/api/v1/requests/{sr.pk}/{action}/", data, format="json")


def _both(client_of, user, sr, action, *, version=None, **fields):
    """The card's answer and the API's to the same action, each on an unchanged request."""
    before = state(sr)
    card = post_action(client_of(user), sr, action, version=version, **fields)
    assert state(sr) == before
    data = dict(fields)
    if version is not None:
        data["expected_version"] = version
    api = _api(user, sr, action, **data)
    assert state(sr) == before
    return card, api


@pytest.mark.req("R4")
def test_a_stale_version_is_409_on_the_card_and_in_the_api(
    client_of, sr, uo_dispatcher, uo_engineer
):
    seen = ServiceRequest.objects.get(pk=sr.pk).version
    services.service_request_transition(
        request=sr, action="start", actor=uo_engineer, comment="Взяли в работу"
    )
    card, api = _both(
        client_of,
        uo_dispatcher,
        sr,
        "reject",
        version=seen,
        reject_reason="not_our_zone",
        comment="Не наш дом",
    )
    assert card.status_code == api.status_code == 409
    assert api.json()["code"] == "stale"
    assert "обновите страницу" in card.content.decode()


@pytest.mark.req("R4")
def test_a_status_that_does_not_allow_the_action_is_409_on_both(client_of, sr, uo_dispatcher):
    card, api = _both(client_of, uo_dispatcher, sr, "complete", report="Сделано")
    assert card.status_code == api.status_code == 409
    assert api.json()["code"] == "invalid_status"
    assert api.json()["message"] in card.content.decode()


@pytest.mark.req("R8")
def test_a_guard_of_the_table_is_409_on_both(client_of, sr, uo_dispatcher):
    card, api = _both(client_of, uo_dispatcher, sr, "dispatch_crew")
    assert card.status_code == api.status_code == 409
    assert api.json()["code"] == "emergency_only"


@pytest.mark.req("S2")
def test_the_wrong_party_is_403_on_both(client_of, sr, anna):
    card, api = _both(client_of, anna, sr, "accept", comment="Сама приму")
    assert card.status_code == api.status_code == 403
    assert api.json()["code"] == "forbidden"


@pytest.mark.req("R4")
def test_a_missing_mandatory_parameter_is_400_on_both(client_of, sr, uo_dispatcher):
    card, api = _both(client_of, uo_dispatcher, sr, "accept", comment="")
    assert card.status_code == api.status_code == 400
    assert "comment" in api.json()["fields"]
