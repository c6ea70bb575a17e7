"""Statistics scenario of ``python -m bench`` (issue 13, R18).

``statistics_page``: the control body's statistics page (``/requests/stats/``, the demo's
controller, the whole territory) over two years of daily rollups standing for ``--stats-requests``
(5,000,000) requests. The page reads only ``RequestDayStat`` rows, so the rollup rows are
generated directly with SQL (PostgreSQL: ``generate_series``) for every day × executing
organisation × every topic (received split over closed, in work and rejected),
with received counts summing to the target; then the page is timed (p50/p95 over
``--requests`` GETs, capped) for a month, a quarter and a year, and the selector alone for
the whole two years. Target: under 300 ms.
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection
from django.test import Client
from django.urls import reverse

from bench.scenarios import _ms, analyze, percentile

DAYS = 730


def _ensure_city():
    from django.core.management import call_command

    from domovoy.demo.generator import demo_city_load
    from domovoy.demo.models import DemoCity
    from domovoy.servicedesk.models import Topic

    if not DemoCity.objects.exists():
        started = time.perf_counter()
        demo_city_load(scale=1.0, with_premises=False)
        print(f"  demo city loaded in {time.perf_counter() - started:.1f} s", flush=True)
    if not Topic.objects.exists():
        call_command("load_classifier", verbosity=0)


def _seed_rollups(target, today):
    """Rollup rows for ``DAYS`` days up to ``today`` whose ``received`` sum to about
    ``target``; returns (rows, requests)."""
    from domovoy.directory.models import Organization, OrgKind
    from domovoy.servicedesk import statistics
    from domovoy.servicedesk.models import DURATION_BUCKETS, RequestDayStat, Topic
    from domovoy.servicedesk.workflow import Status

    orgs = list(
        Organization.objects.filter(kinds__kind__in=(OrgKind.UO, OrgKind.RSO, OrgKind.CONTRACTOR))
        .distinct()
        .values_list("id", "territory_id")
    )
    topics = list(Topic.objects.filter(parent__isnull=False).values_list("id", flat=True))
    # The densest case: every organisation has requests on every topic every day.
    pairs = [(org, territory, topic) for org, territory in orgs for topic in topics]
    cells = DAYS * len(pairs)
    mean = target / cells  # received per row, on average
    table = RequestDayStat._meta.db_table
    buckets = [f"accept_b{i}" for i in range(DURATION_BUCKETS)] + [
        f"close_b{i}" for i in range(DURATION_BUCKETS)
    ]
    # received = n: 80 % closed (c), 10 % rejected, the rest in work; the histograms put a
    # row's accepted into one bucket and its closed into another, both depending on the row.
    accept_cases = [
        f"CASE WHEN (g.k %% 9) + 1 = {i} THEN r.n ELSE 0 END" for i in range(DURATION_BUCKETS)
    ]
    close_cases = [
        f"CASE WHEN (g.k %% 11) + 6 = {i} THEN r.c ELSE 0 END" for i in range(DURATION_BUCKETS)
    ]
    idle = [f"st_{code}" for code in Status.values if code not in ("closed", "rejected", "in_work")]
    pairs_sql = ", ".join(
        f"({i}, {org}, {territory if territory is not None else 'NULL'}, {topic})"
        for i, (org, territory, topic) in enumerate(pairs)
    )
    sql = f"""
        INSERT INTO {table} (
            day, is_month, organization_id, territory_id, topic_id, received, accepted,
            completed, done, on_time, closed, emergency, obscene, late_crew, returns_made,
            returns_received, accept_minutes, close_minutes, rated, rating_sum, satisfied,
            dissatisfied, st_closed, st_rejected, st_in_work, {", ".join(idle)},
            {", ".join(buckets)}
        )
        SELECT d.day, false, p.org, p.territory, p.topic, r.n, r.n, r.c, r.c, r.c * 4 / 5, r.c,
            r.n / 10, 0, 0,
            CASE WHEN g.k %% 17 = 0 THEN 1 ELSE 0 END,
            CASE WHEN g.k %% 17 = 0 THEN 1 ELSE 0 END,
            r.n * ((g.k %% 9) * 60 + 30),
            r.c * ((g.k %% 11) * 600 + 900),
            r.c / 2, (r.c / 2) * 4, r.c * 2 / 5, r.c / 10,
            r.c, r.n / 10, r.n - r.c - r.n / 10, {", ".join("0" for _ in idle)},
            {", ".join(accept_cases)}, {", ".join(close_cases)}
        FROM generate_series(%s::date - {DAYS - 1}, %s::date, interval '1 day') AS d(day)
        CROSS JOIN (VALUES {pairs_sql}) AS p(i, org, territory, topic)
        CROSS JOIN LATERAL (SELECT (p.i * 31 + extract(doy FROM d.day)::int) AS k) AS g
        CROSS JOIN LATERAL (
            SELECT GREATEST(1, round({2 * mean} * ((g.k * 7919) %% 100) / 99.0))::int AS n
        ) AS r0
        CROSS JOIN LATERAL (SELECT r0.n AS n, r0.n * 4 / 5 AS c) AS r
    """
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(sql, [today, today])
    analyze(RequestDayStat)
    months = {today.replace(day=1)}
    month = today
    for _ in range(DAYS // 28 + 2):
        month = (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        months.add(month)
    for month in sorted(months):  # the month rows, by the worker's own code
        statistics.rollup_month(month)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), coalesce(sum(received), 0) FROM {table} WHERE NOT is_month"
        )
        rows, requests = cursor.fetchone()
    analyze(RequestDayStat)
    return rows, requests


def _timed_get(client, url, params, n):
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url, params)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return times


def statistics_page(args):
    if connection.vendor != "postgresql":
        return "skipped: needs PostgreSQL (the rollup rows are generated with generate_series)"
    from django.utils import timezone

    from domovoy.directory import roles
    from domovoy.directory.models import User
    from domovoy.servicedesk import statistics

    _ensure_city()
    target = getattr(args, "stats_requests", 5_000_000)
    today = timezone.localdate()
    started = time.perf_counter()
    rows, requests = _seed_rollups(target, today)
    print(
        f"  {rows:,} rollup rows for {requests:,} requests over {DAYS} days "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    user = User.objects.get(username="control")
    client = Client()
    client.force_login(user)
    url = reverse("servicedesk:staff_stats")
    n = max(5, min(args.requests, 30))
    figures = []
    worst = 0.0
    for label, days in (("month", 30), ("quarter", 91), ("year", 365)):
        params = {
            "date_from": (today - dt.timedelta(days=days - 1)).isoformat(),
            "date_to": today.isoformat(),
        }
        client.get(url, params)  # warm-up
        times = _timed_get(client, url, params, n)
        p50, p95 = percentile(times, 50), percentile(times, 95)
        worst = max(worst, p95)
        figures.append(f"{label} p50 {_ms(p50)} p95 {_ms(p95)}")
    territory = roles.territory_scope(user)
    two_years = []
    for _ in range(5):
        started = time.perf_counter()
        statistics.rollup_statistics(
            organization=None,
            date_from=today - dt.timedelta(days=DAYS - 1),
            date_to=today,
            territory=territory,
        )
        two_years.append(time.perf_counter() - started)
    figures.append(f"selector over 2 years p50 {_ms(percentile(two_years, 50))}")
    verdict = "under" if worst < 0.3 else "OVER"
    return (
        f"{requests:,} requests in {rows:,} rollup rows; page (control body, whole territory) "
        + "; ".join(figures)
        + f" — {verdict} 300 ms"
    )
