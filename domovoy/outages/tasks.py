"""Background work of outages: automatic completion at the planned end (O4); the overdue
restoration flag (O1, issue 11)."""

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services
from .models import Completion, Outage, OutageKind, OutageStatus

log = logging.getLogger(__name__)


def complete_due_outages(limit=500) -> int:
    """Complete every published auto-completing outage whose planned end has passed; each in
    its own transaction (one failure does not stop the rest). Uses outage_autocomplete_idx."""
    due = list(
        Outage.objects.filter(
            status=OutageStatus.PUBLISHED,
            completion=Completion.AUTO,
            planned_end__lte=timezone.now(),
        )
        .order_by("planned_end")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for pk in due:
        try:
            if services.outage_auto_complete(outage=Outage(pk=pk)) is not None:
                done += 1
        except Exception:  # noqa: BLE001 - one bad outage must not block the sweep; logged
            log.exception("auto-completion of outage %s failed", pk)
    return done


@db_periodic_task(crontab(minute="*"))
def outages_autocomplete():
    return complete_due_outages()


def flag_overdue_outages(limit=500) -> int:
    """Flag every published planned outage whose planned end passed with no actual end
    entered (manual completion: automatic ones complete themselves); each in its own
    transaction, idempotent (``outage_flag_overdue`` flags once)."""
    due = list(
        Outage.objects.filter(
            status=OutageStatus.PUBLISHED,
            kind=OutageKind.PLANNED,
            overdue_flagged_at__isnull=True,
            actual_end__isnull=True,
            planned_end__lte=timezone.now(),
        )
        .order_by("planned_end")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for pk in due:
        try:
            if services.outage_flag_overdue(outage=Outage(pk=pk)) is not None:
                done += 1
        except Exception:  # noqa: BLE001 - one bad outage must not block the sweep; logged
            log.exception("overdue flag of outage %s failed", pk)
    return done


@db_periodic_task(crontab(minute="*/5"))
def outages_flag_overdue():
    return flag_overdue_outages()
