from django.core.management.base import BaseCommand
from django.db import transaction

from domovoy.announcements.models import Guide, GuideVersion, HelpSection
from domovoy.announcements.seed import seed_help


class Command(BaseCommand):
    help = "Add the starter «Справка» content (guides and the regulation entry) if missing."

    def handle(self, *args, **options):
        with transaction.atomic():
            added = seed_help(HelpSection, Guide, GuideVersion)
        self.stdout.write(f"help_seed: {added} guide(s) added")
