"""The zone picker without map tiles (O1, issue 12 item 8), in Chromium: the tile server is out
of reach (the browser fixture aborts every request that leaves the machine), so the map is
grey; the note says so, the supplier's network shows as points, a polygon drawn around two of
them lists their addresses, and on a phone the list comes above the map. Screenshots at 1366
and 390 px go to var/screenshots/."""

import pytest

from .test_browser import login
from .test_browser_zone import draw

AROUND_1_AND_2 = [(57.7590, 40.9180), (57.7590, 40.9225), (57.7620, 40.9225), (57.7620, 40.9180)]


@pytest.mark.req("O1")
@pytest.mark.django_db(transaction=True)
def test_a_supplier_draws_around_its_network_when_the_tiles_fail(
    page, shot, live_server, settings, rso_dispatcher, houses, water_link, foreign_house
):
    settings.MAP_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"  # aborted
    tiles = []
    page.on("requestfailed", lambda r: tiles.append(r.url) if "openstreetmap" in r.url else None)
    login(page, live_server, rso_dispatcher)
    page.goto(live_server.url + "/outages/new/")
    page.select_option("select[name=resource]", "cold_water")
    note = page.locator("#zone-tiles-note")
    note.wait_for(state="visible")
    assert note.inner_text() == "Подложка карты недоступна: обводите дома по точкам."
    assert tiles, "no tile was requested"
    # the three houses the supplier serves, not the other UO's house
    page.wait_for_function("() => document.querySelectorAll('.zone-network-point').length === 3")
    assert page.locator("#zone-network-count").inner_text() == "Домов вашей сети на карте: 3"
    # the map shows the network: every point in view
    page.wait_for_function(
        "() => { const m = document.getElementById('zone-map').leafletMap;"
        " return [[57.76, 40.92], [57.761, 40.921], [57.77, 40.94]]"
        ".every(p => m.getBounds().contains(p)); }"
    )
    draw(page, AROUND_1_AND_2)
    page.wait_for_function("() => document.getElementById('zone-count').textContent.endsWith(' 2')")
    items = page.locator("#zone-address-list li")
    assert items.all_inner_texts() == [
        "г. Кострома, ул. Советская, д. 1",
        "г. Кострома, ул. Советская, д. 2",
    ]
    page.wait_for_function(
        # 3 network points, the outline, its 4 vertices, the 2 listed buildings
        "() => document.querySelectorAll('#zone-map path.leaflet-interactive').length >= 10"
    )
    # desktop: the list under the map
    assert (
        page.locator("#zone-addresses").bounding_box()["y"]
        > page.locator("#zone-map").bounding_box()["y"]
    )
    shot(page, "outage-zone-no-tiles")
    # phone: the list above the map
    page.set_viewport_size({"width": 390, "height": 844})
    assert (
        page.locator("#zone-addresses").bounding_box()["y"]
        < page.locator("#zone-map").bounding_box()["y"]
    )
    assert page.locator("#zone-tiles-note").is_visible()
