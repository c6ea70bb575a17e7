"""The channels (N1) and the one table of rules that says which channels a notice goes to.

A channel is usable for a recipient when it is configured in settings and the recipient has an
address on it; a user's choice (``ChannelPreference``) picks among the usable ones. The inbox is
always on: it is the record of every notice in the cabinet, and it never disturbs anyone.

A recipient who never chose gets the default: inbox + e-mail (when the user has an e-mail) +
SMS (when the user has a phone and an SMS gateway is configured). Push and Telegram need an
explicit step by the user (subscribing a browser, linking a chat), after which they are on.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

INBOX = "inbox"
EMAIL = "email"
PUSH = "push"
SMS = "sms"
TELEGRAM = "telegram"

ALL = (INBOX, EMAIL, PUSH, SMS, TELEGRAM)
CHANNEL_CHOICES = [
    (INBOX, _("В личном кабинете")),
    (EMAIL, _("Электронная почта")),
    (PUSH, _("Push-уведомления в браузере")),
    (SMS, _("SMS")),
    (TELEGRAM, _("Telegram")),
]
LABELS = dict(CHANNEL_CHOICES)


@dataclass(frozen=True)
class Recipient:
    """What the rules need to know about one recipient (read in bulk by the enqueue)."""

    id: int
    email: str = ""
    phone: str = ""
    has_push: bool = False
    has_telegram: bool = False
    chosen: tuple[str, ...] | None = None  # None: never chose


def sms_configured() -> bool:
    return bool(settings.NOTIFICATIONS_SMS_URL)


def telegram_configured() -> bool:
    return bool(settings.NOTIFICATIONS_TELEGRAM_BOT_TOKEN)


def push_configured() -> bool:
    return bool(settings.NOTIFICATIONS_VAPID_PRIVATE_KEY) and bool(
        settings.NOTIFICATIONS_VAPID_PUBLIC_KEY
    )


# channel -> (configured on this deployment?, has the recipient an address there?, default on?)
RULES = {
    INBOX: (lambda: True, lambda r: True, True),
    EMAIL: (lambda: True, lambda r: bool(r.email), True),
    PUSH: (push_configured, lambda r: r.has_push, True),
    SMS: (sms_configured, lambda r: bool(r.phone), True),
    TELEGRAM: (telegram_configured, lambda r: r.has_telegram, True),
}
# Push and Telegram are "default on" but only usable after the user subscribed or linked, so
# a user who never chose gets them as soon as they set them up.


# Channels whose address is in the user's profile: without it they cannot be chosen at all.
# (Push and Telegram are set up on the settings page itself, so they can be chosen first.)
PROFILE_ADDRESS = frozenset({EMAIL, SMS})


def configured() -> tuple[str, ...]:
    """The channels this deployment can deliver through, in display order."""
    return tuple(c for c in ALL if RULES[c][0]())


def usable(recipient: Recipient) -> tuple[str, ...]:
    return tuple(c for c in ALL if RULES[c][0]() and RULES[c][1](recipient))


def channels_for(
    recipient: Recipient, requested: tuple[str, ...] | None = None, *, on: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """The channels one notice goes to: the recipient's chosen (or default) channels that are
    usable, intersected with ``requested`` when the producer names channels. The inbox is
    always among them unless the producer excluded it. ``on`` is ``configured()``, passed in by
    bulk callers so settings are read once per batch."""
    on = on or configured()
    chosen = recipient.chosen
    wanted = {c for c in ALL if RULES[c][2]} if chosen is None else set(chosen) | {INBOX}
    result = []
    for channel in ALL:
        if channel not in on or channel not in wanted or not RULES[channel][1](recipient):
            continue
        if requested is not None and channel not in requested:
            continue
        result.append(channel)
    return tuple(result)
