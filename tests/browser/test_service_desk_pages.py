"""Every service-desk page renders for its users at desktop and phone width (screenshots in
var/screenshots/ for a person to look at): the resident's list and inbox, the call centre's
caller form, call log and call-back list, the dispatcher's queue, lists and statistics."""

import pytest
from django.core.management import call_command

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
        ("/requests/queue/?tab=overdue", "sd-queue-overdue", "Очередь"),
        ("/requests/control/new/", "sd-list-new", "Течёт стояк"),
        ("/requests/stats/", "sd-stats", "Статистика"),
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
