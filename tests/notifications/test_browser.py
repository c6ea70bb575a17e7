"""The notification pages in a real browser at desktop and phone width (N1); screenshots in
var/screenshots/notifications-*.png for a person to look at."""

import datetime as dt
import os

import pytest
from django.utils import timezone

from domovoy.notifications.models import ChannelPreference, InboxMessage, TelegramLink
from domovoy.notifications.vapid import vapid_keys_generate
from tests.browser.conftest import browser, page, shot  # noqa: F401 - fixtures

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "secret-pass-1"


def login(page, live_server, user):  # noqa: F811 - the fixture named page
    page.context.clear_cookies()
    page.goto(live_server.url + "/login/")
    page.get_by_label("Логин").fill(user.username)
    page.get_by_label("Пароль").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Войти").click()


@pytest.fixture
def all_channels(settings, sms):
    private, public = vapid_keys_generate()
    settings.NOTIFICATIONS_VAPID_PRIVATE_KEY = private
    settings.NOTIFICATIONS_VAPID_PUBLIC_KEY = public
    settings.NOTIFICATIONS_TELEGRAM_BOT_TOKEN = "123:ABC"
    settings.NOTIFICATIONS_TELEGRAM_BOT_NAME = "domovoy_city_bot"


@pytest.mark.req("N1")
def test_the_inbox_and_settings_pages_in_a_browser(page, live_server, shot, anna, all_channels):  # noqa: F811
    now = timezone.now()
    texts = [
        ("Аварийное отключение холодной воды", "Авария на водоводе. Подача воды будет "
         "восстановлена до 18:00.", True),
        ("Заявка № 2026-000123: выполнена", "Мастер заменил кран. Оцените работу.", False),
        ("Плановое отключение горячей воды", "С 10 по 24 июня, ул. Ленина, 1 — профилактика.",
         False),
    ]  # fmt: skip
    InboxMessage.objects.bulk_create(
        [
            InboxMessage(
                recipient=anna,
                kind="outage.published",
                subject=s,
                body=b,
                url="/notifications/",
                emergency=e,
                created_at=now - dt.timedelta(hours=i),
                read_at=now if i == 2 else None,
            )
            for i, (s, b, e) in enumerate(texts)
        ]  # fmt: skip
    )
    TelegramLink.objects.create(user=anna, token="one-time-token", token_issued_at=now)
    login(page, live_server, anna)

    page.goto(live_server.url + "/notifications/")
    assert page.get_by_title("Непрочитанные").inner_text() == "2"
    shot(page, "notifications-inbox")
    page.get_by_role("button", name="Прочитать все").click()
    page.wait_for_load_state()
    assert page.get_by_text("Все сообщения отмечены прочитанными").is_visible()
    assert InboxMessage.objects.filter(read_at__isnull=True).count() == 0

    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + "/notifications/settings/")
    assert page.get_by_role("button", name="Включить на этом устройстве").is_visible()
    assert page.get_by_role("link", name="Открыть бота в Telegram").get_attribute("href") == (
        "https://t.me/domovoy_city_bot?start=one-time-token"
    )
    page.wait_for_function("document.getElementById('push-status').textContent !== ''")
    assert errors == []
    shot(page, "notifications-settings")
    page.get_by_label("SMS").uncheck()
    page.get_by_role("button", name="Сохранить").click()
    page.wait_for_load_state()
    assert page.get_by_text("Настройки уведомлений сохранены").is_visible()
    # Push and Telegram stay chosen (on by default) and start once set up on this page.
    assert ChannelPreference.objects.get(user=anna).channels == [
        "inbox",
        "email",
        "push",
        "telegram",
    ]
