"""House numbers sort as numbers everywhere (issue 12, D3): one natural key, stored and indexed
on the building (``house_sort``), filled on save, by bulk loads and by the migration; and a typed
house matches exactly, never by prefix (R1: the call centre's «Гагарина 1» is not house 10)."""

import importlib

import pytest
from django.apps import apps

from domovoy.directory import loader, selectors
from domovoy.directory.houses import house_sort_key
from domovoy.directory.models import Building
from tests import factories as f

pytestmark = pytest.mark.django_db

NATURAL = ["1", "2", "2/1", "2а", "2б", "2к1", "2к2", "10", "11", "13", "15", "101"]


@pytest.mark.req("D3")
def test_the_key_orders_house_numbers_as_numbers():
    shuffled = ["15", "2к1", "101", "2а", "1", "11", "2", "10", "2б", "13", "2/1", "2к2"]
    assert sorted(shuffled, key=house_sort_key) == NATURAL
    assert house_sort_key("2") < house_sort_key("2а") < house_sort_key("2к1") < house_sort_key("11")


@pytest.mark.req("D3")
def test_a_block_written_apart_or_in_the_number_is_the_same_house():
    assert house_sort_key("2", "1") == house_sort_key("2к1") == house_sort_key("2 корп. 1")
    assert house_sort_key("2А") == house_sort_key("2а") == house_sort_key("2a")  # Latin «a»
    assert house_sort_key("1") != house_sort_key("10")


@pytest.fixture
def gagarina(territory):
    """ул. Гагарина has houses 10, 13, 15, 2, 2а, 2 корп. 1 and 11 — no house 1."""
    built = {}
    for house, block in [("15", ""), ("2", "1"), ("10", ""), ("2а", ""), ("13", ""), ("2", "")]:
        built[(house, block)] = f.BuildingFactory(
            street="ул. Гагарина", house=house, block=block, territory=territory["district"]
        )
    built[("11", "")] = f.BuildingFactory(street="ул. Гагарина", house="11")
    return built


def houses_of(buildings):
    return [b.short_address.removeprefix("ул. Гагарина, ") for b in buildings]


@pytest.mark.req("D3")
def test_the_registry_and_its_lists_order_houses_naturally(gagarina):
    # House 2 with block 1 is «2к1»: after «2а» (а < к), before 10.
    expected = ["2", "2а", "2к1", "10", "11", "13", "15"]
    assert houses_of(Building.objects.filter(street="ул. Гагарина")) == expected
    assert houses_of(selectors.building_list(street="ул. Гагарина")) == expected
    assert houses_of(selectors.buildings_matching_address("Гагарина", limit=20)) == expected


@pytest.mark.req("D3")
def test_a_saved_building_gets_its_key_and_a_changed_number_a_new_one(territory):
    b = f.BuildingFactory(street="ул. Мира", house="7")
    assert b.house_sort == house_sort_key("7")
    b.house = "7б"
    b.save(update_fields=["house"])
    assert Building.objects.get(pk=b.pk).house_sort == house_sort_key("7б")


@pytest.mark.req("D3")
@pytest.mark.req("D5")
def test_bulk_loads_fill_the_key(uo):
    rows = [
        {
            "settlement": "г. Кострома", "street": "ул. Ленина", "house": house, "block": "",
            "flat": "1", "account": f"77{n:06d}",
        }
        for n, house in enumerate(["12", "3а", "3"])
    ]  # fmt: skip
    loader.accounts_load(rows=rows, organization=uo)
    loaded = Building.objects.filter(street="ул. Ленина")
    assert [b.house for b in loaded] == ["3", "3а", "12"]
    assert all(b.house_sort == house_sort_key(b.house, b.block) for b in loaded)


@pytest.mark.req("D3")
def test_the_migration_fills_the_key_of_existing_buildings(gagarina):
    Building.objects.update(house_sort="")
    migration = importlib.import_module("domovoy.directory.migrations.0005_building_house_sort")
    migration.BATCH = 3  # several batches
    migration.fill_house_sort(apps, None)
    assert all(b.house_sort == house_sort_key(b.house, b.block) for b in Building.objects.all())


@pytest.mark.req("R1")
@pytest.mark.req("D3")
def test_a_typed_house_matches_exactly_and_a_missing_one_lists_the_street(gagarina):
    lookup = selectors.address_lookup("Гагарина 1")
    assert lookup.buildings == [] and lookup.house_missing and lookup.house == "1"
    assert houses_of(lookup.street_houses) == ["2", "2а", "2к1", "10", "11", "13", "15"]
    assert selectors.buildings_matching_address("Гагарина 1") == []

    assert houses_of(selectors.buildings_matching_address("ул. Гагарина, д. 10")) == ["10"]
    assert houses_of(selectors.buildings_matching_address("Гагарина 2")) == ["2"]
    assert houses_of(selectors.buildings_matching_address("Гагарина 2 корп 1")) == ["2к1"]
    assert houses_of(selectors.buildings_matching_address("гагарина 2к1 кв 5")) == ["2к1"]
    assert houses_of(selectors.buildings_matching_address("Гагарина 2А")) == ["2а"]

    nowhere = selectors.address_lookup("Несуществующая 1")
    assert nowhere.house_missing and not nowhere.street_found


@pytest.mark.req("R1")
def test_a_street_with_a_number_in_its_name_is_read_as_a_street(territory):
    f.BuildingFactory(street="ул. 8 Марта", house="5")
    f.BuildingFactory(street="ул. 8 Марта", house="8")
    assert houses_of_street(selectors.buildings_matching_address("8 Марта 5")) == ["5"]
    assert houses_of_street(selectors.buildings_matching_address("8 марта")) == ["5", "8"]


def houses_of_street(buildings):
    return [b.house for b in buildings]
