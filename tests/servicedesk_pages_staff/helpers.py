"""Helpers of the staff page tests."""

import re

from django.urls import reverse

from domovoy.servicedesk.models import RequestEvent, ServiceRequest


def card_url(sr):
    return reverse("servicedesk:staff_detail", args=[sr.number])


def action_url(sr, action):
    return reverse("servicedesk:staff_action", args=[sr.number, action])


def post_action(client, sr, action, *, version=None, **fields):
    """Submit the card's form of ``action`` as the page renders it (prefixed fields and the
    version the user saw)."""
    if version is None:
        version = ServiceRequest.objects.get(pk=sr.pk).version
    data = {f"{action}-version": version}
    data.update({f"{action}-{name}": value for name, value in fields.items()})
    return client.post(action_url(sr, action), data)


def buttons(response):
    """The action buttons a card shows."""
    return set(re.findall(r'data-action-button="([a-z_]+)"', response.content.decode()))


def state(sr):
    row = ServiceRequest.objects.get(pk=sr.pk)
    return {
        "status": row.status,
        "version": row.version,
        "executor_org_id": row.executor_org_id,
        "events": RequestEvent.objects.filter(request=row).count(),
    }
