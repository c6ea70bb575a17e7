"""The control rules of ``deadlines`` (R8, R14): each one is a Q for lists and counts and a
per-object function for row marks and serializers, and the two agree at the very boundary —
the deadline's instant, the last day of a postponement, the 30 minutes of the crew, the 24
hours of acceptance. Every caller (queue tabs and counts, control lists, statistics) counts
with the same Q."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from domovoy.servicedesk import deadlines, selectors, statistics
from domovoy.servicedesk.models import ServiceRequest

from .helpers import act, at

pytestmark = pytest.mark.django_db

T0 = at(2026, 11, 16, 10, 0)  # Monday
TICK = dt.timedelta(microseconds=1)


def agree(rule_q, rule, requests) -> set[int]:
    """With the clock frozen, the Q and the per-object rule pick the same requests (and the
    Q's exclusion the rest). Returns the ids the rule picks."""
    now = timezone.now()
    ids = {r.pk for r in requests}
    rows = ServiceRequest.objects.filter(pk__in=ids)
    by_q = set(rows.filter(rule_q(now)).values_list("pk", flat=True))
    outside_q = set(rows.exclude(rule_q(now)).values_list("pk", flat=True))
    by_object = {r.pk for r in rows if rule(r, now)}
    assert by_q == by_object
    assert outside_q == ids - by_object
    return by_object


def at_instant(moment, rule_q, rule, requests) -> set[int]:
    with time_machine.travel(moment, tick=False):
        return agree(rule_q, rule, requests)


@pytest.fixture
def requests(file_request, uo_dispatcher):
    """A new, an in-work, a postponed (to 25 November), a rejected and an emergency request,
    all filed on Monday 16 November 10:00 with the door's three working days."""
    with time_machine.travel(T0, tick=False):
        new = file_request()
        started = file_request(text="Скрипит дверь")
        postponed = file_request(text="Не закрывается дверь")
        rejected = file_request(text="Дверь")
        gas = file_request("gas-smell", "Пахнет газом")
        act(started, "start", uo_dispatcher, comment="Взяли в работу")
        act(postponed, "start", uo_dispatcher, comment="Взяли в работу")
        act(postponed, "postpone", uo_dispatcher, reason="Ждём деталь", until=dt.date(2026, 11, 25))
        act(rejected, "reject", uo_dispatcher, reject_reason="not_our_zone", comment="Не наш дом")
    return {
        "new": new,
        "started": started,
        "postponed": postponed,
        "rejected": rejected,
        "gas": gas,
    }


@pytest.mark.req("R14")
def test_overdue_starts_just_after_the_deadline_instant(requests):
    rows = [r for code, r in requests.items() if code != "gas"]  # its deadline is hours
    deadline = requests["new"].deadline_at
    assert deadline == at(2026, 11, 19, 18, 0)
    rule = (deadlines.overdue_q, deadlines.is_overdue)
    assert at_instant(deadline, *rule, rows) == set()
    late = at_instant(deadline + TICK, *rule, rows)
    assert requests["new"].pk in late and requests["started"].pk in late
    assert requests["postponed"].pk not in late and requests["rejected"].pk not in late


@pytest.mark.req("R14")
def test_a_postponed_request_is_overdue_only_after_its_date(requests):
    rows = [requests["postponed"]]
    rule = (deadlines.overdue_q, deadlines.is_overdue)
    last_moment = at(2026, 11, 25, 23, 59, 59, 999999)  # local time: the date is still the 25th
    assert at_instant(last_moment, *rule, rows) == set()
    assert at_instant(at(2026, 11, 26, 0, 0), *rule, rows) == {requests["postponed"].pk}


@pytest.mark.req("R8")
def test_the_crew_is_missing_just_after_the_dispatch_limit_and_not_once_dispatched(
    requests, uo_dispatcher
):
    rows = list(requests.values())
    gas = requests["gas"]
    limit = gas.created_at + deadlines.crew_dispatch_limit()
    rule = (deadlines.crew_missing_q, deadlines.is_crew_missing)
    assert at_instant(limit, *rule, rows) == set()
    assert at_instant(limit + TICK, *rule, rows) == {gas.pk}
    with time_machine.travel(limit + dt.timedelta(minutes=5), tick=False):
        act(gas, "dispatch_crew", uo_dispatcher)
    assert at_instant(limit + dt.timedelta(minutes=10), *rule, rows) == set()


@pytest.mark.req("R14")
def test_not_accepted_in_time_starts_just_after_24_hours_and_skips_emergencies(
    requests, uo_dispatcher
):
    rows = list(requests.values())
    new = requests["new"]
    limit = new.created_at + deadlines.ACCEPT_LIMIT
    rule = (deadlines.not_accepted_q, deadlines.is_not_accepted_late)
    assert at_instant(limit, *rule, rows) == set()
    assert at_instant(limit + TICK, *rule, rows) == {new.pk}  # not the emergency one (R8)
    with time_machine.travel(limit + dt.timedelta(hours=1), tick=False):
        act(new, "accept", uo_dispatcher, comment="Принята")
        assert agree(*rule, rows) == set()


@pytest.mark.req("R14")
@pytest.mark.req("R18")
@pytest.mark.req("R19")
def test_the_queue_the_control_list_and_the_statistics_count_overdue_by_the_same_rule(requests, uo):
    day = T0.date()
    for moment in (requests["new"].deadline_at, requests["new"].deadline_at + TICK,
                   at(2026, 11, 26, 0, 0)):  # fmt: skip
        with time_machine.travel(moment, tick=False):
            now = timezone.now()
            expected = {r.pk for r in ServiceRequest.objects.all() if deadlines.is_overdue(r, now)}
            listed = {r.pk for r in selectors.overdue_requests(now=now, organization=uo)}
            tab = selectors.queue_tab("overdue", organization=uo, employee=None, now=now)
            counts = selectors.queue_tab_counts(organization=uo, employee=None, now=now)
            stats = statistics.statistics(organization=uo, date_from=day, date_to=day, now=now)
            assert listed == set(tab.values_list("pk", flat=True)) == expected
            assert counts["overdue"] == stats["summary"]["overdue_open"] == len(expected)
