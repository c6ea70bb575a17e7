"""Channel adapters (N1): one interface, ``send(notice) -> str`` (the provider's reference,
"" when there is none) raising ``DeliveryError`` on failure (``PermanentError`` when retrying
cannot help). ``prepare(notices)`` loads what a batch needs in bulk; adapters with
``batch = True`` also deliver a whole batch at once with ``send_many``.

Duplicate protection (the row's ``dedup_key`` travels with every delivery):
- inbox: exactly once (a unique ``InboxMessage.notice``; same database as the outbox);
- SMS: the gateway gets ``client_id`` = dedup_key (and an ``Idempotency-Key`` header) and
  must drop a repeated id — exactly once with a gateway that honours it;
- push: the ``Topic`` header lets the push service replace an undelivered duplicate, and the
  service worker shows it with ``tag`` = dedup_key, so a duplicate replaces the shown one;
- e-mail: a stable ``Message-ID`` derived from dedup_key (mail clients collapse duplicates);
- Telegram: the bot API has no idempotency key; we record the returned message_id and mark
  the row right after the call, so a duplicate needs the worker to die in that instant.
"""

from __future__ import annotations

import hashlib
import json
import logging

import httpx
from django.conf import settings
from django.core import mail

from . import channels
from .models import InboxMessage, Notice, PushSubscription, TelegramLink

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """The delivery failed; the worker retries later."""


class PermanentError(DeliveryError):
    """The delivery cannot succeed by retrying (no address, refused by the gateway)."""


class Adapter:
    channel = ""
    batch = False
    same_database = False  # delivers by writing to the outbox's database (the inbox)

    def prepare(self, notices: list[Notice]) -> None:
        """Load what the batch needs (addresses) with a constant number of queries."""

    def send(self, notice: Notice) -> str:
        raise NotImplementedError

    def send_many(self, notices: list[Notice]) -> dict[int, Exception | None]:
        outcome = {}
        for notice in notices:
            try:
                self.send(notice)
                outcome[notice.pk] = None
            except Exception as exc:  # noqa: BLE001 - recorded per row by the worker
                outcome[notice.pk] = exc
        return outcome

    def close(self) -> None:
        pass


def _text(notice: Notice, limit: int = 4000) -> str:
    """Subject, body and — when the site's address is known (NOTIFICATIONS_SITE_URL) — the link;
    a bare path means nothing outside the site."""
    text = f"{notice.subject}\n{notice.body}".strip()
    base = str(settings.NOTIFICATIONS_SITE_URL or "").rstrip("/")
    link = f"\n{base}{notice.url}" if notice.url and base else ""
    return text[: limit - len(link)] + link


class InboxAdapter(Adapter):
    channel = channels.INBOX
    batch = True
    same_database = True

    def _message(self, notice):
        return InboxMessage(
            recipient_id=notice.recipient_id,
            notice_id=notice.pk,
            kind=notice.kind,
            group=notice.group,
            subject=notice.subject,
            body=notice.body,
            url=notice.url,
            emergency=notice.emergency,
            created_at=notice.due_at,
        )

    def send(self, notice):
        InboxMessage.objects.bulk_create([self._message(notice)], ignore_conflicts=True)
        return ""

    def send_many(self, notices):
        # One insert for the batch; the unique notice_id makes a redelivery write nothing.
        InboxMessage.objects.bulk_create(
            [self._message(n) for n in notices], ignore_conflicts=True, batch_size=1000
        )
        return dict.fromkeys((n.pk for n in notices), None)


class EmailAdapter(Adapter):
    channel = channels.EMAIL

    def __init__(self):
        self.connection = None

    def prepare(self, notices):
        self.connection = mail.get_connection()

    def send(self, notice):
        # An outside address (an applicant, not a user yet) or the recipient's own.
        address = notice.address or (notice.recipient.email if notice.recipient_id else "")
        if not address:
            raise PermanentError("the recipient has no e-mail address")
        digest = hashlib.sha256(notice.dedup_key.encode()).hexdigest()[:32]
        message = mail.EmailMessage(
            subject=notice.subject,
            body=_text(notice),
            to=[address],
            connection=self.connection,
            headers={"Message-ID": f"<{digest}@domovoy.notifications>"},
        )
        try:
            message.send()
        except Exception as exc:  # noqa: BLE001 - any SMTP/transport failure is retried
            raise DeliveryError(f"e-mail: {exc}") from exc
        return ""


class _HttpAdapter(Adapter):
    timeout = 10.0

    def __init__(self):
        self.client = None

    def prepare(self, notices):
        if self.client is None:
            self.client = httpx.Client(timeout=self.timeout)

    def close(self):
        if self.client is not None:
            self.client.close()
            self.client = None

    def _post(self, url, **kwargs):
        try:
            return self.client.post(url, **kwargs)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{self.channel}: {type(exc).__name__}: {exc}") from exc

    def _check(self, response):
        if response.is_success:
            return
        detail = f"{self.channel}: HTTP {response.status_code} {response.text[:200]}"
        if response.status_code in (408, 409, 425, 429) or response.status_code >= 500:
            raise DeliveryError(detail)
        raise PermanentError(detail)


class SmsAdapter(_HttpAdapter):
    """JSON POST to NOTIFICATIONS_SMS_URL: {"phone", "text", "sender", "client_id"} with
    ``Authorization: Bearer NOTIFICATIONS_SMS_TOKEN``. ``client_id`` (= the row's dedup_key)
    is the gateway's idempotency key. The answer's "id" (if any) is recorded."""

    channel = channels.SMS

    def send(self, notice):
        # An outside phone (a caller without an account, N2) or the recipient's own.
        phone = notice.address or (notice.recipient.phone if notice.recipient_id else "")
        if not phone:
            raise PermanentError("the recipient has no phone number")
        headers = {"Idempotency-Key": notice.dedup_key}
        token = settings.NOTIFICATIONS_SMS_TOKEN
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = self._post(
            settings.NOTIFICATIONS_SMS_URL,
            json={
                "phone": phone,
                "text": _text(notice),
                "sender": settings.NOTIFICATIONS_SMS_SENDER,
                "client_id": notice.dedup_key,
            },
            headers=headers,
        )
        self._check(response)
        try:
            return str(response.json().get("id", ""))[:120]
        except (ValueError, AttributeError):
            return ""


class TelegramAdapter(_HttpAdapter):
    channel = channels.TELEGRAM

    def prepare(self, notices):
        super().prepare(notices)
        ids = {n.recipient_id for n in notices}
        self.chats = dict(
            TelegramLink.objects.filter(user_id__in=ids, chat_id__isnull=False).values_list(
                "user_id", "chat_id"
            )
        )

    def send(self, notice):
        chat_id = self.chats.get(notice.recipient_id)
        if chat_id is None:
            raise PermanentError("the recipient has no linked Telegram chat")
        base = settings.NOTIFICATIONS_TELEGRAM_API_URL
        token = settings.NOTIFICATIONS_TELEGRAM_BOT_TOKEN
        response = self._post(
            f"{base.rstrip('/')}/bot{token}/sendMessage",
            json={"chat_id": chat_id, "text": _text(notice), "disable_web_page_preview": True},
        )
        self._check(response)
        try:
            return str(response.json()["result"]["message_id"])
        except (ValueError, KeyError, TypeError):
            return ""


class PushAdapter(Adapter):
    """Web Push with VAPID (pywebpush) to every subscription of the recipient. A subscription
    the push service calls gone (404/410) is deleted. Success when at least one device took it."""

    channel = channels.PUSH

    def prepare(self, notices):
        ids = {n.recipient_id for n in notices}
        self.subscriptions: dict[int, list[PushSubscription]] = {}
        for sub in PushSubscription.objects.filter(user_id__in=ids).order_by("id"):
            self.subscriptions.setdefault(sub.user_id, []).append(sub)

    def send(self, notice):
        from pywebpush import WebPushException, webpush

        subs = self.subscriptions.get(notice.recipient_id, [])
        if not subs:
            raise PermanentError("the recipient has no push subscription")
        payload = json.dumps(
            {
                "title": notice.subject,
                "body": notice.body,
                "url": notice.url or "/notifications/",
                "tag": notice.dedup_key,
            },
            ensure_ascii=False,
        )
        topic = hashlib.sha256(notice.dedup_key.encode()).hexdigest()[:32]
        errors = []
        delivered = 0
        for sub in subs:
            try:
                webpush(
                    subscription_info={
                        "endpoint": sub.endpoint,
                        "keys": {"p256dh": sub.p256dh, "auth": sub.auth},
                    },
                    data=payload,
                    vapid_private_key=settings.NOTIFICATIONS_VAPID_PRIVATE_KEY,
                    vapid_claims={
                        "sub": getattr(
                            settings, "NOTIFICATIONS_VAPID_SUBJECT", "mailto:admin@localhost"
                        )
                    },
                    headers={"Topic": topic, "Urgency": "high" if notice.emergency else "normal"},
                    ttl=24 * 3600,
                    timeout=10,
                )
                delivered += 1
            except WebPushException as exc:
                status = getattr(exc.response, "status_code", None)
                if status in (404, 410):
                    sub.delete()
                errors.append(f"{status}: {exc}")
            except Exception as exc:  # noqa: BLE001 - network errors are retried
                errors.append(f"{type(exc).__name__}: {exc}")
        if delivered:
            return f"{delivered}/{len(subs)}"
        raise DeliveryError("push: " + "; ".join(errors)[:500])


ADAPTERS: dict[str, type[Adapter]] = {
    channels.INBOX: InboxAdapter,
    channels.EMAIL: EmailAdapter,
    channels.PUSH: PushAdapter,
    channels.SMS: SmsAdapter,
    channels.TELEGRAM: TelegramAdapter,
}


def register(channel: str, adapter: type[Adapter]) -> None:
    """Add a channel (e.g. a native-app push) behind the same interface."""
    ADAPTERS[channel] = adapter


def adapter_for(channel: str) -> Adapter:
    return ADAPTERS[channel]()
