"""The deadline watch (issue 13, R14) of ``python -m bench``.

``servicedesk_deadline_watch``: 1,000,000 open requests (``--sd-rows``) generated in one
``INSERT … SELECT generate_series`` on PostgreSQL; 1,000 of them past their deadline by
seconds and 1,000 new ones not accepted for just over 24 hours. Timed: one minute of the
worker (``services.deadline_watch``: both indexed passes, flags, history rows, notices through
the outbox) and then an idle minute (nothing due: the passes alone). Target: under 2 s.
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from bench.scenarios import _ms, analyze, percentile

DUE = 1_000  # past the deadline by seconds, and not accepted for 24 h + a minute
MARK = "bench-watch"
OPEN = ("new", "accepted", "in_work", "postponed", "reopened")


def _seed(total: int, now: dt.datetime) -> str | None:
    """``total`` open requests by SQL alone: buildings, topics and executors cycled from the
    demo city; every column the model has, its default where the scenario does not care."""
    from domovoy.directory.models import Building, Organization
    from domovoy.servicedesk.models import ServiceRequest, Topic

    if ServiceRequest.objects.filter(external_system=MARK).exists():
        return None
    buildings = list(Building.objects.order_by("id").values_list("id", flat=True)[:300])
    topics = list(
        Topic.objects.filter(children__isnull=True, is_emergency=False).values_list("id", flat=True)
    )
    uos = list(
        Organization.objects.filter(kinds__kind="uo").order_by("id").values_list("id", flat=True)
    )
    table = ServiceRequest._meta.db_table
    start = (ServiceRequest.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    exprs = {
        "id": f"{start} + g",
        "number": f"'W' || ({start} + g)",
        "channel": "'web'",
        "external_system": f"'{MARK}'",
        "building_id": f"(ARRAY{buildings})[1 + mod(g, {len(buildings)})]",
        "topic_id": f"(ARRAY{topics})[1 + mod(g, {len(topics)})]",
        "executor_org_id": f"(ARRAY{uos})[1 + mod(g, {len(uos)})]",
        "text": "'Сломан доводчик входной двери'",
        # The last DUE rows are new and 24 h + 1 min old; the DUE before them are past their
        # deadline by seconds; every other row is due within 30 days, filed within 20 hours.
        "status": f"CASE WHEN g > %(n)s - {DUE} THEN 'new' "
        f"ELSE (ARRAY{list(OPEN)})[1 + mod(g, {len(OPEN)})] END",
        "created_at": "CASE WHEN g > %(n)s - "
        f"{DUE} THEN %(now)s - interval '24 hours 1 minute' "
        "ELSE %(now)s - (mod(g, 20)) * interval '1 hour' END",
        "deadline_at": f"CASE WHEN g > %(n)s - {2 * DUE} AND g <= %(n)s - {DUE} "
        "THEN %(now)s - (mod(g, 59) + 1) * interval '1 second' "
        "ELSE %(now)s + (mod(g, 30) + 1) * interval '1 day' END",
        "postponed_until": "NULL",
    }
    exprs["updated_at"] = exprs["created_at"]
    columns, values, params = [], [], {"n": total, "now": now}
    for f in ServiceRequest._meta.concrete_fields:
        columns.append(connection.ops.quote_name(f.column))
        if f.column in exprs:
            values.append(exprs[f.column])
            continue
        default = f.get_default() if f.has_default() or not f.null else None
        if default is None and not f.null:
            default = ""
        params[f.column] = f.get_db_prep_save(default, connection) if default is not None else None
        values.append(f"%({f.column})s")
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "
        f"FROM generate_series(1, %(n)s) AS g"
    )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )
    analyze(ServiceRequest)
    seconds = time.perf_counter() - started
    return f"seeded {total:,} open requests in {seconds:.1f} s ({total / seconds:,.0f} rows/s)"


def _plan(now):
    from domovoy.servicedesk import deadlines
    from domovoy.servicedesk.models import ServiceRequest

    qs = (
        ServiceRequest.objects.filter(deadlines.overdue_watch_q(now), is_deleted=False)
        .order_by("deadline_at")
        .values_list("id", flat=True)[:1000]
    )
    return " | ".join(line.strip() for line in qs.explain().splitlines()[:3])


def servicedesk_deadline_watch(args):
    """One minute of the deadline watch over a million open requests (R14)."""
    from bench.servicedesk_bench import _ensure_city
    from domovoy.servicedesk import deadlines, services
    from domovoy.servicedesk.models import ServiceRequest

    if connection.vendor != "postgresql":
        return "skipped: generate_series seeding needs PostgreSQL"
    _ensure_city()
    total = getattr(args, "sd_rows", 1_000_000)
    now = timezone.now()
    seeded = _seed(total, now)
    if seeded:
        print(f"  {seeded}", flush=True)
    print(f"    plan: {_plan(now)}", flush=True)
    reverse("servicedesk:staff_detail", args=["0"])  # a running worker has its URLconf loaded
    scans = []
    for _ in range(5):
        started = time.perf_counter()
        with transaction.atomic():
            found = [
                len(services.watch_rows(deadlines.overdue_watch_q(now), "deadline_at", 1000)),
                len(services.watch_rows(deadlines.not_accepted_watch_q(now), "created_at", 1000)),
            ]
        scans.append(time.perf_counter() - started)
    assert found == [DUE, DUE], found
    started = time.perf_counter()
    done = services.deadline_watch(now=now)
    busy = time.perf_counter() - started
    started = time.perf_counter()
    idle_done = services.deadline_watch(now=now)
    idle = time.perf_counter() - started
    assert done == {"not_accepted": DUE, "overdue": DUE}, done
    assert idle_done == {"not_accepted": 0, "overdue": 0}, idle_done
    open_rows = ServiceRequest.objects.filter(status__in=OPEN).count()
    scan = percentile(scans, 50)
    verdict = "meets" if scan < 2 else "MISSES"
    return (
        f"scan (both passes, {2 * DUE:,} due rows found) p50 {_ms(scan)}, {verdict} 2 s; "
        f"busy minute {_ms(busy)} (flagged {DUE:,} overdue + {DUE:,} not accepted, history, "
        f"notices); idle minute {_ms(idle)}; {open_rows:,} open requests"
    )
