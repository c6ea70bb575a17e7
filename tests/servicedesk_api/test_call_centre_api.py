"""The call centre's API (issue 11): the call log and the calls to residents — list, create,
detail — and the call screen (outages on a building, the caller's earlier requests, likely
duplicates) for integrations. Call-centre operators only: a resident, the media role and a
dispatcher get 403; another call centre's calls do not exist for an operator (R1, R11)."""

import datetime as dt

import pytest

from domovoy.servicedesk.models import Call, CallAttempt
from tests import factories as f
from tests.servicedesk.helpers import act

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_operator(territory):
    other = f.OrganizationFactory(kinds=["call_centre"], territory=territory["city"])
    return f.employee(other, roles=["call_operator"], username="callop2").user


@pytest.fixture
def done(sr, uo_dispatcher):
    act(sr, "start", uo_dispatcher, comment="Мастер выехал")
    act(sr, "complete", uo_dispatcher, report="Доводчик заменён", comment="Доводчик заменён")
    sr.refresh_from_db()
    return sr


@pytest.mark.req("R1")
def test_an_operator_logs_calls_and_reads_only_its_call_centres_log(
    api_of, call_operator, other_operator, building, sr
):
    client = api_of(call_operator)
    created = client.post(
        "/api/v1/calls/",
        {
            "outcome": "consultation",
            "phone": "8 910 555-44-33",
            "caller_name": "<b>Мария</b>",
            "building": building.pk,
            "notes": "Рассказали о графике отключений",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["outcome"], body["phone"], body["caller_name"]) == (
        "consultation",
        "+79105554433",
        "<b>Мария</b>",
    )
    linked = client.post(
        "/api/v1/calls/", {"outcome": "request_created", "request": sr.pk}, format="json"
    )
    assert linked.status_code == 201 and linked.json()["request_number"] == sr.number

    listed = client.get("/api/v1/calls/").json()
    assert listed["count"] == 2
    assert client.get(f"/api/v1/calls/{body['id']}/").json()["notes"].startswith("Рассказали")
    assert client.get("/api/v1/calls/?outcome=consultation").json()["count"] == 1

    theirs = api_of(other_operator)
    assert theirs.get("/api/v1/calls/").json()["count"] == 0
    assert theirs.get(f"/api/v1/calls/{body['id']}/").status_code == 404


@pytest.mark.req("R1")
def test_a_refusal_without_a_reason_is_refused_with_its_field(api_of, call_operator):
    response = api_of(call_operator).post("/api/v1/calls/", {"outcome": "refused"}, format="json")
    assert response.status_code == 400
    assert "refusal_reason" in response.json()["fields"]
    assert not Call.objects.exists()


@pytest.mark.req("R11")
def test_an_operator_logs_call_attempts_through_the_api(
    api_of, call_operator, other_operator, done
):
    client = api_of(call_operator)
    response = client.post(
        "/api/v1/call-attempts/", {"request": done.pk, "answered": False}, format="json"
    )
    assert response.status_code == 201, response.json()
    attempt = response.json()
    assert (attempt["request_number"], attempt["answered"]) == (done.number, False)
    assert client.get("/api/v1/call-attempts/").json()["count"] == 1
    assert client.get(f"/api/v1/call-attempts/{attempt['id']}/").status_code == 200
    assert client.get(f"/api/v1/call-attempts/?request={done.pk}").json()["count"] == 1
    assert api_of(other_operator).get(f"/api/v1/call-attempts/{attempt['id']}/").status_code == 404
    assert CallAttempt.objects.get().operator == call_operator


@pytest.mark.req("R1")
def test_the_call_screen_api_gives_outages_requests_and_duplicates(
    api_of, call_operator, frozen, publish_planned, houses, classifier, links, file_request
):
    outage = publish_planned(dt.datetime(2026, 12, 8, 6, 0, tzinfo=dt.UTC))
    sr = file_request("water-leak", "Течёт стояк", building=houses[0], phone="+79105554433")
    client = api_of(call_operator)
    screen = client.get(
        "/api/v1/call-screen/",
        {
            "building": houses[0].pk,
            "phone": "8 910 555 44 33",
            "topic": classifier["water-leak"].pk,
        },
    )
    assert screen.status_code == 200, screen.json()
    data = screen.json()
    assert data["outages_now"] == []
    assert [o["id"] for o in data["outages_planned"]] == [outage.pk]
    assert [r["number"] for r in data["caller_requests"]] == [sr.number]
    assert [r["number"] for r in data["duplicates"]] == [sr.number]
    assert client.get("/api/v1/call-screen/", {"building": 999999}).status_code == 404


@pytest.mark.req("R1")
@pytest.mark.req("R11")
def test_other_roles_are_refused_the_call_centre_api(
    api_of, resident, uo_dispatcher, control_org, sr
):
    media = f.employee(control_org, roles=["media"], username="press").user
    for user in (resident, uo_dispatcher, media):
        client = api_of(user)
        for url in ("/api/v1/calls/", "/api/v1/call-attempts/", "/api/v1/call-screen/"):
            assert client.get(url).status_code == 403, (user, url)
        refused = client.post("/api/v1/calls/", {"outcome": "consultation"}, format="json")
        assert refused.status_code == 403
        attempt = {"request": sr.pk, "answered": True}
        assert client.post("/api/v1/call-attempts/", attempt, format="json").status_code == 403
    assert not Call.objects.exists() and not CallAttempt.objects.exists()


@pytest.mark.req("N2")
def test_the_operator_files_through_the_api_with_the_link_and_the_opt_out(
    api_of, call_operator, anna, building, classifier, links
):
    client = api_of(call_operator)
    base = {
        "building": building.pk,
        "topic": classifier["water-leak"].pk,
        "text": "Течёт стояк",
        "caller_name": "Анна",
    }
    mine = client.post("/api/v1/requests/", {**base, "phone": "8 910 123-45-67"}, format="json")
    assert mine.status_code == 201, mine.json()
    stranger = client.post(
        "/api/v1/requests/",
        {**base, "phone": "8 910 555-44-33", "sms_opt_out": True},
        format="json",
    )
    assert stranger.status_code == 201, stranger.json()
    from domovoy.servicedesk.models import ServiceRequest

    linked = ServiceRequest.objects.get(number=mine.json()["number"])
    other = ServiceRequest.objects.get(number=stranger.json()["number"])
    assert (linked.author, linked.sms_opt_out) == (anna, False)
    assert (other.author, other.sms_opt_out) == (None, True)
