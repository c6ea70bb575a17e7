"""Background work runs in a real Huey consumer process, on SQLite and PostgreSQL alike."""

import datetime as dt

import pytest
from huey.contrib.djhuey import HUEY

from domovoy.core.models import WorkerHeartbeat
from domovoy.core.tasks import worker_heartbeat
from tests import factories as f
from tests.core.consumer import wait_for

_wait_for = wait_for


@pytest.mark.slow
@pytest.mark.req("D5")
@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_by_a_page_is_executed_by_a_real_consumer(client, consumer, territory):
    org = f.OrganizationFactory(kinds=["technical_operator"], territory=territory["region"])
    user = f.employee(org, roles=["technical_operator"]).user
    client.force_login(user)

    response = client.post("/system/probe/")
    assert response.status_code == 302
    token = response["Location"].split("probe=")[1]
    assert not WorkerHeartbeat.objects.filter(token=token).exists()  # queued, not run inline

    proc = consumer()
    done = _wait_for(lambda: WorkerHeartbeat.objects.filter(token=token).exists())
    assert done, proc.stderr.read1().decode() if proc.poll() is not None else "no result in 30 s"
    probe = WorkerHeartbeat.objects.get(token=token)
    assert probe.worker.endswith(f":{proc.pid}")  # executed by that process, not by us
    page = client.get(f"/system/?probe={token}")
    assert "Задача выполнена обработчиком" in page.content.decode()


@pytest.mark.slow
@pytest.mark.req("D5")
@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_through_the_api_is_executed_by_a_real_consumer(consumer, territory):
    from rest_framework.test import APIClient

    org = f.OrganizationFactory(kinds=["technical_operator"], territory=territory["region"])
    api = APIClient()
    api.force_authenticate(f.employee(org, roles=["technical_operator"]).user)
    token = api.post("/api/v1/system/worker-probe/").json()["token"]
    consumer()
    assert _wait_for(lambda: api.get(f"/api/v1/system/worker-probe/{token}/").json()["done"])


def test_periodic_jobs_are_declared_on_their_schedule():
    """The consumer's scheduler asks `read_periodic(now)` every minute: the heartbeat is due
    at every minute, the onboarding overdue scan (if present) on its own schedule."""
    at = dt.datetime(2026, 11, 27, 10, 0)
    due = {t.name for t in HUEY.read_periodic(at)}
    assert any("worker_heartbeat" in name for name in due)
    assert any("worker_heartbeat" in t.name for t in HUEY.read_periodic(at.replace(minute=7)))


@pytest.mark.django_db
def test_the_heartbeat_task_records_the_worker_and_keeps_a_bounded_history(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC))
    worker_heartbeat()  # immediate mode: runs inline
    beat = WorkerHeartbeat.objects.get()
    assert beat.kind == "periodic" and beat.at.hour == 9


@pytest.mark.django_db
def test_only_the_technical_operator_may_probe_the_worker(client, uo_dispatcher):
    client.force_login(uo_dispatcher)
    assert client.post("/system/probe/").status_code == 403
    assert client.get("/system/").status_code == 403
