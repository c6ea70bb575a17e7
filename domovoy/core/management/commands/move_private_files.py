"""Move uploaded files left under the public MEDIA_ROOT into private storage (S5). ``migrate``
runs the same step after migrating; this command is for a files-only restore."""

from django.core.management.base import BaseCommand

from domovoy.core.private_files import move_public_files


class Command(BaseCommand):
    help = "Move files under MEDIA_ROOT named by FileField rows into private storage."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, **options):
        moved = move_public_files(using=options["database"], stdout=self.stdout)
        self.stdout.write(f"{moved} file(s) moved into private storage.")
