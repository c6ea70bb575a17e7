"""Background work of requests: the deadline watch (R14), every minute; the next-morning
satisfaction survey (R13); the statistics rollups (R18), every five minutes."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services, surveys

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def servicedesk_deadline_watch():
    """Flag requests not accepted within 24 hours and requests past their deadline, the minute
    it passes, and tell the executor and its controllers (``services.deadline_watch``)."""
    return services.deadline_watch()


@db_periodic_task(crontab(minute="*/10"))
def send_surveys_periodic():
    """R13: every ten minutes; from SERVICEDESK_SURVEY_HOUR (local time) on it surveys the
    requests closed the previous day, once each (``surveys.surveys_send``). Checking often
    rather than at one crontab minute keeps the hour in local time (Huey's crontab is UTC) and
    catches up after a worker outage."""
    surveys.surveys_send()


@db_periodic_task(crontab(minute="*/5"))
def refresh_statistics_rollups():
    """R18: recompute the daily statistics rollups of the days whose requests changed."""
    from .statistics import refresh_rollups

    refresh_rollups()
