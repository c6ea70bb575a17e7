"""The outbox worker (N1): claim due rows, deliver them, record every attempt.

Safety with several workers (each a Huey task or a ``deliver_notices --loop`` process):
- a claim takes due rows in one short transaction: ``SELECT … FOR UPDATE SKIP LOCKED`` on
  PostgreSQL (concurrent workers take disjoint rows without waiting), an IMMEDIATE transaction
  on SQLite (claims are serialised); the rows become ``sending`` with a random claim token and
  a lease (``claimed_until``);
- the result is written with ``WHERE claim_token = <ours>``, so a worker that lost its lease
  never overwrites another's result;
- a worker that dies mid-batch leaves ``sending`` rows; when their lease expires another worker
  takes them again. Rows already handed to a gateway are then sent once more with the same
  idempotency key (the row's dedup_key), which the gateway uses to drop the repeat (see
  ``adapters``). A worker stops sending and releases the rest of its batch before its own lease
  runs out, so a slow gateway never lets two live workers hold the same row;
- a failure is retried with exponential back-off (NOTIFICATIONS_RETRY_BASE_SECONDS × 2^n,
  at most NOTIFICATIONS_RETRY_MAX_SECONDS — an hour by default —, never into quiet hours
  unless emergency) for NOTIFICATIONS_RETRY_FOR_HOURS from the round's first failure
  (``failing_since``); the last retry falls at the end of that period, and when it fails too
  the row is ``failed`` for good. NOTIFICATIONS_MAX_ATTEMPTS caps the attempts of a round as a
  safety net. ``PermanentError`` (no address, a refusal) fails at once. The technical
  operator may start a new round of a failed row (``services.outbox_retry``).
- during quiet hours only emergency rows are taken, so a backlog never spills into the night.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
import uuid
from contextlib import nullcontext

from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import quiet
from .adapters import PermanentError, adapter_for
from .models import DeliveryAttempt, Notice

log = logging.getLogger(__name__)
S = Notice.State
NOTICE_FIELDS = (
    "id", "recipient_id", "channel", "kind", "group", "subject", "body", "url", "due_at",
    "emergency", "dedup_key", "attempts", "address", "failing_since",
)  # fmt: skip


def lease_seconds() -> int:
    return int(settings.NOTIFICATIONS_LEASE_SECONDS)


def max_attempts() -> int:
    return int(settings.NOTIFICATIONS_MAX_ATTEMPTS)


def retry_period() -> dt.timedelta:
    return dt.timedelta(hours=float(settings.NOTIFICATIONS_RETRY_FOR_HOURS))


def give_up_at(failing_since: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """The end of a row's retry round: the period after its first failure (``now`` when this
    failure is the first)."""
    return (failing_since or now) + retry_period()


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed attempt: base × 2^(attempts-1), capped."""
    base = float(settings.NOTIFICATIONS_RETRY_BASE_SECONDS)
    cap = float(settings.NOTIFICATIONS_RETRY_MAX_SECONDS)
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def claim(limit: int, *, token: str, lease: int, now: dt.datetime) -> list[int]:
    """Take up to ``limit`` due rows for this worker (see the module docstring)."""
    night = quiet.is_quiet(now)
    with transaction.atomic():
        # Rows of a dead worker (expired lease) first: they have waited longest.
        stale = Notice.objects.select_for_update(skip_locked=True).filter(
            state=S.SENDING, claimed_until__lt=now
        )
        due = Notice.objects.select_for_update(skip_locked=True).filter(
            state=S.QUEUED, next_attempt_at__lte=now
        )
        if night:
            stale, due = stale.filter(emergency=True), due.filter(emergency=True)
        stale_rows = list(
            stale.order_by("claimed_until").values_list("id", "attempts", "failing_since")[:limit]
        )
        ids = _retake_stale(stale_rows, now=now)
        if len(ids) < limit:
            ids += list(
                due.order_by("next_attempt_at").values_list("id", flat=True)[: limit - len(ids)]
            )
        if ids:
            Notice.objects.filter(id__in=ids).update(
                state=S.SENDING,
                claim_token=token,
                claimed_until=now + dt.timedelta(seconds=lease),
            )
    return ids


def _retake_stale(rows: list[tuple], *, now) -> list[int]:
    """Rows whose worker died: the lost try counts as a failed attempt (recorded), so a row
    that kills every worker that takes it ends ``failed`` instead of looping forever."""
    if not rows:
        return []
    error = "lease expired: the worker stopped before recording the result"
    give_up, retake = [], []
    for pk, attempts, since in rows:
        final = attempts + 1 >= max_attempts() or now >= give_up_at(since, now)
        (give_up if final else retake).append(pk)
    Notice.objects.filter(id__in=[row[0] for row in rows]).update(
        attempts=F("attempts") + 1,
        last_error=error,
        failing_since=Coalesce("failing_since", Value(now)),
    )
    if give_up:
        Notice.objects.filter(id__in=give_up).update(
            state=S.FAILED, claimed_until=None, claim_token=""
        )
    DeliveryAttempt.objects.bulk_create(
        [DeliveryAttempt(notice_id=row[0], at=now, ok=False, error=error) for row in rows]
    )
    return retake


def deliver_due(limit: int = 500, *, lease: int | None = None) -> int:
    """Claim and deliver one batch of due rows. Returns the number of rows processed
    (sent, retried or failed)."""
    lease = lease or lease_seconds()
    token = uuid.uuid4().hex
    started = time.monotonic()
    ids = claim(limit, token=token, lease=lease, now=timezone.now())
    if not ids:
        return 0
    # Stop sending well before the lease ends (another worker may take the rows then).
    stop_at = started + lease * 0.8
    # The recipient's e-mail and phone travel with the row (the e-mail and SMS adapters); a
    # row for an outside address has no recipient (the join is an outer one).
    notices = list(
        Notice.objects.filter(id__in=ids)
        .select_related("recipient")
        .only(*NOTICE_FIELDS, "recipient__email", "recipient__phone")
        .order_by("id")
    )
    by_channel: dict[str, list[Notice]] = {}
    for notice in notices:
        by_channel.setdefault(notice.channel, []).append(notice)
    worker = worker_name()
    done = 0
    for channel, batch in by_channel.items():
        adapter = adapter_for(channel)
        try:
            adapter.prepare(batch)
            if adapter.batch:
                done += _deliver_batch(adapter, batch, token=token, worker=worker)
            else:
                done += _deliver_one_by_one(
                    adapter, batch, token=token, worker=worker, stop_at=stop_at
                )
        finally:
            adapter.close()
    return done


def _deliver_batch(adapter, batch, *, token, worker) -> int:
    # An adapter writing to this database (the inbox) delivers and marks in one transaction:
    # a worker dying in between leaves neither, so the inbox is exactly-once by construction.
    # Anything else must not hold a transaction open while it talks to the outside.
    with transaction.atomic() if adapter.same_database else nullcontext():
        t0 = time.perf_counter()
        outcome = adapter.send_many(batch)
        duration = int((time.perf_counter() - t0) * 1000 / max(1, len(batch)))
        now = timezone.now()
        ok_ids = [pk for pk, error in outcome.items() if error is None]
        with transaction.atomic():
            Notice.objects.filter(id__in=ok_ids, claim_token=token, state=S.SENDING).update(
                state=S.SENT,
                sent_at=now,
                attempts=F("attempts") + 1,
                claimed_until=None,
                last_error="",
            )
            DeliveryAttempt.objects.bulk_create(
                [
                    DeliveryAttempt(
                        notice_id=pk, at=now, ok=True, duration_ms=duration, worker=worker
                    )
                    for pk in ok_ids
                ],
                batch_size=1000,
            )
    for notice in batch:
        error = outcome.get(notice.pk)
        if error is not None:
            _failed(notice, error, token=token, worker=worker, duration=duration, now=now)
    return len(batch)


def _deliver_one_by_one(adapter, batch, *, token, worker, stop_at) -> int:
    done = 0
    attempts = []
    for index, notice in enumerate(batch):
        if time.monotonic() > stop_at:
            rest = [n.pk for n in batch[index:]]
            Notice.objects.filter(id__in=rest, claim_token=token, state=S.SENDING).update(
                state=S.QUEUED, claimed_until=None, claim_token=""
            )
            break
        t0 = time.perf_counter()
        try:
            ref = adapter.send(notice)
        except Exception as exc:  # noqa: BLE001 - every failure is recorded and retried
            duration = int((time.perf_counter() - t0) * 1000)
            _failed(notice, exc, token=token, worker=worker, duration=duration, now=timezone.now())
        else:
            duration = int((time.perf_counter() - t0) * 1000)
            now = timezone.now()
            # Marked at once: the window in which a dying worker leaves a sent row unmarked is
            # this one statement.
            Notice.objects.filter(pk=notice.pk, claim_token=token, state=S.SENDING).update(
                state=S.SENT,
                sent_at=now,
                attempts=F("attempts") + 1,
                claimed_until=None,
                provider_ref=ref or "",
                last_error="",
            )
            attempts.append(
                DeliveryAttempt(
                    notice_id=notice.pk, at=now, ok=True, duration_ms=duration, worker=worker
                )
            )
        done += 1
    DeliveryAttempt.objects.bulk_create(attempts, batch_size=1000)
    return done


def _failed(notice, error, *, token, worker, duration, now) -> None:
    attempts = notice.attempts + 1
    message = f"{type(error).__name__}: {error}"[:2000]
    since = notice.failing_since or now
    deadline = give_up_at(since, now)
    final = isinstance(error, PermanentError) or attempts >= max_attempts() or now >= deadline
    log.warning(
        "notice %s (%s) attempt %s failed: %s", notice.pk, notice.channel, attempts, message
    )
    with transaction.atomic():
        changes = {
            "attempts": attempts,
            "last_error": message,
            "claimed_until": None,
            "claim_token": "",
            "failing_since": since,
        }
        if final:
            changes["state"] = S.FAILED
        else:
            changes["state"] = S.QUEUED
            # The last retry falls at the end of the period (or the first moment after it
            # outside quiet hours); when it fails too, the row is failed for good.
            changes["next_attempt_at"] = quiet.deliverable_at(
                min(now + backoff(attempts), deadline), emergency=notice.emergency
            )
        Notice.objects.filter(pk=notice.pk, claim_token=token, state=S.SENDING).update(**changes)
        DeliveryAttempt.objects.create(
            notice_id=notice.pk,
            at=now,
            ok=False,
            error=message,
            duration_ms=duration,
            worker=worker,
        )


def deliver_all_due(*, limit: int = 500, max_batches: int = 1000, lease: int | None = None) -> int:
    """Deliver batches until nothing is due (bounded), for the tasks and the command."""
    total = 0
    for _ in range(max_batches):
        done = deliver_due(limit, lease=lease)
        total += done
        if not done:
            break
    return total


def purge_old(*, now: dt.datetime | None = None, chunk: int = 5000) -> int:
    """Delete finished outbox rows (sent, failed, cancelled) and their attempts older than
    NOTIFICATIONS_RETENTION_DAYS (default 180); inbox messages stay. A producer replaying a
    notice older than that would send it again — far beyond any producer's retry window."""
    days = int(settings.NOTIFICATIONS_RETENTION_DAYS)
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    finished = (S.SENT, S.FAILED, S.CANCELLED)
    total = 0
    # No index on created_at (one less to maintain on a 10⁶-row fan-out): old rows are the
    # first in the table, so each chunk's scan stops early; the job runs at night.
    while True:
        ids = list(
            Notice.objects.filter(state__in=finished, created_at__lt=cutoff).values_list(
                "id", flat=True
            )[:chunk]
        )
        if not ids:
            return total
        with transaction.atomic():
            DeliveryAttempt.objects.filter(notice_id__in=ids).delete()
            Notice.objects.filter(id__in=ids).delete()
        total += len(ids)
