"""``manage.py deliver_notices [--loop] [--batch N] [--lease S] [--idle S]``: run the outbox
worker standalone (N1). Any number of these may run at once against one database."""

import signal
import time

from django.core.management.base import BaseCommand

from domovoy.notifications.delivery import deliver_due


class Command(BaseCommand):
    help = "Deliver due notices from the outbox (once, or in a loop with --loop)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running until stopped")
        parser.add_argument("--batch", type=int, default=500, help="rows claimed at a time")
        parser.add_argument("--lease", type=int, default=None, help="claim lease in seconds")
        parser.add_argument("--idle", type=float, default=1.0, help="sleep when nothing is due")

    def handle(self, *args, loop=False, batch=500, lease=None, idle=1.0, **options):
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        total = 0
        try:
            while not stopping:
                done = deliver_due(batch, lease=lease)
                total += done
                if not done:
                    if not loop:
                        break
                    time.sleep(idle)
        except KeyboardInterrupt:
            pass  # Ctrl-C: the rows of the batch in hand are taken again after their lease
        self.stdout.write(f"delivered {total}")
