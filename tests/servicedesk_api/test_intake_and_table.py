"""Intake through the API by the three channels (R1), integration tokens under their agreement
(S1, S2), the classifier endpoint (R2), and the action routes generated from the workflow table
(R4): one route per row, its parameters from the row, the caller's allowed actions."""

import pytest
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator

from domovoy.api.models import TokenUse
from domovoy.directory.models import Premises
from domovoy.servicedesk import api, conversation
from domovoy.servicedesk.models import ServiceRequest
from domovoy.servicedesk.workflow import TRANSITIONS
from tests import factories as f
from tests.fixtures import token_client
from tests.servicedesk.helpers import act

from .files import upload

pytestmark = [pytest.mark.django_db]

READ_WRITE = ("requests:read", "requests:write")


def intake(building, classifier, **extra):
    return {
        "building": building.pk,
        "topic": classifier["entrance-door"].pk,
        "text": "Сломан доводчик",
        **extra,
    }


# --- Intake ----------------------------------------------------------------------------------


@pytest.mark.req("R1")
def test_the_call_centre_files_for_a_caller_with_name_and_phone(
    api_of, call_operator, building, classifier, links
):
    client = api_of(call_operator)
    response = client.post(
        "/api/v1/requests/", intake(building, classifier, phone="8 910 000-11-22"), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"caller_name"}
    assert ServiceRequest.objects.count() == 0

    response = client.post(
        "/api/v1/requests/",
        intake(building, classifier, phone="8 910 000-11-22", caller_name="Иван Петрович"),
        format="json",
    )
    assert response.status_code == 201, response.json()
    row = ServiceRequest.objects.get(pk=response.json()["id"])
    assert (row.channel, row.author, row.created_by) == ("call_centre", None, call_operator)
    assert (row.caller_name, row.phone) == ("Иван Петрович", "+79100001122")


@pytest.mark.req("R1")
@pytest.mark.req("S7")
def test_bad_intake_input_names_every_field_and_stores_nothing(
    api_of, anna, building, classifier, links
):
    response = api_of(anna).post(
        "/api/v1/requests/",
        {"building": 999999, "topic": classifier["entrance"].pk, "text": ""},
        format="json",
    )
    assert response.status_code == 400
    assert {"building", "text"} <= set(response.json()["fields"])
    response = api_of(anna).post(
        "/api/v1/requests/",
        {"building": building.pk, "topic": classifier["entrance"].pk, "text": "Дверь"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"topic"}  # a group, not a topic
    assert ServiceRequest.objects.count() == 0


@pytest.mark.req("R1")
@pytest.mark.req("S1")
def test_an_integration_token_files_with_the_api_channel_and_follows_its_request(
    make_agreement, make_token, building, classifier, links, territory
):
    agreement = make_agreement(scopes=READ_WRITE, system_name="Добродел")
    client = token_client(make_token(agreement))
    response = client.post(
        "/api/v1/requests/",
        intake(building, classifier, external_id="DBR-1001", caller_name="Мария"),
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    row = ServiceRequest.objects.get(pk=response.json()["id"])
    assert (row.channel, row.external_system, row.external_id) == ("api", "Добродел", "DBR-1001")
    assert client.get("/api/v1/requests/").json()["count"] == 1
    # It relays its resident: it writes in the request and withdraws it as the author.
    response = client.post(
        f"/api/v1/requests/{row.pk}/comments/", {"text": "Уточнение от заявителя"}
    )
    assert response.status_code == 201
    response = client.post(
        f"/api/v1/requests/{row.pk}/withdraw/", {"withdraw_reason": "no_longer_relevant"}
    )
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert TokenUse.objects.filter(agreement=agreement).count() == 4


@pytest.mark.req("S1")
def test_a_read_only_token_cannot_file_or_act(make_agreement, make_token, building, classifier, sr):
    agreement = make_agreement(scopes=("requests:read",), organization=sr.executor_org)
    client = token_client(make_token(agreement))
    assert client.get(f"/api/v1/requests/{sr.pk}/").status_code == 200
    response = client.post("/api/v1/requests/", intake(building, classifier), format="json")
    assert response.status_code == 403
    response = client.post(f"/api/v1/requests/{sr.pk}/accept/", {"comment": "Да"})
    assert response.status_code == 403
    assert ServiceRequest.objects.count() == 1


@pytest.mark.req("S2")
def test_a_token_of_another_organisation_or_territory_sees_nothing(
    make_agreement, make_token, other_uo, territory, building, classifier, sr
):
    for kw in ({"organization": other_uo}, {}):
        client = token_client(make_token(make_agreement(scopes=READ_WRITE, **kw)))
        assert client.get("/api/v1/requests/").json()["count"] == 0
        assert client.get(f"/api/v1/requests/{sr.pk}/").status_code == 404
    far = make_agreement(scopes=READ_WRITE, territory=territory["other_district"])
    response = token_client(make_token(far)).post(
        "/api/v1/requests/", intake(building, classifier), format="json"
    )
    assert response.status_code == 400 and set(response.json()["fields"]) == {"building"}


@pytest.mark.req("S2")
@pytest.mark.req("S5")
def test_a_token_of_the_executor_reads_its_requests_with_internal_notes(
    make_agreement, make_token, uo, uo_dispatcher, sr
):
    conversation.comment_add(request=sr, author=uo_dispatcher, text="Внутреннее", is_public=False)
    client = token_client(make_token(make_agreement(scopes=("requests:read",), organization=uo)))
    body = client.get(f"/api/v1/requests/{sr.pk}/").json()
    assert [c["text"] for c in body["comments"]] == ["Внутреннее"]
    assert body["phone"] == "+79101234567"
    assert body["actions"] == []  # a token acts only as the author of what it filed


@pytest.mark.req("R1")
def test_a_photo_filed_by_the_resident_is_the_first_comment_of_the_request(
    api_of, anna, uo_dispatcher, building, classifier, links
):
    from .files import jpeg_bytes

    response = api_of(anna).post(
        "/api/v1/requests/",
        intake(building, classifier, files=[upload("дверь.jpg", jpeg_bytes())]),
        format="multipart",
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    [comment] = api_of(uo_dispatcher).get(f"/api/v1/requests/{pk}/comments/").json()
    assert comment["attachments"][0]["name"] == "дверь.jpg"


# --- The classifier --------------------------------------------------------------------------


@pytest.mark.req("R2")
def test_the_topics_come_in_tree_order_with_groups_marked(api_of, anna, classifier):
    from domovoy.servicedesk.models import Topic

    Topic.objects.filter(code="entrance-windows").update(is_active=False)
    topics = api_of(anna).get("/api/v1/topics/").json()
    by_code = {t["code"]: t for t in topics}
    assert "entrance-windows" not in by_code
    group, door = by_code["entrance"], by_code["entrance-door"]
    assert (group["is_group"], group["depth"], door["is_group"], door["depth"]) == (
        True, 0, False, 1,
    )  # fmt: skip
    assert door["parent"] == group["id"]
    codes = [t["code"] for t in topics]
    assert codes.index("entrance") < codes.index("entrance-door")
    for topic in topics:
        if topic["parent"] is not None:
            assert codes.index(by_code_of(topics, topic["parent"])) < codes.index(topic["code"])
    assert door["deadline_text"] == "3 раб. дн."


def by_code_of(topics, pk):
    return next(t["code"] for t in topics if t["id"] == pk)


# --- The table -------------------------------------------------------------------------------


@pytest.mark.req("R4")
@pytest.mark.parametrize("transition", TRANSITIONS, ids=lambda t: t.action.value)
def test_every_action_of_the_table_has_its_route_and_its_parameters(transition):
    match = resolve(f"/api/v1/requests/1/{transition.action.value}/")
    assert match.func.view_class is api.RequestActionView
    assert match.func.view_initkwargs == {"workflow_action": transition.action.value}
    fields = api.action_serializer(transition.action.value)().fields
    required = {name for name, field in fields.items() if field.required}
    assert required == set(transition.requires)
    optional = set(fields) - required - {"expected_version", "occurred_at"}  # S8: every action
    assert optional == set(transition.optional) | set(transition.conditional_params)


@pytest.mark.req("R4")
def test_the_schema_documents_each_action_with_its_own_mandatory_parameters():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    for transition in TRANSITIONS:
        operation = schema["paths"][f"/api/v1/requests/{{id}}/{transition.action.value}/"]["post"]
        assert set(operation["responses"]) == {"200", "400", "403", "404", "409"}
        content = operation.get("requestBody", {}).get("content", {})
        ref = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        assert set(components[ref].get("required", [])) == set(transition.requires)


@pytest.mark.req("R4")
@pytest.mark.req("R12")
def test_the_actions_endpoint_offers_each_party_its_own_buttons(
    api_of, anna, uo_dispatcher, boris, sr
):
    resident = {a["action"] for a in api_of(anna).get(f"/api/v1/requests/{sr.pk}/actions/").json()}
    assert resident == {"withdraw", "edit", "delete"}
    staff = {
        a["action"]: a
        for a in api_of(uo_dispatcher).get(f"/api/v1/requests/{sr.pk}/actions/").json()
    }
    assert {"accept", "start", "redirect", "reject", "extend_deadline", "change_topic"} <= set(
        staff
    )
    assert "dispatch_crew" not in staff and "edit" not in staff
    reject = {p["name"]: p for p in staff["reject"]["params"]}
    assert reject["reject_reason"]["required"] and reject["comment"]["required"]
    assert not reject["reason"]["required"]
    # R6: the grounds that hold for this (clean, never reopened) request, of the closed list.
    assert reject["reject_reason"]["choices"] == [
        ["not_our_zone", "Не относится к зоне ответственности"]
    ]
    assert staff["reject"]["url"] == f"/api/v1/requests/{sr.pk}/reject/"
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    resident = {a["action"] for a in api_of(anna).get(f"/api/v1/requests/{sr.pk}/actions/").json()}
    assert resident == {"withdraw"}  # accepted: no more editing (R12)
    assert api_of(boris).get(f"/api/v1/requests/{sr.pk}/actions/").status_code == 404


@pytest.mark.req("R1")
def test_a_resident_files_for_any_address_only_in_their_own_name(
    api_of, anna, building, classifier, links
):
    premises = Premises.objects.create(building=building, number="12")
    elsewhere = Premises.objects.create(building=f.BuildingFactory(), number="12")
    response = api_of(anna).post(
        "/api/v1/requests/", intake(building, classifier, premises=elsewhere.pk), format="json"
    )
    assert response.status_code == 400 and set(response.json()["fields"]) == {"premises"}
    data = intake(building, classifier, premises=premises.pk)
    response = api_of(anna).post("/api/v1/requests/", data, format="json")
    assert response.status_code == 201
    row = ServiceRequest.objects.get(pk=response.json()["id"])
    assert (row.author, row.created_by, row.channel, row.premises) == (anna, anna, "web", premises)
    assert row.phone == "+79101234567"  # taken from her profile
