"""The call centre names a building exactly (issue 12 item 6, R1): «Гагарина 1» is never house
10, 13 or 15 picked silently. A house the street does not have is answered «дом не найден» with
the street's houses offered, none chosen, in natural order (2 < 2а < 11); the same on the page,
on /api/v1/call-screen/ and in the call centre's request search."""

import re

import pytest
from django.urls import reverse

from domovoy.servicedesk import selectors
from tests import factories as f

pytestmark = pytest.mark.django_db

SEARCH = "servicedesk:resident_address_search"


@pytest.fixture
def gagarina(uo, territory):
    """ул. Гагарина: houses 15, 2а, 10, 13, 11, 2 — no house 1."""
    built = {}
    for house in ("15", "2а", "10", "13", "11", "2"):
        b = f.BuildingFactory(street="ул. Гагарина", house=house, territory=territory["district"])
        f.manage(b, uo)
        built[house] = b
    return built


def labels(html):
    return re.findall(r'<label class="[^"]*" for="building-\d+">([^<]*)</label>', html)


@pytest.mark.req("R1")
@pytest.mark.req("D3")
def test_the_page_says_the_house_is_not_found_and_offers_the_streets_houses(
    client_of, call_operator, gagarina
):
    response = client_of(call_operator).get(reverse(SEARCH), {"q": "Гагарина 1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Дом не найден" in html and "№ 1" in html
    assert labels(html) == [f"ул. Гагарина, {n}" for n in ("2", "2а", "10", "11", "13", "15")]
    assert "checked" not in html  # nothing is chosen for the operator


@pytest.mark.req("R1")
def test_an_exact_house_is_found_and_chosen(client_of, call_operator, gagarina):
    html = client_of(call_operator).get(reverse(SEARCH), {"q": "Гагарина 10"}).content.decode()
    assert "Дом не найден" not in html
    assert re.findall(r'value="(\d+)" checked', html) == [str(gagarina["10"].pk)]
    assert gagarina["10"].address in html and "д. 13" not in html


@pytest.mark.req("R1")
def test_an_unknown_street_is_said_so(client_of, call_operator, gagarina):
    html = client_of(call_operator).get(reverse(SEARCH), {"q": "Космонавтов 1"}).content.decode()
    assert "Дом не найден" in html and "такой улицы нет" in html
    assert 'name="building"' not in html


@pytest.mark.req("R1")
def test_the_call_screen_api_matches_the_house_exactly(api_of, call_operator, gagarina):
    client = api_of(call_operator)
    body = client.get("/api/v1/call-screen/", {"address": "Гагарина 1"}).json()
    assert body["building"] is None
    assert body["address"]["found"] is False and body["address"]["house"] == "1"
    assert "Дом не найден" in body["address"]["message"]
    assert [h["id"] for h in body["address"]["street_houses"]] == [
        gagarina[n].pk for n in ("2", "2а", "10", "11", "13", "15")
    ]
    found = client.get("/api/v1/call-screen/", {"address": "ул. Гагарина, д. 13"}).json()
    assert found["building"] == {"id": gagarina["13"].pk, "address": gagarina["13"].address}
    assert found["address"]["found"] is True and found["address"]["street_houses"] == []
    by_id = client.get("/api/v1/call-screen/", {"building": gagarina["2"].pk}).json()
    assert by_id["building"]["id"] == gagarina["2"].pk and by_id["address"] is None


@pytest.mark.req("R1")
@pytest.mark.req("S2")
def test_the_call_screen_api_stays_closed_to_other_roles(api_of, uo_dispatcher, gagarina):
    response = api_of(uo_dispatcher).get("/api/v1/call-screen/", {"address": "Гагарина 1"})
    assert response.status_code == 403


@pytest.mark.req("R1")
def test_the_request_search_by_address_finds_only_that_house(call_operator, file_request, gagarina):
    on_10 = file_request(building=gagarina["10"])
    on_2 = file_request(building=gagarina["2"])
    assert list(selectors.request_search(user=call_operator, query="Гагарина 1")) == []
    assert list(selectors.request_search(user=call_operator, query="Гагарина 10")) == [on_10]
    assert list(selectors.request_search(user=call_operator, query="Гагарина 2")) == [on_2]
