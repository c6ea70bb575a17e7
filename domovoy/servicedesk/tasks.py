"""Background work of requests: the deadline watch (R14), every minute."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def servicedesk_deadline_watch():
    """Flag requests not accepted within 24 hours and requests past their deadline, the minute
    it passes, and tell the executor and its controllers (``services.deadline_watch``)."""
    return services.deadline_watch()
