"""The deadline control pages (R14, C6) at desktop and phone width: the control body's
overdue list with «без предупреждения» and a proposed new date, and the executor's advance
notice form on the card, filled and sent in the browser (screenshots in var/screenshots/)."""

import datetime as dt

import pytest
from django.utils import timezone

from domovoy.servicedesk import services as sd
from domovoy.servicedesk.models import AdvanceNotice, ServiceRequest

from .test_service_desk_pages import login, no_quiet_hours  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.req("R14"),
]


@pytest.fixture
def watched(no_quiet_hours, file_request, uo_dispatcher):  # noqa: F811
    silent = file_request("water-leak", "Течёт стояк в ванной, вода у соседей снизу")
    warned = file_request("entrance-door", "Сломан доводчик входной двери во 2 подъезде")
    upcoming = file_request("power-yard-light", "Не горит фонарь у 3 подъезда")
    now = timezone.now()
    ServiceRequest.objects.filter(pk=warned.pk).update(deadline_at=now + dt.timedelta(hours=2))
    warned.refresh_from_db()
    sd.advance_notice_file(
        request=warned,
        actor=uo_dispatcher,
        reasons="Нет доводчика у поставщика",
        measures="Заказан доводчик, мастер назначен",
        new_date=timezone.localdate() + dt.timedelta(days=5),
    )
    # Two hours later: both deadlines pass (the notice was about the same deadline).
    past = now - dt.timedelta(minutes=1)
    ServiceRequest.objects.filter(pk__in=[silent.pk, warned.pk]).update(deadline_at=past)
    AdvanceNotice.objects.filter(request=warned).update(deadline_at=past)
    ServiceRequest.objects.filter(pk=upcoming.pk).update(deadline_at=now + dt.timedelta(days=3))
    sd.deadline_watch()
    return silent, warned, upcoming


def test_the_overdue_list_and_the_advance_notice_form(
    page, live_server, shot, controller, uo_dispatcher, watched
):
    silent, warned, upcoming = watched
    login(page, live_server, controller)
    page.goto(live_server.url + "/requests/control/overdue/")
    row = page.locator(f"tr[data-number='{silent.number}']")
    assert "без предупреждения" in row.inner_text()
    assert "новый срок" in page.locator(f"tr[data-number='{warned.number}']").inner_text()
    shot(page, "sd-control-overdue")

    login(page, live_server, uo_dispatcher)
    page.goto(live_server.url + f"/requests/work/{upcoming.number}/")
    page.get_by_role("button", name="Предупредить о срыве срока").click()
    form = page.locator("form[data-action-form='advance-notice']")
    form.get_by_label("Причины срыва срока").fill("Подрядчик не поставил светильник")
    form.get_by_label("Принимаемые меры").fill("Светильник заказан у другого поставщика")
    new_date = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    form.get_by_label("Новый срок устранения").fill(new_date)
    shot(page, "sd-advance-notice-form")
    with page.expect_navigation():
        form.get_by_role("button", name="Отправить предупреждение").click()
    assert "Предупреждение о срыве срока отправлено" in page.content()
    assert AdvanceNotice.objects.filter(request=upcoming, is_late=False).exists()
    shot(page, "sd-advance-notice-sent")


@pytest.mark.req("S8")
def test_the_operator_posts_a_failure_and_the_notice_shows(
    page, live_server, shot, technical_operator, anna
):
    login(page, live_server, technical_operator)
    page.goto(live_server.url + "/requests/failures/")
    now = timezone.localtime()
    page.get_by_label("Начало сбоя").fill((now - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Окончание сбоя").fill(
        (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("Что случилось").fill("Не работал сервер приложений, заявки не принимались")
    page.get_by_label("Остановить сроки заявок на время сбоя").check()
    shot(page, "sd-failure-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Опубликовать сообщение о сбое").click()
    assert "Сообщение о сбое опубликовано" in page.content()
    shot(page, "sd-failures")
    login(page, live_server, anna)
    page.goto(live_server.url + "/requests/my/")
    assert "Сбой системы" in page.locator("main").inner_text()
    shot(page, "sd-failure-banner-resident")
