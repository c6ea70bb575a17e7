"""Issue 12 item 4 in a real browser, with screenshots at 1366 and 390 px: «Мои заявки»
and the request card in every status (the resident's word, the line under it, the buttons with
their lines)."""

import pytest

from domovoy.servicedesk import resident_words
from domovoy.servicedesk.models import ServiceRequest
from domovoy.servicedesk.workflow import Status
from tests.fixtures import msk
from tests.servicedesk.helpers import act

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "secret-pass-1"  # tests.factories.UserFactory


@pytest.fixture(autouse=True)
def _local(settings, live_server, tmp_path):
    settings.MAP_TILE_URL = live_server.url + "/static/tiles/{z}/{x}/{y}.png"
    settings.MEDIA_ROOT = tmp_path / "media"


def login(page, live_server, user):
    page.context.clear_cookies()
    page.goto(live_server.url + "/login/")
    page.get_by_label("Логин").fill(user.username)
    page.get_by_label("Пароль").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Войти").click()


def requests_in_every_status(file_request, uo_dispatcher, anna, functional_operator):
    """One of Анна's requests per status, moved there by the transition service; verification
    and moderation need a contractor's or a controller's chain, so those two are set on the row
    (the page reads only the status and the allowed actions)."""
    made = {}

    def new():
        return file_request(text="Не закрывается дверь подъезда")

    made[Status.NEW] = new()
    sr = new()
    act(sr, "accept", uo_dispatcher, comment="Мастер придёт завтра с 10 до 12")
    made[Status.ACCEPTED] = sr
    sr = new()
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    made[Status.IN_WORK] = sr
    sr = new()
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    act(sr, "postpone", uo_dispatcher, reason="Ждём доводчик", until=msk(2027, 1, 20, 0, 0).date())
    made[Status.POSTPONED] = sr
    for status in (Status.VERIFICATION, Status.MODERATION):
        sr = new()
        act(sr, "start", uo_dispatcher, comment="Взяли в работу")
        ServiceRequest.objects.filter(pk=sr.pk).update(status=status)
        made[status] = sr
    sr = new()
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    act(sr, "complete", uo_dispatcher, report="Заменён доводчик", comment="Доводчик заменён")
    made[Status.DONE] = sr
    sr = new()
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    act(sr, "complete", uo_dispatcher, report="Заменён доводчик", comment="Доводчик заменён")
    act(sr, "dispute", anna, comment="Дверь так и не закрывается")
    made[Status.CONFLICT] = sr
    sr = new()
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    act(sr, "complete", uo_dispatcher, report="Заменён доводчик", comment="Доводчик заменён")
    act(sr, "reopen", anna, comment="Снова не закрывается")
    made[Status.REOPENED] = sr
    sr = new()
    act(sr, "reject", uo_dispatcher, reject_reason="not_our_zone",
        comment="Дверь подъезда обслуживает ТСЖ «Берёзка»")  # fmt: skip
    made[Status.REJECTED] = sr
    sr = new()
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    act(sr, "complete", uo_dispatcher, report="Заменён доводчик", comment="Доводчик заменён")
    act(sr, "confirm", anna)
    made[Status.CLOSED] = sr
    sr = new()
    act(sr, "withdraw", anna, withdraw_reason="no_longer_relevant")
    made[Status.WITHDRAWN] = sr
    return made


@pytest.mark.req("R4", "R10", "R12")
def test_the_resident_reads_each_status_and_its_next_step(
    page, live_server, shot, file_request, uo_dispatcher, anna, functional_operator
):
    made = requests_in_every_status(file_request, uo_dispatcher, anna, functional_operator)
    assert {status for status in made} == set(Status)
    login(page, live_server, anna)
    page.goto(live_server.url + "/requests/my/")
    page.get_by_text(str(resident_words.STATUSES[Status.ACCEPTED].next)).first.wait_for()
    shot(page, "i12-resident-list")
    for status, sr in made.items():
        page.goto(live_server.url + f"/requests/my/{sr.number}/")
        words = resident_words.STATUSES[status]
        page.locator("[data-status-next]").get_by_text(str(words.next)).wait_for()
        assert page.locator(".badge", has_text=resident_words.status_word(status)).count()
        shot(page, f"i12-resident-card-{status.value}")
    page.goto(live_server.url + f"/requests/my/{made[Status.DONE].number}/")
    page.locator("summary", has_text="Оспорить выполнение").click()
    page.get_by_label("Что не сделано").wait_for()
    shot(page, "i12-resident-card-done-dispute-open")
