"""Long onboarding jobs survive a dead worker (issue 9, item 6): the check and the load keep
their progress in the request row with a lease and a heartbeat; a periodic sweeper re-queues a
job whose lease expired; the job restarts cleanly (no duplicate rows) and gives up after
ONBOARDING_JOB_MAX_ATTEMPTS starts with a clear error for the applicant and the operator."""

import datetime as dt
import signal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from domovoy.directory.models import Account, Organization
from domovoy.onboarding import services
from domovoy.onboarding.models import OnboardingRequest
from tests.core.consumer import wait_for

from .files import (
    ACCOUNT_HEADER,
    account_rows,
    after_commit,
    csv_bytes,
    register_buildings,
    uo_post_data,
    upload,
)

pytestmark = [pytest.mark.req("S7"), pytest.mark.req("D5")]
LEASE = dt.timedelta(seconds=services.job_lease_seconds())


def _queued(client, data=None):
    """Submit without running the commit callbacks: the check is queued, nobody runs it."""
    response = client.post("/onboarding/", data or uo_post_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    return OnboardingRequest.objects.get()


def _worker_died(onboarding, done=6003):
    """A worker claimed the job, reported some progress, and was killed."""
    token = services._claim(onboarding.pk, onboarding.status)
    assert token
    services._heartbeat(onboarding.pk, token, progress_done=done)
    onboarding.refresh_from_db()
    return token


@pytest.mark.django_db
def test_a_stranded_check_is_requeued_after_its_lease_and_completes_once(client):
    onboarding = _queued(client)
    _worker_died(onboarding)
    assert onboarding.status == "validating" and onboarding.attempts == 1
    assert onboarding.progress_done == 6003 and onboarding.lease_until > timezone.now()

    # While the lease runs the worker may be alive: nothing is re-queued.
    assert services.onboarding_jobs_sweep() == {"requeued": 0, "failed": 0}
    with time_machine.travel(timezone.now() + LEASE + dt.timedelta(seconds=1), tick=False):
        with after_commit():
            assert services.onboarding_jobs_sweep() == {"requeued": 1, "failed": 0}
    onboarding.refresh_from_db()
    assert onboarding.status == "submitted" and onboarding.attempts == 2
    assert onboarding.summary["accounts"]["count"] == 6
    assert list(onboarding.decisions.values_list("action", flat=True)) == ["submit"]
    assert onboarding.job_token == "" and onboarding.lease_until is None


@pytest.mark.django_db
def test_a_request_stranded_before_leases_existed_is_requeued_too(client):
    onboarding = _queued(client)
    OnboardingRequest.objects.filter(pk=onboarding.pk).update(lease_until=None, progress_done=6003)
    with after_commit():
        assert services.onboarding_jobs_sweep()["requeued"] == 1
    onboarding.refresh_from_db()
    assert onboarding.status == "submitted"


@pytest.mark.django_db
def test_after_the_last_attempt_it_gives_up_with_a_clear_error(
    client, settings, functional_operator
):
    settings.ONBOARDING_JOB_MAX_ATTEMPTS = 2
    onboarding = _queued(client)
    later = timezone.now()
    outcomes = []
    for _attempt in range(2):
        _worker_died(onboarding)
        later += 2 * LEASE
        with time_machine.travel(later, tick=False):
            outcomes.append(services.onboarding_jobs_sweep())  # the queue is not run here
    assert outcomes == [{"requeued": 1, "failed": 0}, {"requeued": 0, "failed": 1}]
    onboarding.refresh_from_db()
    assert onboarding.status == "invalid" and onboarding.files.count() == 0
    assert "прерывалась 2 раз(а)" in onboarding.last_error
    page = client.get(reverse("onboarding:status", args=[onboarding.token])).content.decode()
    assert "Проверка файлов прерывалась 2 раз(а) и остановлена" in page
    assert reverse("onboarding:correct", args=[onboarding.token]) in page
    client.force_login(functional_operator)
    review = client.get(reverse("onboarding:review", args=[onboarding.pk])).content.decode()
    assert "Проверка файлов прерывалась 2 раз(а) и остановлена" in review
    assert services.onboarding_jobs_sweep() == {"requeued": 0, "failed": 0}


@pytest.mark.django_db
def test_a_queued_job_that_used_every_attempt_is_not_started_again(client, settings):
    settings.ONBOARDING_JOB_MAX_ATTEMPTS = 1
    onboarding = _queued(client)
    OnboardingRequest.objects.filter(pk=onboarding.pk).update(attempts=1)
    services.onboarding_request_validate(request_id=onboarding.pk)
    onboarding.refresh_from_db()
    assert onboarding.status == "invalid" and not onboarding.summary.get("accounts")
    assert onboarding.decisions.filter(action="check_failed").count() == 1


@pytest.mark.django_db
def test_a_worker_that_lost_its_lease_writes_nothing(client, monkeypatch):
    onboarding = _queued(client)
    real = services.validate_sources

    def slow_then_superseded(**kwargs):
        result = real(**kwargs)
        # Meanwhile the lease expired and another worker took the job.
        OnboardingRequest.objects.filter(pk=onboarding.pk).update(job_token="another")
        return result

    monkeypatch.setattr(services, "validate_sources", slow_then_superseded)
    services.onboarding_request_validate(request_id=onboarding.pk)
    onboarding.refresh_from_db()
    assert onboarding.status == "validating" and onboarding.job_token == "another"
    assert not onboarding.decisions.exists()
    with pytest.raises(services.LeaseLost):
        services._heartbeat(onboarding.pk, "a-stale-token", progress_done=1)


@pytest.mark.django_db
def test_a_stranded_load_is_requeued_and_loads_exactly_once(client, settings, functional_operator):
    settings.ONBOARDING_ASYNC_ROWS = 3
    with after_commit():
        onboarding = _queued(client)
    onboarding.refresh_from_db()
    assert onboarding.status == "submitted"
    client.force_login(functional_operator)
    client.post(reverse("onboarding:approve", args=[onboarding.pk]))  # queued, not run
    onboarding.refresh_from_db()
    assert onboarding.status == "loading"
    _worker_died(onboarding, done=2)  # the load's transaction rolled back with the worker
    with time_machine.travel(timezone.now() + LEASE + dt.timedelta(seconds=1), tick=False):
        with after_commit():
            assert services.onboarding_jobs_sweep()["requeued"] == 1
    onboarding.refresh_from_db()
    assert onboarding.status == "approved" and onboarding.attempts == 2
    assert Organization.objects.filter(inn=onboarding.card["inn"]).count() == 1
    assert Account.objects.filter(premises__building__street="ул. Подключаемая").count() == 6
    assert onboarding.decisions.filter(action="loaded").count() == 1


def test_the_sweeper_runs_every_minute():
    at = dt.datetime(2026, 12, 4, 10, 7)
    assert any("onboarding_jobs_sweep" in t.name for t in HUEY.read_periodic(at))


# --- a real worker, killed -------------------------------------------------------------------

ROWS = 40_000


def _big_submission():
    data = uo_post_data(920, fmt="csv")
    rows = account_rows(ROWS, street="ул. Большая", houses=400)
    register_buildings(rows[:400])  # a CSV file has no buildings sheet: the registry has them
    data["accounts_file"] = upload("accounts.csv", csv_bytes(ACCOUNT_HEADER, rows))
    return data


def _state(pk):
    return OnboardingRequest.objects.filter(pk=pk).values(
        "status", "progress_done", "progress_total", "attempts", "job_token"
    )[0]


def _kill(proc):
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_is_replaced_and_the_job_completes_exactly_once(
    client, consumer, functional_operator
):
    # 1. The check of a large file starts in a real worker, which is killed mid-way.
    assert client.post("/onboarding/", _big_submission()).status_code == 302  # queued
    pk = OnboardingRequest.objects.get().pk
    worker = consumer()
    assert wait_for(lambda: _state(pk)["progress_done"] >= 1000, timeout=120), _state(pk)
    _kill(worker)
    stranded = _state(pk)
    assert stranded["status"] == "validating" and stranded["attempts"] == 1
    assert 0 < stranded["progress_done"] < stranded["progress_total"]

    # 2. Nothing moves until the sweeper sees the expired lease (time advanced, not slept).
    assert services.onboarding_jobs_sweep() == {"requeued": 0, "failed": 0}
    later = timezone.now() + LEASE + dt.timedelta(seconds=1)
    assert services.onboarding_jobs_sweep(now=later) == {"requeued": 1, "failed": 0}

    # 3. A new worker restarts the check and completes it once, with the right counts.
    worker = consumer()
    assert wait_for(lambda: _state(pk)["status"] != "validating", timeout=180), _state(pk)
    onboarding = OnboardingRequest.objects.get(pk=pk)
    assert onboarding.status == "submitted", onboarding.errors[:3]
    assert onboarding.attempts == 2
    assert onboarding.summary["accounts"]["count"] == ROWS
    assert onboarding.files.get(kind="accounts").rows >= ROWS
    assert list(onboarding.decisions.values_list("action", flat=True)) == ["submit"]

    # 4. The load (in the worker: the file is large) is killed too, then completes once.
    client.force_login(functional_operator)
    client.post(reverse("onboarding:approve", args=[pk]))
    assert wait_for(lambda: _state(pk)["job_token"] != "", timeout=60), _state(pk)
    _kill(worker)
    assert _state(pk)["status"] == "loading"
    assert Account.objects.filter(premises__building__street="ул. Большая").count() == 0
    later = timezone.now() + LEASE + dt.timedelta(seconds=1)
    assert services.onboarding_jobs_sweep(now=later) == {"requeued": 1, "failed": 0}
    consumer()
    assert wait_for(lambda: _state(pk)["status"] != "loading", timeout=240), _state(pk)
    onboarding.refresh_from_db()
    assert onboarding.status == "approved", onboarding.last_error
    assert Organization.objects.filter(inn=onboarding.card["inn"]).count() == 1
    assert Account.objects.filter(premises__building__street="ул. Большая").count() == ROWS
    assert onboarding.decisions.filter(action="loaded").count() == 1
