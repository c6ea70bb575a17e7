"""Stored XSS (issue 9, item 1): markup planted in every user-editable text that a page or a map
shows — building address parts (stored through the ORM, past the validator), organisation
names, outage reasons and descriptions, request texts, comments and notes, classifier topics,
announcements, help pages, favourite titles — stays literal text. Every page that shows them is
opened by the users who see it, map tooltips are hovered and popups opened; no script runs, no
dialog opens, no planted element appears, and the markup is read on the page as text."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from domovoy.announcements import services as help_services
from domovoy.announcements.models import Announcement
from domovoy.feedback import services as feedback_services
from domovoy.outages import services as outage_services
from domovoy.outages.models import FavouriteAddress
from domovoy.outages.zones import zone_spec
from domovoy.servicedesk import conversation
from domovoy.servicedesk import services as sd
from domovoy.servicedesk.models import Topic
from tests import factories as f

pytestmark = pytest.mark.browser

# Runs when inserted as HTML (innerHTML, Leaflet string content) or parsed in the page.
PAYLOAD = '<img src=x onerror="window.__pwned=1;alert(1)"><script>window.__pwned=1</script>'
SHORT = "<b>Б</b>"  # fits the 20 characters of house/korpus: must show as text, not bold
LITERAL = "<img src=x onerror="  # what a reader sees when the markup is text


@pytest.fixture
def page(page, live_server, settings):
    """The shared browser's page, kept on this machine, recording dialogs."""
    settings.MAP_TILE_URL = live_server.url + "/static/none/{z}/{x}/{y}.png"
    page.context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(live_server.url) else route.abort()
        ),
    )
    page.dialogs = []

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return page


def login(page, live_server, user):
    page.context.clear_cookies()
    if user is None:
        return
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


def assert_inert(page, where, *, literal=True):
    """Nothing planted ran or became an element; the markup is on the page as text."""
    assert page.dialogs == [], f"{where}: a dialog opened: {page.dialogs}"
    assert page.evaluate("typeof window.__pwned") == "undefined", f"{where}: a script ran"
    assert page.locator("img[src='x']").count() == 0, f"{where}: a planted <img> is in the DOM"
    planted_script = page.evaluate(
        """() => [...document.scripts].some(s =>
               (!s.type || /javascript|module/.test(s.type)) && s.text.includes('__pwned'))"""
    )
    assert not planted_script, f"{where}: a planted <script> is in the DOM"
    planted_bold = page.evaluate(
        "() => [...document.querySelectorAll('b')].some(e => e.textContent === 'Б')"
    )
    assert not planted_bold, f"{where}: the planted <b> became an element"
    if literal:
        assert LITERAL in page.locator("body").inner_text(), f"{where}: markup not shown as text"


def visit(page, live_server, url, where, *, literal=True):
    response = page.goto(live_server.url + url)
    assert response.status == 200, f"{where}: {url} answered {response.status}"
    page.wait_for_load_state("load")
    assert_inert(page, where, literal=literal)


def hover_markers(page, container, where):
    """Hover every marker drawn in a Leaflet map and check the tooltip's text."""
    paths = page.locator(f"{container} path.leaflet-interactive >> visible=true")
    paths.first.wait_for()
    hovered = 0
    for i in range(paths.count()):
        box = paths.nth(i).bounding_box()
        if not box or box["width"] < 2:
            continue
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        hovered += 1
        tooltip = page.locator(f"{container} .leaflet-tooltip").last
        tooltip.wait_for()
        assert_inert(page, f"{where} (tooltip)", literal=False)
        assert LITERAL in tooltip.inner_text(), f"{where}: tooltip is not text"
    assert hovered, f"{where}: no marker to hover"


def open_popup(page, container, where):
    page.locator(f"{container} path.leaflet-interactive").first.wait_for()
    page.locator(f"{container} path.leaflet-interactive").first.click(force=True)
    popup = page.locator(f"{container} .leaflet-popup-content")
    popup.wait_for()
    assert_inert(page, f"{where} (popup)", literal=False)
    assert LITERAL in popup.inner_text(), f"{where}: popup is not text"


@pytest.fixture
def building(uo, rso, territory):
    """A house whose address parts hold markup, stored directly (the API would refuse it)."""
    uo.short_name = "УК «Центр» " + PAYLOAD
    uo.full_name = "ООО УК «Центр» " + PAYLOAD
    uo.save()
    rso.short_name = "Водоканал " + PAYLOAD
    rso.save()
    b = f.BuildingFactory(
        settlement="г. Кострома",
        city_district="Центральный " + PAYLOAD,
        street="ул. Мира" + PAYLOAD,
        house="1",
        block=SHORT,
        latitude=57.7600,
        longitude=40.9200,
        territory=territory["district"],
    )
    f.manage(b, uo)
    return b


@pytest.fixture
def planted(building, rso, uo_dispatcher, anna, file_request, classifier, functional_operator):
    Topic.objects.filter(code="entrance-door").update(name="Дверь подъезда " + PAYLOAD)
    classifier["entrance-door"].refresh_from_db()
    _prem, account = f.premises_with_account(building, "7")
    account.residents.add(anna)
    FavouriteAddress.objects.create(user=anna, building=building, title="Дом " + SHORT)
    sr = file_request("entrance-door", "Сломан доводчик " + PAYLOAD)
    sd.service_request_transition(
        request=sr, action="accept", actor=uo_dispatcher, comment="Мастер придёт " + PAYLOAD
    )
    conversation.comment_add(
        request=sr, author=uo_dispatcher, text="Ответ жителю " + PAYLOAD, is_public=True
    )
    conversation.comment_add(
        request=sr, author=uo_dispatcher, text="Заметка " + PAYLOAD, is_public=False
    )
    conversation.comment_add(request=sr, author=anna, text="Жду " + PAYLOAD, is_public=True)
    rso_dispatcher = f.employee(rso, roles=["supplier_dispatcher"], username="rsodisp").user
    start = timezone.now() + dt.timedelta(days=12)
    outage = outage_services.outage_publish(
        actor=rso_dispatcher,
        kind="planned",
        resource="cold_water",
        network="supplier",
        zone=zone_spec(building_ids=[building.pk]),
        reason="Ремонт " + PAYLOAD,
        description="Подробности " + PAYLOAD,
        start=start,
        planned_end=start + dt.timedelta(hours=8),
    )
    Announcement.objects.create(
        title="Объявление " + PAYLOAD,
        body="Текст объявления " + PAYLOAD,
        audience="all",
        published_at=timezone.now() - dt.timedelta(hours=1),
        author=functional_operator,
    )
    section = help_services.help_section_create(
        actor=functional_operator, title="Раздел " + PAYLOAD, description="О разделе " + PAYLOAD
    )
    guide = help_services.guide_create(
        actor=functional_operator,
        section=section,
        title="Инструкция " + PAYLOAD,
        body="Шаг первый " + PAYLOAD,
        slug="guide-xss",
    )
    feedback = feedback_services.feedback_item_create(
        author=anna, kind="suggestion", title="Идея " + PAYLOAD, text="Предлагаю " + PAYLOAD
    )
    return {
        "sr": sr,
        "outage": outage,
        "rso_dispatcher": rso_dispatcher,
        "guide": guide,
        "feedback": feedback,
    }


@pytest.mark.req("S7")
@pytest.mark.django_db(transaction=True)
def test_markup_in_stored_data_is_shown_as_text_everywhere(
    page, live_server, shot, planted, building, uo, uo_dispatcher, anna, call_operator
):
    sr, outage = planted["sr"], planted["outage"]

    # The public: outage list and map (popups), the outage card (tooltips), help pages.
    login(page, live_server, None)
    visit(page, live_server, "/outages/public/", "public outages")
    open_popup(page, "#public-map", "public map")
    visit(page, live_server, f"/outages/{outage.pk}/", "outage card")
    hover_markers(page, "#outage-map", "outage card map")
    visit(page, live_server, "/help/announcements/", "announcements")
    visit(page, live_server, "/help/", "help index")
    visit(page, live_server, f"/help/guides/{planted['guide'].slug}/", "guide")

    # The resident: her requests, the card with comments, her addresses.
    login(page, live_server, anna)
    visit(page, live_server, "/requests/my/", "resident list")
    visit(page, live_server, f"/requests/my/{sr.number}/", "resident card")
    visit(page, live_server, "/outages/my-addresses/", "favourite addresses")
    visit(page, live_server, "/notifications/", "inbox", literal=False)
    visit(page, live_server, "/feedback/", "feedback list")
    visit(page, live_server, f"/feedback/{planted['feedback'].pk}/", "feedback item")

    # The UO dispatcher: queue, request card, registry, building card and map, organisations.
    login(page, live_server, uo_dispatcher)
    visit(page, live_server, "/requests/queue/", "queue")
    visit(page, live_server, f"/requests/work/{sr.number}/", "staff card")
    visit(page, live_server, "/directory/buildings/", "building list")
    visit(page, live_server, f"/directory/buildings/{building.pk}/", "building card")
    visit(page, live_server, "/directory/buildings/map/", "building map", literal=False)
    open_popup(page, "#buildings-map", "building map")
    visit(page, live_server, "/directory/organizations/", "organisation list")
    visit(page, live_server, f"/directory/organizations/{uo.pk}/", "organisation card")
    visit(page, live_server, f"/outages/{outage.pk}/", "outage card (staff)")

    # The call centre reads the request by number.
    login(page, live_server, call_operator)
    visit(page, live_server, f"/requests/call/r/{sr.number}/", "call-centre card")

    # The supplier's dispatcher: the zone picker (search results, chips, preview tooltips).
    login(page, live_server, planted["rso_dispatcher"])
    visit(page, live_server, "/outages/new/", "zone picker", literal=False)
    page.fill("#zone-search", "Мира")
    result = page.locator("#zone-search-results button").first
    result.wait_for()
    assert LITERAL in result.inner_text()
    result.click()
    page.locator("#zone-chips .badge").first.wait_for()
    assert LITERAL in page.locator("#zone-chips").inner_text()
    hover_markers(page, "#zone-map", "zone picker map")
    shot(page, "markup-is-text-zone-picker")


# --- the sinks themselves: a script of ours never hands HTML-reading APIs a string of data

STATIC_SCRIPTS = sorted(
    p
    for p in (Path(__file__).resolve().parents[2] / "domovoy").glob("*/static/**/*.js")
    if "vendor" not in p.parts
)
# Clearing an element with an empty string is harmless; any other HTML assignment is refused.
HTML_SINK = re.compile(
    r"\.(?:innerHTML|outerHTML)\s*[+]?=(?!=)(?!\s*(?:\"\"|'')\s*[;,)])"
    r"|insertAdjacentHTML|document\.write|\$\("
)
LEAFLET_CONTENT = re.compile(
    r"\.(bindTooltip|bindPopup|setContent|setTooltipContent|setPopupContent)\(([^,)]*)"
)
# A DOM node: built by the shared helper or held in a local variable (an element built with
# createElement/textContent next to the call).
DOM_ARGUMENT = re.compile(r"^\s*(domovoyDom\.text\(.*|[a-z][A-Za-z0-9]*)\s*$")


@pytest.mark.req("S7")
def test_our_scripts_pass_dom_nodes_not_html_strings():
    assert STATIC_SCRIPTS, "no scripts found"
    for path in STATIC_SCRIPTS:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("//")[0]
            if code.lstrip().startswith(("/*", "*")):
                continue
            where = f"{path.relative_to(path.parents[3])}:{number}: {line.strip()}"
            assert not HTML_SINK.search(code), f"an HTML sink: {where}"
            for _method, argument in LEAFLET_CONTENT.findall(code):
                assert DOM_ARGUMENT.match(argument), f"Leaflet content from a string: {where}"
