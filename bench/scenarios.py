"""The benchmark scenarios. Each takes the parsed arguments and returns its result line.

Ratios are baseline ÷ figure for times (1.0 = as fast as the baseline, 0.25 = four times
slower) and figure ÷ baseline for rates; both read "share of the baseline's speed".
"""

import importlib
import inspect
import math
import time

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

# Names the onboarding loader may have; looked up at run time (it is written in parallel).
LOADER_NAMES = ("accounts_load", "account_rows_load", "accounts_import", "load_accounts")
IMPORT_SETTLEMENT = "пгт Поназырево"  # not one of the demo's towns: the import adds new houses
BASELINE_SETTLEMENT = "пгт Шарья-Лесная"


def analyze(*models):
    """Fresh planner statistics for tables a scenario just filled in bulk, as autovacuum would
    give a real database: without them PostgreSQL may keep plans made for empty tables (a
    foreign-key check by sequential scan, per inserted row)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def percentile(values, p):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _ms(seconds):
    return f"{seconds * 1000:.1f} ms"


def _timed(func, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return times


# --- (a) building_list_by_street -----------------------------------------------------------
BASELINE_SQL = """
SELECT b.*, t.*
FROM directory_building b LEFT JOIN directory_territory t ON t.id = b.territory_id
WHERE b.street = %s
ORDER BY b.street, b.house, b.block, b.id
LIMIT 50
"""


def _seed_buildings(n):
    from domovoy.demo.generator import demo_city_load
    from domovoy.demo.models import DemoCity
    from domovoy.directory.models import Building

    if DemoCity.objects.exists():
        return None
    started = time.perf_counter()
    counts = demo_city_load(buildings=n, with_premises=False)
    seconds = time.perf_counter() - started
    assert Building.objects.count() == n, "the generator did not seed the expected buildings"
    rows = counts["buildings"] + counts["management_periods"]
    return f"seeded {n:,} buildings in {seconds:.1f} s ({rows / seconds:,.0f} rows/s)"


def building_list_by_street(args):
    """The building registry page filtered by a street, first page of 50, as a UO employee."""
    from django.db.models import Count

    from domovoy.directory.models import Building, User
    from domovoy.directory.selectors import building_list

    seeded = _seed_buildings(args.buildings)  # ends with ANALYZE on PostgreSQL
    if seeded:
        print(f"  {seeded}", flush=True)
    streets = list(
        Building.objects.values("street")
        .annotate(n=Count("id"))
        .filter(n__gte=50)
        .order_by("-n", "street")
        .values_list("street", flat=True)[:10]
    )
    if not streets:
        return "skipped: no street with 50 buildings (seed more with --buildings)"
    client = Client()
    client.force_login(User.objects.get(username="uo1_dispatcher"))
    url = reverse("directory:buildings")

    def page(street, number=1):
        response = client.get(url, {"street": street, "page": number})
        if response.status_code != 200:
            raise AssertionError(f"{url}?street={street} answered {response.status_code}")
        return response

    for street in streets:  # warm up: templates, connection, caches of the database
        page(street)
    counts = []
    for street, number in ((streets[0], 1), (streets[-1], 1), (streets[0], 2)):
        with CaptureQueriesContext(connection) as ctx:
            page(street, number)
        counts.append(len(ctx.captured_queries))
    constant = "constant" if len(set(counts)) == 1 else f"NOT constant {counts}"
    db_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
    lazy = " (execute only: SQLite fetches later)" if connection.vendor == "sqlite" else ""
    print(f"  page 2: {len(ctx.captured_queries)} queries, {db_ms:.1f} ms in the database{lazy}")
    for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:3]:
        print(f"    {float(q['time']) * 1000:.1f} ms {' '.join(q['sql'].split())[:150]}")
    n = args.requests
    page_times = []
    for i in range(n):
        started = time.perf_counter()
        page(streets[i % len(streets)])
        page_times.append(time.perf_counter() - started)
    selector_times = []
    for i in range(n):
        started = time.perf_counter()
        list(building_list(street=streets[i % len(streets)])[:50])
        selector_times.append(time.perf_counter() - started)
    baseline_times = []
    with connection.cursor() as cursor:
        for i in range(n):
            started = time.perf_counter()
            cursor.execute(BASELINE_SQL, [streets[i % len(streets)]])
            rows = cursor.fetchall()
            baseline_times.append(time.perf_counter() - started)
    assert len(rows) == 50
    p50, p95 = percentile(page_times, 50), percentile(page_times, 95)
    base95 = percentile(baseline_times, 95)
    sel95 = percentile(selector_times, 95)
    return (
        f"p95 {_ms(p95)} (baseline raw SQL {_ms(base95)}, ratio {base95 / p95:.2g}), "
        f"p50 {_ms(p50)} (baseline {_ms(percentile(baseline_times, 50))}), "
        f"selector alone p95 {_ms(sel95)} (ratio {base95 / sel95:.2g}), "
        f"queries/page {counts[0]} {constant}; {Building.objects.count():,} buildings, "
        f"{n} requests over {len(streets)} streets"
    )


# --- (b) accounts_import ---------------------------------------------------------------------
def _account_rows(n, settlement, prefix):
    """``n`` rows of the accounts form: 80 flats a building, streets of 50 houses."""
    import random

    from domovoy.demo import data as d
    from domovoy.demo.generator import _owner

    rng = random.Random(7)
    rows = []
    for i in range(n):
        house_no, flat = divmod(i, 80)
        street = d.TOWN_STREETS[(house_no // 50) % len(d.TOWN_STREETS)]
        last, first, middle = _owner(rng)
        rows.append(
            {
                "settlement": settlement,
                "city_district": "",
                "street": street,
                "house": str(house_no + 1),
                "block": "",
                "flat": str(flat + 1),
                "account": f"{prefix}{i:09d}",
                "last_name": last,
                "first_name": first,
                "middle_name": middle,
                "entrances": "4",
                "floors": "5",
            }
        )
    return rows


def _find_loader():
    try:
        module = importlib.import_module("domovoy.onboarding.services")
    except Exception as exc:  # the module is being written in parallel
        return None, f"{type(exc).__name__}: {exc}"
    for name in LOADER_NAMES:
        func = getattr(module, name, None)
        if callable(func):
            return func, name
    return None, "no " + "/".join(LOADER_NAMES) + " in domovoy.onboarding.services"


def _baseline_load(rows):
    """The floor: the same buildings, premises and accounts by plain ``bulk_create``."""
    from domovoy.directory.models import Account, Building, Premises

    with transaction.atomic():
        buildings = {}
        for r in rows:
            key = (r["settlement"], r["street"], r["house"], r["block"])
            if key not in buildings:
                buildings[key] = Building(
                    settlement=key[0],
                    street=key[1],
                    house=key[2],
                    block=key[3],
                    entrances=int(r["entrances"]),
                    floors=int(r["floors"]),
                    search_text=Building.compose_search_text(key[1], key[2], key[3]),
                )
        Building.objects.bulk_create(list(buildings.values()), batch_size=10_000)
        for start in range(0, len(rows), 10_000):
            chunk = rows[start : start + 10_000]
            premises = [
                Premises(
                    building=buildings[(r["settlement"], r["street"], r["house"], r["block"])],
                    number=r["flat"],
                )
                for r in chunk
            ]
            Premises.objects.bulk_create(premises)
            Account.objects.bulk_create(
                [
                    Account(
                        premises=p,
                        number=r["account"],
                        owner_last_name=r["last_name"],
                        owner_first_name=r["first_name"],
                        owner_middle_name=r["middle_name"],
                    )
                    for p, r in zip(premises, chunk, strict=True)
                ]
            )


def accounts_import(args):
    """Loading ``--accounts`` rows of the accounts form through the onboarding loader."""
    from domovoy.directory.models import Account, Organization, OrgKind, User

    loader, name = _find_loader()
    if loader is None:
        return f"skipped: loader not available ({name})"
    n = args.accounts
    uo = Organization.objects.filter(kinds__kind=OrgKind.UO).order_by("id").first()
    if uo is None:  # run alone: the organisations of the demo, no housing
        from domovoy.demo.generator import demo_city_load

        demo_city_load(buildings=0, with_premises=False)
        uo = Organization.objects.filter(kinds__kind=OrgKind.UO).order_by("id").first()
    actor = User.objects.filter(employee__organization=uo).order_by("id").first()
    rows = _account_rows(n, IMPORT_SETTLEMENT, "77")
    params = inspect.signature(loader).parameters
    kwargs = {"rows": rows}
    for key, value in (("organization", uo), ("actor", actor)):
        if key in params:
            kwargs[key] = value
    before = Account.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        loader(**kwargs)
        loader_s = time.perf_counter() - started
    loaded = Account.objects.count() - before
    if loaded != n:
        raise AssertionError(f"{name} loaded {loaded:,} accounts of {n:,}")
    loader_queries = len(ctx.captured_queries)
    base_rows = _account_rows(n, BASELINE_SETTLEMENT, "88")
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        _baseline_load(base_rows)
        base_s = time.perf_counter() - started
    return (
        f"{n:,} rows in {loader_s:.1f} s = {n / loader_s:,.0f} rows/s through {name}() "
        f"(baseline raw bulk_create {base_s:.1f} s = {n / base_s:,.0f} rows/s, "
        f"ratio {base_s / loader_s:.2g}), queries {loader_queries:,} "
        f"(baseline {len(ctx.captured_queries):,})"
    )


def _elsewhere(module, function):
    """A scenario defined in another bench module, imported only when it runs."""

    def run(args):
        return getattr(importlib.import_module(module), function)(args)

    run.__name__ = function
    return run


SCENARIOS = {
    "building_list_by_street": building_list_by_street,
    "accounts_import": accounts_import,
    "servicedesk_intake": _elsewhere("bench.servicedesk_bench", "servicedesk_intake"),
    "servicedesk_queue": _elsewhere("bench.servicedesk_bench", "servicedesk_queue"),
    "servicedesk_deadline_watch": _elsewhere("bench.deadline_bench", "servicedesk_deadline_watch"),
    "outage_fanout": _elsewhere("bench.outages_bench", "outage_fanout"),
    "notification_delivery": _elsewhere("bench.notifications_bench", "notification_delivery"),
    "http_intake": _elsewhere("bench.http_bench", "http_intake"),
    "statistics_page": _elsewhere("bench.statistics_bench", "statistics_page"),
}
