"""N1 under failure: two real worker processes (``manage.py deliver_notices --loop``) deliver
10,000 SMS notices (2,000 on SQLite) through a fake gateway; one is killed with SIGKILL in the
middle. Every notice must reach the gateway's phones exactly once and every row must end
``sent``."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from domovoy.directory.models import User
from domovoy.notifications import services
from domovoy.notifications.models import DeliveryAttempt, Notice
from domovoy.notifications.services import NoticeIntent, notices_enqueue

ROOT = Path(__file__).resolve().parents[2]
USERS = 100


def _database_url():
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    host, port = s.get("HOST") or "127.0.0.1", s.get("PORT") or 5432
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{host}:{port}/{s['NAME']}"


def _wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
@pytest.mark.req("N1")
@pytest.mark.django_db(transaction=True)
def test_two_workers_one_killed_deliver_every_sms_exactly_once(sms, monkeypatch):
    # PostgreSQL: workers claim side by side with SELECT … FOR UPDATE SKIP LOCKED. SQLite (the
    # embedded mode) serialises claims with IMMEDIATE transactions: the same proof, smaller.
    total = 10_000 if connection.vendor == "postgresql" else 2_000
    sms.dedup_field = "client_id"  # like a real gateway: a repeated client id is not re-sent
    monkeypatch.setattr(services, "_schedule_delivery", lambda: None)  # the workers deliver
    User.objects.bulk_create(
        [User(username=f"r{i}", phone=f"+7900{i:07d}", email="") for i in range(USERS)]
    )
    ids = list(User.objects.filter(username__startswith="r").values_list("id", flat=True))
    notices_enqueue(
        NoticeIntent(
            recipient_id=ids[i % USERS],
            kind="outage.published",
            dedup_key=f"outage:{i // USERS}:published:u{ids[i % USERS]}",
            subject="Отключение",
            body=f"Уведомление {i}",
            emergency=True,  # the workers run on the wall clock: not held by quiet hours
            channels=("sms",),
            group="reliability",
        )
        for i in range(total)
    )
    assert Notice.objects.filter(state="queued").count() == total

    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
        "TEST_SMS_URL": f"{sms.url}/sms/send",
        "HUEY_IMMEDIATE": "1",
    }
    env.pop("REDIS_URL", None)
    command = [
        sys.executable, "manage.py", "deliver_notices", "--loop",
        "--batch", "100", "--lease", "3", "--idle", "0.2",
    ]  # fmt: skip
    workers = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    victim, survivor = workers
    try:
        sent = lambda: Notice.objects.filter(state="sent").count()  # noqa: E731
        assert _wait_for(lambda: sent() >= total // 3, 40), (
            f"sent {sent()}, gateway requests {len(sms.requests)}, exit codes "
            f"{[w.poll() for w in workers]}, "
            + (victim.stderr.read1().decode() if victim.poll() is not None else "")
        )
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        killed_at = sent()
        assert killed_at < total, "the victim must die with work left"
        assert _wait_for(lambda: sent() == total, 90), Notice.objects.exclude(
            state="sent"
        ).values_list("state", flat=True)[:5]
    finally:
        for proc in workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()

    keys = set(Notice.objects.values_list("dedup_key", flat=True))
    assert len(sms.delivered) == total  # each client id handed to a phone once...
    assert set(sms.delivered) == keys  # ...and none missing
    # The gateway's idempotency covers the one window: a worker killed after the gateway took a
    # message but before its row was marked. Rows are marked one by one, so that is at most
    # the one message in flight.
    assert len(sms.requests) - total <= 1
    assert set(Notice.objects.values_list("state", flat=True)) == {"sent"}
    # Both processes did part of the work.
    by_worker = set(DeliveryAttempt.objects.values_list("worker", flat=True))
    assert any(w.endswith(f":{survivor.pid}") for w in by_worker)
    assert any(w.endswith(f":{victim.pid}") for w in by_worker)
