"""History rows and resident notices of requests (R4, N2). Called by the services inside the
transaction of the change, never through signals."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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


def _notice(*, request: ServiceRequest, key: str, status_word: str, text: str, event=None):
    """Write one inbox row for the request's resident, idempotently by ``key`` (the unique
    constraint decides; a repeated call returns the row already written)."""
    try:
        with transaction.atomic():  # a savepoint: a concurrent duplicate must not break the caller
            return ResidentNotice.objects.create(
                recipient_id=request.author_id,
                request=request,
                event=event,
                status_word=status_word,
                text=text,
                dedup_key=key,
            )
    except IntegrityError:
        return ResidentNotice.objects.get(dedup_key=key)


def notify_resident(request: ServiceRequest, event: RequestEvent) -> ResidentNotice | None:
    """THE place that tells a resident about a change of their request (N2), called by the
    transition service for the actions the workflow table marks ``notify``. Idempotent by
    ``dedup_key``: a second call for the same event writes nothing. Requests without a resident
    account (filed by phone) get nothing here."""
    if request.author_id is None:
        return None
    return _notice(
        request=request,
        key=f"servicedesk:event:{event.pk}",
        status_word=resident_status_word(event.to_status),
        text=notice_text(request, event),
        event=event,
    )


def notify_resident_of_comment(request: ServiceRequest, comment) -> ResidentNotice | None:
    """N2: a public comment by somebody else than the resident reaches their inbox."""
    if request.author_id is None or comment.author_id == request.author_id:
        return None
    text = _("Заявка № %(number)s: новый комментарий.") % {"number": request.number}
    if comment.text:
        text += f" {comment.text[:500]}"
    return _notice(
        request=request,
        key=f"servicedesk:comment:{comment.pk}",
        status_word=resident_status_word(request.status),
        text=text,
    )


def notices_mark_read(*, user, notice_ids=None, request=None) -> int:
    """Mark the user's unread notices read: all, the given ones, or those of one request."""
    unread = ResidentNotice.objects.filter(recipient=user, read_at__isnull=True)
    if notice_ids is not None:
        unread = unread.filter(pk__in=notice_ids)
    if request is not None:
        unread = unread.filter(request=request)
    return unread.update(read_at=timezone.now())
