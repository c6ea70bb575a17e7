"""Background work of onboarding (D5): checking and loading large files, the overdue scan."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import services


@db_task()
def onboarding_validate_task(request_id):
    services.onboarding_request_validate(request_id=request_id)


@db_task()
def onboarding_load_task(request_id, actor_id, territory_id=None, base_url=""):
    services.onboarding_request_load(
        request_id=request_id, actor_id=actor_id, territory_id=territory_id, base_url=base_url
    )


@db_periodic_task(crontab(minute="*/30"))
def onboarding_overdue_scan():
    """Flag requests whose deadline for issuing accounts has passed."""
    return services.onboarding_mark_overdue()


@db_periodic_task(crontab(minute="*"))
def onboarding_jobs_sweep():
    """Re-queue checks and loads whose worker died (expired lease); give up after N tries."""
    return services.onboarding_jobs_sweep()
