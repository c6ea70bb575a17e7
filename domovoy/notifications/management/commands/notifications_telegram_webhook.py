"""``manage.py notifications_telegram_webhook https://SITE``: tell Telegram where to send the
bot's updates (setWebhook), with NOTIFICATIONS_TELEGRAM_WEBHOOK_SECRET in the path and as
Telegram's secret-token header."""

import httpx
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse


class Command(BaseCommand):
    help = "Register the Telegram bot's webhook at SITE/notifications/telegram/webhook/<secret>/."

    def add_arguments(self, parser):
        parser.add_argument("site", help="the site's public address, e.g. https://domovoy.city")

    def handle(self, *args, site, **options):
        token = settings.NOTIFICATIONS_TELEGRAM_BOT_TOKEN
        secret = settings.NOTIFICATIONS_TELEGRAM_WEBHOOK_SECRET
        if not token or not secret:
            raise CommandError(
                "Set NOTIFICATIONS_TELEGRAM_BOT_TOKEN and NOTIFICATIONS_TELEGRAM_WEBHOOK_SECRET"
            )
        api = settings.NOTIFICATIONS_TELEGRAM_API_URL
        url = site.rstrip("/") + reverse("notifications:telegram-webhook", args=[secret])
        response = httpx.post(
            f"{api.rstrip('/')}/bot{token}/setWebhook",
            json={"url": url, "secret_token": secret, "allowed_updates": ["message"]},
            timeout=15,
        )
        if not response.is_success or not response.json().get("ok"):
            raise CommandError(f"Telegram refused: HTTP {response.status_code} {response.text}")
        self.stdout.write(f"webhook set: {site.rstrip('/')}/notifications/telegram/webhook/…/")
