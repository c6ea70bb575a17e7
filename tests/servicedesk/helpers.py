"""Helpers of the service-desk tests."""

import datetime as dt
from zoneinfo import ZoneInfo

from domovoy.notifications.models import Notice
from domovoy.servicedesk import services
from domovoy.servicedesk.models import RequestEvent, ServiceRequest

MSK = ZoneInfo("Europe/Moscow")


def at(*args):
    """An aware Moscow time."""
    return dt.datetime(*args, tzinfo=MSK)


def act(request, action, actor, **params):
    """Perform a workflow action through the one transition service."""
    return services.service_request_transition(
        request=request, action=action, actor=actor, **params
    )


def hand_over(building, new_uo):
    """The registry moves ``building`` to ``new_uo`` from today (D4): the current period ends
    yesterday. A request may then be passed to the new UO (R5)."""
    from django.utils import timezone

    from domovoy.directory.models import ManagementPeriod

    today = timezone.localdate()
    ManagementPeriod.objects.filter(building=building, end__isnull=True).update(
        end=today - dt.timedelta(days=1)
    )
    ManagementPeriod.objects.create(building=building, organization=new_uo, start=today)


def footprint(request):
    """Everything a refused action must leave untouched."""
    row = ServiceRequest.objects.get(pk=request.pk)
    return {
        "status": row.status,
        "version": row.version,
        "executor_org_id": row.executor_org_id,
        "deadline_at": row.deadline_at,
        "events": RequestEvent.objects.filter(request=request).count(),
        "notices": Notice.objects.filter(group=f"request:{request.pk}").count(),
    }


def notices(request):
    """The resident's notices about ``request`` in the engine's outbox (the inbox channel: one
    row per logical notice), oldest first (N2)."""
    return list(
        Notice.objects.filter(group=f"request:{request.pk}", channel="inbox").order_by("id")
    )


def word(notice):
    """The resident's status word in a notice's subject «Заявка № N: <word>»."""
    return notice.subject.split(": ", 1)[1]
