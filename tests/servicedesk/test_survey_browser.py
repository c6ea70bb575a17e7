"""Browser journey (R13): the resident answers the survey «не удовлетворён», the call centre's
call list records a caller's answer, the control body decides an appeal. Screenshots at 1366
and 390 px go to var/screenshots/. Chromium never leaves 127.0.0.1."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from domovoy.servicedesk import surveys
from domovoy.servicedesk.models import Appeal, Channel
from domovoy.servicedesk.workflow import Status
from tests import factories as f

from .helpers import act


def login(page, live_server, user):
    page.context.clear_cookies()
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


@pytest.mark.req("R13")
@pytest.mark.django_db(transaction=True)
def test_survey_call_list_and_appeal_pages(
    page, shot, live_server, file_request, anna, uo_dispatcher, call_operator, building,
    classifier, control_org,
):  # fmt: skip
    from domovoy.servicedesk import services

    mine = file_request(text="Не закрывается дверь <b>подъезда</b>")
    act(mine, "start", uo_dispatcher, comment="Взяли в работу")
    act(mine, "complete", uo_dispatcher, report="Заменён доводчик",
        comment="Доводчик заменён, дверь закрывается")  # fmt: skip
    act(mine, "confirm", anna)
    caller = services.service_request_create(
        building=building, topic=classifier["entrance-door"], text="Дверь хлопает",
        channel=Channel.CALL_CENTRE, caller_name="Пётр Иванович", phone="+79105550000",
        sms_opt_out=True, actor=call_operator,
    )  # fmt: skip
    act(caller, "start", uo_dispatcher, comment="Взяли в работу")
    act(caller, "complete", uo_dispatcher, report="Починили", comment="Работы выполнены")
    act(caller, "close_by_call_centre", call_operator, grounds="confirmed",
        no_claims_time=True, no_claims_quality=True, comment="Подтвердил")  # fmt: skip
    morning = timezone.localtime() + dt.timedelta(days=1)
    assert surveys.surveys_send(now=morning.replace(hour=9, minute=0)) == 2

    # The resident: the survey page from the card, «не удовлетворён».
    login(page, live_server, anna)
    page.goto(f"{live_server.url}/requests/my/{mine.number}/")
    page.click("text=Пройти опрос")
    page.wait_for_url(f"**/requests/my/{mine.number}/survey/")
    shot(page, "r13-survey")
    page.check("input[name=satisfied][value='0']")
    page.fill("textarea[name=comment]", "Дверь снова хлопает <script>x</script>")
    page.click("text=Отправить ответ")
    page.wait_for_url(f"**/requests/my/{mine.number}/")
    assert page.locator("text=на дополнительном контроле").count() >= 1
    mine.refresh_from_db()
    assert mine.status == Status.REOPENED

    # The call centre: the call list, «удовлетворён» from the call.
    login(page, live_server, call_operator)
    page.goto(f"{live_server.url}/requests/call/surveys/")
    assert page.locator(f"text=№ {caller.number}").count() == 1
    shot(page, "r13-call-list")
    page.click("button[name=satisfied][value='1']")
    page.wait_for_selector("text=записан")

    # The resident appeals the closing of the caller's request? No: the caller has no account —
    # Anna appeals a rejection of her second request; the supervisor upholds it.
    other = file_request(text="Нет света на лестнице")
    act(other, "reject", uo_dispatcher, reject_reason="not_our_zone", comment="Не наш дом",
        reason="Дом у другой УО")  # fmt: skip
    act(other, "appeal", anna, comment="Дом наш: <i>УК Центр</i> обслуживает его пять лет")
    appeal = Appeal.objects.get()
    supervisor = f.employee(control_org, roles=["supervisor"], username="kurator").user
    login(page, live_server, supervisor)
    page.goto(f"{live_server.url}/requests/appeals/")
    page.click(f"text=№ {other.number}")
    page.wait_for_url(f"**/requests/appeals/{appeal.pk}/")
    shot(page, "r13-appeal")
    page.check("input[name=decision][value='appeal_uphold']")
    page.fill("textarea[name=reason]", "Дом в реестре управления за УК Центр")
    page.fill("textarea[name=comment]", "Жалоба обоснована: заявка возвращена исполнителю")
    page.click("text=Принять решение")
    page.wait_for_selector("text=Решение по жалобе принято")
    shot(page, "r13-appeal-decided")
    other.refresh_from_db()
    assert other.status == Status.REOPENED
