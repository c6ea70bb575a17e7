"""The one working-time calendar (R15, D5). Nothing else does date arithmetic on deadlines.

Public holidays, transferred days off and working Saturdays come from the ``holidays``
package (Russia and Belarus); the operator-editable ``CalendarOverride`` table wins over it
(governments publish next year's transfers late).
"""

import datetime as dt
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache

import holidays
from django.conf import settings
from django.utils import timezone

from .hours_text import DEFAULT_LUNCH, WorkingHours, WorkingHoursError, parse_hours


@lru_cache(maxsize=8)
def _country_calendar(country, year):
    return holidays.country_holidays(country, years=[year])


# Inside ``calendar_snapshot()`` the overrides are read from the cache once, not once per day
# looked at (a deadline in working days asks about each day several times; with Redis each ask
# was a round trip).
_snapshot: ContextVar[dict | None] = ContextVar("worktime_overrides", default=None)


def _overrides():
    snapshot = _snapshot.get()
    if snapshot is not None:
        return snapshot
    from domovoy.core.models import CalendarOverride

    return CalendarOverride.cached_map()


@contextmanager
def calendar_snapshot():
    """Compute within the block against one reading of the calendar overrides."""
    token = _snapshot.set(_overrides())
    try:
        yield
    finally:
        _snapshot.reset(token)


def is_working_day(day: dt.date, *, country: str | None = None) -> bool:
    override = _overrides().get(day)
    if override is not None:
        return override
    return _country_calendar(country or settings.CALENDAR_COUNTRY, day.year).is_working_day(day)


def add_working_days(start: dt.date, days: int, *, country: str | None = None) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself does not count)."""
    current = start
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if is_working_day(current, country=country):
            remaining -= 1
    return current


def working_days_between(start: dt.date, end: dt.date, *, country: str | None = None) -> int:
    """Working days after ``start`` up to and including ``end``."""
    count, current = 0, start
    while current < end:
        current += dt.timedelta(days=1)
        if is_working_day(current, country=country):
            count += 1
    return count


# --------------------------------------------------------------------------------------------
# Working hours (R15): an organisation's schedule, the shortened pre-holiday day, and the
# arithmetic of deadlines in working hours, working days and calendar time.
#
# Working time = the production calendar's working days (above) x the organisation's hours.
# Times are computed in the city's time zone (settings.TIME_ZONE) and returned aware.
# --------------------------------------------------------------------------------------------

Interval = tuple[dt.time, dt.time]


@dataclass(frozen=True)
class WorkSchedule:
    """Working intervals per weekday (0 = Monday), already without the breaks.

    A weekend day the production calendar makes working (a transferred working Saturday) is
    worked with the hours of ``transferred_workday``'s weekday (Monday by default: the regular
    full day). A pre-holiday day ends ``pre_holiday_cut`` earlier (Labour Code art. 95).
    ``every_day``: the hours hold on holidays too, with no pre-holiday cut (a duty service, an
    organisation working round the clock)."""

    days: dict[int, tuple[Interval, ...]]
    transferred_workday: int = 0
    pre_holiday_cut: dt.timedelta = field(default=dt.timedelta(hours=1))
    every_day: bool = False

    def intervals_of_weekday(self, weekday: int) -> tuple[Interval, ...]:
        return self.days.get(weekday, ())


# Mon–Fri 09:00–18:00 with the lunch hour: 8 working hours a day, 40 a week (Labour Code art.
# 91). Used for an organisation whose stored card cannot be read (cards saved before R15's
# parser refused them; nothing new is stored unreadable).
DEFAULT_SCHEDULE = WorkSchedule(
    days={d: ((dt.time(9), DEFAULT_LUNCH[0]), (DEFAULT_LUNCH[1], dt.time(18))) for d in range(5)}
)


def schedule_from_hours(hours: WorkingHours, *, emergency: bool = False) -> WorkSchedule:
    """The calendar's schedule of parsed hours: the office hours, or for an emergency deadline
    the duty service's hours when the card names one."""
    if emergency and hours.duty:
        return WorkSchedule(days={d: h.intervals for d, h in hours.duty}, every_day=True)
    days = {d: h.intervals for d, h in hours.office}
    first_weekday = min((d for d in days if d < 5), default=min(days))
    return WorkSchedule(
        days=days, transferred_workday=first_weekday, every_day=hours.office_every_day
    )


def parse_working_hours(text: str) -> WorkSchedule | None:
    """The office schedule of a card's working-hours text, or None if it cannot be read
    (``hours_text.parse_hours`` says why)."""
    hours = readable_hours(text)
    return schedule_from_hours(hours) if hours else None


@lru_cache(maxsize=256)
def readable_hours(text: str) -> WorkingHours | None:
    try:
        return parse_hours(text)
    except WorkingHoursError:
        return None


def schedule_for(organization, *, emergency: bool = False) -> WorkSchedule:
    """The organisation's working hours from its card (its duty service's for an emergency
    deadline, if it has one), or the default schedule if the stored card cannot be read."""
    if organization is None:
        return DEFAULT_SCHEDULE
    hours = readable_hours(getattr(organization, "working_hours", "") or "")
    return schedule_from_hours(hours, emergency=emergency) if hours else DEFAULT_SCHEDULE


def _is_public_holiday(day: dt.date, country: str) -> bool:
    if _overrides().get(day) is not None:
        return not _overrides()[day]
    return day in _country_calendar(country, day.year)


def is_pre_holiday(day: dt.date, *, country: str | None = None) -> bool:
    """A working day shortened by one hour (Labour Code art. 95, the Ministry of Labour's
    production calendars): the next day is a holiday or a transferred day off (7 March before
    8 March even on a Saturday; 7 May 2025 before the transferred 8 May), or the day itself is a
    transferred working Saturday followed by non-working days that include one (1 November
    2025). A Friday before an ordinary weekend followed by a Monday holiday is not shortened."""
    country = country or settings.CALENDAR_COUNTRY
    if not is_working_day(day, country=country):
        return False
    following = day + dt.timedelta(days=1)
    if not is_working_day(following, country=country) and _is_public_holiday(following, country):
        return True
    if day.weekday() >= 5:
        while not is_working_day(following, country=country):
            if _is_public_holiday(following, country):
                return True
            following += dt.timedelta(days=1)
    return False


def working_intervals(
    day: dt.date, *, schedule: WorkSchedule | None = None, country: str | None = None
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The aware working intervals of ``day`` (empty on a day off)."""
    schedule = schedule or DEFAULT_SCHEDULE
    if not schedule.every_day and not is_working_day(day, country=country):
        return []
    weekday = day.weekday()
    intervals = schedule.intervals_of_weekday(weekday)
    if not intervals and weekday >= 5 and not schedule.every_day:  # a transferred working day
        intervals = schedule.intervals_of_weekday(schedule.transferred_workday)
    tz = timezone.get_default_timezone()
    result = []
    for start, end in intervals:
        end_dt = (
            dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
            if end == dt.time.max
            else dt.datetime.combine(day, end, tzinfo=tz)
        )
        result.append((dt.datetime.combine(day, start, tzinfo=tz), end_dt))
    if result and not schedule.every_day and is_pre_holiday(day, country=country):
        start, end = result[-1]
        cut = end - schedule.pre_holiday_cut
        if cut > start:
            result[-1] = (start, cut)
        else:
            result.pop()
    return result


def _local(moment: dt.datetime) -> dt.datetime:
    if timezone.is_naive(moment):
        raise ValueError("working-time arithmetic needs an aware datetime")
    return timezone.localtime(moment, timezone.get_default_timezone())


_HORIZON_DAYS = 3 * 366  # a schedule with no working time at all must not loop forever


def add_working_hours(
    start_dt: dt.datetime,
    hours: float,
    *,
    schedule: WorkSchedule | None = None,
    country: str | None = None,
) -> dt.datetime:
    """The moment ``hours`` working hours after ``start_dt``. Time outside working hours does
    not count: 8 working hours from Friday 17:30 end on Monday 17:30 (30 minutes on Friday,
    7.5 hours on Monday with its lunch hour skipped)."""
    cursor = _local(start_dt)
    remaining = dt.timedelta(hours=hours)
    if remaining <= dt.timedelta(0):
        return cursor
    day = cursor.date()
    for _ in range(_HORIZON_DAYS):
        for begin, end in working_intervals(day, schedule=schedule, country=country):
            if end <= cursor:
                continue
            begin = max(begin, cursor)
            available = end - begin
            if available >= remaining:
                return begin + remaining
            remaining -= available
        day += dt.timedelta(days=1)
    raise ValueError("the schedule has no working time within three years")


def working_hours_between(
    start_dt: dt.datetime,
    end_dt: dt.datetime,
    *,
    schedule: WorkSchedule | None = None,
    country: str | None = None,
) -> float:
    """Working hours between two moments (0 if ``end_dt`` is not later)."""
    start, end = _local(start_dt), _local(end_dt)
    total = dt.timedelta(0)
    day = start.date()
    while day <= end.date():
        for begin, finish in working_intervals(day, schedule=schedule, country=country):
            lo, hi = max(begin, start), min(finish, end)
            if hi > lo:
                total += hi - lo
        day += dt.timedelta(days=1)
    return total.total_seconds() / 3600


def end_of_working_day(
    day: dt.date, *, schedule: WorkSchedule | None = None, country: str | None = None
) -> dt.datetime:
    """When the organisation's working day ``day`` ends (the end of the calendar day if the
    organisation has no hours that day)."""
    intervals = working_intervals(day, schedule=schedule, country=country)
    if intervals:
        return intervals[-1][1]
    tz = timezone.get_default_timezone()
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz)


def add_working_days_deadline(
    start_dt: dt.datetime,
    days: int,
    *,
    schedule: WorkSchedule | None = None,
    country: str | None = None,
) -> dt.datetime:
    """A term of ``days`` working days: it starts the day after ``start_dt`` (Civil Code art.
    191) and ends when the organisation's working hours end on its last day (art. 194 p. 1)."""
    last = add_working_days(_local(start_dt).date(), days, country=country)
    return end_of_working_day(last, schedule=schedule, country=country)


def add_calendar_hours(start_dt: dt.datetime, hours: float) -> dt.datetime:
    return _local(start_dt) + dt.timedelta(hours=hours)


def add_calendar_days_deadline(start_dt: dt.datetime, days: int) -> dt.datetime:
    """A term of ``days`` calendar days ends at the end of its last day (Civil Code art. 194)."""
    last = _local(start_dt).date() + dt.timedelta(days=days)
    tz = timezone.get_default_timezone()
    return dt.datetime.combine(last, dt.time(23, 59, 59), tzinfo=tz)
