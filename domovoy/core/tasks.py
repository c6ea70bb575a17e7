"""Worker liveness: a heartbeat every minute and a probe the operator can enqueue."""

import os
import socket

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .models import WorkerHeartbeat


def _worker_name():
    return f"{socket.gethostname()}:{os.getpid()}"


@db_periodic_task(crontab(minute="*"))
def worker_heartbeat():
    WorkerHeartbeat.objects.create(kind=WorkerHeartbeat.Kind.PERIODIC, worker=_worker_name())
    # Keep a day of minute beats; older ones say nothing new.
    stale = WorkerHeartbeat.objects.filter(kind=WorkerHeartbeat.Kind.PERIODIC).order_by("-at")
    ids = list(stale.values_list("id", flat=True)[1440:1500])
    if ids:
        WorkerHeartbeat.objects.filter(id__in=ids).delete()


@db_task()
def worker_probe(token, requested_at):
    WorkerHeartbeat.objects.get_or_create(
        kind=WorkerHeartbeat.Kind.PROBE,
        token=token,
        defaults={"worker": _worker_name(), "requested_at": requested_at},
    )
