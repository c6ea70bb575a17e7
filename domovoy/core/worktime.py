"""The one working-time calendar (R15, D5). Nothing else does date arithmetic on deadlines.

Public holidays, transferred days off and working Saturdays come from the ``holidays``
package (Russia and Belarus); the operator-editable ``CalendarOverride`` table wins over it
(governments publish next year's transfers late).
"""

import datetime as dt
from functools import lru_cache

import holidays
from django.conf import settings


@lru_cache(maxsize=8)
def _country_calendar(country, year):
    return holidays.country_holidays(country, years=[year])


def _overrides():
    from domovoy.core.models import CalendarOverride

    return CalendarOverride.cached_map()


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
