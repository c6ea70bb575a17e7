"""The resident's cabinet through its pages: filing, «Мои заявки», the request page with its
timeline, chat and actions, the inbox (R1, R4, R7, R11, R12, N2, S2)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from domovoy.notifications.delivery import deliver_all_due
from domovoy.notifications.models import InboxMessage
from domovoy.servicedesk.models import (
    Attachment,
    Channel,
    Comment,
    ServiceRequest,
)
from domovoy.servicedesk.workflow import Status

from .helpers import act, png, queries_of, text_of

pytestmark = pytest.mark.django_db

MSK = ZoneInfo("Europe/Moscow")
LIST = "servicedesk:resident_list"
NEW = "servicedesk:resident_new"


def detail_url(sr):
    return reverse("servicedesk:resident_detail", args=[sr.number])


def action_url(sr, action):
    return reverse("servicedesk:resident_action", args=[sr.number, action])


def post_action(client, sr, action, **params):
    sr.refresh_from_db()
    data = {f"{action}-version": sr.version}
    data.update({f"{action}-{name}": value for name, value in params.items()})
    return client.post(action_url(sr, action), data)


def done_by_uo(sr, uo_dispatcher):
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    act(sr, "complete", uo_dispatcher, report="Доводчик заменён", comment="Доводчик заменён")
    sr.refresh_from_db()
    return sr


# --- Filing -------------------------------------------------------------------------------


@pytest.mark.req("R1")
@pytest.mark.req("R4")
@pytest.mark.req("R7")
def test_a_resident_files_a_request_with_a_photo_and_sees_it_under_review(
    client, anna, flat, classifier, links
):
    client.force_login(anna)
    form = client.get(reverse(NEW))
    assert form.status_code == 200
    assert "кв. 12" in text_of(form)  # her saved address is offered
    assert "Водоснабжение" in text_of(form)  # the classifier's groups

    response = client.post(
        reverse(NEW),
        {
            "address": str(flat.pk),
            "topic": classifier["water-leak"].pk,
            "text": "Течёт труба под раковиной",
            "phone": "+7 910 123-45-67",
            "files": [png()],
        },
    )
    sr = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(sr)
    assert (sr.author, sr.channel, sr.building, sr.premises) == (
        anna,
        Channel.WEB,
        flat.building,
        flat,
    )
    assert sr.phone == "+79101234567"
    comment = Comment.objects.get(request=sr)
    assert comment.is_public and comment.author == anna
    attachment = Attachment.objects.get(request=sr)
    assert attachment.original_name == "leak.png" and attachment.thumbnail

    listing = text_of(client.get(reverse(LIST)))
    assert sr.number in listing and "на рассмотрении" in listing
    assert "Открыто" not in listing  # never the internal status name (R4)

    page = client.get(detail_url(sr))
    body = text_of(page)
    assert "Заявка подана" in body and "на рассмотрении" in body
    file_url = reverse("servicedesk:resident_attachment", args=[sr.number, attachment.pk])
    assert f"{file_url}?thumb=1" in body
    thumb = client.get(file_url, {"thumb": 1})
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"


@pytest.mark.req("R1")
def test_a_resident_files_for_an_address_found_by_typing(client, anna, building, classifier, links):
    client.force_login(anna)
    found = client.get(reverse("servicedesk:resident_address_search"), {"q": "советская"})
    assert found.status_code == 200 and f'value="{building.pk}"' in text_of(found)
    nothing = client.get(reverse("servicedesk:resident_address_search"), {"q": "нетакойулицы"})
    assert "Дом не найден" in text_of(nothing)

    response = client.post(
        reverse(NEW),
        {
            "address": "search",
            "building": building.pk,
            "flat": "",
            "topic": classifier["entrance-door"].pk,
            "text": "Не закрывается дверь подъезда",
        },
    )
    assert response.status_code == 302
    sr = ServiceRequest.objects.get()
    assert sr.building == building and sr.premises is None and sr.author == anna


@pytest.mark.req("R1")
@pytest.mark.req("R7")
def test_it_refuses_a_disguised_photo_and_stores_nothing(
    client, anna, flat, classifier, links, settings
):
    client.force_login(anna)
    fake = SimpleUploadedFile("photo.jpg", b"#!/bin/sh\necho hi\n", content_type="image/jpeg")
    response = client.post(
        reverse(NEW),
        {
            "address": str(flat.pk),
            "topic": classifier["water-leak"].pk,
            "text": "Течёт труба",
            "files": [fake],
        },
    )
    assert response.status_code == 400
    assert "содержимое файла не соответствует" in text_of(response)
    assert not ServiceRequest.objects.exists()
    assert not Attachment.objects.exists()


@pytest.mark.req("R1")
def test_it_refuses_a_group_instead_of_a_topic_and_an_unknown_flat(
    client, anna, building, classifier, links
):
    client.force_login(anna)
    response = client.post(
        reverse(NEW),
        {
            "address": "search",
            "building": building.pk,
            "flat": "999",
            "topic": classifier["water"].pk,  # a group, not a topic
            "text": "Что-то с водой",
        },
    )
    assert response.status_code == 400
    body = text_of(response)
    assert "нет помещения «999»" in body
    assert not ServiceRequest.objects.exists()
    response = client.post(
        reverse(NEW),
        {
            "address": "search",
            "building": building.pk,
            "topic": classifier["water"].pk,
            "text": "x",
        },
    )
    assert response.status_code == 400
    assert "Выберите тему из списка" in text_of(response)
    assert not ServiceRequest.objects.exists()


# --- Access (S2) --------------------------------------------------------------------------


@pytest.mark.req("S2")
def test_another_resident_gets_404_on_someone_elses_request(client, sr, boris):
    client.force_login(boris)
    assert client.get(detail_url(sr)).status_code == 404
    assert (
        post_action(client, sr, "withdraw", withdraw_reason="no_longer_relevant").status_code == 404
    )
    assert (
        client.post(
            reverse("servicedesk:resident_comment", args=[sr.number]), {"text": "Привет"}
        ).status_code
        == 404
    )
    assert sr.number not in text_of(client.get(reverse(LIST)))
    sr.refresh_from_db()
    assert sr.status == Status.NEW and not Comment.objects.exists()


@pytest.mark.req("S2")
def test_staff_get_403_and_visitors_the_login_page_in_the_cabinet(client, sr, uo_dispatcher):
    for name, args in ((LIST, []), (NEW, [])):
        assert client.get(reverse(name, args=args)).status_code == 302
    # The old inbox is the engine's now, which asks visitors to sign in (N2).
    assert client.get(reverse("servicedesk:resident_inbox"), follow=True).redirect_chain == [
        (reverse("notifications:inbox"), 301),
        (f"{reverse('login')}?next={reverse('notifications:inbox')}", 302),
    ]
    client.force_login(uo_dispatcher)
    assert client.get(reverse(LIST)).status_code == 403
    assert client.get(reverse(NEW)).status_code == 403
    assert client.get(detail_url(sr)).status_code == 403


# --- Actions (R11, R12) --------------------------------------------------------------------


@pytest.mark.req("R12")
def test_the_resident_rates_1_and_the_request_returns_to_work(client, sr, anna, uo_dispatcher):
    client.force_login(anna)
    assert 'name="rate-rating"' not in text_of(client.get(detail_url(sr)))  # not done yet
    done_by_uo(sr, uo_dispatcher)
    page = text_of(client.get(detail_url(sr)))
    assert 'name="rate-rating"' in page and "★★★★★" in page
    assert "Подтвердить выполнение" in page

    response = post_action(client, sr, "rate", rating=1, comment="Дверь опять не закрывается")
    assert response.status_code == 302
    sr.refresh_from_db()
    assert (sr.status, sr.rating) == (Status.REOPENED, 1)
    listing = text_of(client.get(reverse(LIST)))
    assert "в работе" in listing
    assert "Оценка работы: ★" in text_of(client.get(detail_url(sr)))


@pytest.mark.req("R12")
def test_withdrawal_needs_a_reason(client, sr, anna):
    client.force_login(anna)
    page = text_of(client.get(detail_url(sr)))
    assert "Отозвать" in page and "Удалена заявителем" not in page
    response = post_action(client, sr, "withdraw", withdraw_reason="")
    assert response.status_code == 400
    assert "Обязательное поле" in text_of(response)
    sr.refresh_from_db()
    assert sr.status == Status.NEW

    response = post_action(client, sr, "withdraw", withdraw_reason="already_done")
    assert response.status_code == 302
    sr.refresh_from_db()
    assert (sr.status, sr.withdraw_reason) == (Status.WITHDRAWN, "already_done")
    assert "заявка закрыта" in text_of(client.get(reverse(LIST)))


@pytest.mark.req("R12")
def test_the_resident_edits_while_new_and_the_service_refuses_after_acceptance(
    client, sr, anna, uo_dispatcher
):
    client.force_login(anna)
    response = post_action(client, sr, "edit", text="Доводчик сломан и дверь хлопает", phone="")
    assert response.status_code == 302
    assert "Заявка изменена" in text_of(client.get(response["Location"]))
    sr.refresh_from_db()
    assert sr.text == "Доводчик сломан и дверь хлопает"
    stale_version = sr.version
    act(sr, "accept", uo_dispatcher, comment="Принята, мастер придёт завтра")
    assert 'name="edit-text"' not in text_of(client.get(detail_url(sr)))
    response = client.post(
        action_url(sr, "edit"), {"edit-version": stale_version, "edit-text": "Другой текст"}
    )
    assert response.status_code == 409
    assert "только что изменил другой пользователь" in text_of(response)
    sr.refresh_from_db()
    response = post_action(client, sr, "edit", text="Другой текст")
    assert response.status_code == 409  # the request's state, as the API answers
    assert "сейчас недоступно: заявка «на рассмотрении»" in text_of(response)
    assert "Принято" not in text_of(response)  # the internal status stays internal (R4)
    sr.refresh_from_db()
    assert sr.text == "Доводчик сломан и дверь хлопает"


@pytest.mark.req("R12")
def test_the_resident_deletes_an_unaccepted_request_and_it_leaves_the_list(client, sr, anna):
    client.force_login(anna)
    response = post_action(client, sr, "delete")
    assert response.status_code == 302 and response["Location"] == reverse(LIST)
    sr.refresh_from_db()
    assert sr.is_deleted and sr.status == Status.WITHDRAWN
    assert sr.number not in text_of(client.get(reverse(LIST)))
    assert client.get(detail_url(sr)).status_code == 404


@pytest.mark.req("R11")
def test_the_resident_confirms_the_completion_and_closes_it(client, sr, anna, uo_dispatcher):
    done_by_uo(sr, uo_dispatcher)
    client.force_login(anna)
    assert post_action(client, sr, "confirm", comment="Спасибо").status_code == 302
    sr.refresh_from_db()
    assert sr.status == Status.CLOSED
    assert "заявка закрыта" in text_of(client.get(detail_url(sr)))


@pytest.mark.req("R12")
def test_a_reopen_after_closing_is_offered_and_recorded_with_its_comment(
    client, sr, anna, uo_dispatcher
):
    done_by_uo(sr, uo_dispatcher)
    client.force_login(anna)
    post_action(client, sr, "confirm")
    response = post_action(client, sr, "reopen", comment="Снова сломалось")
    assert response.status_code == 302
    sr.refresh_from_db()
    assert sr.status == Status.REOPENED
    page = text_of(client.get(detail_url(sr)))
    assert "Заявка возвращена на доработку" in page and "Снова сломалось" in page


@pytest.mark.req("R4")
def test_an_action_the_workflow_does_not_allow_is_refused_with_its_message(client, sr, anna):
    client.force_login(anna)
    response = post_action(client, sr, "accept", comment="Сам себе принял")
    assert response.status_code == 403
    assert "может выполнить только" in text_of(response)
    sr.refresh_from_db()
    assert sr.status == Status.NEW


# --- Timeline, final answer, chat (R4, R7) --------------------------------------------------


@pytest.mark.req("R4")
def test_the_timeline_shows_public_steps_and_hides_internal_reasons(
    client, sr, anna, uo_dispatcher
):
    act(sr, "accept", uo_dispatcher, comment="Мастер придёт завтра")
    act(sr, "extend_deadline", uo_dispatcher, reason="Ждём запчасть от поставщика",
        deadline="2099-01-10T12:00")  # fmt: skip
    client.force_login(anna)
    page = text_of(client.get(detail_url(sr)))
    assert "Заявка принята исполнителем" in page and "Мастер придёт завтра" in page
    assert "Ждём запчасть" not in page
    assert str(uo_dispatcher) not in page  # staff names stay inside the organisations


@pytest.mark.req("R4")
def test_the_resident_sees_the_controllers_final_answer(
    client, sr, anna, uo_dispatcher, contractor, contractor_dispatcher
):
    act(sr, "redirect", uo_dispatcher, organization=contractor, keep_control=True,
        reason="Ремонт дверей делает подрядчик")  # fmt: skip
    act(sr, "start", contractor_dispatcher, comment="Взяли в работу")
    act(sr, "complete", contractor_dispatcher, report="Заменён доводчик")
    act(sr, "moderation_approve", uo_dispatcher, comment="Доводчик заменён, дверь закрывается")
    client.force_login(anna)
    page = text_of(client.get(detail_url(sr)))
    assert "Итоговый ответ" in page and "Доводчик заменён, дверь закрывается" in page
    assert "на контроле" in page


@pytest.mark.req("R7")
@pytest.mark.req("R12")
def test_the_resident_talks_with_the_executor_and_never_sees_internal_notes(
    client, sr, anna, uo_dispatcher
):
    from domovoy.servicedesk.conversation import comment_add

    client.force_login(anna)
    response = client.post(
        reverse("servicedesk:resident_comment", args=[sr.number]),
        {"text": "Дверь хлопает ночью", "files": [png("door.png")]},
    )
    assert response.status_code == 302
    comment_add(request=sr, author=uo_dispatcher, text="Придём в среду", is_public=True)
    comment_add(request=sr, author=uo_dispatcher, text="Нужен доводчик Dorma", is_public=False)
    page = text_of(client.get(detail_url(sr)))
    assert "Дверь хлопает ночью" in page and "Придём в среду" in page
    assert "Dorma" not in page
    empty = client.post(reverse("servicedesk:resident_comment", args=[sr.number]), {"text": ""})
    assert empty.status_code == 400
    assert Comment.objects.filter(request=sr).count() == 3


# --- Inbox (N2) -----------------------------------------------------------------------------


@pytest.fixture
def noon(time_machine):
    """Working hours: the engine delivers request notices at once (none in 22:00–08:00)."""
    time_machine.move_to(dt.datetime(2026, 12, 1, 12, 0, tzinfo=MSK), tick=False)
    return time_machine


def unread_of(user):
    return InboxMessage.objects.filter(recipient=user, read_at__isnull=True)


@pytest.mark.req("N2")
def test_status_notices_reach_the_one_inbox_and_opening_the_request_reads_them(
    noon, client, sr, file_request, anna, uo_dispatcher
):
    other = file_request(text="Не горит лампа на 3 этаже")
    act(sr, "start", uo_dispatcher, comment="Мастер уже выехал")
    deliver_all_due()  # the engine's worker (scheduled on commit in production)
    assert unread_of(anna).count() == 3  # two filed, then «в работе»
    client.force_login(anna)
    listing = client.get(reverse(LIST)).content.decode()
    # «Уведомления» on «Мои заявки» is the engine's inbox, with its unread count.
    assert f'href="{reverse("notifications:inbox")}"' in listing
    assert 'text-bg-danger">3</span>' in listing
    inbox = text_of(client.get(reverse("notifications:inbox")))
    assert f"Заявка № {sr.number}: в работе" in inbox and "Мастер уже выехал" in inbox
    assert f"Заявка № {other.number}: на рассмотрении" in inbox
    # Old links land in the one inbox, permanently.
    for old in (reverse("servicedesk:resident_inbox"), "/requests/my/inbox/"):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, "/notifications/")
    response = client.post(reverse("servicedesk:resident_inbox_read"), {"notice": 1})
    assert (response.status_code, response["Location"]) == (301, "/notifications/")
    assert unread_of(anna).count() == 3  # the old route marks nothing
    # One read through the engine's page, the rest of the request by opening it.
    message = unread_of(anna).filter(body__contains="Мастер уже выехал").get()
    opened = client.post(reverse("notifications:mark-read", args=[message.pk]), {"open": "1"})
    assert opened["Location"] == detail_url(sr)
    assert unread_of(anna).count() == 2
    page = text_of(client.get(detail_url(sr)))
    assert "в работе" in page
    assert list(unread_of(anna).values_list("subject", flat=True)) == [
        f"Заявка № {other.number}: на рассмотрении"
    ]  # another request's notice stays unread


@pytest.mark.req("N2")
def test_a_change_at_night_is_on_the_request_page_at_once_and_in_the_inbox_at_8(
    time_machine, client, file_request, anna, uo_dispatcher
):
    time_machine.move_to(dt.datetime(2026, 12, 1, 21, 0, tzinfo=MSK), tick=False)
    sr = file_request()
    deliver_all_due()
    time_machine.move_to(dt.datetime(2026, 12, 1, 23, 30, tzinfo=MSK), tick=False)
    act(sr, "start", uo_dispatcher, comment="Аварийная бригада выехала")
    deliver_all_due()
    client.force_login(anna)
    # The request page reads the request: the new status is there at once...
    page = text_of(client.get(detail_url(sr)))
    assert "в работе" in page and "Аварийная бригада выехала" in page
    # ...the notice waits for the end of quiet hours (the engine's rule for every notice).
    assert not InboxMessage.objects.filter(body__contains="Аварийная бригада").exists()
    time_machine.move_to(dt.datetime(2026, 12, 2, 8, 0, tzinfo=MSK), tick=False)
    deliver_all_due()
    message = InboxMessage.objects.get(body__contains="Аварийная бригада")
    assert message.recipient == anna and message.read_at is None
    assert message.created_at == dt.datetime(2026, 12, 2, 8, 0, tzinfo=MSK)


# --- Constant queries -------------------------------------------------------------------------


@pytest.mark.req("R4")
def test_my_requests_take_the_same_number_of_queries_for_3_and_20_requests(
    client, anna, file_request, django_assert_max_num_queries
):
    client.force_login(anna)
    for _ in range(3):
        file_request()
    few = queries_of(client, reverse(LIST))
    for _ in range(17):
        file_request()
    with django_assert_max_num_queries(few):
        response = client.get(reverse(LIST))
    assert text_of(response).count("на рассмотрении") == 20
