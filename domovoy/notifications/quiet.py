"""Quiet hours (O3): nothing is delivered between 22:00 and 08:00 local time unless the notice is
an emergency («Экстренное оповещение»). A moment inside them moves to the next 08:00.

Settings: NOTIFICATIONS_QUIET_START ("22:00"), NOTIFICATIONS_QUIET_END ("08:00"),
NOTIFICATIONS_TIME_ZONE (default TIME_ZONE). The window may wrap midnight (22→08) or not.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings


def _time(value, default: str) -> dt.time:
    if isinstance(value, dt.time):
        return value
    text = str(value or default)
    hours, _, minutes = text.partition(":")
    return dt.time(int(hours), int(minutes or 0))


def window() -> tuple[dt.time, dt.time, ZoneInfo]:
    start = _time(settings.NOTIFICATIONS_QUIET_START, "22:00")
    end = _time(settings.NOTIFICATIONS_QUIET_END, "08:00")
    zone = ZoneInfo(settings.NOTIFICATIONS_TIME_ZONE or settings.TIME_ZONE)
    return start, end, zone


def _inside(local: dt.time, start: dt.time, end: dt.time) -> bool:
    if start == end:
        return False  # no quiet hours
    if start < end:
        return start <= local < end
    return local >= start or local < end  # wraps midnight


def is_quiet(moment: dt.datetime, *, rules=None) -> bool:
    start, end, zone = rules or window()
    return _inside(moment.astimezone(zone).time(), start, end)


def deliverable_at(moment: dt.datetime, *, emergency: bool = False, rules=None) -> dt.datetime:
    """``moment`` itself outside quiet hours (or for an emergency), else the next end of quiet
    hours (08:00 local) as an aware datetime."""
    start, end, zone = rules or window()
    if emergency or not _inside(moment.astimezone(zone).time(), start, end):
        return moment
    local = moment.astimezone(zone)
    day = local.date()
    if start > end and local.time() >= start:  # the evening part of a window over midnight
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=zone).astimezone(dt.UTC)
