"""Open data in the browser (R17, S5): an anonymous visitor opens the public map and list of
requests; markers are drawn from JSON text (no inline script, CSP intact), overdue requests
are red, a popup shows markup as text, the allowed photo loads. Screenshots at 1366 and 390."""

import datetime as dt

import pytest
import time_machine

from domovoy.servicedesk.conversation import comment_add

from .test_open_data import png

pytestmark = pytest.mark.browser

PAYLOAD = '<img src=x onerror="window.__pwned=1">'


@pytest.fixture
def page(page, live_server, settings):
    settings.MAP_TILE_URL = live_server.url + "/static/none/{z}/{x}/{y}.png"
    page.context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(live_server.url) else route.abort()
        ),
    )
    page.csp_errors = []
    page.on(
        "console",
        lambda msg: (
            page.csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None
        ),
    )
    return page


@pytest.mark.req("R17")
@pytest.mark.req("S5")
def test_the_public_map_and_list_in_the_browser(
    transactional_db, houses, page, live_server, shot, file_request, anna, uo_dispatcher
):
    late = file_request(building=houses[0], text="Течёт крыша")
    comment_add(
        request=late,
        author=anna,
        text="",
        is_public=True,
        files=[png()],
        photos_public=True,
    )
    comment_add(
        request=late,
        author=uo_dispatcher,
        text="Бригада будет завтра " + PAYLOAD,
        is_public=True,
    )
    file_request(building=houses[1], code="entrance-door")
    file_request(building=houses[2])
    with time_machine.travel(late.deadline_at + dt.timedelta(hours=2), tick=True):
        page.goto(live_server.url + "/requests/public/")
        page.wait_for_load_state("load")
        markers = page.locator("#public-requests-map path.leaflet-interactive")
        markers.first.wait_for()
        assert markers.count() == 3
        red = page.locator('#public-requests-map path[stroke="#dc3545"]')
        assert red.count() == 3  # all three past their deadline two hours on
        red.first.click(force=True)
        popup = page.locator("#public-requests-map .leaflet-popup-content")
        popup.wait_for()
        assert "просрочена" in popup.inner_text()
        body = page.locator("body").inner_text()
        assert PAYLOAD in body  # the comment's markup is text
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.locator("img[src='x']").count() == 0
        assert "Смирнова" not in body and "Анна" not in body
        photo = page.locator("img[alt='Фото к заявке']").first
        photo.wait_for()
        assert page.evaluate("(img) => img.naturalWidth", photo.element_handle()) > 0
        assert page.csp_errors == []
        shot(page, "open-data-public-requests")
        page.goto(live_server.url + "/")
        page.wait_for_load_state("load")
        shot(page, "open-data-landing")
