"""No page of the Russian interface shows a Latin identifier (issue 12, item 7): a field name
(``uo``, ``provider``), a choice value (``cold_water``), a code (``service_request:1``),
``None``/``True``, a storage path. Every role of the cast (tests/access/roles_cast.py) walks
every page without arguments and the detail pages of a small world of objects (a request with
its history and work order, an outage, an onboarding request with its files, a feedback item,
an integration agreement, the help guides); the visible text of each HTML answer goes through
``tests.visible_text.latin_identifiers``."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation

from tests.access.roles_cast import CAST, user_of
from tests.visible_text import latin_identifiers, visible_text

# Namespaces and names that are not pages of the interface: the Django admin (a technical
# tool of the technical operator, translated by Django itself), the API and its schema, files.
_NOT_PAGES = ("admin:", "api", "schema", "set_language", "logout")


def _patterns(patterns, namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _patterns(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}:{p.name}" if namespace else p.name, p


def pages_without_arguments():
    urls = []
    for name, pattern in _patterns(get_resolver().url_patterns):
        if name.startswith(_NOT_PAGES) or pattern.pattern.regex.groups:
            continue
        try:
            url = reverse(name)
        except Exception:  # noqa: BLE001 - a pattern that needs arguments
            continue
        if url not in urls:
            urls.append(url)
    return urls


def _in_context(text, token):
    at = text.find(token)
    return f"{token} in «…{text[max(at - 40, 0) : at + len(token) + 20]}…»"


@pytest.fixture
def world(
    request, building, links, sr, uo_dispatcher, functional_operator, rso_dispatcher,
    make_agreement, classifier, anna, uo, rso,
):  # fmt: skip
    """The objects whose detail pages the roles open; their changes fill the audit log and the
    personal-data log."""
    from domovoy.feedback import services as feedback
    from domovoy.outages import services as outages
    from domovoy.outages.zones import zone_spec
    from domovoy.servicedesk import services as sd
    from domovoy.workorders import services as workorders
    from domovoy.workorders.models import WorkOrderTemplate
    from tests import factories as f
    from tests.onboarding.files import after_commit, uo_post_data

    sd.service_request_transition(
        request=sr, action="start", actor=uo_dispatcher, comment="Взяли в работу"
    )
    sr.refresh_from_db()
    call_command("load_workorder_templates", verbosity=0)
    form = WorkOrderTemplate.objects.get(kind="standard")
    from tests.workorders.conftest import good_data

    # Free text people type is theirs (a brand in Latin letters would be fine); the walk's is
    # Russian so that what it finds is the interface's.
    data = good_data(materials="Доводчик — 1 шт.")
    order = workorders.work_order_create(request=sr, actor=uo_dispatcher, data=data)
    start = timezone.now() + dt.timedelta(days=2)
    outage = outages.outage_publish(
        actor=rso_dispatcher, kind="planned", resource="cold_water", network="supplier",
        zone=zone_spec(building_ids=[building.pk]), reason="Ремонт водопровода", start=start,
        planned_end=start + dt.timedelta(hours=8),
    )  # fmt: skip
    agreement = make_agreement()
    item = feedback.feedback_item_create(
        author=uo_dispatcher, kind="data_change", target_type="organization", target_id=uo.pk,
        field="inn", proposed_value=f.valid_inn10(990001), text="ИНН изменился после реорганизации",
    )  # fmt: skip
    call_command("help_seed", stdout=open("/dev/null", "w"))  # noqa: SIM115
    f.premises_with_account(building)

    from domovoy.onboarding.models import OnboardingRequest

    # A seed the factories' INN sequence never reaches in one run (no INN collision).
    served = [[1, rso.short_name, rso.inn, "Холодная вода; Отопление"]]
    with after_commit():
        response = Client().post(
            reverse("onboarding:apply"), uo_post_data(9_000_900, served=served)
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    onboarding = OnboardingRequest.objects.get()

    # Reads of personal data for the log: the staff card and the building's owners.
    reader = Client()
    reader.force_login(uo_dispatcher)
    assert reader.get(reverse("servicedesk:staff_detail", args=[sr.number])).status_code == 200
    assert reader.get(reverse("directory:building", args=[building.pk])).status_code == 200

    from domovoy.announcements.models import Guide

    guide = Guide.objects.order_by("pk").first()
    topic = next(iter(classifier.values()))
    return [
        reverse("directory:building", args=[building.pk]),
        reverse("directory:organization", args=[uo.pk]),
        reverse("directory:staff", args=[uo.pk]),
        reverse("directory:organization_edit", args=[uo.pk]),
        reverse("classifier:detail", args=[topic.pk]),
        reverse("servicedesk:staff_detail", args=[sr.number]),
        reverse("servicedesk:resident_detail", args=[sr.number]),
        reverse("servicedesk:callcentre_request", args=[sr.number]),
        reverse("servicedesk:staff_list", args=["overdue"]),
        reverse("workorders:detail", args=[order.pk]),
        reverse("workorders:template", args=[form.pk]),
        reverse("workorders:version", args=[form.current_version.pk])
        if getattr(form, "current_version", None)
        else reverse("workorders:templates"),
        reverse("outages:detail", args=[outage.pk]),
        reverse("outages:edit", args=[outage.pk]),
        reverse("onboarding:review", args=[onboarding.pk]),
        reverse("onboarding:status", args=[onboarding.token]),
        reverse("feedback:detail", args=[item.pk]),
        reverse("integrations:detail", args=[agreement.pk]),
        reverse("integrations:uses", args=[agreement.pk]),
        reverse("help:guide", args=[guide.slug]),
    ]


@pytest.mark.req("S2")
@pytest.mark.parametrize("who", CAST)
def test_no_page_of_a_role_shows_a_latin_identifier(request, who, world):
    user = user_of(request, who)
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    if user is not None:
        client.force_login(user)
    found = {}
    opened = 0
    with translation.override("ru"):
        for url in pages_without_arguments() + world:
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            opened += 1
            text = visible_text(response.content.decode())
            leaked = latin_identifiers(text)
            if leaked:
                found[url] = [_in_context(text, token) for token in leaked]
    assert opened >= 3, who
    assert not found, f"{who}: Latin identifiers on Russian pages: {found}"


@pytest.mark.req("S2")
def test_filter_selects_say_all_instead_of_dashes(client, uo_dispatcher, building, links):
    """django-filter's empty choice (FILTERS_EMPTY_CHOICE_LABEL) on the filtered lists."""
    client.force_login(uo_dispatcher)
    for url in ("/directory/buildings/", "/requests/queue/", "/outages/"):
        text = visible_text(client.get(url).content.decode())
        assert "---------" not in text, url
    assert (
        visible_text(client.get("/directory/buildings/").content.decode()).count("Все улицы") == 1
    )


@pytest.mark.parametrize(
    "text, leaked",
    [
        ("Поле uo: было 5", ["uo"]),
        ("service_request:1 · staff request card", ["service_request", "staff", "request", "card"]),
        ("Ресурс: cold_water, heating", ["cold_water", "heating"]),
        ("directory.organization", ["directory.organization"]),
        ("значение None", ["None"]),
        ("Выгрузить в XLSX · PDF · API · SMS · Telegram · E-mail", []),
        ("Пишите на anna@example.ru или https://example.ru/help", []),
        ("ID 5, дом 2к1", []),
    ],
)
def test_the_check_finds_identifiers_and_leaves_known_words(text, leaked):
    assert latin_identifiers(text) == leaked


def test_the_extractor_keeps_text_nodes_only():
    html = (
        '<html><head><title>Т</title><style>.a{}</style></head><body><p class="x">Текст'
        '<script>var some_code = 1;</script><input type="hidden" value="secret_value">'
        '<span translate="no">uodisp</span><span hidden>skipped_one</span> и ещё</p></body></html>'
    )
    assert visible_text(html) == "Текст и ещё"


@pytest.mark.req("S3")
def test_the_logs_and_the_onboarding_review_in_words_in_the_browser(
    world, live_server, page, shot, functional_operator, technical_operator
):
    """The audit log, the personal-data log and the onboarding review as people see them:
    screenshots at 1366 and 390 px, and the browser's own text of each page is free of codes."""
    from playwright.sync_api import expect

    from domovoy.onboarding.models import OnboardingRequest
    from tests.visible_text import BROWSER_VISIBLE_TEXT_JS

    context = page.context
    for user, pages in (
        (functional_operator, [("audit-log", reverse("audit:log"))]),
        (
            functional_operator,
            [
                (
                    "onboarding-review",
                    reverse("onboarding:review", args=[OnboardingRequest.objects.get().pk]),
                )
            ],
        ),
        (technical_operator, [("personal-data-log", reverse("audit:personal_data"))]),
    ):
        client = Client()
        client.force_login(user)
        context.clear_cookies()
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        for name, url in pages:
            page.goto(live_server.url + url)
            expect(page.locator("h1")).to_be_visible()
            if name == "audit-log":
                page.locator("details summary").first.click()
            text = page.evaluate(BROWSER_VISIBLE_TEXT_JS)
            assert latin_identifiers(text) == [], (name, latin_identifiers(text))
            shot(page, f"i12-latin-{name}")
