"""The notification outbox and what residents and staff see and choose (N1, O3, N2).

- ``Notice``: one row per (logical notice, recipient, channel). Producers only insert rows,
  idempotently by ``dedup_key``; the worker (``delivery.deliver_due``) claims due rows with a
  lease and delivers them through the channel adapters (``channels``).
- ``DeliveryAttempt``: one row per attempt (ok or error, how long it took).
- ``InboxMessage``: the in-cabinet inbox written by the inbox channel.
- ``ChannelPreference``, ``PushSubscription``, ``TelegramLink``: a user's choices and
  addresses on the other channels.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .channels import CHANNEL_CHOICES


class Notice(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("в очереди")
        SENDING = "sending", _("отправляется")
        SENT = "sent", _("отправлено")
        FAILED = "failed", _("не доставлено")
        CANCELLED = "cancelled", _("отменено")

    # A user, or — for someone who is not a user (an applicant for connection, a caller filed
    # by the call centre) — only an ``address``: an e-mail address or a phone for SMS.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notices",
        null=True,
        blank=True,
    )
    address = models.CharField(_("адрес"), max_length=254, blank=True, default="")
    channel = models.CharField(_("канал"), max_length=20, choices=CHANNEL_CHOICES)
    kind = models.CharField(_("вид"), max_length=60)
    group = models.CharField(_("группа"), max_length=120, blank=True, default="")
    subject = models.CharField(_("тема"), max_length=200)
    body = models.TextField(_("текст"))
    url = models.CharField(max_length=500, blank=True, default="")
    due_at = models.DateTimeField(_("доставить не раньше"))
    emergency = models.BooleanField(_("экстренное оповещение"), default=False)
    dedup_key = models.CharField(max_length=255, unique=True)
    state = models.CharField(
        _("состояние"), max_length=10, choices=State.choices, default=State.QUEUED
    )
    # Attempts of the current retry round (an operator's retry starts a new round at 0; every
    # attempt ever made is a DeliveryAttempt row).
    attempts = models.PositiveSmallIntegerField(default=0)
    # The first failed attempt of the current round: retries go on until
    # NOTIFICATIONS_RETRY_FOR_HOURS after it, then the row is failed for good.
    failing_since = models.DateTimeField(_("сбои с"), null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    # When the worker may take the row next: ``due_at`` at first, later the retry time.
    next_attempt_at = models.DateTimeField()
    # The lease of the worker that claimed the row (state "sending"); past it, another takes it.
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, default="")
    # What the gateway answered (SMS id, Telegram message id), for support and reconciliation.
    provider_ref = models.CharField(max_length=120, blank=True, default="")
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("уведомление (очередь)")
        verbose_name_plural = _("уведомления (очередь)")
        indexes = [
            # The worker's due scan (delivery.deliver_due): queued rows by next_attempt_at,
            # ORDER BY + LIMIT walks this partial index; sent rows (the bulk) are not in it.
            models.Index(
                fields=["next_attempt_at"],
                name="notice_due_idx",
                condition=Q(state="queued"),
            ),
            # The same worker's lease sweep: rows of a dead worker whose lease has expired.
            models.Index(
                fields=["claimed_until"],
                name="notice_lease_idx",
                condition=Q(state="sending"),
            ),
            # delivery_stats and notices_cancel by group (an outage's fan-out).
            models.Index(fields=["group", "state", "channel"], name="notice_group_idx"),
            # A user's notices (support, admin).
            models.Index(fields=["recipient", "created_at"], name="notice_recipient_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__isnull=False)
                | (~Q(address="") & Q(channel__in=("email", "sms"))),
                name="notice_recipient_or_address",
            ),
        ]

    def __str__(self):
        return f"{self.channel} → {self.recipient_id or self.address}: {self.subject}"


class DeliveryAttempt(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="delivery_attempts")
    at = models.DateTimeField()
    ok = models.BooleanField()
    error = models.TextField(blank=True, default="")
    duration_ms = models.PositiveIntegerField(default=0)
    worker = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("попытка доставки")
        verbose_name_plural = _("попытки доставки")
        indexes = [models.Index(fields=["notice", "at"], name="notice_attempt_idx")]

    def __str__(self):
        return f"{self.notice_id} {self.at:%Y-%m-%d %H:%M:%S} {'ok' if self.ok else self.error}"


class InboxMessage(models.Model):
    """The in-cabinet inbox. One row per inbox notice (``notice`` is unique: redelivery of the
    same notice writes nothing). The message keeps its own copy of the notice's ``group``: the
    outbox row is purged after NOTIFICATIONS_RETENTION_DAYS (``notice`` becomes NULL), and the
    message must still be found by group (``services.inbox_mark_read_group``)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_messages"
    )
    notice = models.OneToOneField(
        Notice, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbox_message"
    )
    kind = models.CharField(max_length=60)
    # The producer's group, copied from the notice (e.g. "request:17").
    group = models.CharField(_("группа"), max_length=120, blank=True, default="")
    subject = models.CharField(_("тема"), max_length=200)
    body = models.TextField(_("текст"))
    url = models.CharField(max_length=500, blank=True, default="")
    emergency = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(_("прочитано"), null=True, blank=True)

    class Meta:
        verbose_name = _("сообщение в кабинете")
        verbose_name_plural = _("сообщения в кабинете")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The inbox page and API: a user's messages, newest first.
            models.Index(fields=["recipient", "-created_at", "-id"], name="inbox_list_idx"),
            # unread_count(user): only unread rows are in this partial index.
            models.Index(
                fields=["recipient"], name="inbox_unread_idx", condition=Q(read_at__isnull=True)
            ),
            # inbox_mark_read_group(user, group): a user's unread messages of one group; read
            # rows (the bulk) are not in it.
            models.Index(
                fields=["recipient", "group"],
                name="inbox_group_unread_idx",
                condition=Q(read_at__isnull=True),
            ),
        ]

    def __str__(self):
        return self.subject


class ChannelPreference(models.Model):
    """The channels a user chose. No row = the default (``channels.channels_for``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_preference"
    )
    channels = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("каналы уведомлений")
        verbose_name_plural = _("каналы уведомлений")

    def __str__(self):
        return f"{self.user_id}: {', '.join(self.channels)}"


class PushSubscription(models.Model):
    """A browser's Web Push subscription (one per device and browser)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("подписка на push")
        verbose_name_plural = _("подписки на push")

    def __str__(self):
        return f"{self.user_id}: {self.endpoint[:60]}"


class TelegramLink(models.Model):
    """A user's Telegram chat. The settings page issues a one-time ``token`` for the bot's
    ``/start`` link; the webhook stores ``chat_id`` and clears the token."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="telegram_link"
    )
    chat_id = models.BigIntegerField(null=True, blank=True)
    token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    token_issued_at = models.DateTimeField(null=True, blank=True)
    linked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("связь с Telegram")
        verbose_name_plural = _("связи с Telegram")

    def __str__(self):
        return f"{self.user_id}: {self.chat_id or '—'}"
