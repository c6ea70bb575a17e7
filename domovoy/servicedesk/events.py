"""History rows and resident notices of requests (R4, N2). Called by the services inside the
transaction of the change, never through signals. Notices go through the notification engine
(``domovoy.notifications``): one outbox row per channel the resident chose, the in-cabinet
inbox always among them."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from domovoy.core.private_files import original_name
from domovoy.directory import roles
from domovoy.notifications.channels import SMS
from domovoy.notifications.services import (
    NoticeIntent,
    inbox_mark_read_group,
    notice_to_address,
    notices_enqueue,
)

from .models import Channel, RequestEvent, ServiceRequest
from .resident_words import status_next
from .resident_words import status_word as resident_status_word

KIND_STATUS = "request.status"
KIND_COMMENT = "request.comment"


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
        document_name=original_name(document) if document else "",
    )


def notice_text(request: ServiceRequest, event: RequestEvent, *, with_next: bool = True) -> str:
    """The body under the subject «Заявка № N: <status word>»: what the executor told the
    resident, else the new status in a sentence (the subject already names the request); then
    the line of ``resident_words`` saying what happens next — one status word covers several
    stages («на рассмотрении» before and after acceptance), the line tells them apart. An SMS
    (``with_next=False``) stays short: its reader has no cabinet to press buttons in."""
    if event.comment:
        text = event.comment
    else:
        text = _("Статус заявки: %(word)s.") % {"word": resident_status_word(event.to_status)}
    if with_next:
        text = f"{text}\n{status_next(event.to_status)}"
    return text


# A comment is a conversation, not a change of the request: it goes to the inbox, push and
# Telegram, never to the paid or slow channels (SMS, e-mail) a status change may use.
COMMENT_CHANNELS = ("inbox", "push", "telegram")


def _intent(
    *, request: ServiceRequest, kind: str, key: str, text: str, status: str, channels=None
) -> NoticeIntent:
    """The engine's notice about one request: in the resident's inbox (always) and their
    other chosen channels, grouped by request so opening the request marks them read."""
    word = resident_status_word(status)
    return NoticeIntent(
        recipient_id=request.author_id,
        kind=kind,
        dedup_key=key,
        subject=_("Заявка № %(number)s: %(word)s") % {"number": request.number, "word": word},
        body=text,
        url=reverse("servicedesk:resident_detail", args=[request.number]),
        group=request_group(request),
        channels=channels,
    )


def request_group(request: ServiceRequest) -> str:
    """The engine's group of a request's notices (mark read, count, cancel)."""
    return f"request:{request.pk}"


def notify_resident(request: ServiceRequest, event: RequestEvent) -> NoticeIntent | None:
    """THE place that tells a resident about a change of their request (N2), called by the
    transition service for the actions the workflow table marks ``notify``, inside its
    transaction. The notice goes through the notification engine (outbox: the inbox plus the
    resident's chosen channels, quiet hours applied). Idempotent by ``dedup_key``: a second
    call for the same event writes nothing. Requests without a resident account (filed by
    phone) get nothing here, nor those filed by an integration (its account is no resident:
    the integration's own system tells its users) — except a caller of the call centre, who
    hears by SMS (``notify_caller_by_sms``). Returns the intent handed to the engine (None: no
    resident to tell). The residents who pressed «У меня тоже» get the same notice
    (``notify_subscribers``)."""
    notify_subscribers(request, event)
    if request.author_id is None or not request.author.is_resident:
        notify_caller_by_sms(request, event)
        return None
    intent = _intent(
        request=request,
        kind=KIND_STATUS,
        key=f"request:{request.pk}:event:{event.pk}",
        text=notice_text(request, event),
        status=event.to_status,
    )
    notices_enqueue([intent])
    return intent


def notify_subscribers(request: ServiceRequest, event: RequestEvent) -> int:
    """Issue 13 (N2): a resident who pressed «У меня тоже» hears of every status change of the
    request like its author — in their inbox and chosen channels, one notice per event (dedup
    key), linking to the open requests of their building (not the author's page). Returns the
    number of intents handed to the engine."""
    from .models import MeToo

    if not request.me_too_count:
        return 0  # nobody joined: no query (intake and most transitions)
    user_ids = list(
        MeToo.objects.filter(request=request)
        .exclude(user_id=request.author_id)
        .values_list("user_id", flat=True)
    )
    if not user_ids:
        return 0
    word = resident_status_word(event.to_status)
    subject = _("Заявка № %(number)s («у меня тоже»): %(word)s") % {
        "number": request.number,
        "word": word,
    }
    text = notice_text(request, event)
    url = reverse("servicedesk:resident_building")
    intents = [
        NoticeIntent(
            recipient_id=user_id,
            kind=KIND_STATUS,
            dedup_key=f"request:{request.pk}:event:{event.pk}:me-too:{user_id}",
            subject=subject,
            body=text,
            url=url,
            group=request_group(request),
        )
        for user_id in user_ids
    ]
    notices_enqueue(intents)
    return len(intents)


def notify_caller_by_sms(request: ServiceRequest, event: RequestEvent) -> int:
    """N2 for a caller without an account: the status notice goes by SMS to the phone the
    call centre recorded, unless the caller refused SMS («не присылать SMS»). One SMS per
    request and event (dedup key), quiet hours applied by the engine. Returns rows written."""
    if request.channel != Channel.CALL_CENTRE or request.sms_opt_out or not request.phone:
        return 0
    word = resident_status_word(event.to_status)
    return notice_to_address(
        address=request.phone,
        channel=SMS,
        kind=KIND_STATUS,
        dedup_key=f"request:{request.pk}:event:{event.pk}:caller",
        subject=_("Заявка № %(number)s: %(word)s") % {"number": request.number, "word": word},
        body=notice_text(request, event, with_next=False),
        group=request_group(request),
    )


def notify_resident_of_comment(request: ServiceRequest, comment) -> NoticeIntent | None:
    """N2: a public comment by somebody else than the resident reaches them (``COMMENT_CHANNELS``
    among the chosen ones); the resident's own comment tells nobody."""
    if request.author_id is None or comment.author_id == request.author_id:
        return None
    text = _("Новый комментарий: %(text)s") % {"text": comment.text[:500]}
    if not comment.text:
        text = _("Новый комментарий с файлами")
    intent = _intent(
        request=request,
        kind=KIND_COMMENT,
        key=f"request:{request.pk}:comment:{comment.pk}",
        text=text,
        status=request.status,
        channels=COMMENT_CHANNELS,
    )
    notices_enqueue([intent])
    return intent


def notices_mark_read(*, user, request: ServiceRequest) -> int:
    """Mark read the user's inbox messages about one request (opening its page)."""
    return inbox_mark_read_group(user=user, group=request_group(request))
