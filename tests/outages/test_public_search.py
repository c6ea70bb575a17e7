"""The public outage list finds an outage by the address the system itself prints (O6, issue
11): «ул. Советская, д. 2» and «Советская 2» both find house 2; one address search
(directory.selectors.buildings_matching_address) everywhere in outages."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from domovoy.outages.zones import zone_spec
from tests.fixtures import msk

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_house_2(frozen, publish_planned, houses):
    return publish_planned(msk(2026, 12, 20, 10, 0), zone=zone_spec(building_ids=[houses[1].pk]))


@pytest.mark.req("O6")
@pytest.mark.parametrize(
    "typed",
    ["ул. Советская, д. 2", "Советская, д. 2", "советская 2", "Советская улица, дом 2"],
)
def test_the_printed_address_finds_the_outage_on_the_public_page_and_api(on_house_2, typed):
    page = Client().get("/outages/public/", {"address": typed}).content.decode()
    assert f'"id": {on_house_2.pk}' in page or f"/outages/{on_house_2.pk}/" in page
    api = APIClient().get("/api/v1/outages/public/", {"address": typed}).json()
    assert [o["id"] for o in api["results"]] == [on_house_2.pk]


@pytest.mark.req("O6")
@pytest.mark.parametrize("typed", ["ул. Советская, д. 3", "Ленина", "д."])
def test_other_addresses_find_nothing(on_house_2, typed):
    api = APIClient().get("/api/v1/outages/public/", {"address": typed}).json()
    assert api["count"] == 0


@pytest.mark.req("O6")
def test_the_printed_address_with_markup_is_shown_as_text(on_house_2):
    page = Client().get("/outages/public/", {"address": "<b>x</b>"}).content.decode()
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
