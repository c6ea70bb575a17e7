"""A real Huey consumer process for tests: `manage.py run_huey` against the test database and
this process's queue (imported as a fixture by the tests that need one)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from huey.contrib.djhuey import HUEY

ROOT = Path(__file__).resolve().parents[2]


def database_url():
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    host, port = s.get("HOST") or "127.0.0.1", s.get("PORT") or 5432
    return f"postgres://{s['USER']}@{host}:{port}/{s['NAME']}"


def wait_for(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def consumer(tmp_path):
    """``consumer()`` starts a consumer (one worker) and returns its Popen; all are stopped at
    the end. The files the test process stores are where the consumer looks for them."""
    HUEY.immediate = False
    HUEY.storage.flush_queue() if hasattr(HUEY.storage, "flush_queue") else None
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "HUEY_FILE": str(HUEY.storage.filename),
        "HUEY_IMMEDIATE": "0",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    if getattr(settings, "PRIVATE_MEDIA_ROOT", None):
        env["PRIVATE_MEDIA_ROOT"] = str(settings.PRIVATE_MEDIA_ROOT)
    env.pop("REDIS_URL", None)
    procs = []

    def start():
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "run_huey", "-w", "1", "-d", "0.1", "-n"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
