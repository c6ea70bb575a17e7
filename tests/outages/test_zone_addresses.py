"""Drawing a zone without map tiles (O1, issue 12 item 8): the picker shows the buildings of the
publisher's network as points (only its own network, only to publishers) and the address list
of the zone as it is drawn, resolved by the code publishing runs; the published zone is that
list."""

import json

import pytest
from django.test import Client

from domovoy.outages.models import Outage
from tests import factories as f

from .test_pages import form_data

pytestmark = pytest.mark.django_db

# A rectangle around houses 1 (57.7600, 40.9200) and 2 (57.7610, 40.9210), not house 3.
AROUND_1_AND_2 = [[57.7590, 40.9180], [57.7590, 40.9225], [57.7620, 40.9225], [57.7620, 40.9180]]
NETWORK = "/outages/zone/network/"
ADDRESSES = "/outages/zone/addresses/"


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def network_of(user, **params):
    query = {"network": "supplier", "resource": "cold_water", **params}
    return client_for(user).get(NETWORK, query)


def addresses(user, **data):
    payload = {
        "network": "supplier",
        "resource": "cold_water",
        "building_ids": "",
        "streets": "[]",
        "polygon": "",
        **data,
    }
    return client_for(user).post(ADDRESSES, payload)


@pytest.mark.req("O1")
def test_the_network_points_are_the_buildings_the_supplier_serves_only(
    rso_dispatcher, houses, water_link, foreign_house
):
    response = network_of(rso_dispatcher)
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 3 and not data["truncated"]
    assert sorted(p[0] for p in data["points"]) == sorted(h.pk for h in houses)
    assert foreign_house.pk not in [p[0] for p in data["points"]]
    assert [57.76, 40.92, "ул. Советская, 1"] in [p[1:] for p in data["points"]]


@pytest.mark.req("O1")
def test_the_network_follows_the_resource_of_the_service_link(rso_dispatcher, houses, water_link):
    assert network_of(rso_dispatcher, resource="hot_water").json()["points"] == []


@pytest.mark.req("O1")
def test_another_supplier_sees_none_of_these_buildings(
    other_rso_dispatcher, houses, water_link, foreign_house
):
    data = network_of(other_rso_dispatcher).json()
    assert data == {"count": 0, "points": [], "truncated": False}


@pytest.mark.req("O1")
def test_the_network_points_are_refused_to_those_who_do_not_publish_on_it(
    uo_dispatcher, rso_admin, resident, controller, houses, water_link
):
    # a UO publishes on in-building networks, not on the supplier's
    assert network_of(uo_dispatcher).status_code == 403
    assert network_of(uo_dispatcher, network="in_building").status_code == 200
    # the supplier's admin is not a dispatcher; residents and controllers publish nothing
    for user in (rso_admin, resident, controller):
        assert network_of(user).status_code == 403, user
    assert network_of(None).status_code == 302  # to the login page


@pytest.mark.req("O1", "S7")
def test_bad_network_or_resource_is_a_clear_400(rso_dispatcher, houses, water_link):
    response = network_of(rso_dispatcher, resource="<b>lava</b>")
    assert response.status_code == 400
    assert response.json()["message"] == "Укажите сети и коммунальный ресурс."


@pytest.mark.req("O1")
def test_the_address_list_follows_the_drawn_polygon(rso_dispatcher, houses, water_link):
    response = addresses(rso_dispatcher, polygon=json.dumps(AROUND_1_AND_2))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Домов в зоне: 2" in html
    assert "г. Кострома, ул. Советская, д. 1" in html and "ул. Советская, д. 2" in html
    assert "ул. Советская, д. 3" not in html and "не в вашей сети" not in html
    # the points of the listed buildings for the map
    assert '<script id="zone-found-points" type="application/json">' in html
    # a building added by its address joins the list
    html = addresses(
        rso_dispatcher, polygon=json.dumps(AROUND_1_AND_2), building_ids=str(houses[2].pk)
    ).content.decode()
    assert "Домов в зоне: 3" in html and "ул. Советская, д. 3" in html


@pytest.mark.req("O1")
def test_the_list_marks_buildings_outside_the_network_before_publishing(
    rso_dispatcher, houses, water_link, foreign_house
):
    html = addresses(
        rso_dispatcher, building_ids=f"{houses[0].pk},{foreign_house.pk}"
    ).content.decode()
    assert "Домов в зоне: 2" in html
    assert "1 дом не обслуживается вами по ресурсу «Холодная вода»" in html
    assert html.count("не в вашей сети") == 1
    # the building to fix comes first
    assert html.index("ул. Ленина, д. 10") < html.index("ул. Советская, д. 1")


@pytest.mark.req("O1", "S7")
def test_an_empty_or_broken_zone_gets_a_hint_not_an_error_page(rso_dispatcher, houses, water_link):
    html = addresses(rso_dispatcher).content.decode()
    assert "Домов в зоне: 0" in html and "здесь появится список адресов зоны" in html
    response = addresses(rso_dispatcher, polygon="[[1, 2], [3")
    assert response.status_code == 200
    assert "Зона отключения задана неверно." in response.content.decode()
    html = addresses(rso_dispatcher, polygon=json.dumps([[95, 0], [0, 0], [0, 1]])).content
    assert "вне допустимых координат" in html.decode()


@pytest.mark.req("O1")
def test_the_address_list_is_refused_to_those_who_do_not_publish(
    uo_dispatcher, resident, controller, houses, water_link
):
    polygon = json.dumps(AROUND_1_AND_2)
    assert addresses(uo_dispatcher, polygon=polygon).status_code == 403  # not its network
    for user in (resident, controller):
        assert addresses(user, polygon=polygon).status_code == 403, user
    assert addresses(None, polygon=polygon).status_code == 302
    assert client_for(uo_dispatcher).get(ADDRESSES).status_code == 405


@pytest.mark.req("O1", "S7")
def test_addresses_in_the_list_are_text(rso_dispatcher, uo, water_link, territory):
    b = f.BuildingFactory(
        street='ул. <img src=x onerror="alert(1)">',
        house="1",
        latitude=57.76,
        longitude=40.92,
        territory=territory["district"],
    )
    f.manage(b, uo)
    html = addresses(rso_dispatcher, building_ids=str(b.pk)).content.decode()
    assert "<img" not in html and "&lt;img src=x" in html
    points = network_of(rso_dispatcher).json()["points"]
    assert points[0][3].startswith("ул. <img")  # JSON: the script puts it in as text


@pytest.mark.req("O1")
def test_publishing_takes_the_buildings_the_list_showed(frozen, rso_dispatcher, houses, water_link):
    data = form_data(houses, building_ids=str(houses[2].pk), polygon=json.dumps(AROUND_1_AND_2))
    listed = addresses(rso_dispatcher, **data).content.decode()
    assert "Домов в зоне: 3" in listed
    response = client_for(rso_dispatcher).post("/outages/new/", data)
    assert response.status_code == 302
    outage = Outage.objects.get()
    assert sorted(z.building_id for z in outage.zone.all()) == sorted(h.pk for h in houses)
    card = client_for(rso_dispatcher).get(f"/outages/{outage.pk}/").content.decode()
    for house in houses:
        assert house.address in listed and house.address in card


@pytest.mark.req("O1")
def test_a_refused_publication_shows_the_same_list_again(
    frozen, rso_dispatcher, houses, water_link
):
    data = form_data(houses, polygon=json.dumps(AROUND_1_AND_2), reason="")
    response = client_for(rso_dispatcher).post("/outages/new/", data)
    assert response.status_code == 200 and not Outage.objects.exists()
    html = response.content.decode()
    assert "Домов в зоне: 2" in html and "ул. Советская, д. 2" in html
    # the picker on the card: the outage's network and resource go with the list request
    assert 'hx-post="/outages/zone/addresses/"' in html


@pytest.mark.req("O1")
def test_the_card_picker_sends_the_outage_network_and_resource(
    frozen, rso_dispatcher, publish_planned, houses
):
    from tests.fixtures import msk

    outage = publish_planned(msk(2026, 12, 20, 10, 0))
    html = client_for(rso_dispatcher).get(f"/outages/{outage.pk}/").content.decode()
    assert '<input type="hidden" name="resource" value="cold_water">' in html
    assert '<input type="hidden" name="network" value="supplier">' in html
    assert 'data-network-url="/outages/zone/network/"' in html
