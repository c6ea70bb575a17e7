"""Outage scenario of ``python -m bench`` (issue 5, O3).

``outage_fanout``: 50,000 accounts, each with one resident (with an e-mail), in 500 buildings
served by one water supplier; the supplier's dispatcher publishes a planned outage over all of
them 7 days ahead through ``outages.services.outage_publish`` (validation, zone, revision,
the recipients query and ``notices_enqueue`` in chunks: the publication notice, the 5-day and
the 1-day reminders, on every default channel). Timed from the call to its return (the outbox
rows are committed). The baseline, in the same run: a raw ``bulk_create`` of the same Notice
rows (same count, same columns, fresh dedup keys) in batches of 2,000 in one transaction.
Delivery is not part of either figure: the on-commit delivery kick is counted, not run.

Sizes (optional arguments, read with ``getattr``): ``outage_accounts`` (50,000),
``outage_buildings`` (500).
"""

from __future__ import annotations

import datetime as dt
import time
from unittest import mock

from django.db import connection, transaction
from django.utils import timezone

from bench.scenarios import analyze

SEED_SETTLEMENT = "пгт Отключенск"  # not a demo town: the seed is recognised on a kept database
BATCH = 5000


def _org(kind, n):
    from domovoy.directory.models import Organization, OrganizationKind

    org = Organization.objects.create(
        full_name=f"Бенчмарк {kind} {n}",
        short_name=f"Бенч-{kind}-{n}",
        head_name="Иванов И. И.",
        postal_address="-",
        actual_address="-",
        head_phone="+70000000000",
        dispatcher_phone="+70000000000",
        email=f"bench-{kind}-{n}@example.ru",
        ogrn=f"{n:013d}",
        registration_date=dt.date(2010, 1, 1),
        inn=f"99{kind[:2]}{n:06d}"[:12],
        bank_name="-",
        bik="044525225",
        settlement_account="40702810000000000001",
        correspondent_account="30101810400000000225",
        working_hours="круглосуточно",
    )
    OrganizationKind.objects.create(organization=org, kind=kind)
    return org


def _seed(n_accounts, n_buildings):
    """Buildings, management, a supplier link, premises, accounts and residents, in bulk."""
    from django.contrib.auth.hashers import make_password

    from domovoy.directory.models import (
        Account,
        Building,
        Employee,
        EmployeeRole,
        ManagementPeriod,
        Premises,
        ServiceLink,
        User,
    )

    existing = list(
        Building.objects.filter(settlement=SEED_SETTLEMENT).values_list("id", flat=True)
    )
    dispatcher = User.objects.filter(username="bench_outage_dispatcher").first()
    if existing and dispatcher:
        return dispatcher, existing
    started = time.perf_counter()
    uo = _org("uo", 501)
    rso = _org("rso", 502)
    ServiceLink.objects.create(
        uo=uo, provider=rso, resource="cold_water", start=dt.date(2020, 1, 1)
    )
    dispatcher = User.objects.create(username="bench_outage_dispatcher", password="!")
    employee = Employee.objects.create(user=dispatcher, organization=rso, position="Диспетчер")
    EmployeeRole.objects.create(employee=employee, role="supplier_dispatcher")
    buildings = Building.objects.bulk_create(
        [
            Building(
                settlement=SEED_SETTLEMENT,
                street=f"ул. Бенчмарка {i // 50 + 1}",
                house=str(i % 50 + 1),
                latitude=57.70 + (i % 25) * 0.001,
                longitude=40.90 + (i // 25) * 0.001,
                search_text=Building.compose_search_text(
                    f"ул. Бенчмарка {i // 50 + 1}", str(i % 50 + 1), ""
                ),
            )
            for i in range(n_buildings)
        ],
        batch_size=BATCH,
    )
    if not buildings[0].pk:  # SQLite before RETURNING: read the ids back
        buildings = list(Building.objects.filter(settlement=SEED_SETTLEMENT).order_by("id"))
    ManagementPeriod.objects.bulk_create(
        [
            ManagementPeriod(building=b, organization=uo, start=dt.date(2020, 1, 1))
            for b in buildings
        ]
    )
    per = n_accounts // n_buildings
    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(
                username=f"bench_outage_{i}",
                password=password,
                email=f"bench_outage_{i}@example.ru",
                is_resident=True,
            )
            for i in range(n_accounts)
        ],
        batch_size=BATCH,
    )
    users = list(
        User.objects.filter(username__startswith="bench_outage_", is_resident=True)
        .order_by("id")
        .values_list("id", flat=True)
    )
    Premises.objects.bulk_create(
        [Premises(building=b, number=str(k + 1)) for b in buildings for k in range(per)],
        batch_size=BATCH,
    )
    premises = list(
        Premises.objects.filter(building__settlement=SEED_SETTLEMENT)
        .order_by("id")
        .values_list("id", flat=True)
    )
    Account.objects.bulk_create(
        [Account(premises_id=p, number=f"BO{i:09d}") for i, p in enumerate(premises)],
        batch_size=BATCH,
    )
    accounts = list(
        Account.objects.filter(number__startswith="BO").order_by("id").values_list("id", flat=True)
    )
    through = Account.residents.through
    through.objects.bulk_create(
        [through(account_id=a, user_id=u) for a, u in zip(accounts, users, strict=False)],
        batch_size=BATCH,
    )
    analyze(Building, ManagementPeriod, User, Premises, Account, through)
    print(
        f"  seeded {len(buildings):,} buildings, {len(accounts):,} accounts and residents in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return dispatcher, [b.pk for b in buildings]


class _Counter:
    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def outage_fanout(args):
    from domovoy.notifications.models import Notice
    from domovoy.outages import services
    from domovoy.outages.zones import zone_spec

    n_accounts = getattr(args, "outage_accounts", 50_000)
    n_buildings = getattr(args, "outage_buildings", 500)
    dispatcher, building_ids = _seed(n_accounts, n_buildings)
    start = timezone.now() + dt.timedelta(days=7)
    counter = _Counter()
    kicks = []
    with (
        mock.patch("domovoy.notifications.services._schedule_delivery", lambda: kicks.append(1)),
        connection.execute_wrapper(counter),
    ):
        started = time.perf_counter()
        outage = services.outage_publish(
            actor=dispatcher,
            kind="planned",
            resource="cold_water",
            network="supplier",
            zone=zone_spec(building_ids=building_ids),
            reason="Бенчмарк: замена магистрали",
            start=start,
            planned_end=start + dt.timedelta(hours=8),
        )
        publish_s = time.perf_counter() - started
    rows = Notice.objects.filter(group=outage.group).count()
    recipients = (
        Notice.objects.filter(group=outage.group, kind="outage.published")
        .values("recipient_id")
        .distinct()
        .count()
    )
    if rows == 0:
        raise AssertionError("the publication wrote no outbox rows")

    # Baseline: the same rows, built beforehand, inserted with a raw bulk_create.
    fields = (
        "recipient_id",
        "channel",
        "kind",
        "group",
        "subject",
        "body",
        "url",
        "due_at",
        "emergency",
        "dedup_key",
        "next_attempt_at",
    )
    copies = [
        Notice(**{**row, "dedup_key": "b:" + row["dedup_key"], "group": "bench:baseline"})
        for row in Notice.objects.filter(group=outage.group).values(*fields).iterator(2000)
    ]
    with connection.execute_wrapper(_Counter()) as _w:
        started = time.perf_counter()
        with transaction.atomic():
            Notice.objects.bulk_create(copies, batch_size=2000)
        base_s = time.perf_counter() - started
    Notice.objects.filter(group="bench:baseline").delete()
    del _w
    return (
        f"{rows:,} outbox rows for {recipients:,} residents in {len(building_ids):,} buildings: "
        f"publish {publish_s:.2f} s = {rows / publish_s:,.0f} rows/s, {counter.n:,} queries "
        f"(baseline raw bulk_create {base_s:.2f} s = {rows / base_s:,.0f} rows/s, "
        f"ratio {base_s / publish_s:.2g}); delivery kicks {len(kicks)}"
    )
