"""Background work of the service desk."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/5"))
def refresh_statistics_rollups():
    """R18: recompute the daily statistics rollups of the days whose requests changed."""
    from .statistics import refresh_rollups

    refresh_rollups()
