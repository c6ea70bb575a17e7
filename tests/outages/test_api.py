"""The outages API (O1–O7): publish, read with zone and history, actions, filters, visibility,
the public endpoint and favourites; forbidden paths answer JSON {code, message, fields}."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from domovoy.directory.models import ServiceLink
from domovoy.outages.models import FavouriteAddress, Outage
from tests import factories as f
from tests.fixtures import msk

pytestmark = pytest.mark.django_db


def client_for(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def planned_body(houses, **extra):
    body = {
        "kind": "planned",
        "resource": "cold_water",
        "network": "supplier",
        "zone": {"building_ids": [houses[0].pk, houses[1].pk]},
        "reason": "Ремонт водопровода",
        "start": "2026-12-20T10:00:00+03:00",
        "planned_end": "2026-12-20T18:00:00+03:00",
    }
    body.update(extra)
    return body


@pytest.mark.req("O1", "O7")
def test_a_supplier_publishes_and_reads_the_card_with_zone_history_and_delivery(
    frozen, rso_dispatcher, houses, water_link, people
):
    api = client_for(rso_dispatcher)
    response = api.post("/api/v1/outages/", planned_body(houses), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "published" and data["building_count"] == 2
    assert data["is_late"] is False and data["can_change"] is True
    assert {b["id"] for b in data["zone"]} == {houses[0].pk, houses[1].pk}
    assert data["history"][0]["action"] == "published"
    assert data["delivery"]["inbox"]["queued"] == 6  # anna, boris × published, 5d, 1d
    assert data["organization"]["short_name"]


@pytest.mark.req("O1", "O2", "O4")
def test_refine_complete_and_cancel_through_post_sub_routes(
    frozen, rso_dispatcher, houses, water_link, people
):
    api = client_for(rso_dispatcher)
    pk = api.post("/api/v1/outages/", planned_body(houses), format="json").json()["id"]
    r = api.post(
        f"/api/v1/outages/{pk}/refine/",
        {"planned_end": "2026-12-20T20:00:00+03:00", "zone": {"building_ids": [houses[0].pk]}},
        format="json",
    )
    assert r.status_code == 200, r.json()
    assert r.json()["building_count"] == 1 and len(r.json()["history"]) == 2
    r = api.post(f"/api/v1/outages/{pk}/complete/", {}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "not_started"
    r = api.post(f"/api/v1/outages/{pk}/cancel/", {}, format="json")
    assert r.status_code == 400 and "reason" in r.json()["fields"]
    r = api.post(f"/api/v1/outages/{pk}/cancel/", {"reason": "Перенос работ"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    r = api.post(f"/api/v1/outages/{pk}/refine/", {"reason": "x"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "invalid_status"


@pytest.mark.req("O2")
def test_an_emergency_published_by_api_measures_its_publication_delay(
    frozen, rso_dispatcher, houses, water_link
):
    body = {
        "kind": "emergency",
        "resource": "cold_water",
        "network": "supplier",
        "zone": {"polygon": [[57.755, 40.915], [57.755, 40.925], [57.765, 40.925]]},
        "reason": "Порыв",
        "accident_at": "2026-12-07T10:30:00+03:00",
        "emergency_alert": True,
    }
    r = client_for(rso_dispatcher).post("/api/v1/outages/", body, format="json")
    assert r.status_code == 201, r.json()
    d = r.json()
    assert d["publication_delay_minutes"] == 90 and d["publication_late"] is True
    assert d["emergency_alert"] is True and d["planned_end"] is None


@pytest.mark.req("O1", "O7")
def test_forbidden_and_bad_publications_answer_json_and_store_nothing(
    frozen, rso_dispatcher, uo_dispatcher, resident, houses, foreign_house, water_link
):
    r = client_for(uo_dispatcher).post("/api/v1/outages/", planned_body(houses), format="json")
    assert r.status_code == 403 and r.json()["code"] == "wrong_organization"
    r = client_for(resident).post("/api/v1/outages/", planned_body(houses), format="json")
    assert r.status_code == 403
    body = planned_body(houses, zone={"building_ids": [foreign_house.pk]})
    r = client_for(rso_dispatcher).post("/api/v1/outages/", body, format="json")
    assert r.status_code == 403 and r.json()["code"] == "building_out_of_scope"
    r = client_for(rso_dispatcher).post(
        "/api/v1/outages/", planned_body(houses, resource="steam"), format="json"
    )
    assert r.status_code == 400 and "resource" in r.json()["fields"]
    r = client_for(rso_dispatcher).post(
        "/api/v1/outages/", planned_body(houses, zone={"polygon": [[1, 2]]}), format="json"
    )
    assert r.status_code == 400 and r.json()["code"] == "invalid_zone"
    assert client_for().post(
        "/api/v1/outages/", planned_body(houses), format="json"
    ).status_code in (
        401,
        403,
    )
    assert not Outage.objects.exists()


@pytest.fixture
def published(frozen, rso_dispatcher, houses, water_link):
    api = client_for(rso_dispatcher)
    planned = api.post("/api/v1/outages/", planned_body(houses), format="json").json()["id"]
    heating = Outage.objects.get(pk=planned)
    return {"planned": heating}


@pytest.mark.req("O7")
def test_every_participant_sees_the_outages_of_its_buildings(
    published, uo_dispatcher, other_uo_admin, functional_operator, resident, rso, territory
):
    outage = published["planned"]
    stranger_rso = f.OrganizationFactory(kinds=["rso"], territory=territory["district"])
    stranger = f.employee(stranger_rso, roles=["supplier_dispatcher"]).user
    # the UO manages the houses: it sees the supplier's outage (U 3.5.2а)
    for user, sees in (
        (uo_dispatcher, True),
        (functional_operator, True),
        (other_uo_admin, True),  # published outages are public
        (resident, True),
        (stranger, True),
    ):
        r = client_for(user).get(f"/api/v1/outages/{outage.pk}/")
        assert (r.status_code == 200) is sees, user
    assert (
        client_for(uo_dispatcher).get(f"/api/v1/outages/{outage.pk}/").json()["can_change"] is False
    )
    assert client_for(resident).get(f"/api/v1/outages/{outage.pk}/").json()["delivery"] is None
    # cancelled: only the parties see it any more
    client_for(outage.created_by).post(
        f"/api/v1/outages/{outage.pk}/cancel/", {"reason": "Отмена"}, format="json"
    )
    for user, sees in (
        (uo_dispatcher, True),
        (functional_operator, True),
        (other_uo_admin, False),
        (resident, False),
        (stranger, False),
    ):
        r = client_for(user).get(f"/api/v1/outages/{outage.pk}/")
        assert (r.status_code == 200) is sees, user
        assert (r.status_code == 404) is (not sees)


@pytest.mark.req("O7")
def test_a_supplier_sees_the_uo_outages_on_buildings_it_serves(
    frozen, uo_dispatcher, houses, water_link, rso_dispatcher
):
    from domovoy.outages import services
    from domovoy.outages.zones import zone_spec

    outage = services.outage_publish(
        actor=uo_dispatcher,
        kind="planned",
        resource="hot_water",
        network="in_building",
        zone=zone_spec(building_ids=[houses[0].pk]),
        reason="Стояк",
        start=msk(2026, 12, 20, 10, 0),
        planned_end=msk(2026, 12, 20, 12, 0),
    )
    services.outage_cancel(actor=uo_dispatcher, outage=outage, reason="Отмена")
    r = client_for(rso_dispatcher).get("/api/v1/outages/", {"status": "cancelled"})
    assert [o["id"] for o in r.json()["results"]] == [outage.pk]
    ServiceLink.objects.all().delete()
    r = client_for(rso_dispatcher).get("/api/v1/outages/", {"status": "cancelled"})
    assert r.json()["results"] == []


@pytest.mark.req("O1", "O7")
def test_list_filters_and_a_constant_query_count(
    frozen, rso_dispatcher, houses, water_link, foreign_house
):
    api = client_for(rso_dispatcher)
    for day in (20, 21, 22):
        body = planned_body(
            houses,
            start=f"2026-12-{day}T10:00:00+03:00",
            planned_end=f"2026-12-{day}T18:00:00+03:00",
        )
        assert api.post("/api/v1/outages/", body, format="json").status_code == 201
    r = api.get("/api/v1/outages/", {"date_from": "2026-12-21", "date_to": "2026-12-21"})
    assert r.json()["count"] == 1
    assert api.get("/api/v1/outages/", {"period": "planned"}).json()["count"] == 3
    assert api.get("/api/v1/outages/", {"period": "current"}).json()["count"] == 0
    assert api.get("/api/v1/outages/", {"building": houses[2].pk}).json()["count"] == 0
    assert api.get("/api/v1/outages/", {"building": houses[0].pk}).json()["count"] == 3
    assert api.get("/api/v1/outages/", {"resource": "gas"}).json()["count"] == 0
    assert api.get("/api/v1/outages/", {"kind": "emergency"}).json()["count"] == 0
    assert api.get("/api/v1/outages/", {"resource": "steam"}).status_code == 400
    with CaptureQueriesContext(connection) as few:
        api.get("/api/v1/outages/")
    for day in (23, 24, 25, 26):
        body = planned_body(
            houses,
            start=f"2026-12-{day}T10:00:00+03:00",
            planned_end=f"2026-12-{day}T18:00:00+03:00",
        )
        api.post("/api/v1/outages/", body, format="json")
    with CaptureQueriesContext(connection) as more:
        assert api.get("/api/v1/outages/").json()["count"] == 7
    assert len(more) == len(few)


@pytest.mark.req("O6")
def test_the_public_endpoint_lists_current_and_planned_without_login(
    published, houses, rso_dispatcher
):
    api = client_for()
    r = api.get("/api/v1/outages/public/")
    assert r.status_code == 200
    [item] = r.json()["results"]
    assert item["id"] == published["planned"].pk
    assert {b["id"] for b in item["buildings"]} == {houses[0].pk, houses[1].pk}
    assert api.get("/api/v1/outages/public/", {"address": "советская 2"}).json()["count"] == 1
    assert api.get("/api/v1/outages/public/", {"address": "советская 3"}).json()["count"] == 0
    assert api.get("/api/v1/outages/public/", {"resource": "gas"}).json()["count"] == 0
    assert api.get("/api/v1/outages/public/", {"resource": "steam"}).status_code == 400
    client_for(rso_dispatcher).post(
        f"/api/v1/outages/{published['planned'].pk}/cancel/", {"reason": "Отмена"}, format="json"
    )
    assert api.get("/api/v1/outages/public/").json()["count"] == 0


@pytest.mark.req("O6")
def test_a_resident_keeps_favourite_addresses(db, resident, houses, uo_dispatcher):
    api = client_for(resident)
    r = api.post(
        "/api/v1/outages/favourites/",
        {"building": houses[1].pk, "label": "parents", "title": "Мама"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    fav = r.json()
    assert fav["label"] == "parents" and "Советская" in fav["address"]
    r = api.post("/api/v1/outages/favourites/", {"building": houses[1].pk}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "duplicate"
    assert api.get("/api/v1/outages/favourites/").json()["count"] == 1
    # someone else's favourites are neither listed nor deletable
    other = client_for(uo_dispatcher)
    assert other.get("/api/v1/outages/favourites/").json()["count"] == 0
    assert other.delete(f"/api/v1/outages/favourites/{fav['id']}/").status_code == 404
    assert api.delete(f"/api/v1/outages/favourites/{fav['id']}/").status_code == 204
    assert not FavouriteAddress.objects.exists()
    assert client_for().get("/api/v1/outages/favourites/").status_code in (401, 403)


@pytest.mark.req("O1")
def test_the_zone_preview_counts_buildings_for_publishers_only(
    db, rso_dispatcher, resident, houses
):
    body = {"streets": [["г. Кострома", "ул. Советская"]]}
    r = client_for(rso_dispatcher).post("/api/v1/outages/zone-preview/", body, format="json")
    assert r.status_code == 200 and r.json()["count"] == 3
    r = client_for(resident).post("/api/v1/outages/zone-preview/", body, format="json")
    assert r.status_code == 403
