"""Working-hours arithmetic of deadlines (R15) on the real Russian production calendar."""

import datetime as dt

import pytest

from domovoy.core import worktime
from domovoy.core.models import CalendarOverride

from .helpers import at

pytestmark = [pytest.mark.req("R15"), pytest.mark.django_db]

CARD = worktime.parse_working_hours("пн–чт 9:00–18:00; пт 9:00–17:00")


def test_a_request_filed_on_friday_at_17_30_with_8_working_hours_is_due_on_monday_at_17_30():
    # Default hours 09:00–18:00 with lunch 13:00–14:00: 30 minutes on Friday 20 November 2026,
    # then 4 hours before lunch and 3.5 after it on Monday 23 November.
    assert worktime.add_working_hours(at(2026, 11, 20, 17, 30), 8) == at(2026, 11, 23, 17, 30)


def test_the_new_year_holidays_and_the_transferred_9_january_2026_are_skipped():
    assert worktime.working_intervals(dt.date(2026, 1, 9)) == []  # transferred from 3 January
    # 30 December 2025 is shortened (31 December is a transferred day off before the
    # holidays): 09:00–17:00. The next working hour is Monday 12 January 2026.
    assert worktime.add_working_hours(at(2025, 12, 30, 16, 0), 3) == at(2026, 1, 12, 11, 0)


def test_a_transferred_working_saturday_is_worked_and_shortened_before_the_holiday():
    saturday = dt.date(2025, 11, 1)  # working instead of 3 November; 4 November is a holiday
    assert saturday in worktime.holidays.RU(years=2025).weekend_workdays
    assert worktime.is_working_day(saturday)
    assert worktime.is_pre_holiday(saturday)
    assert worktime.working_intervals(saturday) == [
        (at(2025, 11, 1, 9, 0), at(2025, 11, 1, 13, 0)),
        (at(2025, 11, 1, 14, 0), at(2025, 11, 1, 17, 0)),
    ]
    # Friday 31 October 17:00 + 4 h: one hour on Friday, three on Saturday morning.
    assert worktime.add_working_hours(at(2025, 10, 31, 17, 0), 4) == at(2025, 11, 1, 12, 0)
    # The next hour after Saturday's 17:00 is on Wednesday 5 November.
    assert worktime.add_working_hours(at(2025, 11, 1, 16, 30), 1) == at(2025, 11, 5, 9, 30)


def test_the_2027_working_saturday_from_the_holidays_package_counts_too():
    saturday = dt.date(2027, 2, 20)  # working instead of Monday 22 February
    assert saturday in worktime.holidays.RU(years=2027).weekend_workdays
    assert worktime.working_intervals(saturday)
    assert worktime.working_intervals(dt.date(2027, 2, 22)) == []


@pytest.mark.parametrize(
    ("day", "shortened"),
    [
        (dt.date(2026, 4, 30), True),  # before 1 May
        (dt.date(2025, 3, 7), True),  # before 8 March, which falls on a Saturday
        (dt.date(2025, 5, 7), True),  # before the transferred 8 May and Victory Day
        (dt.date(2026, 11, 3), True),  # before Unity Day
        (dt.date(2026, 2, 20), False),  # Friday; the holiday is on Monday after a weekend
        (dt.date(2026, 11, 5), False),  # after the holiday
        (dt.date(2026, 5, 2), False),  # a day off is not shortened, it is off
    ],
)
def test_the_pre_holiday_day_is_one_hour_shorter(day, shortened):
    assert worktime.is_pre_holiday(day) is shortened


def test_hours_run_over_the_shortened_pre_holiday_day():
    # 30 April 2026 ends at 17:00; 1–3 May are off; Monday 4 May starts at 09:00.
    assert worktime.add_working_hours(at(2026, 4, 30, 16, 0), 2) == at(2026, 5, 4, 10, 0)
    assert worktime.working_hours_between(at(2026, 4, 30, 0, 0), at(2026, 5, 1, 0, 0)) == 7


def test_an_organisations_card_sets_its_hours_and_a_contradictory_card_falls_back_to_default():
    # Its Friday ends at 17:00: Friday 16:30 + 1 h is Monday 09:30.
    assert worktime.add_working_hours(at(2026, 11, 20, 16, 30), 1, schedule=CARD) == at(
        2026, 11, 23, 9, 30
    )
    # The regulation's own sample card gives Monday twice: not simple → the default schedule.
    assert worktime.parse_working_hours("пн - чт 9:00-18:00; пн 9:00-17:00") is None
    assert worktime.parse_working_hours("круглосуточно").every_day  # R15: read since issue 11
    assert worktime.parse_working_hours("") is None
    lunch_at_noon = worktime.parse_working_hours(
        "пн–пт 8.00–17.00; перерыв 12:00–13:00; сб, вс выходной"
    )
    assert lunch_at_noon.intervals_of_weekday(4) == (
        (dt.time(8), dt.time(12)),
        (dt.time(13), dt.time(17)),
    )
    assert lunch_at_noon.intervals_of_weekday(5) == ()
    no_break = worktime.parse_working_hours("будни 10:00–16:00; без перерыва")
    assert no_break.intervals_of_weekday(0) == ((dt.time(10), dt.time(16)),)


def test_working_day_terms_end_with_the_organisations_working_day():
    # Civil Code art. 191, 194: starts the next day, ends at the close of the last day.
    assert worktime.add_working_days_deadline(at(2026, 11, 19, 10, 0), 1, schedule=CARD) == at(
        2026, 11, 20, 17, 0
    )
    assert worktime.add_calendar_days_deadline(at(2026, 11, 19, 10, 0), 2) == at(
        2026, 11, 21, 23, 59, 59
    )
    assert worktime.add_calendar_hours(at(2026, 12, 31, 23, 0), 2) == at(2027, 1, 1, 1, 0)


def test_an_operator_override_makes_a_day_working_for_hours_as_well():
    CalendarOverride.objects.create(date=dt.date(2026, 1, 9), is_working=True, comment="тест")
    assert worktime.add_working_hours(at(2026, 1, 8, 12, 0), 1) == at(2026, 1, 9, 10, 0)


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        worktime.add_working_hours(dt.datetime(2026, 1, 12, 9, 0), 1)
