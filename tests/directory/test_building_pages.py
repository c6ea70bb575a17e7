"""The building registry (D3): search and filters, constant queries per page, the map feed;
the building page with management history (D4), suppliers and masked owners (S5)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from domovoy.audit.models import PersonalDataAccess
from domovoy.directory.models import ManagementPeriod
from tests import factories as f
from tests.fixtures import signed_in

pytestmark = pytest.mark.django_db


def make_buildings(n, *, uo, territory, street="ул. Мира"):
    out = []
    for i in range(n):
        b = f.BuildingFactory(
            street=street,
            house=str(100 + i),
            territory=territory,
            latitude=57.70 + i * 0.001,
            longitude=40.90,
        )
        f.manage(b, uo)
        out.append(b)
    return out


def page_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.req("D3")
def test_the_registry_lists_with_constant_queries_for_5_and_50_rows(
    client, uo_dispatcher, uo, territory
):
    signed_in(client, uo_dispatcher)
    url = reverse("directory:buildings")
    make_buildings(5, uo=uo, territory=territory["district"])
    few, response = page_queries(client, url)
    assert len(response.context["page"]) == 5
    make_buildings(45, uo=uo, territory=territory["district"], street="ул. Лесная")
    many, response = page_queries(client, url)
    assert len(response.context["page"]) == 50
    assert many == few
    assert uo.short_name in response.content.decode()


@pytest.mark.req("D3")
def test_the_registry_filters_by_address_street_manager_and_territory(
    client, uo_dispatcher, uo, other_uo, territory
):
    a = f.BuildingFactory(
        street="ул. Советская", house="10", block="2", territory=territory["district"]
    )
    f.manage(a, uo)
    b = f.BuildingFactory(street="пр-т Мира", house="7", territory=territory["other_district"])
    f.manage(b, other_uo)
    signed_in(client, uo_dispatcher)
    url = reverse("directory:buildings")

    def ids(params):
        return [x.pk for x in client.get(url, params).context["page"]]

    assert ids({"search": "СОВЕТСКАЯ 10"}) == [a.pk]
    assert ids({"street": "пр-т Мира"}) == [b.pk]
    assert ids({"manager": other_uo.pk}) == [b.pk]
    assert ids({"territory": territory["other_district"].pk}) == [b.pk]
    assert set(ids({"territory": territory["city"].pk})) == {a.pk, b.pk}
    page = client.get(url)
    assert ("пр-т Мира", "пр-т Мира") in page.context["filter"].form.fields["street"].choices


@pytest.mark.req("D3")
def test_the_map_feed_is_geojson_of_the_filtered_set_inside_the_bbox(
    client, uo_dispatcher, uo, territory
):
    inside = make_buildings(3, uo=uo, territory=territory["district"])
    far = f.BuildingFactory(street="ул. Дальняя", house="1", latitude=55.75, longitude=37.61)
    f.BuildingFactory(street="ул. Без координат", house="1", latitude=None, longitude=None)
    signed_in(client, uo_dispatcher)
    url = reverse("directory:buildings_geojson")
    data = client.get(url, {"bbox": "40.8,57.6,41.0,57.8"}).json()
    assert data["type"] == "FeatureCollection" and data["truncated"] is False
    assert {x["id"] for x in data["features"]} == {b.pk for b in inside}
    feature = next(x for x in data["features"] if x["id"] == inside[0].pk)
    assert feature["geometry"] == {"type": "Point", "coordinates": [40.90, 57.70]}
    assert feature["properties"]["address"] == inside[0].address
    everything = client.get(url).json()
    assert far.pk in {x["id"] for x in everything["features"]}
    only = client.get(url, {"search": "дальняя"}).json()
    assert [x["id"] for x in only["features"]] == [far.pk]
    bad = client.get(url, {"bbox": "1,2,3"})
    assert bad.status_code == 400 and "bbox" in bad.json()["fields"]


@pytest.mark.req("D3")
def test_the_map_feed_caps_the_points(client, uo_dispatcher, uo, territory, monkeypatch):
    from domovoy.directory import selectors

    monkeypatch.setattr(selectors, "MAP_POINT_LIMIT", 2)
    make_buildings(3, uo=uo, territory=territory["district"])
    data = signed_in(client, uo_dispatcher).get(reverse("directory:buildings_geojson")).json()
    assert len(data["features"]) == 2 and data["truncated"] is True


@pytest.mark.req("D3")
def test_the_map_page_uses_the_configured_tiles_and_vendored_leaflet(
    client, uo_dispatcher, settings
):
    settings.MAP_TILE_URL = "https://tiles.city.local/{z}/{x}/{y}.png"
    body = (
        signed_in(client, uo_dispatcher)
        .get(reverse("directory:buildings_map"), {"street": ""})
        .content.decode()
    )
    assert "https://tiles.city.local/{z}/{x}/{y}.png" in body
    assert "/static/vendor/leaflet/leaflet.js" in body
    assert reverse("directory:buildings_geojson") in body


@pytest.mark.req("D3")
@pytest.mark.req("D4")
def test_the_building_page_shows_address_history_and_suppliers(
    client, uo_dispatcher, building, uo, other_uo, hot_water_link, rso
):
    ManagementPeriod.objects.filter(building=building).update(start=dt.date(2021, 1, 1))
    f.manage(building, other_uo, start=dt.date(2015, 1, 1), end=dt.date(2020, 12, 31))
    page = signed_in(client, uo_dispatcher).get(reverse("directory:building", args=[building.pk]))
    body = page.content.decode()
    assert page.context["current_manager"] == uo
    assert [p.organization for p in page.context["history"]] == [uo, other_uo]
    assert "31.12.2020" in body and other_uo.short_name in body
    suppliers = dict(page.context["suppliers"])
    assert suppliers["Горячая вода"] == rso and suppliers["Газ"] is None
    assert 'data-lat="57.767"' in body


@pytest.mark.req("S5")
def test_owner_names_are_plain_for_the_managing_uo_and_logged(client, uo_dispatcher, building):
    f.premises_with_account(building, number="1", owner="Сидоров")
    page = signed_in(client, uo_dispatcher).get(reverse("directory:building", args=[building.pk]))
    assert "Сидоров Сидор" in page.content.decode()
    log = PersonalDataAccess.objects.get()
    assert log.user == uo_dispatcher and log.subject == f"building:{building.pk}"


@pytest.mark.req("S5")
@pytest.mark.req("S2")
def test_owner_names_are_masked_for_other_organisations_and_not_logged(
    client, other_uo_admin, rso_dispatcher, far_control, building
):
    f.premises_with_account(building, number="1", owner="Сидоров")
    for user in (other_uo_admin, rso_dispatcher, far_control):
        client.force_login(user)
        body = client.get(reverse("directory:building", args=[building.pk])).content.decode()
        assert "Сидоров" not in body
        assert "С***в С." in body
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.req("S5")
def test_a_control_body_of_the_territory_reads_owner_names(client, controller, building):
    f.premises_with_account(building, number="1", owner="Сидоров")
    body = (
        signed_in(client, controller)
        .get(reverse("directory:building", args=[building.pk]))
        .content.decode()
    )
    assert "Сидоров Сидор" in body
    assert PersonalDataAccess.objects.filter(user=controller).count() == 1


@pytest.mark.req("D3")
def test_the_building_page_paginates_premises_with_constant_queries(
    client, uo_dispatcher, building
):
    url = reverse("directory:building", args=[building.pk])
    signed_in(client, uo_dispatcher)
    for n in range(1, 6):
        f.premises_with_account(building, number=str(n))
    few, _ = page_queries(client, url)
    for n in range(6, 61):
        f.premises_with_account(building, number=str(n))
    many, response = page_queries(client, url)
    assert many == few
    assert [r["premises"].number for r in response.context["rows"]][:3] == ["1", "2", "3"]
    assert response.context["page"].paginator.num_pages == 2


@pytest.mark.req("D4")
def test_an_operator_adds_and_closes_management_periods_on_the_building_page(
    client, functional_operator, building, uo, other_uo
):
    signed_in(client, functional_operator)
    add = reverse("directory:management_add", args=[building.pk])
    refused = client.post(add, {"organization": other_uo.pk, "start": "2024-01-01"})
    assert refused.status_code == 400
    assert "Период пересекается с управлением" in refused.content.decode()
    assert building.management.count() == 1
    current = building.management.get()
    r = client.post(reverse("directory:management_close", args=[current.pk]), {"end": "2023-12-31"})
    assert r.status_code == 302
    current.refresh_from_db()
    assert current.end == dt.date(2023, 12, 31)
    r = client.post(
        add, {"organization": other_uo.pk, "start": "2024-01-01", "basis": "Протокол ОСС № 5"}
    )
    assert r.status_code == 302
    assert building.management.order_by("start").last().organization == other_uo


@pytest.mark.req("S2")
def test_a_uo_may_not_edit_the_management_registry(client, uo_admin, building, other_uo):
    signed_in(client, uo_admin)
    r = client.post(
        reverse("directory:management_add", args=[building.pk]),
        {"organization": other_uo.pk, "start": "2030-01-01"},
    )
    assert r.status_code == 403
    period = building.management.get()
    r = client.post(reverse("directory:management_close", args=[period.pk]), {"end": "2020-01-31"})
    assert r.status_code == 403
    period.refresh_from_db()
    assert period.end is None and building.management.count() == 1
