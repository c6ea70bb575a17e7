"""Lists and statistics (R8, R12, R14, R18, R19, S2): the selectors and the statistics the
pages run."""

import datetime as dt

import pytest
import rules
import time_machine
from django.utils import timezone

from domovoy.servicedesk import selectors, statistics
from domovoy.servicedesk.workflow import Status

from .helpers import act, at

pytestmark = pytest.mark.django_db


@pytest.mark.req("R12")
@pytest.mark.req("R18")
def test_a_withdrawal_because_the_work_is_already_done_counts_as_completed(
    file_request, uo, uo_dispatcher, anna
):
    done_already = file_request(text="Дверь сломана")
    not_needed = file_request(text="Дверь скрипит")
    finished = file_request(text="Доводчик сломан")
    deleted = file_request(text="Ошибся домом")
    act(done_already, "start", uo_dispatcher, comment="Взяли в работу")
    act(done_already, "withdraw", anna, withdraw_reason="already_done")
    act(not_needed, "withdraw", anna, withdraw_reason="no_longer_relevant")
    act(finished, "start", uo_dispatcher, comment="Взяли в работу")
    act(finished, "complete", uo_dispatcher, report="Готово", comment="Работы выполнены")
    act(deleted, "delete", anna)
    today = timezone.localdate()
    stats = statistics.statistics(organization=uo, date_from=today, date_to=today)
    assert stats["summary"]["total"] == 4  # the deleted one too (R12: statistics keep it)
    assert stats["summary"]["completed"] == 2  # «already done» + the completed one
    by_status = dict(stats["by_status"])
    assert by_status[Status.WITHDRAWN.label] == 3 and by_status[Status.DONE.label] == 1
    # A resident's list hides the deleted request.
    assert list(selectors.resident_requests(user=anna)) == [finished, not_needed, done_already]


@pytest.mark.req("R6")
@pytest.mark.req("R8")
@pytest.mark.req("R18")
def test_statistics_count_returns_late_crews_and_ratings(
    file_request, uo, rso, rso_dispatcher, uo_dispatcher, anna
):
    with time_machine.travel(at(2026, 11, 20, 10, 0), tick=False):
        hot = file_request("water-no-hot", "Нет горячей воды")
        leak = file_request("water-leak", "Течь в подвале")
    with time_machine.travel(at(2026, 11, 20, 11, 0), tick=False):
        act(hot, "return_to_uo", rso_dispatcher, return_reason="fault_not_confirmed",
            reason="Вода есть, давление в норме")  # fmt: skip
        act(leak, "dispatch_crew", uo_dispatcher)
        act(leak, "start", uo_dispatcher, comment="Взяли в работу")
        act(
            leak,
            "complete",
            uo_dispatcher,
            report="Перекрыт стояк, заменён участок трубы",
            comment="Работы выполнены",
        )
        act(leak, "rate", anna, rating=1)
    day = dt.date(2026, 11, 20)
    stats = statistics.statistics(organization=uo, date_from=day, date_to=day)
    assert stats["summary"]["returned_to_uo"] == 1
    assert stats["summary"]["late_crew"] == 1
    assert (
        stats["summary"]["avg_rating"] == 1 and dict(stats["by_status"])[Status.REOPENED.label] == 1
    )
    next_day = day + dt.timedelta(days=1)
    assert (
        statistics.statistics(organization=uo, date_from=next_day, date_to=next_day)["summary"][
            "total"
        ]
        == 0
    )


@pytest.mark.req("R14")
def test_overdue_unaccepted_and_crew_lists(file_request, uo, uo_dispatcher):
    with time_machine.travel(at(2026, 11, 16, 10, 0), tick=False):  # Monday
        door = file_request()  # 3 working days → Thursday 19 November 18:00
        postponed = file_request(text="Скрипит дверь")
        gas = file_request("gas-smell", "Пахнет газом")
        act(postponed, "start", uo_dispatcher, comment="Взяли в работу")
        act(postponed, "postpone", uo_dispatcher, reason="Ждём деталь", until=dt.date(2026, 11, 25))
    assert door.deadline_at == at(2026, 11, 19, 18, 0)
    assert list(selectors.crew_dispatch_overdue(now=at(2026, 11, 16, 10, 20))) == []
    assert list(selectors.crew_dispatch_overdue(now=at(2026, 11, 16, 10, 31))) == [gas]
    assert list(selectors.not_accepted_in_time(now=at(2026, 11, 17, 10, 1))) == [door]
    overdue = selectors.overdue_requests(now=at(2026, 11, 20, 9, 0), organization=uo)
    assert set(overdue) == {door, gas}  # the postponed one waits for its date
    later = selectors.overdue_requests(now=at(2026, 11, 26, 9, 0), organization=uo)
    assert postponed in set(later)


@pytest.mark.req("R19")
def test_the_executor_queue_puts_emergencies_first_with_a_constant_number_of_queries(
    file_request, uo, django_assert_num_queries
):
    file_request()
    file_request("power-flat", "Нет света в квартире")
    file_request(text="Дверь")
    tab = selectors.queue_tab("all", organization=uo, employee=None, now=timezone.now())
    with django_assert_num_queries(2):  # the page's ids, then its rows with what they show
        rows = selectors.request_rows(list(tab.values_list("pk", flat=True)))
        assert [r.is_emergency for r in rows] == [True, False, False]
        [(r.topic.name, r.building.street, r.executor_org.short_name) for r in rows]


@pytest.mark.req("S2")
def test_who_sees_a_request(
    sr, anna, boris, uo_dispatcher, uo_accountant, other_uo_dispatcher, rso_dispatcher,
    call_operator, functional_operator, rso,
):  # fmt: skip
    def sees(user):
        return rules.has_perm("servicedesk.view_request", user, sr)

    assert sees(anna) and sees(uo_dispatcher) and sees(uo_accountant)
    assert sees(call_operator) and sees(functional_operator)
    assert not sees(boris) and not sees(other_uo_dispatcher) and not sees(rso_dispatcher)
    assert list(selectors.requests_visible_to(boris)) == []
    assert list(selectors.requests_visible_to(anna)) == [sr]
    assert list(selectors.requests_visible_to(other_uo_dispatcher)) == []
    # A supplier that had the request and returned it still sees it (it is a party).
    act(sr, "redirect", uo_dispatcher, reason="РСО", organization=rso)
    act(sr, "return_to_uo", rso_dispatcher, return_reason="outside_zone", reason="Не наше")
    assert sees(rso_dispatcher)
    assert list(selectors.requests_visible_to(rso_dispatcher)) == [sr]
    assert rules.has_perm("servicedesk.view_request_internal", rso_dispatcher, sr)
    assert not rules.has_perm("servicedesk.view_request_internal", anna, sr)


@pytest.mark.req("R4")
def test_the_residents_history_hides_internal_moves(sr, uo_dispatcher, rso, rso_dispatcher):
    act(sr, "redirect", uo_dispatcher, reason="РСО", organization=rso)
    act(sr, "return_to_uo", rso_dispatcher, return_reason="outside_zone", reason="Не наше")
    act(sr, "accept", uo_dispatcher, comment="Принято")
    public = [e.action for e in selectors.request_history(request=sr, public_only=True)]
    assert public == ["create", "redirect", "accept"]
    assert len(selectors.request_history(request=sr)) == 4
    assert selectors.request_get(number=sr.number).status == Status.ACCEPTED
