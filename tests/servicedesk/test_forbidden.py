"""Every forbidden path is refused with a clear error and changes NOTHING: status, version,
executor, deadline, history and notices stay as they were (R4, S2, S7)."""

import datetime as dt

import pytest
from django.utils import timezone

from domovoy.core.errors import ApplicationError, PermissionDeniedError
from domovoy.servicedesk.models import ServiceRequest

from .helpers import act, footprint

pytestmark = [pytest.mark.req("R4"), pytest.mark.django_db]


def started(sr, cast):
    act(sr, "start", cast["uo_dispatcher"], comment="Взяли в работу")


def accepted(sr, cast):
    act(sr, "accept", cast["uo_dispatcher"], comment="Принято")


def done(sr, cast):
    started(sr, cast)
    act(sr, "complete", cast["uo_dispatcher"], report="Готово", comment="Работы выполнены")


def closed(sr, cast):
    done(sr, cast)
    act(sr, "confirm", cast["anna"])


def reopened_with_comment(sr, cast):
    done(sr, cast)
    act(sr, "reopen", cast["anna"], comment="Дверь снова сломалась")


def rated(sr, cast):
    done(sr, cast)
    act(sr, "rate", cast["anna"], rating=4)


def crew_sent(sr, cast):
    ServiceRequest.objects.filter(pk=sr.pk).update(is_emergency=True)  # test data
    act(sr, "dispatch_crew", cast["uo_dispatcher"])


def returned_by_supplier(sr, cast):
    """The request was accepted once, then passed on and returned: status new again."""
    act(sr, "accept", cast["uo_dispatcher"], comment="Принято")
    act(sr, "redirect", cast["uo_dispatcher"], reason="РСО", organization=cast["rso"])
    act(sr, "return_to_uo", cast["rso_dispatcher"], return_reason="outside_zone", reason="Не наше")


def disputed(sr, cast):
    done(sr, cast)
    act(sr, "dispute", cast["anna"], comment="Не сделано")


def deleted(sr, cast):
    act(sr, "delete", cast["anna"])


def nothing(sr, cast):
    pass


PAST = timezone.now() - dt.timedelta(days=1)
FUTURE = timezone.now() + dt.timedelta(days=30)
TODAY = dt.date.today()

CASES = [
    # --- wrong status
    ("accept a closed request", closed, "accept", "uo_dispatcher", {"comment": "x"},
     ApplicationError, "invalid_status"),
    ("complete a new request", nothing, "complete", "uo_dispatcher", {"report": "x"},
     ApplicationError, "invalid_status"),
    ("confirm a request in work", started, "confirm", "anna", {}, ApplicationError,
     "invalid_status"),
    ("verify a request nobody completed", started, "verify", "uo_dispatcher", {},
     ApplicationError, "invalid_status"),
    ("edit an accepted request", accepted, "edit", "anna", {"text": "x"}, ApplicationError,
     "invalid_status"),
    ("edit a request once accepted and returned", returned_by_supplier, "edit", "anna",
     {"text": "Новый текст"}, ApplicationError, "not_accepted_yet"),
    ("withdraw a completed request", done, "withdraw", "anna",
     {"withdraw_reason": "no_longer_relevant"}, ApplicationError, "invalid_status"),
    ("act on a deleted request", deleted, "accept", "uo_dispatcher", {"comment": "x"},
     ApplicationError, "deleted"),
    # --- wrong role or organisation
    ("the resident accepts", nothing, "accept", "anna", {"comment": "x"},
     PermissionDeniedError, "forbidden"),
    ("the call centre accepts", nothing, "accept", "call_operator", {"comment": "x"},
     PermissionDeniedError, "forbidden"),
    ("the executor's staff without a dispatcher role accepts", nothing, "accept",
     "uo_accountant", {"comment": "x"}, PermissionDeniedError, "forbidden"),
    ("another UO accepts", nothing, "accept", "other_uo_dispatcher", {"comment": "x"},
     PermissionDeniedError, "forbidden"),
    ("a supplier not party to it starts", nothing, "start", "rso_dispatcher", {},
     PermissionDeniedError, "forbidden"),
    ("another resident withdraws", nothing, "withdraw", "boris",
     {"withdraw_reason": "no_longer_relevant"}, PermissionDeniedError, "forbidden"),
    ("the dispatcher confirms for the resident", done, "confirm", "uo_dispatcher", {},
     PermissionDeniedError, "forbidden"),
    ("the dispatcher sets the rating", done, "rate", "uo_dispatcher", {"rating": 5},
     PermissionDeniedError, "forbidden"),
    ("the resident sets the deadline", nothing, "set_deadline", "anna",
     {"reason": "x", "deadline": FUTURE}, PermissionDeniedError, "forbidden"),
    ("the executor decides a conflict", disputed, "conflict_close", "uo_dispatcher",
     {"comment": "x"}, PermissionDeniedError, "forbidden"),
    ("the resident decides a conflict", disputed, "conflict_return", "anna",
     {"comment": "x"}, PermissionDeniedError, "forbidden"),
    # --- missing or bad parameters
    ("accept without a public comment", nothing, "accept", "uo_dispatcher", {},
     ApplicationError, "required"),
    ("reject without a public comment", nothing, "reject", "uo_dispatcher",
     {"reject_reason": "not_our_zone"}, ApplicationError, "required"),
    ("postpone without a date", started, "postpone", "uo_dispatcher", {"reason": "x"},
     ApplicationError, "required"),
    ("postpone to today", started, "postpone", "uo_dispatcher", {"reason": "x", "until": TODAY},
     ApplicationError, "invalid"),
    ("extend without a reason", nothing, "extend_deadline", "uo_dispatcher",
     {"deadline": FUTURE}, ApplicationError, "required"),
    ("extend to an earlier date", nothing, "extend_deadline", "uo_dispatcher",
     {"reason": "x", "deadline": lambda sr: sr.deadline_at - dt.timedelta(minutes=5)},
     ApplicationError,
     "not_allowed"),
    ("set a deadline in the past", nothing, "set_deadline", "uo_dispatcher",
     {"reason": "x", "deadline": PAST}, ApplicationError, "invalid"),
    ("change the topic without a reason", nothing, "change_topic", "uo_dispatcher",
     {"topic": None}, ApplicationError, "required"),
    ("redirect to nobody", nothing, "redirect", "uo_dispatcher", {"reason": "x"},
     ApplicationError, "not_allowed"),
    ("complete toward the resident without a public comment", started, "complete",
     "uo_dispatcher", {"report": "Готово"}, ApplicationError, "required"),
    ("complete without a report", started, "complete", "uo_dispatcher", {"comment": "x"},
     ApplicationError, "required"),
    ("withdraw without a reason", nothing, "withdraw", "anna", {}, ApplicationError,
     "required"),
    ("withdraw as deleted", nothing, "withdraw", "anna", {"withdraw_reason": "deleted"},
     ApplicationError, "not_allowed"),
    ("withdraw with a reason that does not exist", nothing, "withdraw", "anna",
     {"withdraw_reason": "bored"}, ApplicationError, "invalid"),
    ("rate 6", done, "rate", "anna", {"rating": 6}, ApplicationError, "invalid"),
    ("rate the same completion twice", rated, "rate", "anna", {"rating": 5},
     ApplicationError, "not_rated_since_completion"),
    ("dispute without a comment", done, "dispute", "anna", {}, ApplicationError, "required"),
    ("reject a reopen that has a reason", reopened_with_comment, "reject", "uo_dispatcher",
     {"reject_reason": "reopen_without_reason", "comment": "x"}, ApplicationError,
     "invalid"),
    ("a crew for a non-emergency request", nothing, "dispatch_crew", "uo_dispatcher", {},
     ApplicationError, "emergency_only"),
    ("a crew recorded twice", crew_sent, "dispatch_crew", "uo_dispatcher", {},
     ApplicationError, "crew_not_yet"),
    ("a parameter the action does not take", nothing, "start", "uo_dispatcher",
     {"rating": 5}, ApplicationError, "unknown_param"),
    ("an action that does not exist", nothing, "teleport", "uo_dispatcher", {},
     ApplicationError, "unknown"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("prepare", "action", "actor", "params", "error", "code"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_it_refuses_and_changes_nothing(
    request, sr, rso, links, prepare, action, actor, params, error, code
):
    names = {"uo_dispatcher", "anna", "rso_dispatcher", actor}
    cast = {name: request.getfixturevalue(name) for name in names}
    cast["rso"] = rso
    prepare(sr, cast)
    before = footprint(sr)
    # A value may depend on the request (a date relative to its deadline, read at run time).
    params = {k: v(sr) if callable(v) else v for k, v in params.items()}
    with pytest.raises(error) as err:
        act(sr, action, cast[actor], **params)
    assert err.value.code == code
    assert err.value.message  # a sentence for the user
    if code in ("required", "invalid"):
        assert err.value.fields and all(err.value.fields.values())
    assert footprint(sr) == before
    fresh = ServiceRequest.objects.get(pk=sr.pk)
    assert fresh.version == sr.version  # the caller's object is not advanced either


def test_the_refusal_names_what_is_missing_and_who_may_act(sr, uo_dispatcher, anna):
    with pytest.raises(ApplicationError) as err:
        act(sr, "reject", uo_dispatcher)
    assert err.value.message == (
        "Для действия «Отклонить» не заполнено: основание отклонения, публичный комментарий"
    )
    assert set(err.value.fields) == {"reject_reason", "comment"}
    with pytest.raises(PermissionDeniedError) as err:
        act(sr, "accept", anna, comment="Сама себе приму")
    assert err.value.status_code == 403
    assert "диспетчер организации-исполнителя" in err.value.message
    with pytest.raises(ApplicationError) as err:
        act(sr, "confirm", anna)
    assert err.value.message == "Действие «Подтвердить и закрыть» недоступно для заявки в " \
        "статусе «Открыто»"  # fmt: skip


@pytest.mark.req("R12")
def test_a_stale_version_is_refused_with_a_conflict(sr, uo_dispatcher, anna):
    seen_by_dispatcher = ServiceRequest.objects.get(pk=sr.pk)
    act(sr, "edit", anna, text="Дверь не закрывается совсем")  # the resident edits meanwhile
    before = footprint(sr)
    with pytest.raises(ApplicationError) as err:
        act(seen_by_dispatcher, "accept", uo_dispatcher, comment="Принято")
    assert err.value.code == "stale" and err.value.status_code == 409
    assert footprint(sr) == before
