"""Background jobs of connection requests (D5, S7): the check of the files and the final load.

A request in «validating» or «loading» has one job. Its row carries the lease: the worker that
claims it writes a random token, ``lease_until`` and ``heartbeat_at``, and renews them with
every progress figure; only the holder of the token may write the result. A worker that dies
leaves a lease that expires; ``onboarding_jobs_sweep`` (every minute) queues the job again
and, after ONBOARDING_JOB_MAX_ATTEMPTS starts, gives up with a message the applicant and the
operator read. The check writes nothing but its result, the load runs in one transaction:
a killed attempt leaves nothing behind and the next one restarts cleanly.
"""

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .approval import decision_record
from .models import OnboardingDecision, OnboardingRequest

log = logging.getLogger(__name__)
Status = OnboardingRequest.Status
Action = OnboardingDecision.Action


class LeaseLost(Exception):
    """Another worker holds the job now: stop without writing anything."""


def job_lease_seconds():
    return settings.ONBOARDING_JOB_LEASE_SECONDS


def job_max_attempts():
    return settings.ONBOARDING_JOB_MAX_ATTEMPTS


def queue_job(request, kind, **params):
    """Mark the job queued (no token, a lease for the queue) and send it to the worker after
    the commit. The caller saves nothing more; this saves the request."""
    request.job_token = ""
    request.job_params = {"kind": kind, **params}
    request.attempts = 0
    request.lease_until = timezone.now() + dt.timedelta(seconds=job_lease_seconds())
    request.heartbeat_at = None
    request.progress_done = 0
    request.progress_phase = "validate" if kind == "validate" else "load"
    request.save()
    enqueue(request.pk, request.job_params)


def enqueue(pk, params):
    from .tasks import onboarding_load_task, onboarding_validate_task

    if params.get("kind") == "load":
        args = (pk, params.get("actor_id"), params.get("territory_id"), params.get("base_url", ""))
        transaction.on_commit(lambda: onboarding_load_task(*args))
    else:
        transaction.on_commit(lambda: onboarding_validate_task(pk))


def claim(pk, status, *, now=None):
    """Take the job of request ``pk`` in ``status`` when it is queued or its lease expired.
    Returns the token, or None (done, held by a live worker, or given up)."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    free = Q(job_token="") | Q(lease_until__lt=now) | Q(lease_until=None)
    jobs = OnboardingRequest.objects.filter(pk=pk, status=status).filter(free)
    taken = jobs.filter(attempts__lt=job_max_attempts()).update(
        job_token=token,
        attempts=F("attempts") + 1,
        lease_until=now + dt.timedelta(seconds=job_lease_seconds()),
        heartbeat_at=now,
        progress_done=0,
    )
    if taken:
        return token
    stale = jobs.first()
    if stale is not None:  # every attempt used: the job will not be started again
        give_up(stale)
    return None


def heartbeat(pk, token, **fields):
    """Renew the lease (with the progress figures in ``fields``); LeaseLost if it is gone."""
    now = timezone.now()
    renewed = OnboardingRequest.objects.filter(pk=pk, job_token=token).update(
        heartbeat_at=now, lease_until=now + dt.timedelta(seconds=job_lease_seconds()), **fields
    )
    if not renewed:
        raise LeaseLost


def release(request):
    request.job_token = ""
    request.lease_until = None
    request.heartbeat_at = timezone.now()


def give_up(request):
    """Every attempt of the job died: stop it with a clear error (S7). A check ends «invalid»
    (the applicant corrects and files again), a load goes back to the decider's queue."""
    n = job_max_attempts()
    with transaction.atomic():
        request = OnboardingRequest.objects.select_for_update().get(pk=request.pk)
        if request.status not in (Status.VALIDATING, Status.LOADING):
            return request
        release(request)
        if request.status == Status.VALIDATING:
            message = _(
                "Проверка файлов прерывалась %(n)s раз(а) и остановлена. Проверьте файлы "
                "(возможно, их стоит разделить на части), приложите их заново и подайте "
                "заявку повторно; если ошибка повторится, обратитесь к оператору."
            ) % {"n": n}
            request.status = Status.INVALID
            request.errors = [{"sheet": "", "line": None, "column": "", "reason": message}]
            request.summary = {"error_count": 1}
            request.last_error = message
            request.save()
            for stored in request.files.all():
                stored.file.delete(save=False)
            request.files.all().delete()
            decision_record(request, Action.CHECK_FAILED, comment=message)
        else:
            message = _(
                "Загрузка данных прерывалась %(n)s раз(а) и остановлена; ничего не сохранено. "
                "Повторите согласование или обратитесь к техническому оператору."
            ) % {"n": n}
            request.status = Status.SUBMITTED
            request.last_error = message
            request.save()
            decision_record(request, Action.LOAD_FAILED, comment=message)
    log.error("onboarding request %s: job given up after %s attempts", request.pk, n)
    return request


def onboarding_jobs_sweep(*, now=None):
    """Queue again every job whose lease expired (its worker died or the queue lost it); give
    up on those that used every attempt. Returns {"requeued": n, "failed": n}."""
    now = now or timezone.now()
    stale = OnboardingRequest.objects.filter(
        Q(lease_until__lt=now) | Q(lease_until=None),
        status__in=(Status.VALIDATING, Status.LOADING),
    ).only("id", "status", "attempts", "job_token", "lease_until", "job_params")
    result = {"requeued": 0, "failed": 0}
    for request in stale:
        if request.attempts >= job_max_attempts():
            give_up(request)
            result["failed"] += 1
            continue
        # Only if nobody claimed or renewed it since it was read.
        queued = OnboardingRequest.objects.filter(
            pk=request.pk, job_token=request.job_token, lease_until=request.lease_until
        ).update(job_token="", lease_until=now + dt.timedelta(seconds=job_lease_seconds()))
        if queued:
            params = request.job_params or {
                "kind": "validate" if request.status == Status.VALIDATING else "load"
            }
            enqueue(request.pk, params)
            result["requeued"] += 1
            log.warning("onboarding request %s: job re-queued (lease expired)", request.pk)
    return result


class ProgressReporter:
    """Progress of a load running inside one big transaction. On PostgreSQL it is written
    through a second, autocommit connection so that the request page sees it before the
    commit; on SQLite (one writer at a time) only the cache carries it."""

    def __init__(self, pk, token=""):
        self.pk = pk
        self.token = token
        self.side = None

    def __call__(self, done, total):
        from django.core.cache import cache

        cache.set(progress_cache_key(self.pk), (done, total), 3600)
        if connection.vendor != "postgresql":
            return
        try:
            if self.side is None:
                self.side = connections.create_connection("default")
                with self.side.cursor() as cursor:
                    # Never wait on a lock held by the loading transaction.
                    cursor.execute("SET lock_timeout = '200ms'")
            with self.side.cursor() as cursor:
                # The progress renews the job's lease (its heartbeat).
                now = timezone.now()
                cursor.execute(
                    f"UPDATE {OnboardingRequest._meta.db_table} SET progress_done = %s, "
                    "progress_total = %s, progress_phase = 'load', heartbeat_at = %s, "
                    "lease_until = %s WHERE id = %s AND job_token = %s",
                    [
                        done,
                        total,
                        now,
                        now + dt.timedelta(seconds=job_lease_seconds()),
                        self.pk,
                        self.token,
                    ],
                )
        except Exception:  # noqa: BLE001 - progress is best effort, the load goes on
            log.warning("onboarding progress not written", exc_info=True)

    def close(self):
        if self.side is not None:
            self.side.close()


def progress_cache_key(pk):
    return f"onboarding:progress:{pk}"
