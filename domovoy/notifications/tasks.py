"""Background delivery of the outbox (N1): every minute, and right after a producer's commit."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .delivery import deliver_all_due, purge_old


@db_periodic_task(crontab(minute="*"))
def deliver_notices_periodic():
    """The sweeper: due rows, retries whose time has come, rows of a dead worker."""
    deliver_all_due(max_batches=200)


@db_task()
def deliver_notices_now():
    """Scheduled by ``notices_enqueue`` on commit, so a notice leaves within seconds."""
    deliver_all_due(max_batches=200)


@db_periodic_task(crontab(hour="3", minute="17"))
def purge_old_notices():
    """Nightly: finished outbox rows past their retention (the inbox stays)."""
    purge_old()
