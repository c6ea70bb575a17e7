"""Load the default form of work order (version 1 in force) if it is not there yet (R9)."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from domovoy.workorders.defaults import install_default_templates
from domovoy.workorders.models import WorkOrderTemplate, WorkOrderTemplateVersion


class Command(BaseCommand):
    help = "Load the default work-order form (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            created = install_default_templates(
                WorkOrderTemplate, WorkOrderTemplateVersion, now=timezone.now()
            )
        if options["verbosity"]:
            self.stdout.write(
                "Форма заказ-наряда загружена" if created else "Форма заказ-наряда уже есть"
            )
