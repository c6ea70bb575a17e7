"""System failures (S8, G 3.6.2): the operator posts a failure for a period; with the clocks
paused, deadlines move past it and the deadline watch (R14) respects the pause."""

import datetime as dt

import pytest
import time_machine

from domovoy.core.errors import Forbidden, Invalid
from domovoy.servicedesk import services
from domovoy.servicedesk.models import RequestEvent, ServiceRequest, SystemFailure
from domovoy.servicedesk.workflow import Action

from .helpers import at

pytestmark = [pytest.mark.req("S8"), pytest.mark.django_db]

FILED = at(2026, 11, 16, 10, 0)


@pytest.fixture
def two_requests(file_request):
    with time_machine.travel(FILED, tick=False):
        early = file_request()
    with time_machine.travel(FILED + dt.timedelta(hours=5), tick=False):
        late = file_request("heating-cold-radiators", "Холодная батарея")
    return early, late


def _post(actor, start, end, **kw):
    kw.setdefault("description", "Не работал сервер приложений")
    return services.system_failure_post(actor=actor, starts_at=start, ends_at=end, **kw)


def test_a_pausing_failure_moves_running_deadlines_by_the_time_they_ran(
    two_requests, technical_operator
):
    early, late = two_requests
    start, end = FILED + dt.timedelta(hours=4), FILED + dt.timedelta(hours=7)
    with time_machine.travel(FILED + dt.timedelta(hours=8), tick=False):
        failure = _post(technical_operator, start, end, pauses_clocks=True)
    assert failure.requests_moved == 2
    # Filed before the failure: the whole 3 hours; filed during it (at +5 h): 2 hours.
    assert ServiceRequest.objects.get(pk=early.pk).deadline_at == early.deadline_at + (end - start)
    assert ServiceRequest.objects.get(pk=late.pk).deadline_at == late.deadline_at + dt.timedelta(
        hours=2
    )
    event = RequestEvent.objects.get(request=early, action=Action.CLOCK_PAUSE)
    assert event.reason == "Не работал сервер приложений"
    assert event.data["failure"] == failure.pk


def test_a_failure_without_the_pause_moves_nothing(two_requests, technical_operator):
    early, _late = two_requests
    with time_machine.travel(FILED + dt.timedelta(hours=8), tick=False):
        failure = _post(technical_operator, FILED, FILED + dt.timedelta(hours=1))
    assert failure.requests_moved == 0
    assert ServiceRequest.objects.get(pk=early.pk).deadline_at == early.deadline_at
    assert not RequestEvent.objects.filter(action=Action.CLOCK_PAUSE).exists()


def test_the_watch_respects_the_pause(two_requests, technical_operator, controller):
    early, _late = two_requests
    deadline = early.deadline_at
    start, end = deadline - dt.timedelta(hours=1), deadline + dt.timedelta(hours=2)
    with time_machine.travel(start + dt.timedelta(minutes=10), tick=False):
        _post(technical_operator, start, end, pauses_clocks=True)
    # During the failure, past the old deadline: nothing is flagged.
    with time_machine.travel(deadline + dt.timedelta(minutes=1), tick=False):
        assert services.deadline_watch()["overdue"] == 0
    moved = ServiceRequest.objects.get(pk=early.pk)
    assert moved.deadline_at == deadline + (end - start) and moved.overdue_flagged_at is None
    # After the failure, the moved deadline passes: flagged then.
    with time_machine.travel(moved.deadline_at + dt.timedelta(minutes=1), tick=False):
        services.deadline_watch()
    assert ServiceRequest.objects.get(pk=early.pk).overdue_flagged_at is not None


def test_a_flag_raised_during_an_unposted_failure_is_cleared_by_the_post(
    two_requests, technical_operator
):
    early, _late = two_requests
    deadline = early.deadline_at
    with time_machine.travel(deadline + dt.timedelta(minutes=1), tick=False):
        services.deadline_watch()
    assert ServiceRequest.objects.get(pk=early.pk).overdue_flagged_at is not None
    with time_machine.travel(deadline + dt.timedelta(hours=3), tick=False):
        _post(
            technical_operator,
            deadline - dt.timedelta(hours=1),
            deadline + dt.timedelta(hours=2),
            pauses_clocks=True,
        )
    row = ServiceRequest.objects.get(pk=early.pk)
    assert row.overdue_flagged_at is None and not row.overdue_without_notice


def test_a_closed_request_and_a_deadline_missed_before_the_failure_are_left_alone(
    two_requests, technical_operator
):
    early, late = two_requests
    ServiceRequest.objects.filter(pk=late.pk).update(status="closed")
    start = early.deadline_at + dt.timedelta(hours=1)
    with time_machine.travel(start + dt.timedelta(hours=3), tick=False):
        failure = _post(
            technical_operator, start, start + dt.timedelta(hours=2), pauses_clocks=True
        )
    assert failure.requests_moved == 0


@pytest.mark.parametrize("who", ["uo_dispatcher", "controller", "anna"])
def test_only_an_operator_posts_a_failure(who, request, two_requests):
    user = request.getfixturevalue(who)
    with time_machine.travel(FILED + dt.timedelta(hours=8), tick=False), pytest.raises(Forbidden):
        _post(user, FILED, FILED + dt.timedelta(hours=1), pauses_clocks=True)
    assert not SystemFailure.objects.exists()


@pytest.mark.parametrize(
    ("start", "end", "description", "words"),
    [
        (FILED + dt.timedelta(hours=2), FILED + dt.timedelta(hours=1), "x", "позже его начала"),
        (FILED + dt.timedelta(days=5), FILED + dt.timedelta(days=6), "x", "ещё не начался"),
        (FILED, FILED + dt.timedelta(hours=1), "  ", "опишите"),
        (None, FILED, "x", "начало сбоя"),
    ],
)
def test_a_failure_needs_a_real_period_and_a_description(
    technical_operator, start, end, description, words
):
    with time_machine.travel(FILED + dt.timedelta(hours=8), tick=False):
        with pytest.raises(Invalid) as refused:
            _post(technical_operator, start, end, description=description)
    assert words in str(refused.value).lower()
    assert not SystemFailure.objects.exists()


# --- The page and the notice on every page ---------------------------------------------------


def test_the_operator_posts_a_failure_on_the_page_and_everyone_sees_it(
    technical_operator, uo_dispatcher, anna, client_of, two_requests
):
    from django.urls import reverse

    url = reverse("servicedesk:staff_failures")
    early, _late = two_requests
    with time_machine.travel(early.deadline_at - dt.timedelta(minutes=30), tick=False):
        client = client_of(technical_operator)
        bad = client.post(url, {"starts_at": "2026-11-16T12:00", "ends_at": "2026-11-16T11:00",
                                "description": "x"})  # fmt: skip
        assert bad.status_code == 400 and "позже его начала" in bad.content.decode()
        start = early.deadline_at - dt.timedelta(hours=2)
        data = {
            "starts_at": timezone_local(start),
            "ends_at": timezone_local(start + dt.timedelta(hours=1)),
            "description": "<b>Не работал</b> сервер приложений",
            "pauses_clocks": "on",
        }
        done = client.post(url, data, follow=True)
        assert "Сообщение о сбое опубликовано" in done.content.decode()
        assert SystemFailure.objects.get().requests_moved >= 1
        # The notice is on the resident's pages too, markup shown as text.
        home = client_of(anna).get(reverse("servicedesk:resident_list")).content.decode()
        assert "Сбой системы" in home and "&lt;b&gt;Не работал&lt;/b&gt;" in home
        assert client_of(uo_dispatcher).post(url, data).status_code == 403
    assert SystemFailure.objects.count() == 1


def timezone_local(value):
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


# --- Late entries of the failure's events --------------------------------------------------


def test_an_action_during_the_failure_is_entered_later_with_its_real_time(
    two_requests, technical_operator, uo_dispatcher
):
    from .helpers import act

    early, _late = two_requests
    start, end = FILED + dt.timedelta(hours=6), FILED + dt.timedelta(hours=8)
    real = FILED + dt.timedelta(hours=7)
    with time_machine.travel(FILED + dt.timedelta(hours=9), tick=False):
        _post(technical_operator, start, end)
        act(early, Action.ACCEPT, uo_dispatcher, comment="Приняли", occurred_at=real)
    row = ServiceRequest.objects.get(pk=early.pk)
    assert row.accepted_at == real
    event = RequestEvent.objects.get(request=early, action=Action.ACCEPT)
    assert event.at == real
    entered = dt.datetime.fromisoformat(event.data["late_entry"]["entered_at"])
    assert entered == FILED + dt.timedelta(hours=9)


@pytest.mark.parametrize(
    ("hours", "words"),
    [(10, "в будущем"), (3, "опубликованного сбоя"), (8.5, "опубликованного сбоя")],
)
def test_a_late_entry_must_fall_inside_a_posted_failure(
    two_requests, technical_operator, uo_dispatcher, hours, words
):
    from .helpers import act

    early, _late = two_requests
    with time_machine.travel(FILED + dt.timedelta(hours=9), tick=False):
        _post(technical_operator, FILED + dt.timedelta(hours=6), FILED + dt.timedelta(hours=8))
        with pytest.raises(Invalid) as refused:
            act(early, Action.ACCEPT, uo_dispatcher, comment="Приняли",
                occurred_at=FILED + dt.timedelta(hours=hours))  # fmt: skip
    assert words in str(refused.value)
    assert ServiceRequest.objects.get(pk=early.pk).accepted_at is None


def test_a_late_entry_cannot_go_before_the_last_history_row(
    file_request, technical_operator, uo_dispatcher
):
    from .helpers import act

    with time_machine.travel(FILED, tick=False):
        _post(technical_operator, FILED - dt.timedelta(hours=2), FILED - dt.timedelta(minutes=1))
    with time_machine.travel(FILED + dt.timedelta(minutes=5), tick=False):
        sr = file_request()
        with pytest.raises(Invalid) as refused:
            act(sr, Action.ACCEPT, uo_dispatcher, comment="Приняли",
                occurred_at=FILED - dt.timedelta(minutes=30))  # fmt: skip
    assert "раньше последнего события" in str(refused.value)


def test_the_card_offers_the_real_time_and_shows_the_late_entry(
    two_requests, technical_operator, uo_dispatcher, client_of
):
    from django.urls import reverse

    early, _late = two_requests
    real = FILED + dt.timedelta(hours=7)
    with time_machine.travel(FILED + dt.timedelta(hours=9), tick=False):
        _post(technical_operator, FILED + dt.timedelta(hours=6), FILED + dt.timedelta(hours=8))
        client = client_of(uo_dispatcher)
        card = client.get(reverse("servicedesk:staff_detail", args=[early.number]))
        assert "Фактическое время" in card.content.decode()
        done = client.post(
            reverse("servicedesk:staff_action", args=[early.number, "accept"]),
            {"accept-version": early.version, "accept-comment": "Приняли",
             "accept-occurred_at": timezone_local(real)},
            follow=True,
        )  # fmt: skip
    assert "внесено позже" in done.content.decode()
    assert ServiceRequest.objects.get(pk=early.pk).accepted_at == real
