"""Channel adapters against fake gateways on 127.0.0.1 (N1): SMS, Telegram, web push."""

import base64
import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from domovoy.notifications import delivery
from domovoy.notifications.models import ChannelPreference, Notice, PushSubscription, TelegramLink
from domovoy.notifications.services import notices_enqueue
from domovoy.notifications.vapid import b64url, vapid_keys_generate

from .conftest import intent

MSK = ZoneInfo("Europe/Moscow")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _noon(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 12, 0, tzinfo=MSK), tick=False)


@pytest.mark.req("N1")
def test_sms_posts_json_to_the_gateway_with_the_dedup_key_as_client_id(anna, sms):
    sms.default = (200, {"id": "gw-981"})
    notices_enqueue([intent(anna, channels=("sms",))])
    assert delivery.deliver_due() == 1
    [request] = sms.requests
    assert request["path"] == "/sms/send"
    assert request["headers"]["authorization"] == "Bearer sms-secret"
    key = f"outage:1:published:u{anna.pk}:sms"
    assert request["headers"]["idempotency-key"] == key
    assert request["json"]["phone"] == "+79101234567"
    assert request["json"]["sender"] == "DOMOVOY"
    assert request["json"]["client_id"] == key
    assert request["json"]["text"].startswith("Отключение холодной воды\nС 10:00 до 18:00")
    row = Notice.objects.get()
    assert (row.state, row.provider_ref) == ("sent", "gw-981")


@pytest.mark.req("N1")
def test_a_gateway_error_is_retried_and_the_retry_carries_the_same_client_id(
    anna, sms, time_machine
):
    sms.responses = [(503, {"error": "busy"})]
    notices_enqueue([intent(anna, channels=("sms",))])
    delivery.deliver_due()
    row = Notice.objects.get()
    assert (row.state, row.attempts) == ("queued", 1)
    assert "HTTP 503" in row.last_error
    time_machine.shift(dt.timedelta(minutes=5))
    delivery.deliver_due()
    row.refresh_from_db()
    assert row.state == "sent"
    assert [r["json"]["client_id"] for r in sms.requests] == [row.dedup_key, row.dedup_key]


@pytest.mark.req("N1")
def test_a_refusal_by_the_gateway_fails_at_once(anna, sms):
    sms.default = (400, {"error": "bad phone"})
    notices_enqueue([intent(anna, channels=("sms",))])
    delivery.deliver_due()
    assert Notice.objects.get().state == "failed"


@pytest.mark.req("N1")
def test_an_unreachable_gateway_is_retried(anna, sms, settings):
    notices_enqueue([intent(anna, channels=("sms",))])
    sms.close()
    delivery.deliver_due()
    row = Notice.objects.get()
    assert (row.state, row.attempts) == ("queued", 1)
    assert "ConnectError" in row.last_error


@pytest.mark.req("N1")
def test_telegram_sends_to_the_linked_chat_and_records_the_message_id(anna, telegram):
    TelegramLink.objects.create(user=anna, chat_id=424242)
    ChannelPreference.objects.create(user=anna, channels=["telegram"])
    notices_enqueue([intent(anna)])
    delivery.deliver_due()
    [request] = telegram.requests
    assert request["path"] == "/bot123:ABC/sendMessage"
    assert request["json"]["chat_id"] == 424242
    assert "Отключение холодной воды" in request["json"]["text"]
    row = Notice.objects.get(channel="telegram")
    assert (row.state, row.provider_ref) == ("sent", "77")


@pytest.mark.req("N1")
def test_telegram_blocked_by_the_user_fails_without_retries(anna, telegram):
    TelegramLink.objects.create(user=anna, chat_id=424242)
    telegram.default = (403, {"ok": False, "description": "Forbidden: bot was blocked"})
    notices_enqueue([intent(anna, channels=("telegram",))])
    delivery.deliver_due()
    assert Notice.objects.get().state == "failed"


def _browser_keys():
    """What a browser's PushManager.subscribe() yields: a P-256 key pair and an auth secret."""
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    auth = b"0123456789abcdef"
    return private, b64url(public), b64url(auth), auth


@pytest.fixture
def push(settings, gateway):
    pytest.importorskip("pywebpush", reason="pywebpush is a dependency of the push channel")
    private, public = vapid_keys_generate()
    settings.NOTIFICATIONS_VAPID_PRIVATE_KEY = private
    settings.NOTIFICATIONS_VAPID_PUBLIC_KEY = public
    settings.NOTIFICATIONS_VAPID_SUBJECT = "mailto:ops@domovoy.local"
    gateway.default = (201, "")
    return gateway


@pytest.mark.req("N1")
def test_web_push_sends_an_encrypted_vapid_signed_message_the_browser_can_read(anna, push):
    import http_ece

    browser_key, p256dh, auth_b64, auth = _browser_keys()
    PushSubscription.objects.create(
        user=anna, endpoint=f"{push.url}/push/device-1", p256dh=p256dh, auth=auth_b64
    )
    notices_enqueue([intent(anna, channels=("push",), emergency=True)])
    assert delivery.deliver_due() == 1
    [request] = push.requests
    assert request["path"] == "/push/device-1"
    headers = request["headers"]
    assert headers["authorization"].startswith("vapid t=")
    assert headers["content-encoding"] == "aes128gcm"
    assert headers["urgency"] == "high" and len(headers["topic"]) == 32
    clear = http_ece.decrypt(
        request["raw"], private_key=browser_key, auth_secret=auth, version="aes128gcm"
    )
    payload = json.loads(clear)
    assert payload["title"] == "Отключение холодной воды"
    assert payload["url"] == "/outages/1/"
    assert payload["tag"] == f"outage:1:published:u{anna.pk}:push"
    assert Notice.objects.get().state == "sent"


@pytest.mark.req("N1")
def test_a_push_subscription_the_service_calls_gone_is_removed(anna, push):
    _key, p256dh, auth_b64, _auth = _browser_keys()
    PushSubscription.objects.create(
        user=anna, endpoint=f"{push.url}/push/old", p256dh=p256dh, auth=auth_b64
    )
    push.default = (410, "gone")
    notices_enqueue([intent(anna, channels=("push",))])
    delivery.deliver_due()
    assert not PushSubscription.objects.exists()
    row = Notice.objects.get()
    assert (row.state, row.attempts) == ("queued", 1)


def test_vapid_keys_are_a_p256_pair():
    private, public = vapid_keys_generate()
    raw = base64.urlsafe_b64decode(public + "==")
    assert len(raw) == 65 and raw[0] == 4
    assert len(base64.urlsafe_b64decode(private + "=")) == 32


@pytest.mark.req("N1")
def test_links_travel_only_with_the_sites_address(anna, sms, settings):
    notices_enqueue([intent(anna, "a", channels=("sms",))])
    delivery.deliver_due()
    assert "/outages/1/" not in sms.requests[0]["json"]["text"]
    settings.NOTIFICATIONS_SITE_URL = "https://domovoy.example/"
    notices_enqueue([intent(anna, "b", channels=("sms",))])
    delivery.deliver_due()
    assert sms.requests[1]["json"]["text"].endswith("\nhttps://domovoy.example/outages/1/")


@pytest.mark.req("N1")
def test_the_telegram_webhook_is_registered_with_its_secret(telegram):
    from django.core.management import call_command

    telegram.default = (200, {"ok": True, "result": True})
    call_command("notifications_telegram_webhook", "https://domovoy.example")
    [request] = telegram.requests
    assert request["path"] == "/bot123:ABC/setWebhook"
    assert request["json"] == {
        "url": "https://domovoy.example/notifications/telegram/webhook/hook-secret/",
        "secret_token": "hook-secret",
        "allowed_updates": ["message"],
    }
