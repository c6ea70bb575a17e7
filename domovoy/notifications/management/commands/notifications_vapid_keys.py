"""``manage.py notifications_vapid_keys``: print a fresh VAPID key pair for web push."""

from django.core.management.base import BaseCommand

from domovoy.notifications.vapid import vapid_keys_generate


class Command(BaseCommand):
    help = "Print a new VAPID key pair (environment lines) for web push notifications."

    def handle(self, *args, **options):
        private, public = vapid_keys_generate()
        self.stdout.write(f"NOTIFICATIONS_VAPID_PRIVATE_KEY={private}")
        self.stdout.write(f"NOTIFICATIONS_VAPID_PUBLIC_KEY={public}")
