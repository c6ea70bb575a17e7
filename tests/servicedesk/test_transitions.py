"""The happy path of every workflow action, through the one transition service (R4–R6, R8–R12,
R14, N2)."""

import datetime as dt

import pytest
import time_machine

from domovoy.servicedesk.models import DeadlineSource, RequestEvent
from domovoy.servicedesk.workflow import Status
from tests import factories as f

from .helpers import act, at, hand_over, notices, word

pytestmark = pytest.mark.django_db


def last_event(request):
    return RequestEvent.objects.filter(request=request).order_by("-id").first()


@pytest.mark.req("R4")
@pytest.mark.req("N2")
def test_the_executor_accepts_with_a_public_comment_the_resident_sees(sr, uo_dispatcher, uo):
    act(sr, "accept", uo_dispatcher, comment="Мастер придёт завтра с 10 до 12")
    assert sr.status == Status.ACCEPTED and sr.accepted_at is not None and sr.version == 1
    event = last_event(sr)
    assert (event.actor, event.actor_org, event.action) == (uo_dispatcher, uo, "accept")
    assert (event.from_status, event.to_status) == ("new", "accepted")
    assert event.comment == "Мастер придёт завтра с 10 до 12"
    assert event.data["changes"]["status"] == ["new", "accepted"]
    notice = notices(sr)[-1]
    assert word(notice) == "на рассмотрении"
    # The executor's words, then the line telling the stages of «на рассмотрении» apart (R4).
    assert notice.body == (
        "Мастер придёт завтра с 10 до 12\n"
        "Исполнитель принял заявку и готовит работы; срок исполнения указан в заявке."
    )


@pytest.mark.req("R4")
def test_the_executor_may_move_a_new_request_straight_to_in_work(sr, uo_engineer):
    act(sr, "start", uo_engineer, comment="Взяли в работу")
    assert sr.status == Status.IN_WORK and sr.accepted_at is not None
    assert word(notices(sr)[-1]) == "в работе"


@pytest.mark.req("R6")
def test_the_uo_postpones_to_a_date_with_a_reason_and_resumes(sr, uo_dispatcher):
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    until = dt.date.today() + dt.timedelta(days=10)
    act(sr, "postpone", uo_dispatcher, reason="Ждём поставку доводчика", until=until)
    assert sr.status == Status.POSTPONED and sr.postponed_until == until
    assert last_event(sr).reason == "Ждём поставку доводчика"
    act(sr, "resume", uo_dispatcher)
    assert sr.status == Status.IN_WORK and sr.postponed_until is None


@pytest.mark.req("R2")
@pytest.mark.req("R6")
def test_an_extension_and_a_manual_deadline_are_logged_apart(sr, uo_dispatcher):
    old = sr.deadline_at
    act(sr, "extend_deadline", uo_dispatcher, reason="Нужен подрядчик",
        deadline=old + dt.timedelta(days=5))  # fmt: skip
    assert sr.deadline_at == old + dt.timedelta(days=5)
    assert sr.deadline_source == DeadlineSource.EXTENDED
    manual = old + dt.timedelta(days=2)
    act(sr, "set_deadline", uo_dispatcher, reason="Согласовано с жителем", deadline=manual)
    assert sr.deadline_at == manual and sr.deadline_source == DeadlineSource.MANUAL
    assert sr.deadline_reason == "Согласовано с жителем"
    actions = list(sr.events.values_list("action", flat=True))
    assert actions == ["create", "extend_deadline", "set_deadline"]
    assert sr.status == Status.NEW
    assert len(notices(sr)) == 1  # deadlines are the executors' business: no notice


@pytest.mark.req("R6")
def test_the_uo_changes_the_topic_and_the_deadline_follows_the_new_topic(
    sr, uo_dispatcher, classifier
):
    act(sr, "change_topic", uo_dispatcher, reason="Это не дверь, а окно",
        topic=classifier["entrance-windows"])  # fmt: skip
    assert sr.topic.code == "entrance-windows"
    assert sr.deadline_at < sr.created_at + dt.timedelta(days=7)  # 1 working day now
    assert last_event(sr).data["changes"]["topic_id"][1] == classifier["entrance-windows"].pk


@pytest.mark.req("R3")
@pytest.mark.req("R5")
def test_the_uo_assigns_the_request_to_its_own_department_employee_keeping_the_status(
    sr, uo_dispatcher, uo
):
    act(sr, "accept", uo_dispatcher, comment="Принято")
    plumber = f.employee(uo, roles=["uo_engineer"], username="plumber")
    plumber.department = uo.departments.create(name="Аварийная служба")
    plumber.save()
    act(sr, "redirect", uo_dispatcher, reason="Назначен слесарь", employee=plumber)
    assert sr.status == Status.ACCEPTED
    assert sr.executor_org == uo and sr.executor_employee == plumber
    assert sr.executor_department == plumber.department
    # The assigned employee may act on it.
    act(sr, "start", plumber.user, comment="Взяли в работу")
    assert sr.status == Status.IN_WORK


@pytest.mark.req("R5")
def test_a_redirect_without_control_moves_responsibility(sr, uo_dispatcher, other_uo,
                                                         other_uo_dispatcher):  # fmt: skip
    hand_over(sr.building, other_uo)  # the registry now names the other UO (R5, D4)
    act(sr, "redirect", uo_dispatcher, reason="Дом в управлении другой УК", organization=other_uo)
    assert sr.status == Status.NEW and sr.executor_org == other_uo
    assert sr.controller_org is None and sr.origin_org is None
    act(sr, "start", other_uo_dispatcher, comment="Взяли в работу")
    act(sr, "complete", other_uo_dispatcher, report="Доводчик заменён", comment="Работы выполнены")
    assert sr.status == Status.DONE  # no moderation: nobody holds it on control


@pytest.mark.req("R4")
@pytest.mark.req("R6")
def test_the_executor_rejects_as_not_its_zone_with_a_public_comment(sr, uo_dispatcher):
    act(sr, "reject", uo_dispatcher, reject_reason="not_our_zone",
        comment="Дверь в магазин не относится к общему имуществу дома")  # fmt: skip
    assert sr.status == Status.REJECTED and sr.reject_reason == "not_our_zone"
    assert sr.closed_at is not None
    assert word(notices(sr)[-1]) == "отклонено"


@pytest.mark.req("R6")
@pytest.mark.req("R16")
def test_a_request_with_obscene_language_may_be_rejected_for_it(file_request, uo_dispatcher):
    rude = file_request(text="Почините уже эту б.л.я.д.с.к.у.ю дверь")
    assert rude.has_obscene
    act(rude, "reject", uo_dispatcher, reject_reason="obscene",
        comment="Заявка содержит нецензурную лексику, подайте её заново")  # fmt: skip
    assert rude.status == Status.REJECTED
    assert last_event(rude).data["has_obscene"] is True


@pytest.mark.req("R8")
def test_an_emergency_crew_within_30_minutes_is_on_time_and_later_is_flagged(
    file_request, uo_dispatcher
):
    with time_machine.travel(at(2026, 11, 20, 22, 0), tick=False):
        on_time = file_request("sewer-blockage", "Засор, топит квартиру")
        late = file_request("water-leak", "Течь в подвале")
    with time_machine.travel(at(2026, 11, 20, 22, 25), tick=False):
        act(on_time, "dispatch_crew", uo_dispatcher, comment="Бригада выехала")
    with time_machine.travel(at(2026, 11, 20, 22, 45), tick=False):
        act(late, "dispatch_crew", uo_dispatcher)
    assert on_time.crew_dispatched_at == at(2026, 11, 20, 22, 25)
    assert not on_time.crew_dispatch_late
    assert late.crew_dispatch_late
    assert last_event(late).data["minutes_since_creation"] == 45
    assert on_time.status == Status.NEW  # recording the crew does not change the status


@pytest.mark.req("R9")
@pytest.mark.req("R10")
@pytest.mark.req("R11")
def test_completion_with_a_report_then_the_resident_confirms(sr, uo_dispatcher, anna):
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    act(sr, "complete", uo_dispatcher, report="Заменён доводчик, отрегулирована дверь",
        comment="Дверь исправлена")  # fmt: skip
    assert sr.status == Status.DONE and sr.done_at is not None
    assert sr.completion_report == "Заменён доводчик, отрегулирована дверь"
    act(sr, "confirm", anna)
    assert sr.status == Status.CLOSED and sr.closed_at is not None
    # No notice for her own action: the last one is the completion's.
    assert word(notices(sr)[-1]) == "выполнено, ждёт подтверждения"


@pytest.mark.req("R10")
def test_a_disputed_completion_goes_to_the_conflict_queue_and_the_operator_returns_it(
    sr, uo_dispatcher, anna, functional_operator
):
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    act(sr, "complete", uo_dispatcher, report="Дверь отремонтирована", comment="Работы выполнены")
    act(sr, "dispute", anna, comment="Дверь так и не закрывается")
    assert sr.status == Status.CONFLICT
    act(sr, "conflict_return", functional_operator,
        comment="Выполнение не подтверждено заявителем, доработайте")  # fmt: skip
    assert sr.status == Status.IN_WORK and sr.done_at is None
    assert notices(sr)[-1].body.startswith("Выполнение не подтверждено заявителем, доработайте\n")


@pytest.mark.req("R10")
def test_the_functional_operator_closes_a_conflict_with_a_reason_both_sides_see(
    sr, uo_dispatcher, anna, functional_operator
):
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    act(sr, "complete", uo_dispatcher, report="Дверь отремонтирована", comment="Работы выполнены")
    act(sr, "dispute", anna, comment="Не согласна")
    act(sr, "conflict_close", functional_operator,
        comment="По фотоотчёту работы выполнены, заявка закрыта")  # fmt: skip
    assert sr.status == Status.CLOSED
    event = last_event(sr)
    assert event.comment == "По фотоотчёту работы выполнены, заявка закрыта"
    assert word(notices(sr)[-1]) == "заявка закрыта"


@pytest.mark.req("R12")
def test_the_resident_reopens_a_closed_request_with_a_comment(sr, uo_dispatcher, anna):
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    act(sr, "complete", uo_dispatcher, report="Готово", comment="Работы выполнены")
    act(sr, "confirm", anna)
    act(sr, "reopen", anna, comment="Через день дверь снова не закрывается")
    assert sr.status == Status.REOPENED and sr.reopen_count == 1
    assert sr.closed_at is None and sr.done_at is None
    assert last_event(sr).data["without_reason"] is False
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    assert sr.status == Status.IN_WORK


@pytest.mark.req("R4")
@pytest.mark.req("R12")
def test_a_reopen_without_a_reason_may_be_rejected_for_that(sr, uo_dispatcher, anna):
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    act(sr, "complete", uo_dispatcher, report="Готово", comment="Работы выполнены")
    act(sr, "reopen", anna)
    assert last_event(sr).data["without_reason"] is True
    act(sr, "reject", uo_dispatcher, reject_reason="reopen_without_reason",
        comment="Работы выполнены, причина переоткрытия не указана")  # fmt: skip
    assert sr.status == Status.REJECTED


@pytest.mark.req("R12")
def test_the_resident_withdraws_with_a_reason(sr, anna):
    act(sr, "withdraw", anna, withdraw_reason="no_longer_relevant")
    assert sr.status == Status.WITHDRAWN and sr.withdraw_reason == "no_longer_relevant"


@pytest.mark.req("R12")
def test_a_rating_of_5_keeps_the_request_and_a_rating_of_1_returns_it_for_rework(
    file_request, uo_dispatcher, anna
):
    good, bad = file_request(), file_request(text="Не работает доводчик в 1 подъезде")
    for request in (good, bad):
        act(request, "start", uo_dispatcher, comment="Взяли в работу")
        act(request, "complete", uo_dispatcher, report="Готово", comment="Работы выполнены")
    act(good, "rate", anna, rating=5)
    assert good.status == Status.DONE and good.rating == 5
    act(bad, "rate", anna, rating="1", comment="Ничего не сделано")
    assert bad.status == Status.REOPENED and bad.rating == 1 and bad.reopen_count == 1
    assert last_event(bad).data["returned_for_rework"] is True
    # After the rework the new completion may be rated again.
    act(bad, "start", uo_dispatcher, comment="Взяли в работу")
    act(bad, "complete", uo_dispatcher, report="Заменён доводчик", comment="Работы выполнены")
    act(bad, "rate", anna, rating=4)
    assert bad.rating == 4


@pytest.mark.req("R12")
def test_the_resident_edits_and_deletes_a_request_nobody_has_accepted(file_request, anna, building):
    premises, _ = f.premises_with_account(building, number="12")
    request = file_request()
    act(request, "edit", anna, text="Сломан доводчик, дверь хлопает", phone="+7 910 000-00-01",
        premises=premises.pk)  # fmt: skip
    assert request.text == "Сломан доводчик, дверь хлопает"
    assert request.phone == "+79100000001" and request.premises == premises
    assert request.status == Status.NEW
    act(request, "delete", anna)
    assert request.is_deleted and request.status == Status.WITHDRAWN
    assert request.withdraw_reason == "deleted"
    assert request.events.count() == 3  # the history stays (audit, statistics)


@pytest.mark.req("R12")
@pytest.mark.req("R16")
def test_editing_the_text_recomputes_the_obscene_flag(file_request, anna):
    request = file_request(text="Чиню сам, ни хуя не работает")
    assert request.has_obscene
    act(request, "edit", anna, text="Дверь не закрывается")
    assert not request.has_obscene
