"""Every service-desk page renders for its users at desktop and phone width (screenshots in
var/screenshots/ for a person to look at): the resident's list and inbox, the call centre's
caller form, call log and call-back list, the dispatcher's queue, lists and statistics."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from domovoy.servicedesk import services as sd
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "secret-pass-1"


def login(page, live_server, user):
    page.context.clear_cookies()
    page.goto(live_server.url + "/login/")
    page.get_by_label("Логин").fill(user.username)
    page.get_by_label("Пароль").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Войти").click()


@pytest.fixture
def no_quiet_hours(settings):
    """Request notices reach the inbox at once whatever the hour the suite runs at (the
    quiet-hours rule is proven in tests/servicedesk_pages_resident)."""
    settings.NOTIFICATIONS_QUIET_START = settings.NOTIFICATIONS_QUIET_END = "00:00"


@pytest.fixture
def requests_in_every_state(no_quiet_hours, file_request, uo_dispatcher, classifier):
    call_command("load_workorder_templates", verbosity=0)
    leak = file_request("water-leak", "Течёт стояк в ванной, вода у соседей снизу")
    door = file_request("entrance-door", "Сломан доводчик входной двери во 2 подъезде")
    file_request("power-yard-light", "Не горит фонарь у 3 подъезда")
    sd.service_request_transition(
        request=door, action="accept", actor=uo_dispatcher, comment="Мастер придёт завтра"
    )
    sd.service_request_transition(
        request=leak, action="dispatch_crew", actor=uo_dispatcher, comment="Бригада выехала"
    )
    return leak, door


@pytest.mark.req("R19")
@pytest.mark.req("R4")
def test_the_staff_pages_render(page, live_server, shot, uo_dispatcher, requests_in_every_state):
    login(page, live_server, uo_dispatcher)
    for url, name, text in [
        ("/requests/queue/", "sd-queue", "Течёт стояк"),
        ("/requests/queue/?tab=overdue", "sd-queue-overdue", "Контроль сроков"),
        ("/requests/control/new/", "sd-list-new", "Течёт стояк"),
        ("/requests/stats/", "sd-stats", "Статистика заявок"),
        ("/workorders/templates/", None, None),
    ]:
        response = page.goto(live_server.url + url)
        if name is None:  # a dispatcher does not edit the forms
            assert response.status == 403
            continue
        assert response.status == 200, url
        page.get_by_text(text).first.wait_for()
        shot(page, name)


@pytest.mark.req("R1")
@pytest.mark.req("R11")
def test_the_call_centre_pages_render(
    page, live_server, shot, call_operator, requests_in_every_state, building
):
    f.premises_with_account(building, number="7")
    login(page, live_server, call_operator)
    for url, name in [
        ("/requests/call/", "cc-new"),
        ("/requests/call/log/", "cc-calls"),
        ("/requests/call/callbacks/", "cc-callbacks"),
    ]:
        assert page.goto(live_server.url + url).status == 200, url
        shot(page, name)
    page.goto(live_server.url + "/requests/call/")
    page.locator("#address-q").fill("Советская")
    page.locator("#address-results input[name=building]").first.wait_for()
    shot(page, "cc-new-address-found")


@pytest.mark.req("R1")
@pytest.mark.req("N2")
def test_the_call_screen_shows_the_outage_banner_and_the_duplicate_warning(
    page, live_server, shot, call_operator, requests_in_every_state, building, rso_dispatcher
):
    """Issue 11: picking the address shows the building's outage (a consultation, not a
    request); picking the topic of an open request filed today warns of a duplicate, and
    filing anyway needs the operator's confirmation."""
    from domovoy.outages import services as outages
    from domovoy.outages.zones import zone_spec

    start = timezone.now() + dt.timedelta(days=1)
    outages.outage_publish(
        actor=rso_dispatcher,
        kind="planned",
        resource="cold_water",
        network="supplier",
        zone=zone_spec(building_ids=[building.pk]),
        reason="Ремонт <script>водопровода</script>",
        start=start,
        planned_end=start + dt.timedelta(hours=8),
    )
    leak, _door = requests_in_every_state
    login(page, live_server, call_operator)
    page.goto(live_server.url + "/requests/call/")
    page.get_by_label("Телефон звонящего").fill("8 910 555-44-33")
    page.get_by_label("Как обращаться").fill("Мария Ивановна")
    page.locator("#address-q").fill(building.street.removeprefix("ул. "))
    page.locator(f"#address-results input[value='{building.pk}']").check()
    banner = page.get_by_test_id("outage-banner")
    banner.wait_for()
    assert "консультация, не заявка" in banner.inner_text()
    assert "<script>водопровода</script>" in banner.inner_text()  # shown as text
    page.locator("#id_topic").select_option(str(leak.topic_id))
    warning = page.get_by_test_id("duplicate-warning")
    warning.wait_for()
    assert leak.number in warning.inner_text()
    shot(page, "cc-call-screen")
    page.locator("#id_text").fill("Течёт стояк в ванной")
    page.get_by_role("button", name="Записать звонок").click()
    page.get_by_text("Похоже на повтор").wait_for()
    page.get_by_label("Это не повтор: всё равно создать заявку").check()
    page.get_by_role("button", name="Записать звонок").click()
    page.get_by_text("создана заявка №").wait_for()


@pytest.mark.req("R4")
@pytest.mark.req("N2")
def test_the_resident_pages_render(page, live_server, shot, anna, requests_in_every_state):
    login(page, live_server, anna)
    for url, name, text in [
        ("/requests/my/", "sd-resident-list", "Сломана входная дверь"),
        # The old inbox address opens the one inbox of the notification engine (N2).
        ("/requests/my/inbox/", "sd-resident-inbox", "Мастер придёт завтра"),
    ]:
        assert page.goto(live_server.url + url).status == 200, url
        page.get_by_text(text).first.wait_for()
        shot(page, name)
    assert page.url == live_server.url + "/notifications/"
    page.get_by_text(
        f"Заявка № {requests_in_every_state[1].number}: на рассмотрении"
    ).first.wait_for()
