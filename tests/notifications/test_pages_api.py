"""Inbox and preferences pages and API, Telegram linking (N1)."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from domovoy.notifications import delivery, selectors
from domovoy.notifications.models import (
    ChannelPreference,
    InboxMessage,
    Notice,
    PushSubscription,
    TelegramLink,
)
from domovoy.notifications.services import notices_enqueue

from .conftest import intent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _noon(time_machine):
    """Daytime in Moscow: delivery is not held by quiet hours."""
    time_machine.move_to(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), tick=False)


def _messages(user, n, *, read=0):
    now = timezone.now()
    rows = [
        InboxMessage(
            recipient=user,
            kind="outage.published",
            subject=f"Сообщение {i}",
            body="Текст",
            url="/outages/1/",
            created_at=now - dt.timedelta(minutes=i),
            read_at=now if i < read else None,
        )
        for i in range(n)
    ]
    return InboxMessage.objects.bulk_create(rows)


@pytest.fixture
def api(anna):
    client = APIClient()
    client.force_authenticate(anna)
    return client


# --- The inbox page ------------------------------------------------------------------------


@pytest.mark.req("N1")
def test_the_inbox_page_lists_my_messages_only_with_the_unread_count(client, anna, boris):
    _messages(anna, 3, read=1)
    _messages(boris, 2)
    client.force_login(anna)
    page = client.get("/notifications/").content.decode()
    assert page.count("data-message=") == 3
    assert 'title="Непрочитанные">2</span>' in page
    assert selectors.unread_count(anna) == 2
    only_unread = client.get("/notifications/?unread=1").content.decode()
    assert only_unread.count("data-message=") == 2


@pytest.mark.req("N1")
def test_a_delivered_notice_appears_on_the_inbox_page(client, anna):
    notices_enqueue([intent(anna, channels=("inbox",))])
    delivery.deliver_due()
    client.force_login(anna)
    page = client.get("/notifications/").content.decode()
    assert "Отключение холодной воды" in page and "С 10:00 до 18:00" in page


@pytest.mark.req("N1")
def test_marking_read_one_and_all_and_never_anothers(client, anna, boris):
    mine = _messages(anna, 3)
    theirs = _messages(boris, 1)[0]
    client.force_login(anna)
    response = client.post(f"/notifications/{mine[0].pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/outages/1/"
    assert InboxMessage.objects.get(pk=mine[0].pk).read_at is not None
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert InboxMessage.objects.get(pk=theirs.pk).read_at is None
    client.post("/notifications/read-all/")
    assert selectors.unread_count(anna) == 0
    assert selectors.unread_count(boris) == 1


@pytest.mark.req("N1")
def test_the_inbox_page_runs_a_constant_number_of_queries(client, anna):
    client.force_login(anna)
    _messages(anna, 2)
    with CaptureQueriesContext(connection) as few:
        client.get("/notifications/")
    _messages(anna, 18)
    with CaptureQueriesContext(connection) as many:
        client.get("/notifications/")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_pages_need_a_login(client):
    assert client.get("/notifications/").status_code == 302
    assert client.get("/notifications/settings/").status_code == 302


# --- The settings page ---------------------------------------------------------------------


@pytest.mark.req("N1")
def test_the_settings_page_saves_the_chosen_channels(client, anna, sms):
    client.force_login(anna)
    page = client.get("/notifications/settings/").content.decode()
    assert 'value="sms"' in page and "Сейчас действуют настройки по умолчанию" in page
    response = client.post("/notifications/settings/", {"channels": ["sms"]})
    assert response.status_code == 302
    assert ChannelPreference.objects.get(user=anna).channels == ["inbox", "sms"]
    notices_enqueue([intent(anna)])
    assert set(Notice.objects.values_list("channel", flat=True)) == {"inbox", "sms"}


@pytest.mark.req("N1")
def test_a_user_without_phone_or_email_saves_the_default_page_as_it_is(client, boris, sms):
    client.force_login(boris)
    page = client.get("/notifications/settings/").content.decode()
    boxes = {
        code: (" checked" in tag, " disabled" in tag)
        for tag, code in re.findall(r'(<input[^>]*value="(\w+)" id="ch-\w+"[^>]*>)', page)
    }
    # (checked, disabled): e-mail and SMS need an address in the profile first.
    assert boxes == {"inbox": (True, True), "email": (False, True), "sms": (False, True)}
    assert "Укажите номер телефона в профиле." in page
    form = ["inbox"]  # what the browser submits: the hidden inbox field
    response = client.post("/notifications/settings/", {"channels": form}, follow=True)
    assert "Настройки уведомлений сохранены" in response.content.decode()
    assert ChannelPreference.objects.get(user=boris).channels == ["inbox"]


@pytest.mark.req("N1")
def test_sms_without_a_phone_is_refused_with_a_clear_message(client, boris, sms):
    client.force_login(boris)
    response = client.post("/notifications/settings/", {"channels": ["sms"]}, follow=True)
    assert "Для SMS укажите номер телефона в профиле" in response.content.decode()
    assert not ChannelPreference.objects.exists()


@pytest.mark.req("N1")
def test_a_staff_member_has_the_same_settings(client, uo_dispatcher):
    client.force_login(uo_dispatcher)
    assert client.get("/notifications/settings/").status_code == 200
    assert client.get("/notifications/").status_code == 200


# --- Telegram linking ----------------------------------------------------------------------


@pytest.mark.req("N1")
def test_telegram_is_linked_by_a_one_time_start_token(client, anna, telegram):
    client.force_login(anna)
    client.post("/notifications/settings/telegram/link/")
    token = TelegramLink.objects.get(user=anna).token
    page = client.get("/notifications/settings/").content.decode()
    assert f"https://t.me/domovoy_test_bot?start={token}" in page

    update = {"message": {"text": f"/start {token}", "chat": {"id": 9001}}}
    hook = "/notifications/telegram/webhook/hook-secret/"
    assert (
        client.post(
            "/notifications/telegram/webhook/wrong/", update, "application/json"
        ).status_code
        == 404
    )
    response = client.post(hook, update, "application/json")
    assert response.status_code == 200
    assert response.json()["method"] == "sendMessage" and response.json()["chat_id"] == 9001
    link = TelegramLink.objects.get(user=anna)
    assert (link.chat_id, link.token) == (9001, None)

    # The token is spent: replaying it from another chat links nothing.
    again = {"message": {"text": f"/start {token}", "chat": {"id": 666}}}
    assert client.post(hook, again, "application/json").json() == {}
    assert TelegramLink.objects.get(user=anna).chat_id == 9001
    assert "Чат Telegram подключён" in client.get("/notifications/settings/").content.decode()

    notices_enqueue([intent(anna)])
    assert Notice.objects.filter(channel="telegram").exists()  # default-on once linked


@pytest.mark.req("N1")
def test_the_webhook_checks_telegrams_secret_header_and_expired_tokens(
    client, anna, telegram, time_machine
):
    client.force_login(anna)
    client.post("/notifications/settings/telegram/link/")
    token = TelegramLink.objects.get(user=anna).token
    update = {"message": {"text": f"/start {token}", "chat": {"id": 9001}}}
    hook = "/notifications/telegram/webhook/hook-secret/"
    bad = client.post(hook, update, "application/json", HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN="x")
    assert bad.status_code == 404
    time_machine.shift(dt.timedelta(days=2))
    assert client.post(hook, update, "application/json").json() == {}
    assert TelegramLink.objects.get(user=anna).chat_id is None


def test_the_webhook_does_not_exist_without_a_configured_secret(client):
    assert (
        client.post("/notifications/telegram/webhook/x/", {}, "application/json").status_code == 404
    )


# --- The API -------------------------------------------------------------------------------


@pytest.mark.req("N1")
def test_the_api_lists_my_inbox_and_marks_read(api, anna, boris):
    mine = _messages(anna, 3)
    theirs = _messages(boris, 1)[0]
    body = api.get("/api/v1/notifications/").json()
    assert body["count"] == 3
    assert body["results"][0]["subject"] == "Сообщение 0"
    assert api.get("/api/v1/notifications/unread/").json() == {"unread": 3}
    marked = api.post(f"/api/v1/notifications/{mine[1].pk}/read/").json()
    assert marked["read_at"] is not None
    assert api.get("/api/v1/notifications/?unread=1").json()["count"] == 2
    denied = api.post(f"/api/v1/notifications/{theirs.pk}/read/")
    assert denied.status_code == 404 and denied.json()["code"] == "not_found"
    assert api.post("/api/v1/notifications/read-all/").json() == {"marked": 2}
    assert InboxMessage.objects.get(pk=theirs.pk).read_at is None


@pytest.mark.req("N1")
def test_the_api_reads_and_sets_preferences(api, anna, sms):
    body = api.get("/api/v1/notifications/preferences/").json()
    assert body["is_default"] is True
    assert body["effective"] == ["inbox", "email", "sms"]
    assert {c["code"] for c in body["available"]} == {"inbox", "email", "sms"}
    body = api.put("/api/v1/notifications/preferences/", {"channels": ["email"]}, format="json")
    assert body.status_code == 200
    assert body.json()["effective"] == ["inbox", "email"] and body.json()["is_default"] is False


@pytest.mark.req("N1")
@pytest.mark.parametrize(
    ("channels", "code"),
    [(["fax"], "unknown_channel"), (["telegram"], "channel_not_configured")],
)
def test_the_api_refuses_unknown_and_unconfigured_channels(api, channels, code):
    response = api.put("/api/v1/notifications/preferences/", {"channels": channels}, format="json")
    assert response.status_code == 400 and response.json()["code"] == code
    assert "channels" in response.json()["fields"]
    assert not ChannelPreference.objects.exists()


@pytest.mark.req("N1")
def test_push_subscriptions_through_the_api(api, anna, settings):
    endpoint = "https://fcm.googleapis.com/fcm/send/abc"
    sub = {"endpoint": endpoint, "keys": {"p256dh": "BPk", "auth": "xyz"}}
    refused = api.post("/api/v1/notifications/push-subscriptions/", sub, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "channel_not_configured"
    settings.NOTIFICATIONS_VAPID_PRIVATE_KEY = "k"
    settings.NOTIFICATIONS_VAPID_PUBLIC_KEY = "p"
    assert (
        api.post("/api/v1/notifications/push-subscriptions/", sub, format="json").status_code == 201
    )
    assert PushSubscription.objects.get().user == anna
    bad = api.post("/api/v1/notifications/push-subscriptions/", {"endpoint": "x"}, format="json")
    assert bad.status_code == 400
    # Only the browsers' push services over https: the worker must not POST anywhere else.
    for elsewhere in (
        "https://127.0.0.1:8080/x",
        "http://fcm.googleapis.com/x",
        "https://evil.test/",
    ):
        refused = api.post(
            "/api/v1/notifications/push-subscriptions/",
            {**sub, "endpoint": elsewhere},
            format="json",
        )
        assert refused.status_code == 400 and refused.json()["code"] == "invalid", elsewhere
    assert PushSubscription.objects.count() == 1
    gone = api.delete(
        "/api/v1/notifications/push-subscriptions/", {"endpoint": sub["endpoint"]}, format="json"
    )
    assert gone.json() == {"deleted": 1} and not PushSubscription.objects.exists()


def test_the_api_needs_authentication():
    client = APIClient()
    assert client.get("/api/v1/notifications/").status_code in (401, 403)
    assert client.put("/api/v1/notifications/preferences/", {}, format="json").status_code in (
        401,
        403,
    )


@pytest.mark.req("N1")
def test_the_api_inbox_runs_a_constant_number_of_queries(api, anna):
    _messages(anna, 2)
    with CaptureQueriesContext(connection) as few:
        api.get("/api/v1/notifications/")
    _messages(anna, 30)
    with CaptureQueriesContext(connection) as many:
        api.get("/api/v1/notifications/")
    assert len(many.captured_queries) == len(few.captured_queries)
