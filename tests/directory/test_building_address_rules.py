"""Address parts of buildings are letters, digits and ordinary punctuation on every way in
(API, change requests, the bulk loader), with a Russian error naming the field (issue 9,
item 1); a partial update keeps the fields it does not mention, coordinates included
(item 12a)."""

import pytest

from domovoy.core.errors import ApplicationError
from domovoy.directory.models import Building
from domovoy.feedback import services as feedback_services
from domovoy.feedback.models import FeedbackItem
from domovoy.onboarding import services as onboarding_services
from domovoy.onboarding.importers import ImportRowsError
from tests.fixtures import api_as

pytestmark = pytest.mark.django_db

MARKUP = "ул. Мира<img src=x onerror=alert(1)>"


def url(building):
    return f"/api/v1/buildings/{building.pk}/"


@pytest.mark.req("S7")
@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("street", MARKUP, "Улица"),
        ("settlement", "г. Кострома<script>alert(1)</script>", "Населённый пункт"),
        ("city_district", "Центральный & <b>", "Район города"),
        ("house", "1<b>", "Дом"),
        ("block", "2;", "Корпус"),
        ("street", "ул. Мира\u200b", "Улица"),
        ("street", "ул. {Мира}", "Улица"),
    ],
)
def test_a_patch_with_markup_in_an_address_part_is_refused_naming_the_field(
    uo_dispatcher, building, field, value, label
):
    before = Building.objects.get(pk=building.pk)
    response = api_as(uo_dispatcher).patch(url(building), {field: value}, format="json")
    assert response.status_code == 400
    body = response.json()
    message = body["fields"][field][0]
    assert message.startswith(label + ":") and "допустимы только буквы, цифры" in message
    after = Building.objects.get(pk=building.pk)
    assert getattr(after, field) == getattr(before, field)


@pytest.mark.req("S7")
def test_a_new_building_with_markup_is_refused(functional_operator, territory):
    payload = {
        "settlement": "г. Кострома",
        "street": MARKUP,
        "house": "1",
        "territory": territory["district"].pk,
    }
    response = api_as(functional_operator).post("/api/v1/buildings/", payload, format="json")
    assert response.status_code == 400
    assert "street" in response.json()["fields"]
    assert not Building.objects.filter(house="1", settlement="г. Кострома").exists()


@pytest.mark.req("S7")
@pytest.mark.parametrize(
    ("street", "house", "block"),
    [
        ("ул. 8 Марта", "12А", ""),
        ("пр-т Ленина", "12/3", "2"),
        ("1-й Заречный пер.", "5", "Б"),
        ("мкр. «Юбилейный»", "№ 7", ""),
        ('ул. "Красная Горка" (бывш. Советская)', "3", "1"),
        ("вул. Ўсходняя — Янкі Купалы", "4", ""),
        ("Lenin St.", "10", ""),
        ("ул. Д'Артаньяна", "1", "к.2"),
    ],
)
def test_ordinary_addresses_are_accepted(functional_operator, territory, street, house, block):
    payload = {"settlement": "г. Кострома", "street": street, "house": house, "block": block}
    response = api_as(functional_operator).post("/api/v1/buildings/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["street"] == street


@pytest.mark.req("S7")
def test_whitespace_in_address_parts_is_collapsed(functional_operator):
    payload = {"settlement": "г.\u00a0Кострома", "street": " ул.\tМира  ", "house": "1"}
    response = api_as(functional_operator).post("/api/v1/buildings/", payload, format="json")
    assert response.status_code == 201
    assert response.json()["address"] == "г. Кострома, ул. Мира, д. 1"


@pytest.mark.req("S7")
def test_a_change_request_with_markup_in_an_address_part_is_refused(uo_dispatcher, building):
    with pytest.raises(ApplicationError) as err:
        feedback_services.feedback_item_create(
            author=uo_dispatcher,
            kind="data_change",
            target_type="building",
            target_id=building.pk,
            field="street",
            proposed_value=MARKUP,
        )
    assert err.value.fields["proposed_value"][0].startswith("Улица:")
    assert FeedbackItem.objects.count() == 0


@pytest.mark.req("S7")
def test_the_bulk_loader_refuses_markup_in_address_parts():
    rows = [
        {
            "settlement": "г. Кострома",
            "street": street,
            "house": "1",
            "block": block,
            "flat": str(n),
            "account": f"X{n:07d}",
            "last_name": "Петров",
        }
        for n, (street, block) in enumerate(
            [("ул. Загрузочная", ""), (MARKUP, ""), ("ул. Загрузочная", "<i>")], start=1
        )
    ]
    with pytest.raises(ImportRowsError) as caught:
        onboarding_services.accounts_load(rows=rows, actor=None)
    reasons = {(r["line"], r["column"]) for r in caught.value.rows}
    assert reasons == {(2, "Улица"), (3, "Корпус")}
    assert Building.objects.count() == 0


# --- 12a: a partial update keeps what it does not mention


@pytest.mark.req("S7")
def test_a_patch_without_coordinates_keeps_them(uo_dispatcher, building):
    lat, lon = building.latitude, building.longitude
    assert lat is not None and lon is not None
    for body in ({"floors": 9}, {"street": "ул. Мира"}, {"house": "77", "entrances": 3}):
        response = api_as(uo_dispatcher).patch(url(building), body, format="json")
        assert response.status_code == 200, response.json()
        assert (response.json()["latitude"], response.json()["longitude"]) == (lat, lon)
        fresh = Building.objects.get(pk=building.pk)
        assert (fresh.latitude, fresh.longitude) == (lat, lon)
    fresh = Building.objects.get(pk=building.pk)
    assert (fresh.floors, fresh.street, fresh.house, fresh.entrances) == (9, "ул. Мира", "77", 3)


@pytest.mark.req("S7")
def test_a_put_without_coordinates_keeps_them_too(uo_dispatcher, building):
    response = api_as(uo_dispatcher).put(url(building), {"floors": 7}, format="json")
    assert response.status_code == 200
    fresh = Building.objects.get(pk=building.pk)
    assert (fresh.latitude, fresh.longitude, fresh.floors) == (57.767, 40.926, 7)


@pytest.mark.req("S7")
def test_coordinates_change_or_clear_only_as_a_pair(uo_dispatcher, building):
    client = api_as(uo_dispatcher)
    moved = client.patch(url(building), {"latitude": 57.8}, format="json")
    assert moved.status_code == 200
    assert (moved.json()["latitude"], moved.json()["longitude"]) == (57.8, 40.926)
    half = client.patch(url(building), {"longitude": None}, format="json")
    assert half.status_code == 400
    assert "вместе" in half.json()["fields"]["longitude"][0]
    fresh = Building.objects.get(pk=building.pk)
    assert (fresh.latitude, fresh.longitude) == (57.8, 40.926)
    cleared = client.patch(url(building), {"latitude": None, "longitude": None}, format="json")
    assert cleared.status_code == 200
    fresh = Building.objects.get(pk=building.pk)
    assert (fresh.latitude, fresh.longitude) == (None, None)
    half_new = client.patch(url(building), {"latitude": 57.7}, format="json")
    assert half_new.status_code == 400
    assert Building.objects.get(pk=building.pk).latitude is None


@pytest.mark.req("S7")
def test_a_new_building_has_both_coordinates_or_none(functional_operator):
    client = api_as(functional_operator)
    base = {"settlement": "г. Кострома", "street": "ул. Мира"}
    assert (
        client.post("/api/v1/buildings/", {**base, "house": "1"}, format="json").status_code == 201
    )
    half = client.post(
        "/api/v1/buildings/", {**base, "house": "2", "latitude": 57.7}, format="json"
    )
    assert half.status_code == 400 and "longitude" in half.json()["fields"]
    assert not Building.objects.filter(house="2").exists()
