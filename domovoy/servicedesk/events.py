"""History rows and resident notices of requests (R4, N2). Called by the services inside the
transaction of the change, never through signals."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from domovoy.core import roles

from .models import RequestEvent, ResidentNotice, ServiceRequest
from .workflow import resident_status_word


def record_event(
    *,
    request: ServiceRequest,
    action: str,
    actor,
    at: dt.datetime,
    from_status: str,
    to_status: str,
    reason: str = "",
    comment: str = "",
    data: dict | None = None,
    document=None,
) -> RequestEvent:
    """One history row: who (and for which organisation), when, what, from → to, why."""
    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    return RequestEvent.objects.create(
        request=request,
        at=at,
        actor=actor_user,
        actor_org=roles.organization_of(actor_user) if actor_user else None,
        action=action,
        from_status=from_status or "",
        to_status=to_status,
        reason=reason or "",
        comment=comment or "",
        data=data or {},
        document=document or "",
    )


def notice_text(request: ServiceRequest, event: RequestEvent) -> str:
    word = resident_status_word(event.to_status)
    text = f"Заявка № {request.number}: {word}."
    if event.comment:
        text += f" {event.comment}"
    return text


def notify_resident(request: ServiceRequest, event: RequestEvent) -> ResidentNotice | None:
    """THE one place that tells a resident about their request (N2). For now it writes the
    in-cabinet inbox row; the outbox (N1) will fan it out to push, e-mail, SMS and Telegram
    from here. Idempotent by ``dedup_key``: a second call for the same event writes nothing.
    Requests without a resident account (filed by phone) get nothing here."""
    if request.author_id is None:
        return None
    key = f"servicedesk:event:{event.pk}"
    existing = ResidentNotice.objects.filter(dedup_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():  # a savepoint: a concurrent duplicate must not break the caller
            return ResidentNotice.objects.create(
                recipient_id=request.author_id,
                request=request,
                event=event,
                status_word=resident_status_word(event.to_status),
                text=notice_text(request, event),
                dedup_key=key,
            )
    except IntegrityError:
        return ResidentNotice.objects.get(dedup_key=key)
