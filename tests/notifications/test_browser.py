"""The notification pages in a real browser at desktop and phone width (N1); screenshots in
var/screenshots/notifications-*.png for a person to look at.

Playwright's sync API allows one instance per thread, and tests/browser keeps a session-wide one
open in the main thread; so this test drives its own browser in a thread of its own."""

import datetime as dt
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.utils import timezone

from domovoy.notifications.models import ChannelPreference, InboxMessage, TelegramLink
from domovoy.notifications.vapid import vapid_keys_generate
from tests.browser_fixtures import CHROMIUM, OUTSIDE, SHOTS

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "secret-pass-1"


def in_browser(scenario):
    """Run ``scenario(page, shot)`` in a fresh Chromium in another thread; re-raise its errors."""

    def run():
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                context = browser.new_context(
                    viewport={"width": 1280, "height": 900}, locale="ru-RU"
                )
                context.route(OUTSIDE, lambda route: route.abort())
                page = context.new_page()
                page.set_default_timeout(15000)
                scenario(page, shot)
            finally:
                browser.close()

    def shot(page, name):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}-desktop.png"), full_page=True)
        size = page.viewport_size
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(SHOTS / f"{name}-phone.png"), full_page=True)
        page.set_viewport_size(size)

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(run).result()


def login(page, live_server, user):
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
def test_the_inbox_and_settings_pages_in_a_browser(live_server, anna, all_channels):
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

    def scenario(page, shot):
        login(page, live_server, anna)

        page.goto(live_server.url + "/notifications/")
        assert page.get_by_title("Непрочитанные").inner_text() == "2"
        shot(page, "notifications-inbox")
        page.get_by_role("button", name="Прочитать все").click()
        page.wait_for_load_state()
        assert page.get_by_text("Все сообщения отмечены прочитанными").is_visible()

        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(live_server.url + "/notifications/settings/")
        assert page.get_by_role("button", name="Включить на этом устройстве").is_visible()
        assert page.get_by_role("link", name="Открыть бота в Telegram").get_attribute("href") == (
            "https://t.me/domovoy_city_bot?start=one-time-token"
        )
        page.wait_for_function("() => document.getElementById('push-status').textContent !== ''")
        assert errors == []
        shot(page, "notifications-settings")
        page.get_by_label("SMS").uncheck()
        page.get_by_role("button", name="Сохранить").click()
        page.wait_for_load_state()
        assert page.get_by_text("Настройки уведомлений сохранены").is_visible()

    in_browser(scenario)
    assert InboxMessage.objects.filter(read_at__isnull=True).count() == 0
    # Push and Telegram stay chosen (on by default) and start once set up on this page.
    assert ChannelPreference.objects.get(user=anna).channels == [
        "inbox",
        "email",
        "push",
        "telegram",
    ]
