"""A walk through the site per role of the cast (issue 12): sign in, open the home page and every
entry of the menu — those inside the dropdowns too — at desktop (1280 px) and phone (390 px)
width; each page answers below 400, scrolls no wider than the window and shows no Latin
identifiers in its visible text (tests/visible_text.py). One action per role
opens a card (a request, an outage, an organisation). The home of every role is saved at both
widths, with the phone menu unfolded, under var/screenshots/walk-*.png for a person to look at.

``check_page(page)`` holds the checks every page of the walk goes through: add one there."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from tests import factories as f
from tests.browser_fixtures import SHOTS
from tests.visible_text import BROWSER_VISIBLE_TEXT_JS, latin_identifiers

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def check_page(page):
    """The problems of the page shown (an empty list: none). Called for every page of the walk,
    at each width."""
    problems = []
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1]:
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .filter(e => !e.closest('.table-responsive, .leaflet-container'))
                .slice(0, 3).map(e => e.tagName.toLowerCase() + '.' + e.className)"""
        )
        problems.append(f"scrolls sideways: {width[0]} > {width[1]} px ({wide})")
    navbar = page.evaluate("() => document.querySelector('nav.navbar')?.offsetHeight || 0")
    if navbar > 64:
        problems.append(f"the navbar takes {navbar} px: its menu wraps onto a second row")
    latin = latin_identifiers(page.evaluate(BROWSER_VISIBLE_TEXT_JS))
    if latin:
        problems.append(f"Latin identifiers in the visible text: {latin[:5]}")
    return problems


# role -> the cast's fixture of its user (or a function of the request making one).
ROLES = {
    "resident": "anna",
    "call_operator": "call_operator",
    "uo_dispatcher": "uo_dispatcher",
    "uo_engineer": "uo_engineer",
    "contractor": "contractor_dispatcher",
    "supplier": "rso_dispatcher",
    "functional_operator": "functional_operator",
    "technical_operator": "technical_operator",
    "admin": lambda request: f.UserFactory(username="root", is_superuser=True, is_staff=True),
    "controller": "controller",
    "media": lambda request: (
        f.employee(request.getfixturevalue("control_org"), roles=["media"], username="press").user
    ),
}


def _action(role, sr, outage, uo):
    """The URL of the card a role opens as its one action (None: its menu is the walk)."""
    return {
        "resident": f"/requests/my/{sr.number}/",
        "call_operator": f"/requests/call/r/{sr.number}/",
        "uo_dispatcher": f"/requests/work/{sr.number}/",
        "uo_engineer": f"/requests/work/{sr.number}/",
        "contractor": f"/directory/organizations/{uo.pk}/",
        "supplier": f"/outages/{outage.pk}/",
        "functional_operator": f"/directory/organizations/{uo.pk}/",
        "technical_operator": "/audit/refusals/",
        "admin": f"/requests/work/{sr.number}/",
        "controller": f"/requests/work/{sr.number}/",
        "media": f"/outages/{outage.pk}/",
    }[role]


@pytest.fixture
def page(page, live_server, settings):
    """The shared browser's page, kept on this machine (map tiles from the test server)."""
    settings.MAP_TILE_URL = live_server.url + "/static/none/{z}/{x}/{y}.png"
    page.context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(live_server.url) else route.abort()
        ),
    )
    return page


def _outage(supplier, building):
    """A planned cold-water outage of the request's building, published by its supplier."""
    from domovoy.outages import services
    from domovoy.outages.zones import zone_spec

    start = timezone.now() + dt.timedelta(days=3)
    return services.outage_publish(
        actor=supplier,
        kind="planned",
        resource="cold_water",
        network="supplier",
        zone=zone_spec(building_ids=[building.pk]),
        reason="Ремонт водопровода",
        start=start,
        planned_end=start + dt.timedelta(hours=8),
    )


def sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    name = django_settings.SESSION_COOKIE_NAME
    page.context.add_cookies([{"name": name, "value": cookie, "url": live_server.url}])


def visit(page, url):
    """Open ``url`` at desktop width, then look at it at phone width too: the problems found."""
    page.set_viewport_size(DESKTOP)
    response = page.goto(url)
    if response is None or response.status >= 400:
        return [f"{url}: HTTP {response.status if response else '—'}"]
    problems = [f"{url} at 1280 px: {p}" for p in check_page(page)]
    page.set_viewport_size(PHONE)
    problems += [f"{url} at 390 px: {p}" for p in check_page(page)]
    page.set_viewport_size(DESKTOP)
    return problems


def menu_entries(page):
    """Every link of the navbar's menu (the dropdowns' items too) and the bell, in order; each
    dropdown opens on a click (Bootstrap's script runs under the Content Security Policy)."""
    toggles = page.locator("#mainnav .navbar-nav [data-bs-toggle=dropdown]")
    for i in range(toggles.count()):
        toggles.nth(i).click()
        menu = toggles.nth(i).locator("xpath=following-sibling::ul[1]")
        assert menu.is_visible(), toggles.nth(i).inner_text()
        page.keyboard.press("Escape")
    hrefs = page.locator("#mainnav .navbar-nav a[href], #mainnav a[data-unread]").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    return list(dict.fromkeys(hrefs))


@pytest.mark.req("S2", "S7")
@pytest.mark.parametrize("role", list(ROLES))
def test_every_role_walks_its_menu_at_both_widths(
    request, role, page, live_server, shot, sr, uo, links, building, rso_dispatcher
):
    who = ROLES[role]
    user = request.getfixturevalue(who) if isinstance(who, str) else who(request)
    outage = _outage(rso_dispatcher, building)
    sign_in(page, live_server, user)
    base = live_server.url

    problems = visit(page, base + "/")
    assert not problems, problems
    shot(page, f"walk-{role}-home")  # desktop at 1280 px, phone at 390 px
    entries = menu_entries(page)
    assert len(entries) >= 3, entries

    # At phone width the menu folds behind the toggler and unfolds, dropdowns included.
    page.set_viewport_size(PHONE)
    page.locator(".navbar-toggler").click()
    page.locator("#mainnav.show").wait_for()
    dropdown = page.locator("#mainnav .navbar-nav [data-bs-toggle=dropdown]").first
    if dropdown.count():
        dropdown.click()
    page.screenshot(path=str(SHOTS / f"walk-{role}-menu-phone.png"))
    page.set_viewport_size(DESKTOP)

    for href in entries:
        problems += visit(page, base + href)
    problems += visit(page, base + _action(role, sr, outage, uo))
    assert not problems, "\n".join(problems)


@pytest.mark.req("S7")
def test_a_refused_page_leads_back_to_the_page_before(page, live_server, resident):
    sign_in(page, live_server, resident)
    page.goto(live_server.url + "/help/")
    response = page.goto(live_server.url + "/audit/")
    assert response.status == 403 and "Доступ запрещён" in page.content()
    with page.expect_navigation():
        page.get_by_role("link", name="Вернуться назад").click()
    assert page.url == live_server.url + "/help/"
    # Without a page before (or without script) the link leads home.
    page.goto(live_server.url + "/audit/")
    assert page.get_by_role("link", name="Вернуться назад").get_attribute("href") == "/"
