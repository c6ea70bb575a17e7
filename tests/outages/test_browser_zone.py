"""Browser checks of the zone picker (O1): the card's «Изменить зону» opens the picker with the
current buildings, a polygon drawn there changes the zone; the publication form redraws the
drawn polygon after an error. Screenshots at desktop and phone width go to var/screenshots/."""

import pytest

from domovoy.outages.models import Outage
from domovoy.outages.zones import zone_spec
from tests.fixtures import msk

from .test_browser import login
from .test_browser import page as page  # noqa: F401  (the page kept on 127.0.0.1)

# around house 2 (57.7610, 40.9210) only
AROUND_HOUSE_2 = [(57.7606, 40.9204), (57.7606, 40.9216), (57.7614, 40.9216), (57.7614, 40.9204)]


def draw(page, corners):
    page.wait_for_function("() => !!document.getElementById('zone-map').leafletMap")
    for lat, lon in corners:
        point = page.evaluate(
            "([lat, lon]) => document.getElementById('zone-map').leafletMap"
            ".latLngToContainerPoint([lat, lon])",
            [lat, lon],
        )
        page.locator("#zone-map").click(position={"x": point["x"], "y": point["y"]})


@pytest.mark.req("O1")
@pytest.mark.django_db(transaction=True)
def test_the_card_changes_the_zone_with_a_drawn_polygon(
    page, shot, live_server, frozen, rso_dispatcher, houses, water_link, publish_planned
):
    outage = publish_planned(msk(2026, 12, 20, 10, 0), zone=zone_spec(building_ids=[houses[0].pk]))
    login(page, live_server, rso_dispatcher)
    page.goto(f"{live_server.url}/outages/{outage.pk}/")
    page.click("button:has-text('Изменить зону')")
    page.wait_for_selector("#zone-map", state="visible")
    page.wait_for_function("() => document.getElementById('zone-chips').textContent.trim() !== ''")
    assert page.locator("#zone-chips").inner_text().strip() == "ул. Советская, 1"
    page.wait_for_function("() => document.getElementById('zone-count').textContent.endsWith(' 1')")
    page.wait_for_timeout(400)  # the collapse animation ends, the map fits the zone
    draw(page, AROUND_HOUSE_2)
    page.wait_for_function("() => document.getElementById('zone-count').textContent.endsWith(' 2')")
    shot(page, "outage-zone-edit")
    page.click("button:has-text('Сохранить зону')")
    page.wait_for_selector("text=Зона отключения изменена")
    outage.refresh_from_db()
    assert outage.building_count == 2 and outage.revision == 2
    assert page.locator("text=зона: +1 / −0").count() == 1


@pytest.mark.req("O1")
@pytest.mark.django_db(transaction=True)
def test_the_form_redraws_the_polygon_after_an_error(
    page, shot, live_server, rso_dispatcher, houses, water_link
):
    login(page, live_server, rso_dispatcher)
    page.goto(live_server.url + "/outages/new/")
    page.select_option("select[name=resource]", "cold_water")
    draw(page, AROUND_HOUSE_2)
    page.wait_for_function("() => document.getElementById('zone-count').textContent.endsWith(' 1')")
    page.fill("#zone-search", "советская 3")
    page.click("#zone-search-results button")
    page.wait_for_function("() => document.getElementById('zone-count').textContent.endsWith(' 2')")
    drawn = page.evaluate("document.querySelector('input[name=polygon]').value")
    page.click("button:has-text('Опубликовать')")  # no reason, no dates: refused
    page.wait_for_selector("text=Обязательное поле")
    page.wait_for_load_state("load")  # zone.js has run
    assert page.evaluate("document.querySelector('input[name=polygon]').value") == drawn
    assert page.locator("#zone-chips").inner_text().strip() == "ул. Советская, 3"
    page.wait_for_function("() => document.getElementById('zone-count').textContent.endsWith(' 2')")
    # the polygon is drawn (its outline and 4 vertices) and in view
    page.wait_for_function(
        "() => document.querySelectorAll('#zone-map path.leaflet-interactive').length >= 5"
    )
    page.wait_for_function(
        "() => { const m = document.getElementById('zone-map').leafletMap;"
        f" return {[list(p) for p in AROUND_HOUSE_2]}.every(p => m.getBounds().contains(p)); }}"
    )
    shot(page, "outage-form-error")
    assert not Outage.objects.exists()
