"""``http_intake``: intake through a real server (issue 10), not in-process.

The project runs under gunicorn (2 sync workers, loopback only, ``DEBUG=0``, a random
``SECRET_KEY``) on the runner's throwaway PostgreSQL database, with ``bench.http_settings``:
production's settings plus a bare one-row insert view (``bench.http_urls``) served by the SAME
server as the baseline. A small load client (threads, ``http.client``, concurrency 8) drives
``POST /api/v1/requests/`` with an integration token and the bare view in interleaved rounds
and prints req/s, p50/p95 of each and their ratio.

Then the per-request breakdown: the same API call in this process (Django's test client,
token header, the whole middleware stack), instrumented with a timing context per phase
(auth, throttling, token-use log, input, routing, deadline, numbering, history, outbox,
response body) and a query counter that charges each query to the phase running it.
``--http-profile`` adds a cProfile of that in-process run.

Sizes: ``--http-requests`` per side per round (400), ``--http-rounds`` (3), ``--http-clients``
(8), ``--http-seconds`` a cap per round (60).
"""

from __future__ import annotations

import cProfile
import datetime as dt
import http.client
import io
import itertools
import json
import os
import pstats
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from django.db import connection

from bench.scenarios import percentile

BASE_DIR = Path(__file__).resolve().parent.parent
API_PATH = "/api/v1/requests/"
WORKERS = 2


# --- Seeding ---------------------------------------------------------------------------------


def _seed():
    """The demo city (small), the classifier, and an integration agreement for the whole city
    with its token; the request bodies of the three routing paths and of the bare view."""
    from knox.models import AuthToken

    from bench.servicedesk_bench import _ensure_city, _intake_topics
    from domovoy.api.models import IntegrationAgreement
    from domovoy.directory.models import ManagementPeriod, Premises, User
    from domovoy.servicedesk.services import route_request

    _ensure_city()
    period = (
        ManagementPeriod.objects.filter(end__isnull=True, building__territory__isnull=False)
        .select_related("building__territory")
        .order_by("id")
        .first()
    )
    building = period.building
    premises = Premises.objects.filter(building=building).order_by("id").first()
    root = building.territory.path.strip("/").split("/")[0]
    user, _ = User.objects.get_or_create(username="integration-bench")
    agreement, _ = IntegrationAgreement.objects.get_or_create(
        user=user,
        defaults={
            "number": "BENCH-1",
            "system_name": "Городской портал (bench)",
            "parties": "bench",
            "valid_from": dt.date.today() - dt.timedelta(days=1),
            "valid_to": dt.date.today() + dt.timedelta(days=365),
            "scopes": ["requests:read", "requests:write"],
            "territory_id": int(root),
        },
    )
    _instance, token = AuthToken.objects.create(user, expiry=dt.timedelta(days=1))
    api_bodies, bare_bodies = [], []
    for i, topic in enumerate(_intake_topics()):
        routing = route_request(building=building, topic=topic)
        text = (
            f"Проверка приёма заявок через сервер, вариант {i + 1}. "
            "В подъезде не работает освещение на третьем этаже."
        )
        form = {"building": building.pk, "topic": topic.pk, "text": text}
        if premises is not None:
            form["premises"] = premises.pk
        api_bodies.append(form)
        bare_bodies.append({**form, "executor_org": routing.executor.pk})
    return token, agreement, api_bodies, bare_bodies


# --- The server ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn_server(database_url: str):
    """gunicorn with 2 sync workers on a free loopback port; yields the port."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.http_settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PYTHONPATH": str(BASE_DIR),
    }
    log = BASE_DIR / "var" / "bench-gunicorn.log"
    log.parent.mkdir(exist_ok=True)
    command = [
        sys.executable, "-m", "gunicorn", "domovoy.wsgi:application",
        "--workers", str(WORKERS), "--worker-class", "sync",
        "--bind", f"127.0.0.1:{port}", "--chdir", str(BASE_DIR),
        "--timeout", "60", "--log-level", "warning", "--error-logfile", str(log),
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, cwd=BASE_DIR)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log}")
            try:
                status, _ = _request(port, "GET", "/bench/bare-insert/", None, {})
                if status == 405:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer within 60 s; see {log}")
            time.sleep(0.2)
        yield port, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _request(port, method, path, body, headers, conn=None):
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        if own:
            conn.close()


# --- The load client -------------------------------------------------------------------------


def drive(port, path, bodies, headers, *, count, clients, seconds):
    """``count`` POSTs spread over ``clients`` threads (each with its own connection, reused
    while the server keeps it open), stopped early after ``seconds``. Returns (latencies,
    wall seconds, failures)."""
    encoded = [json.dumps(b, ensure_ascii=False).encode() for b in bodies]
    headers = {"Content-Type": "application/json", **headers}
    counter = itertools.count()
    latencies, failures = [], []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        try:
            while time.perf_counter() < stop_at:
                i = next(counter)
                if i >= count:
                    break
                started = time.perf_counter()
                try:
                    status, data = _request(port, "POST", path, encoded[i % len(encoded)],
                                            headers, conn)  # fmt: skip
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    status, data = 0, repr(exc).encode()
                mine.append(time.perf_counter() - started)
                if status != 201:
                    with lock:
                        failures.append((status, data[:300]))
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, time.perf_counter() - started, failures


class Side:
    def __init__(self, name):
        self.name, self.latencies, self.wall, self.failures = name, [], 0.0, []

    def add(self, result):
        latencies, wall, failures = result
        self.latencies += latencies
        self.wall += wall
        self.failures += failures

    @property
    def rate(self):
        return len(self.latencies) / self.wall if self.wall else 0.0

    def p(self, q):
        return percentile(self.latencies, q) * 1000

    def line(self):
        return (
            f"{self.rate:,.0f} req/s, p50 {self.p(50):.0f} ms, p95 {self.p(95):.0f} ms "
            f"({len(self.latencies)} requests)"
        )


# --- The breakdown ---------------------------------------------------------------------------


class Phases:
    """Exclusive time and queries per phase: a phase entered inside another pauses it."""

    def __init__(self):
        self.seconds = defaultdict(float)
        self.queries = defaultdict(int)
        self.sql = defaultdict(float)  # statement (start) -> seconds in the database driver
        self.stack = [["other", 0.0]]

    @contextmanager
    def phase(self, name):
        now = time.perf_counter()
        top = self.stack[-1]
        self.seconds[top[0]] += now - top[1]
        self.stack.append([name, now])
        try:
            yield
        finally:
            now = time.perf_counter()
            self.seconds[name] += now - self.stack.pop()[1]
            self.stack[-1][1] = now

    def restart(self):
        self.stack = [["other", time.perf_counter()]]

    def close(self):
        top = self.stack[-1]
        self.seconds[top[0]] += time.perf_counter() - top[1]
        top[1] = time.perf_counter()

    def count_query(self, execute, sql, params, many, context):
        self.queries[self.stack[-1][0]] += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.sql[" ".join(sql.split())[:70]] += time.perf_counter() - started

    def wrap(self, name, func):
        def timed(*args, **kwargs):
            with self.phase(name):
                return func(*args, **kwargs)

        return timed


# (phase, object, attribute): what each phase times; missing attributes are skipped.
def _phase_targets():
    from knox.auth import TokenAuthentication
    from rest_framework.renderers import JSONRenderer
    from rest_framework.views import APIView

    from domovoy.api import auth
    from domovoy.servicedesk import api, conversation, deadlines, events, intake_cache, services

    return [
        ("auth (token, agreement)", TokenAuthentication, "authenticate"),
        ("auth (token, agreement)", auth.LoggedTokenAuthentication, "authenticate"),
        ("token-use log", auth, "token_use_log"),
        ("throttling", APIView, "check_throttles"),
        ("input (serializer, look-ups)", api.RequestCreateSerializer, "is_valid"),
        ("intake service (checks, insert, commit)", conversation,
         "service_request_create_with_files"),
        ("routing", services, "route_request"),
        ("routing", intake_cache, "routing"),
        ("deadline", deadlines, "topic_deadline"),
        ("numbering", services, "request_number_assign"),
        ("insert + numbering", services, "request_insert_numbered"),
        ("history", events, "record_event"),
        ("outbox", events, "notify_resident"),
        ("response body", api.RequestListView, "created"),
        ("response body", api.RequestsAPIView, "detail"),
        ("response body", JSONRenderer, "render"),
    ]  # fmt: skip


def breakdown(token, bodies, n, *, profile=False):
    """Mean time and queries per phase of ``n`` API intakes in this process."""
    from django.test import Client
    from django.test.utils import override_settings

    phases = Phases()
    patches = []
    for name, owner, attr in _phase_targets():
        original = getattr(owner, attr, None)
        if original is None:
            continue
        patches.append(mock.patch.object(owner, attr, phases.wrap(name, original)))
    rates = {"API_THROTTLE_INTAKE_INTEGRATION": "100000000/min"}
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    encoded = [json.dumps(b, ensure_ascii=False) for b in bodies]

    def post(i):
        response = client.post(API_PATH, encoded[i % len(encoded)], content_type="application/json")
        if response.status_code != 201:
            content = response.content[:300]
            raise AssertionError(f"{API_PATH} answered {response.status_code}: {content}")
        return response

    with (
        override_settings(ROOT_URLCONF="bench.http_urls", **rates),
        mock.patch("domovoy.notifications.services._schedule_delivery", lambda: None),
    ):
        for i in range(10):
            post(i)
        profiler = cProfile.Profile() if profile else None
        with contextlib_all(patches), connection.execute_wrapper(phases.count_query):
            totals = []
            if profiler:
                profiler.enable()
            for i in range(n):
                phases.restart()
                started = time.perf_counter()
                post(i)
                phases.close()
                totals.append(time.perf_counter() - started)
            if profiler:
                profiler.disable()
        bare_times, round_trips = _comparators(client, n)
    mean = sum(totals) / n
    order = sorted(phases.seconds, key=lambda k: -phases.seconds[k])
    lines = [
        f"  in-process breakdown of POST {API_PATH} (token), mean of {n}: {mean * 1000:.1f} ms, "
        f"{sum(phases.queries.values()) / n:.1f} queries (+ the commit); same process: the bare "
        f"insert view {bare_times * 1000:.1f} ms, one database round trip (SELECT 1) "
        f"{round_trips * 1000:.2f} ms"
    ]
    for name in order:
        lines.append(
            f"    {name:<42} {phases.seconds[name] / n * 1000:6.2f} ms "
            f"{phases.queries[name] / n:5.1f} q"
        )
    lines.append("    time in the driver by statement (mean per request):")
    for sql, seconds in sorted(phases.sql.items(), key=lambda kv: -kv[1])[:10]:
        lines.append(f"      {seconds / n * 1000:6.2f} ms  {sql}")
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(40)
        lines.append(out.getvalue())
    return "\n".join(lines)


def _comparators(client, n):
    """Mean time of the bare view in this process, and of one round trip to the database."""
    from bench.http_urls import BARE_PATH
    from domovoy.servicedesk.models import ServiceRequest

    sample = ServiceRequest.objects.order_by("-id").first()
    body = json.dumps(
        {
            "building": sample.building_id,
            "premises": sample.premises_id,
            "topic": sample.topic_id,
            "text": sample.text,
            "executor_org": sample.executor_org_id,
        }
    )
    started = time.perf_counter()
    for _ in range(n):
        response = client.post(f"/{BARE_PATH}", body, content_type="application/json")
        assert response.status_code == 201, response.content[:300]
    bare = (time.perf_counter() - started) / n
    with connection.cursor() as cursor:
        started = time.perf_counter()
        for _ in range(n):
            cursor.execute("SELECT 1")
            cursor.fetchone()
        trip = (time.perf_counter() - started) / n
    return bare, trip


@contextmanager
def contextlib_all(managers):
    from contextlib import ExitStack

    with ExitStack() as stack:
        for m in managers:
            stack.enter_context(m)
        yield


# --- The scenario ----------------------------------------------------------------------------


def http_intake(args):
    """Requests/s of token intake through gunicorn against the bare insert of the same server."""
    if connection.vendor != "postgresql":
        return "skipped: the HTTP bench runs on PostgreSQL (give --db-url or DATABASE_URL)"
    from bench.scenarios import analyze
    from domovoy.api.models import TokenUse
    from domovoy.notifications.models import Notice
    from domovoy.servicedesk.models import RequestEvent, ServiceRequest

    token, _agreement, api_bodies, bare_bodies = _seed()
    analyze(ServiceRequest, RequestEvent, Notice, TokenUse)
    count = getattr(args, "http_requests", 400)
    rounds = getattr(args, "http_rounds", 3)
    clients = getattr(args, "http_clients", 8)
    seconds = getattr(args, "http_seconds", 60)
    api, bare = Side("api"), Side("bare")
    headers = {"Authorization": f"Token {token}"}
    connection.close()  # the server's workers use their own connections
    before = ServiceRequest.objects.count()
    with gunicorn_server(os.environ["DATABASE_URL"]) as (port, _process):
        warm = min(50, count)
        drive(port, API_PATH, api_bodies, headers, count=warm, clients=clients, seconds=seconds)
        drive(port, "/bench/bare-insert/", bare_bodies, {}, count=warm, clients=clients,
              seconds=seconds)  # fmt: skip
        for _ in range(rounds):  # interleaved: a growing table or a busy machine hits both
            api.add(drive(port, API_PATH, api_bodies, headers, count=count, clients=clients,
                          seconds=seconds))  # fmt: skip
            bare.add(drive(port, "/bench/bare-insert/", bare_bodies, {}, count=count,
                           clients=clients, seconds=seconds))  # fmt: skip
    for side in (api, bare):
        if side.failures:
            status, body = side.failures[0]
            raise AssertionError(
                f"{side.name}: {len(side.failures)} failed requests, first {status}: {body!r}"
            )
    filed = ServiceRequest.objects.count() - before
    expected = len(api.latencies) + len(bare.latencies) + 2 * warm
    if filed != expected:
        raise AssertionError(f"{expected} requests answered 201, {filed} rows written")
    print(f"  api  POST {API_PATH} (integration token): {api.line()}")
    print(f"  bare one-row insert view, same server:      {bare.line()}")
    n = getattr(args, "http_breakdown", 200)
    print(breakdown(token, api_bodies, n, profile=getattr(args, "http_profile", False)))
    ratio = api.rate / bare.rate
    p95 = api.p(95)
    return (
        f"{api.rate:,.0f} requests/s through gunicorn POST {API_PATH} with a token vs bare insert "
        f"{bare.rate:,.0f}/s in the same server: ratio {ratio:.2f} "
        f"({'meets' if ratio >= 0.5 else 'MISSES'} 0.5); p50 {api.p(50):.0f} ms, "
        f"p95 {p95:.0f} ms ({'meets' if p95 < 80 else 'MISSES'} 80 ms; bare p95 "
        f"{bare.p(95):.0f} ms); {WORKERS} sync workers, {clients} clients, {rounds} rounds"
    )
