"""The next-morning satisfaction survey, «не удовлетворён» → additional control, and the appeal
of a rejection or a closing decided by the control body (R13; regulation 004, M 115.бел)."""

import pytest
import time_machine

from domovoy.core.errors import Conflict, Forbidden
from domovoy.notifications.models import Notice
from domovoy.servicedesk import surveys
from domovoy.servicedesk.models import Appeal, Channel, RequestEvent, Survey
from domovoy.servicedesk.tasks import send_surveys_periodic
from domovoy.servicedesk.workflow import Status
from tests import factories as f

from .helpers import act, at

pytestmark = [pytest.mark.django_db, pytest.mark.req("R13")]


def close(request, executor, resident):
    act(request, "start", executor, comment="Взяли в работу")
    act(request, "complete", executor, report="Заменён доводчик", comment="Работы выполнены")
    act(request, "confirm", resident)
    return request


@pytest.fixture
def closed_yesterday(sr, uo_dispatcher, anna):
    """Anna's request, closed on Sunday 2026-12-06 at 15:00 MSK."""
    with time_machine.travel(at(2026, 12, 6, 15, 0), tick=False):
        return close(sr, uo_dispatcher, anna)


def file_caller_request(building, classifier, call_operator, uo_dispatcher):
    """A caller filed by the call centre: a phone, no account, no SMS («не присылать SMS»),
    closed on Sunday 2026-12-06 by the call centre."""
    from domovoy.servicedesk import services

    with time_machine.travel(at(2026, 12, 6, 10, 0), tick=False):
        request = services.service_request_create(
            building=building, topic=classifier["entrance-door"], text="Дверь не закрывается",
            channel=Channel.CALL_CENTRE, caller_name="Пётр", phone="+79105550000",
            sms_opt_out=True, actor=call_operator,
        )  # fmt: skip
        act(request, "start", uo_dispatcher, comment="Взяли в работу")
        act(request, "complete", uo_dispatcher, report="Починили", comment="Работы выполнены")
        act(request, "close_by_call_centre", call_operator, grounds="confirmed",
            no_claims_time=True, no_claims_quality=True,
            comment="Заявитель подтвердил по телефону")  # fmt: skip
    return request


@pytest.fixture
def caller_request(building, classifier, call_operator, uo_dispatcher, links):
    return file_caller_request(building, classifier, call_operator, uo_dispatcher)


def survey_notices(request):
    return Notice.objects.filter(kind=surveys.KIND_SURVEY, group=f"request:{request.pk}")


def test_a_request_closed_yesterday_gets_the_survey_at_the_morning_hour_once(
    closed_yesterday, settings
):
    settings.SERVICEDESK_SURVEY_HOUR = 9
    with time_machine.travel(at(2026, 12, 7, 8, 50), tick=False):
        send_surveys_periodic()
    assert not Survey.objects.exists()  # before the hour: nothing
    with time_machine.travel(at(2026, 12, 7, 9, 0), tick=False):
        send_surveys_periodic()
    survey = Survey.objects.get()
    assert survey.request == closed_yesterday and survey.delivery == Survey.Delivery.NOTICE
    inbox = survey_notices(closed_yesterday).get(channel="inbox")
    assert inbox.recipient == closed_yesterday.author
    assert inbox.url == f"/requests/my/{closed_yesterday.number}/survey/"
    assert "оцените результат" in inbox.subject
    channels = set(survey_notices(closed_yesterday).values_list("channel", flat=True))
    assert channels == {"inbox", "email"}  # Anna's default channels: one notice per channel
    count = survey_notices(closed_yesterday).count()
    for moment in (at(2026, 12, 7, 9, 10), at(2026, 12, 7, 15, 0)):
        with time_machine.travel(moment, tick=False):
            send_surveys_periodic()
    assert Survey.objects.count() == 1 and survey_notices(closed_yesterday).count() == count


def test_requests_closed_today_or_the_day_before_yesterday_are_not_surveyed(
    file_request, uo_dispatcher, anna
):
    for moment in (at(2026, 12, 5, 23, 59), at(2026, 12, 7, 0, 5)):
        with time_machine.travel(moment, tick=False):
            close(file_request(), uo_dispatcher, anna)
    with time_machine.travel(at(2026, 12, 7, 9, 30), tick=False):
        assert surveys.surveys_send() == 0


def test_a_resident_without_channels_lands_on_the_call_list(caller_request, call_operator):
    with time_machine.travel(at(2026, 12, 7, 9, 0), tick=False):
        assert surveys.surveys_send() == 1
    survey = Survey.objects.get()
    assert survey.delivery == Survey.Delivery.CALL
    assert not Notice.objects.filter(kind=surveys.KIND_SURVEY).exists()
    assert list(surveys.call_list()) == [survey]
    # The operator records the caller's answer: satisfied; the request stays closed.
    surveys.survey_answer(request=caller_request, actor=call_operator, satisfied=True, via="call")
    survey.refresh_from_db()
    assert survey.satisfied is True and survey.answered_by == call_operator
    assert list(surveys.call_list()) == []
    caller_request.refresh_from_db()
    assert caller_request.status == Status.CLOSED


def test_not_satisfied_returns_the_request_to_work_on_additional_control(
    closed_yesterday, anna, uo, uo_dispatcher
):
    with time_machine.travel(at(2026, 12, 7, 9, 0), tick=False):
        surveys.surveys_send()
    assert surveys.open_survey(closed_yesterday) is not None
    surveys.survey_answer(
        request=closed_yesterday, actor=anna, satisfied="0", comment="Дверь снова хлопает",
        via="cabinet",
    )  # fmt: skip
    closed_yesterday.refresh_from_db()
    assert closed_yesterday.status == Status.REOPENED and closed_yesterday.closed_at is None
    assert surveys.on_additional_control(closed_yesterday)
    event = RequestEvent.objects.filter(request=closed_yesterday).latest("id")
    assert event.action == "survey_return" and event.data["additional_control"] is True
    assert event.comment == "Дверь снова хлопает"
    # The executor takes it again; the statistics count one unsatisfied answer.
    act(closed_yesterday, "start", uo_dispatcher, comment="Доделываем")
    import datetime as dt

    stats = surveys.satisfaction_by_organization(
        since=dt.date(2026, 12, 1), until=dt.date(2026, 12, 31)
    )
    assert stats == [
        {"organization_id": uo.pk, "organization": uo.short_name, "answered": 1, "satisfied": 0,
         "unsatisfied": 1, "share": 0.0},
    ]  # fmt: skip
    with pytest.raises(Conflict):  # answered once; the request is no longer closed
        surveys.survey_answer(request=closed_yesterday, actor=anna, satisfied=True, via="cabinet")


def test_the_survey_return_is_no_button_of_its_own(closed_yesterday, anna):
    from domovoy.servicedesk import services

    with time_machine.travel(at(2026, 12, 7, 9, 0), tick=False):
        surveys.surveys_send()
    names = {t.action.value for t in services.allowed_actions(closed_yesterday, anna)}
    assert "survey_return" not in names
    with pytest.raises(Conflict):
        act(closed_yesterday, "survey_return", anna, comment="Без опроса")


def test_another_resident_or_an_executor_cannot_answer_the_survey(
    closed_yesterday, boris, uo_dispatcher
):
    with time_machine.travel(at(2026, 12, 7, 9, 0), tick=False):
        surveys.surveys_send()
    for intruder in (boris, uo_dispatcher):
        with pytest.raises(Forbidden):
            surveys.survey_answer(
                request=closed_yesterday, actor=intruder, satisfied=False, via="cabinet"
            )
    closed_yesterday.refresh_from_db()
    assert closed_yesterday.status == Status.CLOSED
    assert Survey.objects.get().answered_at is None


# --- Appeals -------------------------------------------------------------------------------


@pytest.fixture
def supervisor(control_org):
    return f.employee(control_org, roles=["supervisor"], username="kurator").user


@pytest.fixture
def rejected(sr, uo_dispatcher):
    act(sr, "reject", uo_dispatcher, reject_reason="not_our_zone", comment="Не наш дом",
        reason="Дом обслуживает другая УО")  # fmt: skip
    return sr


def test_an_appeal_of_a_rejection_upheld_by_the_control_body_goes_back_to_work(
    rejected, anna, supervisor, frozen
):
    act(rejected, "appeal", anna, comment="Дом наш, УК Центр обслуживает его пять лет")
    appeal = Appeal.objects.get()
    assert appeal.subject == Appeal.Subject.REJECTION and appeal.decision == ""
    # Monday noon + 3 working days: Thursday, at the end of the working day.
    assert appeal.due_at.date().isoformat() == "2026-12-10"
    assert rejected.status == Status.REJECTED
    with pytest.raises(Conflict):  # one pending appeal at a time
        act(rejected, "appeal", anna, comment="Ещё раз")
    act(rejected, "appeal_uphold", supervisor, reason="Дом в реестре за УК Центр",
        comment="Жалоба обоснована: заявка возвращена исполнителю")  # fmt: skip
    assert rejected.status == Status.REOPENED and rejected.reject_reason == ""
    appeal.refresh_from_db()
    assert appeal.decision == "upheld" and appeal.decided_by == supervisor
    assert appeal.reason == "Дом в реестре за УК Центр" and not appeal.is_overdue


def test_a_dismissed_appeal_leaves_the_request_closed_and_the_resident_is_told(
    closed_yesterday, anna, controller
):
    act(closed_yesterday, "appeal", anna, comment="Работы выполнены плохо")
    assert Appeal.objects.get().subject == Appeal.Subject.CLOSING
    act(closed_yesterday, "appeal_dismiss", controller, reason="Акт подписан заявителем",
        comment="Работы приняты по акту; жалоба не обоснована")  # fmt: skip
    assert closed_yesterday.status == Status.CLOSED
    assert Appeal.objects.get().decision == "dismissed"
    told = Notice.objects.filter(group=f"request:{closed_yesterday.pk}", channel="inbox").latest(
        "id"
    )
    assert told.recipient == anna and told.body.startswith("Работы приняты по акту")


def test_wrong_role_or_another_resident_is_refused(
    rejected, anna, boris, uo_dispatcher, call_operator, control_org, territory
):
    with pytest.raises(Forbidden):
        act(rejected, "appeal", boris, comment="Чужая заявка")
    act(rejected, "appeal", anna, comment="Не согласна")
    cc_head = f.employee(control_org, roles=["cc_specialist"], username="cc").user
    elsewhere = f.OrganizationFactory(kinds=["control"], territory=territory["other_district"])
    far_controller = f.employee(elsewhere, roles=["controller"], username="far").user
    for intruder in (anna, uo_dispatcher, call_operator, cc_head, far_controller):
        with pytest.raises(Forbidden):
            act(rejected, "appeal_uphold", intruder, reason="x", comment="y")
    assert Appeal.objects.get().decision == ""
    rejected.refresh_from_db()
    assert rejected.status == Status.REJECTED
