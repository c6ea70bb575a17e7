"""Browser journey (O1, O5, O6, O7): a supplier's dispatcher draws a zone on the map, publishes,
sees the card; the public map, «Мои адреса» and the durations page render. Screenshots at
desktop and phone width go to var/screenshots/. Chromium never leaves 127.0.0.1."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from domovoy.outages.models import FavouriteAddress, Outage


@pytest.fixture
def page(page, live_server, settings):
    """The shared browser's page (tests/browser_fixtures.py), kept on this machine."""
    settings.MAP_TILE_URL = live_server.url + "/static/none/{z}/{x}/{y}.png"
    page.context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(live_server.url) else route.abort()
        ),
    )
    return page


def login(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


@pytest.mark.req("O1", "O5", "O6", "O7")
@pytest.mark.django_db(transaction=True)
def test_a_dispatcher_draws_a_zone_and_publishes(
    page, shot, live_server, rso_dispatcher, houses, water_link, people, resident
):
    login(page, live_server, rso_dispatcher)
    page.goto(live_server.url + "/outages/new/")
    page.select_option("select[name=resource]", "cold_water")
    start = timezone.localtime() + dt.timedelta(days=12)
    page.fill("input[name=start]", start.strftime("%Y-%m-%dT10:00"))
    page.fill("input[name=planned_end]", start.strftime("%Y-%m-%dT18:00"))
    page.fill("input[name=reason]", "Замена задвижки на магистрали")
    # a polygon around houses 1 and 2, drawn by clicking the map…
    corners = [(57.7590, 40.9180), (57.7590, 40.9225), (57.7620, 40.9225), (57.7620, 40.9180)]
    for lat, lon in corners:
        point = page.evaluate(
            "([lat, lon]) => document.getElementById('zone-map').leafletMap"
            ".latLngToContainerPoint([lat, lon])",
            [lat, lon],
        )
        page.locator("#zone-map").click(position={"x": point["x"], "y": point["y"]})
    page.wait_for_function("() => document.getElementById('zone-count').textContent.endsWith(' 2')")
    # …and house 3 found by its address
    page.fill("#zone-search", "советская 3")
    page.click("#zone-search-results button")
    page.wait_for_function("() => document.getElementById('zone-count').textContent.endsWith(' 3')")
    shot(page, "outage-form")
    page.click("button:has-text('Опубликовать')")
    page.wait_for_url("**/outages/*/")
    outage = Outage.objects.get()
    assert outage.building_count == 3 and outage.reason == "Замена задвижки на магистрали"
    assert page.locator("text=Доставка уведомлений").is_visible()
    shot(page, "outage-card")
    page.goto(live_server.url + "/outages/")
    assert page.locator(f"a[href='/outages/{outage.pk}/']").count() == 1
    shot(page, "outage-list")
    page.goto(live_server.url + "/outages/durations/?date_from=2026-01-01&date_to=2026-12-31")
    shot(page, "outage-durations")

    page.context.clear_cookies()
    page.goto(live_server.url + "/outages/public/")
    assert page.locator("text=Замена задвижки на магистрали").count() == 1
    assert page.locator("#public-map .leaflet-interactive").count() == 3
    shot(page, "outage-public")

    login(page, live_server, resident)
    page.goto(live_server.url + "/outages/my-addresses/")
    page.fill("#fav-search", "советская 2")
    page.click("#fav-results button")
    page.select_option("select[name=label]", "parents")
    page.click("button:has-text('Добавить адрес')")
    page.wait_for_selector("text=Адрес добавлен")
    assert FavouriteAddress.objects.filter(user=resident, label="parents").count() == 1
    assert page.locator("text=Замена задвижки на магистрали").count() == 1
    shot(page, "outage-my-addresses")
