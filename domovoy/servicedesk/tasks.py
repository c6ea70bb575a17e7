"""Background work of service requests: the next-morning satisfaction survey (R13)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import surveys


@db_periodic_task(crontab(minute="*/10"))
def send_surveys_periodic():
    """R13: every ten minutes; from SERVICEDESK_SURVEY_HOUR (local time) on it surveys the
    requests closed the previous day, once each (``surveys.surveys_send``). Checking often
    rather than at one crontab minute keeps the hour in local time (Huey's crontab is UTC) and
    catches up after a worker outage."""
    surveys.surveys_send()
