"""Helpers of the service-desk tests."""

import datetime as dt
from zoneinfo import ZoneInfo

from domovoy.servicedesk import services
from domovoy.servicedesk.models import RequestEvent, ResidentNotice, ServiceRequest

MSK = ZoneInfo("Europe/Moscow")


def at(*args):
    """An aware Moscow time."""
    return dt.datetime(*args, tzinfo=MSK)


def act(request, action, actor, **params):
    """Perform a workflow action through the one transition service."""
    return services.service_request_transition(
        request=request, action=action, actor=actor, **params
    )


def footprint(request):
    """Everything a refused action must leave untouched."""
    row = ServiceRequest.objects.get(pk=request.pk)
    return {
        "status": row.status,
        "version": row.version,
        "executor_org_id": row.executor_org_id,
        "deadline_at": row.deadline_at,
        "events": RequestEvent.objects.filter(request=request).count(),
        "notices": ResidentNotice.objects.filter(request=request).count(),
    }
