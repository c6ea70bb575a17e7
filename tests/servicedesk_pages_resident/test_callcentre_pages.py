"""The call centre through its pages: the caller form and its call log, the search of any
request, the call-back list with call attempts and closing (R1, R11, S2)."""

import pytest
from django.urls import reverse

from domovoy.servicedesk.conversation import comment_add
from domovoy.servicedesk.models import Call, CallAttempt, Channel, ServiceRequest
from domovoy.servicedesk.workflow import Status

from .helpers import act, queries_of, text_of

pytestmark = pytest.mark.django_db

NEW = "servicedesk:callcentre_new"
CALLS = "servicedesk:callcentre_calls"
CALLBACKS = "servicedesk:callcentre_callbacks"
SEARCH = "servicedesk:callcentre_search"


def card_url(sr):
    return reverse("servicedesk:callcentre_request", args=[sr.number])


def attempt(client, sr, answered, **extra):
    return client.post(
        reverse("servicedesk:callcentre_attempt", args=[sr.number]),
        {"answered": "1" if answered else "0", **extra},
    )


def close(client, sr, **params):
    sr.refresh_from_db()
    data = {"close_by_call_centre-version": sr.version}
    params.setdefault("comment", "Заявитель подтвердил выполнение")  # R4: closing is answered
    data.update({f"close_by_call_centre-{k}": v for k, v in params.items()})
    return client.post(
        reverse("servicedesk:callcentre_action", args=[sr.number, "close_by_call_centre"]), data
    )


@pytest.fixture
def done(sr, uo_dispatcher):
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    act(sr, "complete", uo_dispatcher, report="Доводчик заменён", comment="Доводчик заменён")
    sr.refresh_from_db()
    return sr


@pytest.fixture
def flat7(building):
    from tests import factories as f

    premises, _account = f.premises_with_account(building, number="7")
    return premises


# --- The caller form and the call log (R1) ---------------------------------------------------


@pytest.mark.req("R1")
def test_the_call_centre_files_a_request_for_a_caller_and_the_call_records_it(
    client, call_operator, building, flat7, classifier, links
):
    client.force_login(call_operator)
    assert client.get(reverse(NEW)).status_code == 200
    found = client.get(reverse("servicedesk:resident_address_search"), {"q": "советская"})
    assert f'value="{building.pk}"' in text_of(found)
    flats = client.get(reverse("servicedesk:resident_premises_options"), {"building": building.pk})
    assert '<option value="7">' in text_of(flats)

    response = client.post(
        reverse(NEW),
        {
            "phone": "8 (910) 555-44-33",
            "caller_name": "Мария Ивановна",
            "building": building.pk,
            "flat": "7",
            "outcome": "request_created",
            "topic": classifier["water-leak"].pk,
            "text": "Течёт стояк в ванной",
        },
    )
    assert response.status_code == 302
    sr = ServiceRequest.objects.get()
    assert (sr.channel, sr.caller_name, sr.premises, sr.author) == (
        Channel.CALL_CENTRE,
        "Мария Ивановна",
        flat7,
        None,
    )
    call = Call.objects.get()
    assert (call.outcome, call.request, call.operator, call.building) == (
        Call.Outcome.REQUEST_CREATED,
        sr,
        call_operator,
        building,
    )
    assert call.phone == sr.phone
    log = text_of(client.get(reverse(CALLS)))
    assert "Создана заявка" in log and card_url(sr) in log
    assert sr.number in text_of(client.get(reverse(NEW)))  # «my last calls» beside the form


@pytest.mark.req("R1")
def test_a_refused_call_needs_a_reason(client, call_operator, building):
    client.force_login(call_operator)
    data = {"phone": "+79105554433", "building": building.pk, "outcome": "refused"}
    response = client.post(reverse(NEW), data)
    assert response.status_code == 400
    assert "почему заявка не может быть создана" in text_of(response)
    assert not Call.objects.exists()
    data["refusal_reason"] = "Дом обслуживает другая управляющая компания, дан её телефон"
    assert client.post(reverse(NEW), data).status_code == 302
    call = Call.objects.get()
    assert call.outcome == Call.Outcome.REFUSED and call.refusal_reason.startswith("Дом")
    assert not ServiceRequest.objects.exists()


@pytest.mark.req("R1")
def test_a_consultation_is_logged_with_what_the_caller_was_told(client, call_operator):
    client.force_login(call_operator)
    data = {"phone": "+79105554433", "outcome": "consultation"}
    assert client.post(reverse(NEW), data).status_code == 400
    assert not Call.objects.exists()
    data["notes"] = "Плановое отключение горячей воды до 15 июня"
    assert client.post(reverse(NEW), data).status_code == 302
    assert Call.objects.get().outcome == Call.Outcome.CONSULTATION


@pytest.mark.req("R1")
def test_a_request_refused_by_the_intake_leaves_neither_request_nor_call(
    client, call_operator, building, classifier, links
):
    client.force_login(call_operator)
    response = client.post(
        reverse(NEW),
        {
            "phone": "+79105554433",
            "caller_name": "",
            "building": building.pk,
            "outcome": "request_created",
            "topic": classifier["water-leak"].pk,
            "text": "Течёт стояк",
        },
    )
    assert response.status_code == 400
    assert "Укажите, как обращаться к заявителю" in text_of(response)
    assert not ServiceRequest.objects.exists() and not Call.objects.exists()


# --- Search and the request card (S2) ----------------------------------------------------------


@pytest.mark.req("S2")
def test_the_call_centre_finds_any_request_and_reads_only_its_public_comments(
    client, call_operator, sr, uo_dispatcher
):
    comment_add(request=sr, author=uo_dispatcher, text="Мастер придёт в среду", is_public=True)
    comment_add(request=sr, author=uo_dispatcher, text="Нужен доводчик Dorma", is_public=False)
    client.force_login(call_operator)
    serial = str(int(sr.number.split("-")[1]))
    for query in (sr.number, serial, "+7 910 123-45-67", "советская"):
        found = text_of(client.get(reverse(SEARCH), {"q": query}))
        assert card_url(sr) in found, query
    assert card_url(sr) not in text_of(client.get(reverse(SEARCH), {"q": "+79990000000"}))
    card = text_of(client.get(card_url(sr)))
    assert "Мастер придёт в среду" in card and "Dorma" not in card
    assert "на рассмотрении" in card


# --- Call-back list and closing (R11) ------------------------------------------------------


@pytest.mark.req("R11")
def test_the_call_centre_closes_after_four_unanswered_calls_but_not_after_three(
    client, call_operator, done
):
    client.force_login(call_operator)
    callbacks = text_of(client.get(reverse(CALLBACKS)))
    assert card_url(done) in callbacks
    for _ in range(3):
        response = attempt(client, done, answered=False, next="callbacks")
        assert response.status_code == 302 and response["Location"] == reverse(CALLBACKS)
    card = text_of(client.get(card_url(done)))
    assert "Закрыть (call-центр)" in card
    response = close(client, done, grounds="no_answer")
    assert response.status_code == 400
    assert "более чем 3" in text_of(response)
    done.refresh_from_db()
    assert done.status == Status.DONE

    attempt(client, done, answered=False)
    assert close(client, done, grounds="no_answer").status_code == 302
    done.refresh_from_db()
    assert done.status == Status.CLOSED
    assert CallAttempt.objects.filter(request=done, answered=False).count() == 4
    assert card_url(done) not in text_of(client.get(reverse(CALLBACKS)))
    assert "Закрыть (call-центр)" not in text_of(client.get(card_url(done)))


@pytest.mark.req("R11")
def test_closing_on_confirmation_needs_both_no_claims_answers(client, call_operator, done):
    client.force_login(call_operator)
    attempt(client, done, answered=True, note="Заявитель доволен")
    response = close(client, done, grounds="confirmed", no_claims_time="on")
    assert response.status_code == 400
    assert "нет претензий ни к сроку, ни к качеству" in text_of(response)
    done.refresh_from_db()
    assert done.status == Status.DONE
    response = close(client, done, grounds="confirmed", no_claims_time="on", no_claims_quality="on")
    assert response.status_code == 302
    done.refresh_from_db()
    event = done.events.order_by("-id").first()
    assert done.status == Status.CLOSED
    assert (event.data["no_claims_time"], event.data["no_claims_quality"]) == (True, True)


@pytest.mark.req("R11")
def test_a_call_attempt_is_refused_for_a_request_without_a_phone(
    client, call_operator, file_request, uo_dispatcher, boris
):
    sr = file_request(author=boris, phone="")  # Борис has no phone in his profile
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    act(sr, "complete", uo_dispatcher, report="Готово", comment="Готово")
    client.force_login(call_operator)
    response = attempt(client, sr, answered=False)
    assert response.status_code == 400
    assert "нет телефона" in text_of(response)
    assert not CallAttempt.objects.exists()
    assert close(client, sr, grounds="no_phone").status_code == 302
    sr.refresh_from_db()
    assert sr.status == Status.CLOSED


# --- Access ---------------------------------------------------------------------------------


@pytest.mark.req("S2")
def test_a_uo_dispatcher_and_a_resident_get_403_on_the_call_centre_pages(
    client, uo_dispatcher, anna, done
):
    pages = [
        reverse(NEW),
        reverse(CALLS),
        reverse(SEARCH),
        reverse(CALLBACKS),
        card_url(done),
    ]
    for user in (uo_dispatcher, anna):
        client.force_login(user)
        for url in pages:
            assert client.get(url).status_code == 403, (user, url)
        assert attempt(client, done, answered=False).status_code == 403
        assert close(client, done, grounds="no_answer").status_code == 403
    client.force_login(uo_dispatcher)
    search = reverse("servicedesk:resident_address_search")
    assert client.get(search, {"q": "советская"}).status_code == 403
    assert not CallAttempt.objects.exists() and not Call.objects.exists()


# --- Constant queries -------------------------------------------------------------------------


@pytest.mark.req("R11")
def test_the_call_back_list_takes_the_same_queries_for_3_and_20_requests(
    client, call_operator, file_request, uo_dispatcher, django_assert_max_num_queries
):
    def one_done():
        sr = file_request()
        act(sr, "start", uo_dispatcher, comment="Взяли в работу")
        act(sr, "complete", uo_dispatcher, report="Готово", comment="Готово")
        CallAttempt.objects.create(
            request=sr, operator=call_operator, at=sr.done_at, phone=sr.phone, answered=False
        )

    client.force_login(call_operator)
    for _ in range(3):
        one_done()
    few = queries_of(client, reverse(CALLBACKS))
    for _ in range(17):
        one_done()
    with django_assert_max_num_queries(few):
        response = client.get(reverse(CALLBACKS))
    assert text_of(response).count("без ответа: 1") == 20


@pytest.mark.req("R1")
def test_the_call_log_takes_the_same_queries_for_3_and_20_calls(
    client, call_operator, sr, django_assert_max_num_queries
):
    from domovoy.servicedesk import services

    def log(n):
        for i in range(n):
            services.call_register(
                actor=call_operator,
                outcome=Call.Outcome.REQUEST_CREATED if i % 2 else Call.Outcome.CONSULTATION,
                request=sr if i % 2 else None,
                phone="+79105554433",
                notes="Консультация",
            )

    client.force_login(call_operator)
    log(3)
    few = queries_of(client, reverse(CALLS))
    log(17)
    with django_assert_max_num_queries(few):
        response = client.get(reverse(CALLS))
    assert text_of(response).count("+79105554433") == 20
