"""Rebuild the daily statistics rollups (R18) of a period: ``manage.py rebuild_statistics
--from 2026-01-01 --to 2026-03-31`` (both dates inclusive; without them, every day that has
requests)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from domovoy.servicedesk import statistics
from domovoy.servicedesk.models import ServiceRequest


def _date(value):
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Дата «{value}» не в формате ГГГГ-ММ-ДД") from exc


class Command(BaseCommand):
    help = "Пересчитать дневную статистику заявок за период"

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from")
        parser.add_argument("--to", dest="date_to")

    def handle(self, *args, date_from=None, date_to=None, **options):
        if date_from is None or date_to is None:
            days = ServiceRequest.objects.dates("created_at", "day")
            if not days:
                self.stdout.write("Заявок нет")
                return
            first, last = days.first(), days.last()
        first = _date(date_from) if date_from else first
        last = _date(date_to) if date_to else last
        if first > last:
            raise CommandError("Начало периода позже конца")
        rows = statistics.rebuild_period(first, last)
        self.stdout.write(f"Пересчитано {first:%d.%m.%Y}–{last:%d.%m.%Y}: {rows} строк")
