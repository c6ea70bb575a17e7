"""Deadlines of requests (R2, R8, R14, R15). All the arithmetic is in ``core.worktime``; this
module only says which rule applies to a request.

Each control rule (overdue, crew not dispatched, not accepted in time) is written once here, as
a pair that must agree: ``*_q(now)`` for querysets (lists, tab counts, statistics, API filters)
and ``is_*(request, now)`` for one object already in memory (row marks, serializers)."""

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from domovoy.core import worktime

from .workflow import OPEN_STATUSES, Status

# R14 (Z 4.6): a UO accepts a request within 24 hours (calendar hours).
ACCEPT_LIMIT = dt.timedelta(hours=24)


def crew_dispatch_limit() -> dt.timedelta:
    """R8 (U 3.5.2д, G 3.4.2): an emergency crew within SERVICEDESK_CREW_DISPATCH_MINUTES (30)."""
    return dt.timedelta(minutes=settings.SERVICEDESK_CREW_DISPATCH_MINUTES)


def topic_deadline(topic, start: dt.datetime, *, organization=None) -> dt.datetime:
    """The default deadline of a request on ``topic`` filed at ``start`` and handled by
    ``organization`` (its working hours count for working-time topics; for an emergency topic,
    the hours of its duty service if its card names one — R8, R15)."""
    schedule = worktime.schedule_for(organization, emergency=topic.is_emergency)
    with worktime.calendar_snapshot():
        return _topic_deadline(topic, start, schedule)


def _topic_deadline(topic, start: dt.datetime, schedule) -> dt.datetime:
    if topic.deadline_days:
        if topic.deadline_working:
            return worktime.add_working_days_deadline(start, topic.deadline_days, schedule=schedule)
        return worktime.add_calendar_days_deadline(start, topic.deadline_days)
    hours = topic.deadline_hours or 0
    if topic.deadline_working:
        return worktime.add_working_hours(start, hours, schedule=schedule)
    return worktime.add_calendar_hours(start, hours)


def crew_due_at(request) -> dt.datetime | None:
    return request.created_at + crew_dispatch_limit() if request.is_emergency else None


def is_crew_dispatch_late(request, at: dt.datetime) -> bool:
    return request.is_emergency and at - request.created_at > crew_dispatch_limit()


def accept_due_at(request) -> dt.datetime:
    return request.created_at + ACCEPT_LIMIT


# --- Control rules (R8, R14): each one a Q and its per-object twin ---------------------------


def overdue_q(now: dt.datetime) -> Q:
    """R14: open, past its deadline; a request postponed to a date is not overdue until that
    date has passed (U 3.4.1б: postponing is a right, with a reason)."""
    return Q(status__in=sorted(OPEN_STATUSES), deadline_at__lt=now) & ~Q(
        status=Status.POSTPONED, postponed_until__gte=timezone.localdate(now)
    )


def is_overdue(request, now: dt.datetime) -> bool:
    """``overdue_q`` for one request."""
    if request.status not in OPEN_STATUSES or now <= request.deadline_at:
        return False
    if request.status == Status.POSTPONED and request.postponed_until:
        return timezone.localdate(now) > request.postponed_until
    return True


def crew_missing_q(now: dt.datetime) -> Q:
    """R8: an open emergency request without a recorded crew past the dispatch limit."""
    return Q(
        is_emergency=True,
        crew_dispatched_at__isnull=True,
        status__in=sorted(OPEN_STATUSES),
        created_at__lt=now - crew_dispatch_limit(),
    )


def is_crew_missing(request, now: dt.datetime) -> bool:
    """``crew_missing_q`` for one request."""
    return (
        request.crew_dispatched_at is None
        and request.status in OPEN_STATUSES
        and is_crew_dispatch_late(request, now)
    )


def not_accepted_q(now: dt.datetime) -> Q:
    """R14 (Z 4.6): a new non-emergency request nobody accepted within 24 hours."""
    return Q(
        status=Status.NEW,
        accepted_at__isnull=True,
        is_emergency=False,
        created_at__lt=now - ACCEPT_LIMIT,
    )


def is_not_accepted_late(request, now: dt.datetime) -> bool:
    """``not_accepted_q`` for one request."""
    return (
        request.status == Status.NEW
        and not request.is_emergency
        and request.accepted_at is None
        and now - request.created_at > ACCEPT_LIMIT
    )


# --- The deadline watch and the advance notice (R14, Z 4.6–4.7, 6.1.4.1) -------------------

# Z 6.1.4.1: the executor warns the control centre 24 hours before the deadline.
NOTICE_LEAD = dt.timedelta(hours=24)


def overdue_watch_q(now: dt.datetime) -> Q:
    """The worker's pass (R14): overdue (``overdue_q``) and not flagged yet — the partial index
    ``sr_watch_overdue_idx`` holds exactly the unflagged open rows."""
    return overdue_q(now) & Q(overdue_flagged_at__isnull=True)


def not_accepted_watch_q(now: dt.datetime) -> Q:
    """The worker's pass (R14): not accepted within 24 hours and not flagged yet
    (``sr_watch_accept_idx``)."""
    return not_accepted_q(now) & Q(not_accepted_flagged_at__isnull=True)


def advance_notice_due_at(request) -> dt.datetime:
    """When an advance notice is due at the latest (Z 6.1.4.1): 24 hours before the deadline;
    when the whole term (filing to deadline) is 24 hours or shorter, «as soon as the risk is
    known» (SPEC R14) — any moment before the deadline counts as in time."""
    if request.deadline_at - request.created_at <= NOTICE_LEAD:
        return request.deadline_at
    return request.deadline_at - NOTICE_LEAD


def is_advance_notice_late(request, at: dt.datetime) -> bool:
    return at > advance_notice_due_at(request)
