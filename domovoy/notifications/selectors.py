"""Reads of notifications for pages and the API (N1). Constant query counts."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from . import channels
from .models import ChannelPreference, InboxMessage, PushSubscription, TelegramLink


def inbox_list(*, user):
    """A user's in-cabinet messages, newest first (index ``inbox_list_idx``)."""
    return InboxMessage.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user) -> int:
    """Unread inbox messages of ``user`` (0 for anonymous); one query on a partial index. For
    the menu badge (a context processor of the lead's) and the inbox page."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return InboxMessage.objects.filter(recipient=user, read_at__isnull=True).count()


@dataclass(frozen=True)
class ChannelState:
    code: str
    label: str
    chosen: bool  # the user's choice (or the default)
    active: bool  # notices go there now
    ready: bool  # the user has an address there (e-mail, phone, linked chat, a browser)
    locked: bool  # cannot be changed here (the inbox; e-mail or SMS without an address)
    hint: str


@dataclass(frozen=True)
class Preferences:
    chosen: tuple[str, ...] | None  # None: never chose (the default applies)
    effective: tuple[str, ...]
    states: list[ChannelState]
    telegram: TelegramLink | None
    push_devices: int

    @property
    def telegram_linked(self) -> bool:
        return self.telegram is not None and self.telegram.chat_id is not None


def preferences_of(*, user) -> Preferences:
    """The user's choice, what is delivered now and why (four queries)."""
    from django.utils.translation import gettext as _

    pref = ChannelPreference.objects.filter(user=user).first()
    telegram = TelegramLink.objects.filter(user=user).first()
    push_devices = PushSubscription.objects.filter(user=user).count()
    recipient = channels.Recipient(
        id=user.pk,
        email=user.email or "",
        phone=user.phone or "",
        has_push=push_devices > 0,
        has_telegram=telegram is not None and telegram.chat_id is not None,
        chosen=tuple(pref.channels) if pref else None,
    )
    on = channels.configured()
    effective = channels.channels_for(recipient, on=on)
    chosen_set = set(pref.channels) | {channels.INBOX} if pref else None
    hints = {
        channels.INBOX: _("Всегда включено: все уведомления сохраняются в личном кабинете."),
        channels.EMAIL: user.email or _("Укажите адрес электронной почты в профиле."),
        channels.SMS: user.phone or _("Укажите номер телефона в профиле."),
        channels.TELEGRAM: _("Чат подключён.")
        if recipient.has_telegram
        else _("Подключите чат с ботом ниже."),
        channels.PUSH: _("Устройств подписано: %(n)s") % {"n": push_devices}
        if push_devices
        else _("Включите push-уведомления в этом браузере ниже."),
    }
    states = []
    for code in on:
        ready = channels.RULES[code][1](recipient)
        chosen = code in chosen_set if chosen_set is not None else bool(channels.RULES[code][2])
        available = ready or code not in channels.PROFILE_ADDRESS
        states.append(
            ChannelState(
                code=code,
                label=str(channels.LABELS[code]),
                chosen=chosen and available,
                active=code in effective,
                ready=ready,
                locked=code == channels.INBOX or not available,
                hint=str(hints[code]),
            )
        )
    return Preferences(
        chosen=tuple(pref.channels) if pref else None,
        effective=effective,
        states=states,
        telegram=telegram,
        push_devices=push_devices,
    )


def telegram_start_url(link: TelegramLink | None) -> str:
    bot = settings.NOTIFICATIONS_TELEGRAM_BOT_NAME
    if not link or not link.token or not bot:
        return ""
    return f"https://t.me/{bot}?start={link.token}"


def vapid_public_key() -> str:
    return settings.NOTIFICATIONS_VAPID_PUBLIC_KEY


OUTBOX_STATES = ("failed", "queued", "sending", "sent", "cancelled")


def outbox_list(*, state: str = "failed", channel: str = ""):
    """The outbox rows of one state (failed by default), newest first, for the technical
    operator's page and API (issue 11). An unknown state or channel filters nothing out."""
    from .models import Notice

    qs = Notice.objects.all()
    if state in OUTBOX_STATES:
        qs = qs.filter(state=state)
    if channel in channels.ALL:
        qs = qs.filter(channel=channel)
    return qs.order_by("-created_at", "-id").only(
        "id", "recipient_id", "address", "channel", "kind", "subject", "state", "attempts",
        "failing_since", "last_error", "next_attempt_at", "created_at", "emergency",
    )  # fmt: skip


def outbox_counts() -> dict[str, int]:
    """Rows per state (one query), for the page's tabs."""
    from django.db.models import Count

    from .models import Notice

    counts = dict.fromkeys(OUTBOX_STATES, 0)
    for state, n in Notice.objects.values_list("state").annotate(n=Count("id")).order_by():
        counts[state] = n
    return counts
