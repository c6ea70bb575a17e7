"""Closing by the call centre (R11, U 3.2.1а, 3.2.2г) and the call log (R1)."""

import pytest

from domovoy.core.errors import ApplicationError, PermissionDeniedError
from domovoy.servicedesk import services
from domovoy.servicedesk.models import Call, CallAttempt, Channel
from domovoy.servicedesk.workflow import Status

from .helpers import act, footprint

pytestmark = [pytest.mark.req("R11"), pytest.mark.django_db]


@pytest.fixture
def done(sr, uo_dispatcher):
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    act(sr, "complete", uo_dispatcher, report="Доводчик заменён", comment="Работы выполнены")
    return sr


def call(request, operator, answered):
    return services.call_attempt_log(request=request, actor=operator, answered=answered)


def test_it_closes_after_four_unanswered_calls_but_not_after_three(done, call_operator):
    for _ in range(3):
        call(done, call_operator, answered=False)
    before = footprint(done)
    with pytest.raises(ApplicationError) as err:
        act(
            done,
            "close_by_call_centre",
            call_operator,
            grounds="no_answer",
            comment="Заявитель подтвердил",
        )
    assert "3" in err.value.message and "grounds" in err.value.fields
    assert footprint(done) == before
    call(done, call_operator, answered=False)
    act(
        done,
        "close_by_call_centre",
        call_operator,
        grounds="no_answer",
        comment="Заявитель подтвердил",
    )
    assert done.status == Status.CLOSED
    assert done.events.order_by("-id").first().data["unanswered_calls"] == 4


def test_answered_calls_and_calls_before_the_completion_do_not_count(
    sr, uo_dispatcher, call_operator
):
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    for _ in range(4):
        call(sr, call_operator, answered=False)  # before the work was done
    act(sr, "complete", uo_dispatcher, report="Готово", comment="Работы выполнены")
    for answered in (True, False, False, True):
        call(sr, call_operator, answered=answered)
    with pytest.raises(ApplicationError):
        act(
            sr,
            "close_by_call_centre",
            call_operator,
            grounds="no_answer",
            comment="Заявитель подтвердил",
        )
    assert CallAttempt.objects.filter(request=sr).count() == 8


def test_it_closes_when_the_resident_has_no_claims_about_time_and_quality(done, call_operator):
    with pytest.raises(ApplicationError) as err:
        act(
            done,
            "close_by_call_centre",
            call_operator,
            grounds="confirmed",
            comment="Заявитель подтвердил",
            no_claims_time=True,
        )
    assert set(err.value.fields) == {"no_claims_quality"}
    act(done, "close_by_call_centre", call_operator, grounds="confirmed", no_claims_time=True,
        no_claims_quality=True, comment="Заявитель подтвердил выполнение по телефону")  # fmt: skip
    assert done.status == Status.CLOSED
    data = done.events.order_by("-id").first().data
    assert data["no_claims_time"] is True and data["no_claims_quality"] is True
    assert data["grounds"] == "confirmed"


def test_it_closes_a_request_without_a_phone_but_not_one_with_a_phone(
    building, classifier, call_operator, uo_dispatcher, done, links
):
    no_phone = services.service_request_create(
        building=building, topic=classifier["entrance-door"], text="Дверь не закрывается",
        channel=Channel.CALL_CENTRE, caller_name="Аноним", actor=call_operator,
    )  # fmt: skip
    act(no_phone, "start", uo_dispatcher, comment="Взяли в работу")
    act(no_phone, "complete", uo_dispatcher, report="Отремонтирована", comment="Работы выполнены")
    act(
        no_phone,
        "close_by_call_centre",
        call_operator,
        grounds="no_phone",
        comment="Заявитель подтвердил",
    )
    assert no_phone.status == Status.CLOSED
    with pytest.raises(ApplicationError):
        act(
            done,
            "close_by_call_centre",
            call_operator,
            grounds="no_phone",
            comment="Заявитель подтвердил",
        )
    with pytest.raises(ApplicationError) as err:
        services.call_attempt_log(request=no_phone, actor=call_operator, answered=False)
    assert err.value.code == "no_phone"


def test_only_the_call_centre_closes_on_these_grounds_and_logs_calls(done, uo_dispatcher):
    with pytest.raises(PermissionDeniedError):
        services.call_attempt_log(request=done, actor=uo_dispatcher, answered=False)
    with pytest.raises(PermissionDeniedError) as err:
        act(
            done,
            "close_by_call_centre",
            uo_dispatcher,
            grounds="no_phone",
            comment="Заявитель подтвердил",
        )
    assert "оператор call-центра" in err.value.message


@pytest.mark.req("R1")
def test_every_incoming_call_is_logged_with_its_outcome(sr, call_operator, building):
    created = services.call_register(
        actor=call_operator, outcome="request_created", request=sr, phone="89101234567"
    )
    assert created.building == building and created.phone == "+79101234567"
    services.call_register(actor=call_operator, outcome="consultation", notes="График отключений")
    with pytest.raises(ApplicationError) as err:
        services.call_register(actor=call_operator, outcome="refused")
    assert set(err.value.fields) == {"refusal_reason"}
    with pytest.raises(ApplicationError) as err:
        services.call_register(actor=call_operator, outcome="request_created")
    assert set(err.value.fields) == {"request"}
    assert Call.objects.count() == 2
