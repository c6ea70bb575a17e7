"""``notification_delivery``: the outbox worker's delivery rate (N1).

Enqueues N inbox notices (``--notices``, default 20,000: 2,000 residents × 10 notices)
through ``notices_enqueue``, then one in-process worker delivers them with ``deliver_due``
batches of 1,000 rows. The baseline, measured in the same run, is the floor of the same work:
a raw ``bulk_create`` of the same ``InboxMessage`` rows. Memory: the peak traced by
tracemalloc while one extra 1,000-row batch is delivered, and the process's max RSS.
"""

from __future__ import annotations

import resource
import time
import tracemalloc

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from bench.scenarios import analyze

BATCH = 1000
RESIDENTS = 2000


def _intents(user_ids, n, prefix):
    from domovoy.notifications.services import NoticeIntent

    for i in range(n):
        uid = user_ids[i % len(user_ids)]
        yield NoticeIntent(
            recipient_id=uid,
            kind="outage.published",
            dedup_key=f"{prefix}:{i // len(user_ids)}:u{uid}",
            subject="Плановое отключение холодной воды",
            body="С 10:00 до 18:00 по адресу ул. Ленина, 1. Приносим извинения.",
            url="/outages/1/",
            group=f"{prefix}:{i // len(user_ids)}",
            channels=("inbox",),
        )


def _deliver_all():
    from domovoy.notifications.delivery import deliver_due

    batches = rows = 0
    while True:
        done = deliver_due(BATCH)
        if not done:
            return batches, rows
        batches += 1
        rows += done


def _empty_outbox():
    """Scenarios run before this one (an outage fan-out) leave rows in the outbox; the worker
    measured here must deliver exactly this scenario's rows."""
    from domovoy.notifications.models import DeliveryAttempt, InboxMessage, Notice

    if connection.vendor == "postgresql":
        tables = [m._meta.db_table for m in (DeliveryAttempt, InboxMessage, Notice)]
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
    else:
        for model in (DeliveryAttempt, InboxMessage, Notice):
            model.objects.all()._raw_delete(connection.alias)


def notification_delivery(args):
    from domovoy.directory.models import User
    from domovoy.notifications import services
    from domovoy.notifications.models import InboxMessage, Notice

    n = getattr(args, "notices", 20_000)
    _empty_outbox()
    User.objects.bulk_create(
        [
            User(username=f"bench_resident_{i}", email="", is_resident=True)
            for i in range(RESIDENTS)
        ],
        batch_size=1000,
    )
    user_ids = list(
        User.objects.filter(username__startswith="bench_resident_").values_list("id", flat=True)
    )
    analyze(User)
    scheduled = services._schedule_delivery
    # No quiet hours (start == end) whatever the wall clock; no inline delivery on commit (the
    # bench settings run tasks inline): the worker below is what is measured.
    with override_settings(NOTIFICATIONS_QUIET_START="00:00", NOTIFICATIONS_QUIET_END="00:00"):
        services._schedule_delivery = lambda: None
        try:
            started = time.perf_counter()
            with transaction.atomic():
                inserted = services.notices_enqueue(_intents(user_ids, n, "bench"))
            enqueue_s = time.perf_counter() - started
        finally:
            services._schedule_delivery = scheduled
        assert inserted == n, f"enqueued {inserted:,} of {n:,}"

        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            batches, delivered = _deliver_all()
            deliver_s = time.perf_counter() - started
        assert delivered == n and InboxMessage.objects.count() == n, "not all delivered"
        assert not Notice.objects.exclude(state="sent").exists()
        queries_per_batch = len(ctx.captured_queries) / max(1, batches)

        # Peak Python memory of one batch (tracemalloc slows code down: not in the timing).
        services._schedule_delivery = lambda: None
        try:
            services.notices_enqueue(_intents(user_ids, BATCH, "mem"))
        finally:
            services._schedule_delivery = scheduled
        tracemalloc.start()
        _deliver_all()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

    # Baseline: the same inbox rows written by one raw bulk_create per 1,000 rows.
    created_at = Notice.objects.only("due_at").first().due_at
    messages = [
        InboxMessage(
            recipient_id=user_ids[i % len(user_ids)],
            kind="outage.published",
            subject="Плановое отключение холодной воды",
            body="С 10:00 до 18:00 по адресу ул. Ленина, 1. Приносим извинения.",
            url="/outages/1/",
            created_at=created_at,
        )
        for i in range(n)
    ]
    started = time.perf_counter()
    with transaction.atomic():
        InboxMessage.objects.bulk_create(messages, batch_size=BATCH)
    base_s = time.perf_counter() - started

    rate, base_rate = n / deliver_s, n / base_s
    max_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return (
        f"{n:,} inbox notices: enqueue {n / enqueue_s:,.0f} rows/s ({enqueue_s:.1f} s); "
        f"delivery by one worker {rate:,.0f} rows/s ({deliver_s:.1f} s, {batches} batches of "
        f"{BATCH:,}, {queries_per_batch:.0f} queries each) "
        f"(baseline raw bulk_create of the inbox rows {base_rate:,.0f} rows/s, "
        f"ratio {rate / base_rate:.2g}); peak traced memory per batch {peak / 2**20:.1f} MiB, "
        f"max RSS {max_rss_mib:,.0f} MiB"
    )
