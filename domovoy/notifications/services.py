"""Writes of the notification engine (N1, O3, N2).

The contract used by producers (outages, service desk):

- ``notices_enqueue(intents)``: one outbox row per intent per channel, idempotent by
  ``f"{intent.dedup_key}:{channel}"``, quiet hours applied; call it inside the producer's
  transaction; delivery is scheduled on commit.
- ``notice_to_address(address=..., ...)``: the same for an e-mail to someone who is not a
  user yet (an applicant): one e-mail row carrying the address.
- ``notices_cancel(group=..., kinds=...)``: cancel the not-yet-sent rows of a group.
- ``delivery_stats(group=...)``: counts per channel and state.

And the user's own actions: channel preferences, the inbox (mark read), push subscriptions,
Telegram linking.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from domovoy.core.errors import ApplicationError, PermissionDeniedError
from domovoy.directory.models import User

from . import channels, quiet
from .models import (
    ChannelPreference,
    InboxMessage,
    Notice,
    PushSubscription,
    TelegramLink,
)

CHUNK = 2000  # intents per batch of look-ups and inserts: a constant number of queries each
DEDUP_MAX = 255


@dataclass(frozen=True)
class NoticeIntent:
    recipient_id: int  # directory.User pk
    kind: str  # e.g. "outage.published", "outage.reminder_5d", "request.status"
    dedup_key: str  # one logical notice to one recipient, e.g. "outage:17:start_5d:u42"
    subject: str  # short title (Russian)
    body: str  # plain text (Russian)
    url: str = ""  # absolute path in the site to open, e.g. "/outages/17/"
    due_at: dt.datetime | None = None  # earliest delivery moment; None = now
    emergency: bool = False  # «Экстренное оповещение»: ignores quiet hours
    group: str = ""  # e.g. "outage:17": cancel and count by group
    channels: tuple[str, ...] | None = None  # None = the recipient's chosen channels; else the
    # intersection with them


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _recipients(ids: set[int]) -> dict[int, channels.Recipient]:
    """Everything the channel rules need about these users: one query, whatever the count."""
    mine = OuterRef("pk")
    users = (
        User.objects.filter(pk__in=ids, is_active=True)
        .annotate(
            chosen=Subquery(ChannelPreference.objects.filter(user=mine).values("channels")[:1]),
            has_push=Exists(PushSubscription.objects.filter(user=mine)),
            has_telegram=Exists(TelegramLink.objects.filter(user=mine, chat_id__isnull=False)),
        )
        .values_list("id", "email", "phone", "chosen", "has_push", "has_telegram")
    )
    return {
        pk: channels.Recipient(
            id=pk,
            email=email or "",
            phone=phone or "",
            has_push=has_push,
            has_telegram=has_telegram,
            chosen=tuple(chosen) if chosen is not None else None,
        )
        for pk, email, phone, chosen, has_push, has_telegram in users
    }


def notices_enqueue(intents: Iterable[NoticeIntent]) -> int:
    """Write one outbox row per intent per channel, idempotently (unique dedup_key
    f"{intent.dedup_key}:{channel}"; a repeated call inserts nothing). Applies quiet hours
    (22:00-08:00 local time): a due_at inside them moves to the next 08:00 unless emergency.
    Unknown or inactive recipients get nothing. A constant number of queries per chunk of
    2,000 intents. Call it inside the producer's transaction; the delivery task is scheduled
    with transaction.on_commit. Returns rows inserted."""
    now = timezone.now()
    rules = quiet.window()
    on = channels.configured()
    inserted = 0
    due_now = False
    # Inside the producer's transaction no savepoint of its own (two round trips per notice
    # of an intake): that transaction is all or nothing; called alone, one of its own.
    with nullcontext() if connection.in_atomic_block else transaction.atomic():
        for chunk in _chunks(intents, CHUNK):
            recipients = _recipients({i.recipient_id for i in chunk})
            rows: dict[str, tuple] = {}
            due_cache: dict = {}  # most intents of a batch share one due moment
            channel_cache: dict = {}  # and one recipient may get several notices
            for intent in chunk:
                recipient = recipients.get(intent.recipient_id)
                if recipient is None:
                    continue
                requested = tuple(intent.channels) if intent.channels is not None else None
                due_key = (intent.due_at, intent.emergency)
                due = due_cache.get(due_key)
                if due is None:
                    due = due_cache[due_key] = quiet.deliverable_at(
                        intent.due_at or now, emergency=intent.emergency, rules=rules
                    )
                channel_key = (recipient.id, requested)
                targets = channel_cache.get(channel_key)
                if targets is None:
                    targets = channel_cache[channel_key] = channels.channels_for(
                        recipient, requested, on=on
                    )
                for channel in targets:
                    key = f"{intent.dedup_key}:{channel}"
                    if len(key) > DEDUP_MAX:
                        raise ValueError(f"dedup_key longer than {DEDUP_MAX - 10}: {key[:60]}…")
                    rows[key] = (
                        recipient.id,
                        channel,
                        intent.kind,
                        intent.group,
                        intent.subject[:200],
                        intent.body,
                        intent.url,
                        due,
                        intent.emergency,
                        key,
                    )
            if not rows:
                continue
            inserted += _insert(list(rows.values()), now=now)
            due_now = due_now or any(row[7] <= now for row in rows.values())
    if due_now:
        transaction.on_commit(_schedule_delivery)
    return inserted


ROW_FIELDS = (
    "recipient_id", "channel", "kind", "group", "subject", "body", "url", "due_at", "emergency",
    "dedup_key",
)  # fmt: skip
_PG_TYPES = ("bigint", "text", "text", "text", "text", "text", "text", "timestamptz", "boolean",
             "text")  # fmt: skip


def _insert(rows: list[tuple], *, now) -> int:
    """Insert outbox rows, skipping dedup keys that exist; returns how many were inserted.

    PostgreSQL: one ``INSERT … SELECT FROM unnest(<one array per column>) ON CONFLICT
    (dedup_key) DO NOTHING RETURNING`` per chunk — exact under concurrent producers, and it
    skips the ORM's per-value preparation (the fan-out of an outage is 10⁵–10⁶ rows).
    SQLite (the embedded mode): the existing keys are read first, the rest bulk-inserted."""
    if connection.vendor == "postgresql":
        table = Notice._meta.db_table
        columns = ", ".join(f'"{name}"' for name in ROW_FIELDS)
        arrays = ", ".join(f"%s::{kind}[]" for kind in _PG_TYPES)
        sql = (
            f'INSERT INTO "{table}" ({columns}, "next_attempt_at", "state", "attempts", '
            '"last_error", "claim_token", "provider_ref", "address", "created_at") '
            f"SELECT u.*, u.due_at, 'queued', 0, '', '', '', '', %s FROM unnest({arrays}) "
            f"AS u({columns}) ON CONFLICT (dedup_key) DO NOTHING RETURNING 1"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [now, *(list(column) for column in zip(*rows, strict=True))])
            return len(cursor.fetchall())
    keys = [row[-1] for row in rows]
    existing = set(Notice.objects.filter(dedup_key__in=keys).values_list("dedup_key", flat=True))
    new = [
        Notice(next_attempt_at=row[7], **dict(zip(ROW_FIELDS, row, strict=True)))
        for row in rows
        if row[-1] not in existing
    ]
    # ignore_conflicts: a concurrent producer inserting the same key loses nothing.
    Notice.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    return len(new)


def notice_to_address(
    *,
    address: str,
    kind: str,
    dedup_key: str,
    subject: str,
    body: str,
    url: str = "",
    group: str = "",
    due_at: dt.datetime | None = None,
    channel: str = channels.EMAIL,
    immediate: bool = False,
) -> int:
    """An e-mail (or, with ``channel=SMS``, a text to a phone) to someone who is not a user
    (yet): an applicant for connection, a caller whose request the call centre filed (N2). One
    outbox row on that channel with ``address`` instead of a recipient, idempotent by
    f"{dedup_key}:{channel}" like ``notices_enqueue``; quiet hours apply (never an emergency).
    An SMS needs a configured gateway (else nothing is written). Call it inside the producer's
    transaction; delivery is scheduled on commit. Returns rows inserted (0 or 1).
    ``immediate``: a message the person is waiting for right now (a confirmation code,
    domovoy.residents) is not held by quiet hours."""
    if channel not in (channels.EMAIL, channels.SMS):
        raise ValueError(f"no outside address on channel {channel}")
    address = (address or "").strip()
    if not address or (channel == channels.SMS and not channels.sms_configured()):
        return 0
    key = f"{dedup_key}:{channel}"
    if len(key) > DEDUP_MAX:
        raise ValueError(f"dedup_key longer than {DEDUP_MAX - 10}: {key[:60]}…")
    now = timezone.now()
    due = quiet.deliverable_at(due_at or now, emergency=immediate)
    with nullcontext() if connection.in_atomic_block else transaction.atomic():
        if Notice.objects.filter(dedup_key=key).exists():
            return 0
        created = Notice.objects.bulk_create(
            [
                Notice(
                    address=address[:254],
                    channel=channel,
                    kind=kind,
                    group=group,
                    subject=subject[:200],
                    body=body,
                    url=url,
                    due_at=due,
                    next_attempt_at=due,
                    dedup_key=key,
                )
            ],
            ignore_conflicts=True,  # a concurrent producer of the same key loses nothing
        )
    if due <= now:
        transaction.on_commit(_schedule_delivery)
    return len(created)


def _schedule_delivery():
    from .tasks import deliver_notices_now

    deliver_notices_now()


def notices_cancel(*, group: str, kinds: Iterable[str] | None = None) -> int:
    """Cancel the not-yet-sent rows of a group (optionally only some kinds). Rows a worker is
    sending at this moment are not stopped. Returns the count."""
    if not group:
        raise ValueError("notices_cancel needs a group")
    rows = Notice.objects.filter(group=group, state=Notice.State.QUEUED)
    if kinds is not None:
        rows = rows.filter(kind__in=list(kinds))
    return rows.update(state=Notice.State.CANCELLED, last_error="cancelled by the producer")


STAT_KEYS = ("queued", "sent", "failed", "cancelled")


def delivery_stats(*, group: str) -> dict[str, dict[str, int]]:
    """{channel: {"queued": n, "sent": n, "failed": n, "cancelled": n}} for the group; rows
    being sent at the moment count as queued. One query."""
    stats: dict[str, dict[str, int]] = {}
    counts = (
        Notice.objects.filter(group=group)
        .values_list("channel", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for channel, state, n in counts:
        row = stats.setdefault(channel, dict.fromkeys(STAT_KEYS, 0))
        key = "queued" if state == Notice.State.SENDING else state
        row[key] += n
    return stats


def delivery_schedule(*, group: str) -> list[dict]:
    """The group's notices by kind and due moment, earliest first: [{"kind", "due_at",
    "queued", "sent", "failed", "cancelled", "channels": {channel: rows}}] — what will go out
    when, and what went (an outage's 5-day and 1-day reminders are two rows with their
    dates). Rows being sent count as queued. One query."""
    rows: dict[tuple, dict] = {}
    counts = (
        Notice.objects.filter(group=group)
        .values_list("kind", "due_at", "channel", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for kind, due_at, channel, state, n in counts:
        row = rows.setdefault(
            (kind, due_at),
            {"kind": kind, "due_at": due_at, **dict.fromkeys(STAT_KEYS, 0), "channels": {}},
        )
        row["queued" if state == Notice.State.SENDING else state] += n
        row["channels"][channel] = row["channels"].get(channel, 0) + n
    return sorted(rows.values(), key=lambda r: (r["due_at"], r["kind"]))


# --- The user's own actions ----------------------------------------------------------------


def preferences_set(*, user, chosen: Iterable[str]) -> tuple[str, ...]:
    """Store the channels ``user`` wants (the inbox is always on). Unknown channels and
    channels this deployment has not configured are refused."""
    chosen = list(dict.fromkeys(chosen))
    unknown = [c for c in chosen if c not in channels.ALL]
    if unknown:
        raise ApplicationError(
            _("Неизвестный канал уведомлений: %(name)s") % {"name": ", ".join(unknown)},
            code="unknown_channel",
            fields={"channels": [_("Неизвестный канал уведомлений")]},
        )
    on = channels.configured()
    off = [c for c in chosen if c not in on]
    if off:
        raise ApplicationError(
            _("Канал «%(name)s» не подключён в этой системе")
            % {"name": ", ".join(str(channels.LABELS[c]) for c in off)},
            code="channel_not_configured",
            fields={"channels": [_("Канал не подключён")]},
        )
    if channels.SMS in chosen and not user.phone:
        raise ApplicationError(
            _("Для SMS укажите номер телефона в профиле"),
            code="no_phone",
            fields={"channels": [_("Нет номера телефона")]},
        )
    if channels.EMAIL in chosen and not user.email:
        raise ApplicationError(
            _("Для уведомлений по почте укажите адрес электронной почты в профиле"),
            code="no_email",
            fields={"channels": [_("Нет адреса электронной почты")]},
        )
    stored = tuple(c for c in channels.ALL if c in chosen or c == channels.INBOX)
    with transaction.atomic():
        ChannelPreference.objects.update_or_create(user=user, defaults={"channels": list(stored)})
    return stored


def inbox_mark_read(*, user, message_id: int) -> InboxMessage:
    with transaction.atomic():
        message = InboxMessage.objects.filter(recipient=user, pk=message_id).first()
        if message is None:
            raise ApplicationError(_("Сообщение не найдено"), code="not_found", status_code=404)
        if message.read_at is None:
            message.read_at = timezone.now()
            message.save(update_fields=["read_at"])
    return message


def inbox_mark_all_read(*, user) -> int:
    with transaction.atomic():
        return InboxMessage.objects.filter(recipient=user, read_at__isnull=True).update(
            read_at=timezone.now()
        )


def inbox_mark_read_group(*, user, group: str) -> int:
    """Mark read the user's unread inbox messages of one producer group (e.g. a request's
    notices when its page is opened, N2). One UPDATE without a join: the message carries its
    own ``group`` (index ``inbox_group_unread_idx``), so it works after the outbox row was
    purged too. Returns the count."""
    if not group:
        raise ValueError("inbox_mark_read_group needs a group")
    with transaction.atomic():
        return InboxMessage.objects.filter(
            recipient=user, read_at__isnull=True, group=group
        ).update(read_at=timezone.now())


def push_subscribe(*, user, endpoint: str, p256dh: str, auth: str, user_agent: str = ""):
    """Register (or move to ``user``) a browser's push subscription."""
    if not channels.push_configured():
        raise ApplicationError(
            _("Push-уведомления не подключены в этой системе"), code="channel_not_configured"
        )
    if not _push_endpoint_allowed(endpoint) or not p256dh or not auth:
        raise ApplicationError(
            _("Неверные данные подписки на push-уведомления"),
            code="invalid",
            fields={"endpoint": [_("Неверные данные подписки")]},
        )
    with transaction.atomic():
        subscription, _created = PushSubscription.objects.update_or_create(
            endpoint=endpoint,
            defaults={
                "user": user,
                "p256dh": p256dh,
                "auth": auth,
                "user_agent": user_agent[:300],
            },
        )
    return subscription


def _push_endpoint_allowed(endpoint: str) -> bool:
    """The worker POSTs to a subscription's endpoint, so an endpoint must be one of the
    browsers' push services (NOTIFICATIONS_PUSH_SERVICE_HOSTS, https), or any address could be
    made a target of the server's requests."""
    from urllib.parse import urlsplit

    parts = urlsplit(endpoint)
    hosts = settings.NOTIFICATIONS_PUSH_SERVICE_HOSTS
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and any(host == h or host.endswith("." + h) for h in hosts)


def push_unsubscribe(*, user, endpoint: str) -> int:
    with transaction.atomic():
        deleted, _rows = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return deleted


TELEGRAM_TOKEN_TTL = dt.timedelta(days=1)


def telegram_link_start(*, user) -> TelegramLink:
    """Issue a fresh one-time token for the bot's ``/start`` link (replacing an older one)."""
    if not channels.telegram_configured():
        raise ApplicationError(
            _("Telegram не подключён в этой системе"), code="channel_not_configured"
        )
    with transaction.atomic():
        link, _created = TelegramLink.objects.get_or_create(user=user)
        link.token = secrets.token_urlsafe(24)
        link.token_issued_at = timezone.now()
        link.save(update_fields=["token", "token_issued_at"])
    return link


def telegram_unlink(*, user) -> None:
    with transaction.atomic():
        TelegramLink.objects.filter(user=user).update(chat_id=None, linked_at=None, token=None)


def telegram_update_handle(update: dict) -> TelegramLink | None:
    """A Telegram webhook update: ``/start <token>`` from a chat links that chat to the user who
    was issued the token (once; the token is then spent). Anything else is ignored."""
    message = update.get("message") or {}
    text = str(message.get("text") or "")
    chat_id = (message.get("chat") or {}).get("id")
    command, _sep, token = text.strip().partition(" ")
    if command.split("@")[0] != "/start" or not token or not isinstance(chat_id, int):
        return None
    since = timezone.now() - TELEGRAM_TOKEN_TTL
    with transaction.atomic():
        link = (
            TelegramLink.objects.select_for_update()
            .filter(token=token.strip(), token_issued_at__gte=since)
            .first()
        )
        if link is None:
            return None
        link.chat_id = chat_id
        link.token = None
        link.linked_at = timezone.now()
        link.save(update_fields=["chat_id", "token", "linked_at"])
    return link


def site_url() -> str:
    return str(settings.NOTIFICATIONS_SITE_URL or "").rstrip("/")


# --- The technical operator's outbox (issue 11) --------------------------------------------

RETRY_MAX_IDS = 500


def outbox_retry(*, actor, ids: Iterable[int]) -> int:
    """Start a new retry round of failed outbox rows (N1): each goes back to the queue with no
    attempts counted in the round and no ``failing_since``, due now (or at the end of quiet
    hours unless emergency). Only ``failed`` rows are taken; others are left as they are. One
    transaction; audited (one entry for one row, a bulk entry listing the rows for several).
    Returns the number of rows queued again."""
    from domovoy.audit.models import AuditEntry
    from domovoy.audit.services import audit_bulk, audit_record

    if not actor.has_perm("notifications.retry_delivery"):
        raise PermissionDeniedError()
    ids = sorted({int(pk) for pk in ids})
    if not ids:
        raise ApplicationError(
            _("Выберите уведомления для повторной отправки"),
            code="empty",
            fields={"ids": [_("Ничего не выбрано")]},
        )
    if len(ids) > RETRY_MAX_IDS:
        raise ApplicationError(
            _("Не больше %(n)s уведомлений за раз") % {"n": RETRY_MAX_IDS},
            code="too_many",
            fields={"ids": [_("Слишком много")]},
        )
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Notice.objects.select_for_update()
            .filter(pk__in=ids, state=Notice.State.FAILED)
            .only("id", "emergency", "attempts", "subject", "channel", "recipient_id", "address")
            .order_by("id")
        )
        for emergency in (False, True):
            chosen = [row.pk for row in rows if row.emergency == emergency]
            if chosen:
                Notice.objects.filter(pk__in=chosen).update(
                    state=Notice.State.QUEUED,
                    attempts=0,
                    failing_since=None,
                    next_attempt_at=quiet.deliverable_at(now, emergency=emergency),
                    claimed_until=None,
                    claim_token="",
                )
        if len(ids) == 1 and rows:
            row = rows[0]
            audit_record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                instance=row,
                changes={"state": ["failed", "queued"], "attempts": [row.attempts, 0]},
            )
        elif rows:
            audit_bulk(
                actor=actor,
                model=Notice._meta.verbose_name,
                object_id="",
                summary=_("Повторная отправка уведомлений: %(n)s") % {"n": len(rows)},
                details={"retried": [row.pk for row in rows]},
            )
        if rows:
            transaction.on_commit(_schedule_delivery)
    if len(ids) == 1 and not rows:
        raise ApplicationError(
            _("Повторно отправить можно только недоставленное уведомление"),
            code="not_failed",
        )
    return len(rows)
