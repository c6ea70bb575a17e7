"""Fixtures of the notification tests: a fake HTTP gateway on 127.0.0.1 (SMS, Telegram, push
endpoint) that records what it received and answers as told; Борис without contacts."""

from __future__ import annotations

import pytest

from domovoy.notifications.services import NoticeIntent
from tests import factories as f

from .gateway import FakeGateway


@pytest.fixture
def gateway():
    fake = FakeGateway()
    yield fake
    fake.close()


@pytest.fixture
def sms(settings, gateway):
    settings.NOTIFICATIONS_SMS_URL = f"{gateway.url}/sms/send"
    settings.NOTIFICATIONS_SMS_TOKEN = "sms-secret"
    settings.NOTIFICATIONS_SMS_SENDER = "DOMOVOY"
    return gateway


@pytest.fixture
def telegram(settings, gateway):
    settings.NOTIFICATIONS_TELEGRAM_API_URL = gateway.url
    settings.NOTIFICATIONS_TELEGRAM_BOT_TOKEN = "123:ABC"
    settings.NOTIFICATIONS_TELEGRAM_BOT_NAME = "domovoy_test_bot"
    settings.NOTIFICATIONS_TELEGRAM_WEBHOOK_SECRET = "hook-secret"
    gateway.default = (200, {"ok": True, "result": {"message_id": 77}})
    return gateway


@pytest.fixture
def boris(db):
    """A resident with neither e-mail nor phone (the shared Борис has both)."""
    return f.UserFactory(username="boris", email="", phone="", is_resident=True)


def intent(user, key="outage:1:published", **kw):
    defaults = {
        "recipient_id": user.pk,
        "kind": "outage.published",
        "dedup_key": f"{key}:u{user.pk}",
        "subject": "Отключение холодной воды",
        "body": "С 10:00 до 18:00 по адресу ул. Ленина, 1",
        "url": "/outages/1/",
        "group": "outage:1",
    }
    defaults.update(kw)
    return NoticeIntent(**defaults)
