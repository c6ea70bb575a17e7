"""The O3 schedule as a pure function: which notices, when (regulation 000 §1–2)."""

import datetime as dt

import pytest

from domovoy.outages import schedule
from tests.fixtures import msk

NOW = msk(2026, 12, 7, 12, 0)


def kinds(planned):
    return [(p.kind, p.due_at) for p in planned]


@pytest.mark.req("O3")
def test_publication_ten_days_ahead_announces_now_and_reminds_at_5_days_and_1_day():
    start = NOW + dt.timedelta(days=10)
    assert kinds(schedule.on_publish(start=start, now=NOW, emergency=False)) == [
        ("outage.published", NOW),
        ("outage.reminder_5d", start - dt.timedelta(days=5)),
        ("outage.reminder_1d", start - dt.timedelta(days=1)),
    ]


@pytest.mark.req("O3")
def test_five_days_and_one_minute_ahead_gives_the_publication_notice_and_the_5_day_one():
    start = NOW + dt.timedelta(days=5, minutes=1)
    assert kinds(schedule.on_publish(start=start, now=NOW, emergency=False)) == [
        ("outage.published", NOW),
        ("outage.reminder_5d", NOW + dt.timedelta(minutes=1)),
        ("outage.reminder_1d", start - dt.timedelta(days=1)),
    ]


@pytest.mark.req("O3")
def test_exactly_five_days_ahead_is_not_more_than_five_so_only_the_5_day_reminder_now():
    start = NOW + dt.timedelta(days=5)
    assert kinds(schedule.on_publish(start=start, now=NOW, emergency=False)) == [
        ("outage.reminder_5d", NOW),
        ("outage.reminder_1d", start - dt.timedelta(days=1)),
    ]


@pytest.mark.req("O3")
def test_a_late_publication_three_days_ahead_sends_the_5_day_notice_at_once():
    start = NOW + dt.timedelta(days=3)
    assert kinds(schedule.on_publish(start=start, now=NOW, emergency=False)) == [
        ("outage.reminder_5d", NOW),
        ("outage.reminder_1d", start - dt.timedelta(days=1)),
    ]


@pytest.mark.req("O3")
def test_less_than_a_day_ahead_sends_only_the_1_day_notice_at_once():
    start = NOW + dt.timedelta(hours=5)
    assert kinds(schedule.on_publish(start=start, now=NOW, emergency=False)) == [
        ("outage.reminder_1d", NOW),
    ]


@pytest.mark.req("O3", "O2")
def test_an_emergency_is_announced_at_once_even_when_it_already_started():
    start = NOW - dt.timedelta(minutes=20)
    assert kinds(schedule.on_publish(start=start, now=NOW, emergency=True)) == [
        ("outage.published", NOW),
    ]


@pytest.mark.req("O3")
def test_a_change_of_times_announces_it_and_replans_future_reminders_under_the_revision():
    start = NOW + dt.timedelta(days=3)
    planned = schedule.on_times_changed(start=start, now=NOW, revision=4)
    assert kinds(planned) == [
        ("outage.times_changed", NOW),
        ("outage.reminder_1d", start - dt.timedelta(days=1)),
    ]
    assert [p.key for p in planned] == ["r4:times", "r4:start_1d"]


@pytest.mark.req("O3")
def test_completion_notice_follows_the_setting_and_cancellation_only_if_residents_knew():
    assert kinds(schedule.on_complete(now=NOW, notify=True)) == [("outage.completed", NOW)]
    assert schedule.on_complete(now=NOW, notify=False) == []
    assert kinds(schedule.on_cancel(now=NOW, residents_were_told=True)) == [
        ("outage.cancelled", NOW)
    ]
    assert schedule.on_cancel(now=NOW, residents_were_told=False) == []
