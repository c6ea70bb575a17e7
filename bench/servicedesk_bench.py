"""Service-desk scenarios of ``python -m bench`` (issue 4).

- ``servicedesk_intake``: a resident files requests through ``POST /api/v1/requests/`` (session,
  DRF, routing, deadline, history, the resident's notice) against a bare Django view in this
  module that inserts the same ``ServiceRequest`` row with ``objects.create``; both through the
  same in-process test client. Requests/s of each and their ratio.
- ``servicedesk_queue``: the dispatcher's work queue ``/requests/queue/`` (tabs new, mine, due
  today, overdue, on control) and the live poll ``/requests/queue/live/`` for one UO with
  ``--sd-uo-rows`` (50,000) requests among ``--sd-rows`` (1,000,000) in the database; p50/p95
  per tab and the query count, compared with a UO that has 10 requests.

Sizes come from optional arguments (read with ``getattr``; the runner may add them):
``sd_intake`` (requests timed per side, 300), ``sd_rows`` (1,000,000), ``sd_uo_rows`` (50,000).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
import uuid
from unittest import mock

from django.db import connection, transaction
from django.http import HttpResponseNotAllowed, JsonResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import path, reverse
from django.utils import timezone

from bench.scenarios import _ms, percentile

SMALL_UO_ROWS = 10  # the small UO of the constant-query check
SEED_MARK = "bench"  # external_system of seeded rows: a rerun on a kept database skips seeding
QUEUE_TABS = ("new", "mine", "today", "overdue", "control")


# --- The demo city, the classifier, the people ----------------------------------------------


def _ensure_city():
    """The demo city with flats and residents (scale 1: 300 houses), and the classifier."""
    from django.core.management import call_command

    from domovoy.demo.generator import demo_city_load
    from domovoy.demo.models import DemoCity
    from domovoy.servicedesk.models import Topic

    if not DemoCity.objects.exists():
        started = time.perf_counter()
        demo_city_load(scale=1.0)
        print(f"  demo city loaded in {time.perf_counter() - started:.1f} s", flush=True)
    if not Topic.objects.exists():
        call_command("load_classifier", verbosity=0)


def _user(username):
    from domovoy.directory.models import User

    return User.objects.get(username=username)


def _resident():
    """The demo resident with a flat; made here when the demo city was loaded without flats
    (after ``building_list_by_street`` in the same run)."""
    from domovoy.directory.models import Account, ManagementPeriod, Premises, User

    user = User.objects.filter(username="resident", is_resident=True).first()
    if user is not None and user.accounts.exists():
        return user
    building = (
        ManagementPeriod.objects.filter(
            end__isnull=True, organization__employees__user__username="uo1_dispatcher"
        )
        .values_list("building", flat=True)
        .first()
    )
    with transaction.atomic():
        premises = Premises.objects.create(building_id=building, number="1", floor=1)
        account = Account.objects.create(premises=premises, number="99BENCH0001")
        user = user or User.objects.create_user(
            username="resident", password=None, is_resident=True, phone="+79101234567"
        )
        account.residents.add(user)
    return user


# --- (a) Intake ------------------------------------------------------------------------------


def bare_create(request):
    """The floor of intake: the same row with the same fields, no validation beyond JSON, no
    routing (the executor and deadline came with the form), no history, no notice."""
    from domovoy.servicedesk.models import Channel, ServiceRequest

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    data = json.loads(request.body)
    user = request.user
    sr = ServiceRequest.objects.create(
        number=f"B{uuid.uuid4().hex[:18]}",  # unique like the real one, also on a kept database
        channel=Channel.WEB,
        author=user,
        created_by=user,
        caller_name=user.full_name,
        phone=user.phone,
        building_id=data["building"],
        premises_id=data["premises"],
        topic_id=data["topic"],
        text=data["text"],
        is_emergency=data["is_emergency"],
        executor_org_id=data["executor_org"],
        origin_org_id=data["origin_org"],
        deadline_at=timezone.now() + dt.timedelta(hours=24),
    )
    return JsonResponse({"id": sr.pk, "number": sr.number}, status=201)


def _urlpatterns():
    from domovoy import urls as project

    return [path("bench/servicedesk/bare-create/", bare_create), *project.urlpatterns]


class _BenchUrls:
    """The project's URLs plus the bare view (ROOT_URLCONF accepts any object with
    ``urlpatterns``)."""

    @property
    def urlpatterns(self):
        return _urlpatterns()


def _intake_topics():
    """Leaf topics of the three routing paths: the UO, a supplier, a contractor."""
    from domovoy.servicedesk.models import HandlerKind, Topic

    leaves = Topic.objects.filter(is_active=True, children__isnull=True).order_by("id")
    picked = []
    for kind in (HandlerKind.UO, HandlerKind.RSO, HandlerKind.CONTRACTOR):
        picked.extend(leaves.filter(handler_kind=kind, is_emergency=False)[:2])
    return picked


def servicedesk_intake(args):
    """Requests/s through the API against the bare insert, same client, same process."""
    from rest_framework.test import APIClient

    from domovoy.notifications.models import Notice
    from domovoy.servicedesk.models import ServiceRequest
    from domovoy.servicedesk.services import route_request

    _ensure_city()
    n = getattr(args, "sd_intake", 300)
    resident = _resident()
    account = resident.accounts.select_related("premises__building").first()
    building, premises = account.premises.building, account.premises
    topics = _intake_topics()
    forms = []
    for i, topic in enumerate(topics):
        routing = route_request(building=building, topic=topic)
        forms.append(
            {
                "api": {
                    "building": building.pk,
                    "premises": premises.pk,
                    "topic": topic.pk,
                    "text": f"Проверка производительности приёма заявок, вариант {i + 1}. "
                    "В подъезде не работает освещение на третьем этаже.",
                },
                "routing": {
                    "executor_org": routing.executor.pk,
                    "origin_org": routing.origin.pk if routing.origin else None,
                    "is_emergency": topic.is_emergency,
                },
            }
        )
    client = APIClient()
    client.force_login(resident)
    api_url = "/api/v1/requests/"
    bare_url = "/bench/servicedesk/bare-create/"

    def api(i):
        response = client.post(api_url, forms[i % len(forms)]["api"], format="json")
        if response.status_code != 201:
            raise AssertionError(
                f"{api_url} answered {response.status_code}: {response.content[:300]}"
            )
        return response

    def bare(i):
        form = forms[i % len(forms)]
        response = client.post(bare_url, {**form["api"], **form["routing"]}, format="json")
        if response.status_code != 201:
            raise AssertionError(f"{bare_url} answered {response.status_code}")
        return response

    # The intake throttle (API_THROTTLE_INTAKE_*) stays in the path, only with a rate this run
    # cannot reach: its cache read and write are part of what is measured.
    rates = {
        "API_THROTTLE_INTAKE_INTEGRATION": "1000000/min",
        "API_THROTTLE_INTAKE_SESSION": "1000000/min",
    }
    # The resident's notice is written to the outbox (measured); its delivery is the worker's
    # (the bench settings would run that task inside the request, in day time only).
    with (
        override_settings(ROOT_URLCONF=_BenchUrls(), **rates),
        mock.patch("domovoy.notifications.services._schedule_delivery", lambda: None),
    ):
        for i in range(20):  # warm-up: templates, caches, the connection
            api(i)
            bare(i)
        counts = {}
        for name, func in (("api", api), ("bare", bare)):
            with CaptureQueriesContext(connection) as ctx:
                func(0)
            counts[name] = len(ctx.captured_queries)
        notices_before = Notice.objects.filter(
            recipient=resident, channel="inbox", kind__startswith="request."
        ).count()
        api_times, bare_times = [], []
        rounds = 5  # interleaved, so that a growing table or a busy machine hits both sides
        per_round = max(1, n // rounds)
        for r in range(rounds):
            for i in range(per_round):
                started = time.perf_counter()
                api(r * per_round + i)
                api_times.append(time.perf_counter() - started)
            for i in range(per_round):
                started = time.perf_counter()
                bare(r * per_round + i)
                bare_times.append(time.perf_counter() - started)
        # Where the time goes: the intake service called directly, and the detail (the 201 body
        # before issue 10: the request with history, conversation and actions) as a GET.
        service_times = _timed(lambda i: _service_create(forms[i % len(forms)], resident), n)
        last = ServiceRequest.objects.filter(author=resident).order_by("-id").first()
        detail_url = f"{api_url}{last.pk}/"
        detail_times = _timed(lambda i: _get_ok(client, detail_url), n // 2)
    notices = (
        Notice.objects.filter(
            recipient=resident, channel="inbox", kind__startswith="request."
        ).count()
        - notices_before
    )
    if notices != len(api_times) + len(service_times):
        raise AssertionError(f"{len(api_times)} requests filed, {notices} resident notices")
    api_rate, bare_rate = len(api_times) / sum(api_times), len(bare_times) / sum(bare_times)
    return (
        f"{api_rate:,.0f} requests/s through POST /api/v1/requests/ "
        f"(baseline bare objects.create view {bare_rate:,.0f}/s, "
        f"ratio {api_rate / bare_rate:.2g}), "
        f"p95 {_ms(percentile(api_times, 95))} (baseline {_ms(percentile(bare_times, 95))}), "
        f"queries/request {counts['api']} (baseline {counts['bare']}); of the API's mean "
        f"{_ms(sum(api_times) / len(api_times))}: intake service alone "
        f"{_ms(sum(service_times) / len(service_times))}, a GET of the detail (not in the 201) "
        f"{_ms(sum(detail_times) / len(detail_times))}; {len(api_times)} each, "
        f"{len(forms)} topics (UO, supplier, contractor routing), "
        f"{ServiceRequest.objects.count():,} requests in the table"
    )


def _timed(func, repeat):
    times = []
    for i in range(repeat):
        started = time.perf_counter()
        func(i)
        times.append(time.perf_counter() - started)
    return times


def _service_create(form, resident):
    from domovoy.directory.models import Building, Premises
    from domovoy.servicedesk import conversation
    from domovoy.servicedesk.models import Channel, Topic

    data = form["api"]  # looked up as the serializer does: one query each
    return conversation.service_request_create_with_files(
        building=Building.objects.get(pk=data["building"]),
        premises=Premises.objects.get(pk=data["premises"]),
        topic=Topic.objects.get(pk=data["topic"]),
        text=data["text"],
        channel=Channel.WEB,
        author=resident,
        actor=resident,
    )


def _get_ok(client, url):
    response = client.get(url)
    if response.status_code != 200:
        raise AssertionError(f"{url} answered {response.status_code}")
    return response


# --- (b) The queue ---------------------------------------------------------------------------

COLUMNS = (
    "id", "number", "channel", "external_system", "external_id", "caller_name", "phone",
    "building_id", "topic_id", "text", "is_emergency", "has_obscene", "status",
    "executor_org_id", "executor_department_id", "executor_employee_id", "controller_org_id",
    "origin_org_id", "returns_count", "reopen_count", "deadline_at", "deadline_source",
    "deadline_reason", "postponed_until", "accepted_at", "done_at", "closed_at",
    "crew_dispatch_late", "completion_report", "final_answer", "reject_reason",
    "return_reason", "withdraw_reason", "is_deleted", "version", "created_at", "updated_at",
)  # fmt: skip

# How requests are spread: (status, weight) for the last 30 days and for older ones.
RECENT_STATUSES = (
    ("new", 14), ("accepted", 12), ("in_work", 22), ("postponed", 5), ("reopened", 2),
    ("verification", 2), ("moderation", 1), ("done", 8), ("conflict", 1), ("closed", 28),
    ("rejected", 4), ("withdrawn", 1),
)  # fmt: skip
OLD_STATUSES = (
    ("new", 1), ("in_work", 1), ("postponed", 1), ("closed", 86), ("rejected", 7),
    ("withdrawn", 4),
)  # fmt: skip
FINAL = {"closed", "rejected", "withdrawn"}
HISTORY_DAYS = 730
SEED_TEXT = (
    "Протекает крыша над квартирой, после дождя вода на потолке в комнате и на кухне. "
    "Просьба осмотреть кровлю и устранить течь. № "
)


class _Plan:
    """Who executes, controls and passed each seeded request."""

    def __init__(self, *, total, big_rows):
        from domovoy.directory.models import (
            Building,
            Employee,
            ManagementPeriod,
            Organization,
            OrgKind,
        )
        from domovoy.servicedesk.models import Topic

        dispatcher = Employee.objects.select_related("organization").get(
            user__username="uo1_dispatcher"
        )
        self.big, self.employee = dispatcher.organization, dispatcher
        self.small_employee = Employee.objects.select_related("organization").get(
            user__username="uo6"
        )
        self.small = self.small_employee.organization
        executors = Employee.objects.values_list("organization", flat=True).distinct()
        kinds = {OrgKind.UO, OrgKind.RSO, OrgKind.CONTRACTOR}
        others = Organization.objects.filter(kinds__kind__in=kinds, pk__in=executors).exclude(
            pk__in=[self.big.pk, self.small.pk]
        )
        self.other_uos = list(
            others.filter(kinds__kind=OrgKind.UO).distinct().values_list("pk", flat=True)
        )
        self.providers = list(
            others.filter(kinds__kind__in=[OrgKind.RSO, OrgKind.CONTRACTOR])
            .exclude(kinds__kind=OrgKind.UO)
            .distinct()
            .values_list("pk", flat=True)
        )
        managed = ManagementPeriod.objects.filter(end__isnull=True)
        self.big_buildings = list(
            managed.filter(organization=self.big).values_list("building", flat=True)
        )
        self.small_buildings = (
            list(managed.filter(organization=self.small).values_list("building", flat=True))
            or self.big_buildings
        )
        self.all_buildings = list(Building.objects.values_list("pk", flat=True))
        self.topics = list(Topic.objects.filter(children__isnull=True).values_list("pk", flat=True))
        self.total, self.big_rows = total, big_rows
        # Requests the big UO passed on to a supplier or contractor (half kept on control).
        self.passed_rows = big_rows // 10

    def rows(self, start_id, now):
        """The seeded rows as tuples of ``COLUMNS``: first the small UO's ten, then the rest."""
        rng = random.Random(4)
        statuses = {
            "recent": ([s for s, _ in RECENT_STATUSES], [w for _, w in RECENT_STATUSES]),
            "old": ([s for s, _ in OLD_STATUSES], [w for _, w in OLD_STATUSES]),
        }
        big, emp = self.big.pk, self.employee
        yield from self._small_rows(start_id, now, rng)
        big_end = SMALL_UO_ROWS + self.big_rows
        passed_end = big_end + self.passed_rows
        for i in range(SMALL_UO_ROWS, self.total):
            age = dt.timedelta(seconds=rng.random() * HISTORY_DAYS * 86400)
            recent = age < dt.timedelta(days=30)
            names, weights = statuses["recent" if recent else "old"]
            status = rng.choices(names, weights)[0]
            emergency = rng.random() < 0.05
            department = employee = controller = origin = None
            if i < big_end:
                executor, building = big, rng.choice(self.big_buildings)
                if status not in FINAL:
                    roll = rng.random()
                    if roll < 0.15:
                        employee = emp.pk
                    elif roll < 0.35 and emp.department_id:
                        department = emp.department_id
            elif i < passed_end:
                executor, building = rng.choice(self.providers), rng.choice(self.big_buildings)
                origin = big
                controller = big if i % 2 else None
            else:
                building = rng.choice(self.all_buildings)
                if rng.random() < 0.25 and self.providers:
                    executor = rng.choice(self.providers)
                    origin = rng.choice(self.other_uos)
                    controller = origin if rng.random() < 0.3 else None
                else:
                    executor = rng.choice(self.other_uos)
            created = now - age
            hours = rng.choice((2, 4, 24)) if emergency else 24 * rng.randint(1, 7)
            deadline = created + dt.timedelta(hours=hours)
            yield self._row(
                rng, start_id + i, now, created=created, deadline=deadline,
                status=status, emergency=emergency, building=building, executor=executor,
                department=department, employee=employee, controller=controller, origin=origin,
            )  # fmt: skip

    def _small_rows(self, start_id, now, rng):
        """The small UO's ten requests, two in each tab measured (new, mine, due today,
        overdue, on control), so that both UOs' pages have rows and their query counts can
        be compared."""
        small = self.small
        end_of_today = timezone.make_aware(
            dt.datetime.combine(timezone.localdate(now), dt.time(23, 59))
        )
        due_today = max(end_of_today, now + dt.timedelta(minutes=1))
        later = now + dt.timedelta(days=3)
        specs = (  # status, deadline, assigned to the small UO's employee, on its control
            ("new", later, False, False),
            ("new", later, False, False),
            ("in_work", later, True, False),
            ("in_work", later, True, False),
            ("accepted", due_today, False, False),
            ("accepted", due_today, False, False),
            ("in_work", now - dt.timedelta(days=1), False, False),
            ("in_work", now - dt.timedelta(days=2), False, False),
            ("in_work", later, False, True),
            ("in_work", later, False, True),
        )
        assert len(specs) == SMALL_UO_ROWS
        for i, (status, deadline, mine, control) in enumerate(specs):
            yield self._row(
                rng, start_id + i, now, created=now - dt.timedelta(days=3, hours=i),
                deadline=deadline, status=status, emergency=False,
                building=rng.choice(self.small_buildings),
                executor=rng.choice(self.providers) if control else small.pk,
                department=None, employee=self.small_employee.pk if mine else None,
                controller=small.pk if control else None, origin=small.pk if control else None,
            )  # fmt: skip

    def _row(self, rng, pk, now, *, created, deadline, status, emergency, building, executor,
             department, employee, controller, origin):  # fmt: skip
        accepted = created + dt.timedelta(minutes=rng.randint(5, 600))
        accepted = accepted if status != "new" else None
        span = (deadline - created).total_seconds()
        closed = deadline - dt.timedelta(seconds=rng.random() * span) if status in FINAL else None
        done = closed if status == "closed" else min(now, deadline) if status == "done" else None
        updated = closed or min(now, created + dt.timedelta(hours=rng.random() * 48))
        postponed = (
            (deadline + dt.timedelta(days=rng.randint(-5, 20))).date()
            if status == "postponed"
            else None
        )
        return (
            pk, f"{created.year}-{pk:06d}", "web", SEED_MARK, "", "Иванов Иван", "",
            building, rng.choice(self.topics), SEED_TEXT + str(pk), emergency, False, status,
            executor, department, employee, controller, origin, 0, 0, deadline, "topic", "",
            postponed, accepted, done, closed, False, "", "", "", "", "", False, 0,
            created, updated,
        )  # fmt: skip


def _seed_requests(total, big_rows):
    """``total`` requests, ``big_rows`` of them executed by the big UO and 10 by the small one;
    COPY on PostgreSQL, executemany elsewhere. Skipped when already there (``--keep``)."""
    from domovoy.servicedesk.models import Comment, ServiceRequest

    table = ServiceRequest._meta.db_table
    if ServiceRequest.objects.filter(external_system=SEED_MARK).exists():
        return None
    plan = _Plan(total=total, big_rows=big_rows)
    now = timezone.now()
    started = time.perf_counter()
    start_id = ServiceRequest.objects.order_by("-id").values_list("id", flat=True).first() or 0
    start_id += 1_000_000  # clear of rows the intake scenario may still add
    cols = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in plan.rows(start_id, now):
                    copy.write_row(row)
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM "
                + table + "))",
                [table],
            )  # fmt: skip
        else:
            sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
            batch = []
            adapt = connection.ops.adapt_datetimefield_value  # SQLite keeps naive UTC text
            for row in plan.rows(start_id, now):
                batch.append(tuple(adapt(v) if isinstance(v, dt.datetime) else v for v in row))
                if len(batch) == 10_000:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
        # A conversation on every third request (the live poll looks for new comments).
        comments = Comment._meta.db_table
        cursor.execute(
            f"INSERT INTO {comments} (request_id, author_id, author_org_id, text, is_public, "
            f"created_at) SELECT id, %s, executor_org_id, %s, %s, created_at FROM {table} "
            f"WHERE external_system = %s AND id %% 3 = 0",
            [plan.employee.user_id, "Бригада направлена, ожидайте.", True, SEED_MARK],
        )
        n_comments = cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"ANALYZE {comments}")
    seconds = time.perf_counter() - started
    return (
        f"seeded {total:,} requests and {n_comments:,} comments in {seconds:.1f} s "
        f"({(total + n_comments) / seconds:,.0f} rows/s)"
    )


def _timed_get(client, url, params, n):
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url, params)
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise AssertionError(f"{url}?{params} answered {response.status_code}")
    return times


def _queries(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    if response.status_code != 200:
        raise AssertionError(f"{url}?{params} answered {response.status_code}")
    return ctx.captured_queries


def servicedesk_queue(args):
    """The work queue of one UO among a million requests: p50/p95 per tab, query counts."""
    from domovoy.servicedesk.models import ServiceRequest

    _ensure_city()
    total = getattr(args, "sd_rows", 1_000_000)
    big_rows = getattr(args, "sd_uo_rows", 50_000)
    seeded = _seed_requests(total, big_rows)
    if seeded:
        print(f"  {seeded}", flush=True)
    n = args.requests
    plan_big = _user("uo1_dispatcher")
    big_org = plan_big.employee.organization
    small_user = _user("uo6")
    big, small = Client(), Client()
    big.force_login(plan_big)
    small.force_login(small_user)
    url = reverse("servicedesk:staff_queue")
    live_url = reverse("servicedesk:staff_queue_live")
    results, counts, slowest = [], {}, {}
    for tab in QUEUE_TABS:
        params = {"tab": tab}
        _timed_get(big, url, params, 5)  # warm-up
        big_q = _queries(big, url, params)
        small_q = _queries(small, url, params)
        counts[tab] = (len(big_q), len(small_q))
        slowest[tab] = max(big_q, key=lambda q: float(q["time"]))
        times = _timed_get(big, url, params, n)
        results.append((tab, percentile(times, 50), percentile(times, 95)))
    # The live poll: a handful of the UO's requests changed in the last minute.
    recent = list(
        ServiceRequest.objects.filter(executor_org=big_org, status="new")
        .order_by("-id")
        .values_list("pk", flat=True)[:10]
    )
    ServiceRequest.objects.filter(pk__in=recent).update(updated_at=timezone.now())

    def live_params():
        return {"since": (timezone.now() - dt.timedelta(seconds=30)).isoformat()}

    _timed_get(big, live_url, live_params(), 5)
    live_q = tuple(len(_queries(c, live_url, live_params())) for c in (big, small))
    live_times = []
    for _ in range(n):
        live_times.append(_timed_get(big, live_url, live_params(), 1)[0])
    for tab in QUEUE_TABS:
        q = slowest[tab]
        print(f"    {tab}: slowest query {float(q['time']) * 1000:.1f} ms "
              f"{' '.join(q['sql'].split())[:160]}")  # fmt: skip
    worst = max(p95 for _t, _p50, p95 in results)
    constant = all(b == s for b, s in counts.values()) and live_q[0] == live_q[1]
    tabs = "; ".join(
        f"{tab} p50 {_ms(p50)} p95 {_ms(p95)} q {counts[tab][0]}"
        + ("" if counts[tab][0] == counts[tab][1] else f"≠{counts[tab][1]}")
        for tab, p50, p95 in results
    )
    big_count = ServiceRequest.objects.filter(executor_org=big_org).count()
    return (
        f"worst tab p95 {_ms(worst)} ({'meets' if worst < 0.1 else 'MISSES'} 100 ms); {tabs}; "
        f"live poll p50 {_ms(percentile(live_times, 50))} p95 {_ms(percentile(live_times, 95))} "
        f"q {live_q[0]}; queries {'constant' if constant else 'NOT constant'} "
        f"(UO with {big_count:,} vs {SMALL_UO_ROWS} requests); "
        f"{ServiceRequest.objects.count():,} requests, {n} loads per tab"
    )
