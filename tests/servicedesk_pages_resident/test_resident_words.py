"""Issue 12 item 4: the resident's words, written once (``servicedesk.resident_words``), read
by the resident's pages, notices and the API; staff keep the table's terms (R4, R10, R12, N2)."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from domovoy.servicedesk import permissions as who
from domovoy.servicedesk import resident_words
from domovoy.servicedesk.workflow import TRANSITIONS, Action, Status

from .helpers import act, text_of

pytestmark = pytest.mark.django_db

LIST = reverse("servicedesk:resident_list")


def detail(sr):
    return reverse("servicedesk:resident_detail", args=[sr.number])


def post_action(client, sr, action, **params):
    sr.refresh_from_db()
    data = {f"{action}-version": sr.version}
    data.update({f"{action}-{name}": value for name, value in params.items()})
    return client.post(reverse("servicedesk:resident_action", args=[sr.number, action]), data)


def visible(html: str) -> str:
    """The page's text without tags (what the resident reads)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def done(sr, uo_dispatcher):
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    act(sr, "complete", uo_dispatcher, report="Доводчик заменён", comment="Доводчик заменён")
    sr.refresh_from_db()
    return sr


# --- The table covers the workflow ----------------------------------------------------------


@pytest.mark.req("R4")
def test_every_status_has_a_word_and_a_next_step_line():
    for status in Status:
        words = resident_words.STATUSES[status]
        assert str(words.word) and str(words.next), status
        assert len(str(words.word)) <= 30  # a badge, not a sentence
    assert resident_words.status_word(Status.NEW) == "на рассмотрении"
    assert resident_words.status_word(Status.ACCEPTED) == "на рассмотрении"  # R4's default
    assert resident_words.status_next(Status.NEW) != resident_words.status_next(Status.ACCEPTED)


@pytest.mark.req("R4", "R12")
def test_every_action_of_the_resident_has_a_button_a_line_and_a_message():
    theirs = {t.action for t in TRANSITIONS if who.AUTHOR in t.who}
    assert theirs == set(resident_words.ACTIONS)
    for action in theirs:
        words = resident_words.ACTIONS[action]
        assert str(words.button) and str(words.hint) and str(words.done), action
        transition = next(t for t in TRANSITIONS if t.action == action)
        takes_comment = "comment" in (*transition.requires, *transition.optional)
        assert bool(words.comment) == takes_comment, action
    assert set(resident_words.HAPPENED) == set(Action)


# --- Pages ----------------------------------------------------------------------------------


@pytest.mark.req("R4")
def test_after_acceptance_the_list_says_the_executor_accepted_it(client, sr, anna, uo_dispatcher):
    client.force_login(anna)
    listing = visible(text_of(client.get(LIST)))
    assert "на рассмотрении" in listing and "Исполнитель ещё не принял заявку" in listing
    act(sr, "accept", uo_dispatcher, comment="Мастер придёт завтра")
    listing = visible(text_of(client.get(LIST)))
    assert "на рассмотрении" in listing
    assert "Исполнитель принял заявку и готовит работы" in listing
    assert "ещё не принял" not in listing
    page = visible(text_of(client.get(detail(sr))))
    assert "Исполнитель принял заявку и готовит работы" in page


@pytest.mark.req("R4", "R10", "R12")
def test_a_done_request_reads_awaiting_confirmation_with_buttons_that_say_who_gets_it_next(
    client, sr, anna, uo_dispatcher
):
    done(sr, uo_dispatcher)
    client.force_login(anna)
    html = text_of(client.get(detail(sr)))
    page = visible(html)
    assert "выполнено, ждёт подтверждения" in page and "на контроле" not in page
    assert "Подтвердите выполнение или оспорьте" in page
    # Dispute and reopen: one goes to the functional operator, the other back to the executor.
    assert "Оспорить выполнение" in page and "разберёт функциональный оператор" in page
    assert "Вернуть на доработку" in page and "тому же исполнителю" in page
    for action in ("confirm", "dispute", "reopen", "rate"):
        assert f'data-action-hint="{action}"' in html
    assert "Что не сделано" in page and "Что не так" in page
    # The staff terms never reach the resident (R4).
    assert "убличный комментарий" not in page
    assert "Подтвердить и закрыть" not in page and "Переоткрыть" not in page


@pytest.mark.req("R10", "R12")
def test_success_messages_say_what_happened_in_the_residents_words(client, sr, anna, uo_dispatcher):
    done(sr, uo_dispatcher)
    client.force_login(anna)
    response = post_action(client, sr, "dispute", comment="Дверь не закрывается")
    page = visible(text_of(client.get(response["Location"])))
    assert "Вы оспорили выполнение: спор разберёт функциональный оператор." in page
    assert "на контроле" in page and "функциональный оператор разберёт спор" in page
    assert "«Выполнено»: выполнено" not in page


@pytest.mark.req("R12")
def test_rating_one_says_the_request_went_back_for_rework(client, sr, anna, uo_dispatcher):
    done(sr, uo_dispatcher)
    client.force_login(anna)
    response = post_action(client, sr, "rate", rating=1)
    page = visible(text_of(client.get(response["Location"])))
    assert "Оценка «1»: заявка возвращена исполнителю на доработку." in page
    sr.refresh_from_db()
    assert sr.status == Status.REOPENED


@pytest.mark.req("R4", "R12")
def test_a_refused_action_is_told_in_the_residents_words(client, sr, anna, uo_dispatcher):
    act(sr, "accept", uo_dispatcher, comment="Приняли")
    client.force_login(anna)
    response = post_action(client, sr, "delete")
    assert response.status_code == 409
    page = visible(text_of(response))
    assert "Удалить заявку" in page and "на рассмотрении" in page


@pytest.mark.req("R4")
def test_staff_keep_the_tables_terms_and_read_what_happened(client, sr, uo_dispatcher):
    client.force_login(uo_dispatcher)
    page = visible(text_of(client.get(reverse("servicedesk:staff_detail", args=[sr.number]))))
    assert "Публичный комментарий" in page  # staff still write a public comment
    assert "Оспорить выполнение" not in page
    sr.refresh_from_db()
    response = client.post(
        reverse("servicedesk:staff_action", args=[sr.number, "start"]),
        {"start-version": sr.version, "start-comment": "Взяли в работу"},
        follow=True,
    )
    page = visible(text_of(response))
    assert f"Заявка № {sr.number}: заявка взята в работу. Статус — «В работе»." in page
    assert ": выполнено." not in page


# --- Notices and the API ----------------------------------------------------------------------


@pytest.mark.req("N2", "R4")
def test_the_completion_notice_tells_the_resident_what_to_do(sr, anna, uo_dispatcher):
    from tests.servicedesk.helpers import notices

    done(sr, uo_dispatcher)
    notice = notices(sr)[-1]
    assert notice.subject == f"Заявка № {sr.number}: выполнено, ждёт подтверждения"
    assert notice.body == (
        "Доводчик заменён\n"
        "Исполнитель сообщил, что работы выполнены. Подтвердите выполнение или оспорьте его; "
        "call-центр может позвонить вам и закрыть заявку с ваших слов."
    )


@pytest.mark.req("R4", "R12")
def test_the_api_gives_the_author_the_residents_words_and_staff_the_tables(sr, anna, uo_dispatcher):
    done(sr, uo_dispatcher)
    resident = APIClient()
    resident.force_authenticate(anna)
    body = resident.get(f"/api/v1/requests/{sr.pk}/").json()
    assert body["resident_status"] == "выполнено, ждёт подтверждения"
    assert body["resident_status_next"].startswith("Исполнитель сообщил, что работы выполнены")
    assert body["history"][-1]["resident_status_next"] == body["resident_status_next"]
    actions = {a["action"]: a for a in body["actions"]}
    dispute = actions["dispute"]
    assert (dispute["label"], dispute["done_message"]) == (
        "Оспорить выполнение",
        "Вы оспорили выполнение: спор разберёт функциональный оператор.",
    )
    assert "функциональный оператор" in dispute["hint"]
    assert dispute["params"][0]["label"] == "Что не сделано"
    listing = resident.get("/api/v1/requests/").json()["results"][0]
    assert listing["resident_status_next"] == body["resident_status_next"]

    act(sr, "reopen", anna, comment="Снова сломалось")
    staff = APIClient()
    staff.force_authenticate(uo_dispatcher)
    staff_actions = {a["action"]: a for a in staff.get(f"/api/v1/requests/{sr.pk}/actions/").json()}
    accept = staff_actions["accept"]
    assert (accept["label"], accept["hint"], accept["done_message"]) == ("Принять", "", "")
    assert accept["params"][0]["label"] == "публичный комментарий"
