"""The outbox worker (N1, O3): delivery, retries with back-off, leases, quiet hours."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from domovoy.notifications import delivery
from domovoy.notifications.models import DeliveryAttempt, InboxMessage, Notice
from domovoy.notifications.services import notices_enqueue

from .conftest import intent

MSK = ZoneInfo("Europe/Moscow")
NOON = dt.datetime(2026, 12, 1, 12, 0, tzinfo=MSK)
pytestmark = pytest.mark.django_db


@pytest.fixture
def noon(time_machine):
    time_machine.move_to(NOON, tick=False)
    return time_machine


@pytest.mark.req("N1")
def test_due_rows_reach_the_inbox_and_the_mailbox_once(anna, noon):
    notices_enqueue([intent(anna)])
    assert delivery.deliver_due() == 2
    assert set(Notice.objects.values_list("state", "attempts")) == {("sent", 1)}
    message = InboxMessage.objects.get()
    assert (message.recipient, message.subject, message.url) == (
        anna,
        "Отключение холодной воды",
        "/outages/1/",
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["anna@example.ru"]
    assert "С 10:00 до 18:00" in mail.outbox[0].body
    assert mail.outbox[0].extra_headers["Message-ID"].endswith("@domovoy.notifications>")
    assert DeliveryAttempt.objects.filter(ok=True).count() == 2
    assert delivery.deliver_due() == 0  # nothing is sent twice
    assert InboxMessage.objects.count() == 1 and len(mail.outbox) == 1


@pytest.mark.req("N1")
def test_a_redelivered_inbox_notice_writes_no_second_message(boris, noon):
    notices_enqueue([intent(boris)])
    delivery.deliver_due()
    Notice.objects.update(state="queued")  # as if the worker died before marking it
    delivery.deliver_due()
    assert InboxMessage.objects.count() == 1


@pytest.mark.req("O3")
def test_rows_due_later_wait_and_quiet_hours_keep_all_but_emergencies(boris, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 21, 0, tzinfo=MSK), tick=False)
    notices_enqueue([intent(boris, "later", due_at=dt.datetime(2026, 12, 1, 21, 30, tzinfo=MSK))])
    assert delivery.deliver_due() == 0
    # A backlog due before 22:00 but still queued at 22:05 is not sent at night...
    time_machine.move_to(dt.datetime(2026, 12, 1, 22, 5, tzinfo=MSK), tick=False)
    notices_enqueue([intent(boris, "alarm", emergency=True)])
    assert delivery.deliver_due() == 1  # ...but an emergency is, at once
    assert Notice.objects.get(dedup_key__startswith="alarm").state == "sent"
    assert Notice.objects.get(dedup_key__startswith="later").state == "queued"
    time_machine.move_to(dt.datetime(2026, 12, 2, 8, 0, tzinfo=MSK), tick=False)
    assert delivery.deliver_due() == 1
    assert set(Notice.objects.values_list("state", flat=True)) == {"sent"}


@pytest.mark.req("N1")
def test_a_failure_is_retried_with_growing_waits_then_marked_failed(
    anna, noon, settings, monkeypatch
):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    notices_enqueue([intent(anna, channels=("email",))])

    def broken(self, fail_silently=False):
        raise OSError("SMTP server unreachable")

    monkeypatch.setattr(mail.EmailMessage, "send", broken)
    delivery.deliver_due()
    row = Notice.objects.get()
    assert (row.state, row.attempts) == ("queued", 1)
    assert row.next_attempt_at == NOON + dt.timedelta(seconds=60)
    assert "SMTP server unreachable" in row.last_error

    assert delivery.deliver_due() == 0  # not before its time
    noon.shift(dt.timedelta(seconds=60))
    delivery.deliver_due()
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("queued", 2)
    assert row.next_attempt_at == NOON + dt.timedelta(seconds=60 + 120)

    noon.shift(dt.timedelta(seconds=120))
    delivery.deliver_due()
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("failed", 3)
    assert DeliveryAttempt.objects.filter(notice=row, ok=False).count() == 3


@pytest.mark.req("O3")
def test_a_retry_never_falls_into_quiet_hours(boris, time_machine, settings, monkeypatch):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 3600
    time_machine.move_to(dt.datetime(2026, 12, 1, 21, 30, tzinfo=MSK), tick=False)
    notices_enqueue([intent(boris)])
    from domovoy.notifications import adapters

    def broken(self, notices):
        return dict.fromkeys((n.pk for n in notices), adapters.DeliveryError("disk full"))

    monkeypatch.setattr(adapters.InboxAdapter, "send_many", broken)
    delivery.deliver_due()
    assert Notice.objects.get().next_attempt_at == dt.datetime(2026, 12, 2, 8, 0, tzinfo=MSK)


@pytest.mark.req("N1")
def test_a_permanent_failure_is_not_retried(boris, noon):
    notices_enqueue([intent(boris, channels=("inbox",))])
    Notice.objects.update(channel="email")  # boris has no e-mail address
    delivery.deliver_due()
    row = Notice.objects.get()
    assert (row.state, row.attempts) == ("failed", 1)
    assert "no e-mail address" in row.last_error


@pytest.mark.req("N1")
def test_rows_of_a_dead_worker_are_taken_again_after_the_lease(boris, noon):
    notices_enqueue([intent(boris)])
    token = "dead-worker"
    ids = delivery.claim(10, token=token, lease=60, now=NOON)
    assert len(ids) == 1 and Notice.objects.get().state == "sending"
    assert delivery.deliver_due() == 0  # leased to the other worker
    noon.shift(dt.timedelta(seconds=61))
    assert delivery.deliver_due() == 1
    assert Notice.objects.get().state == "sent"
    assert InboxMessage.objects.count() == 1


@pytest.mark.req("N1")
def test_a_row_that_kills_every_worker_ends_failed(boris, noon, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    notices_enqueue([intent(boris)])
    for _ in range(3):  # three workers take it and die
        delivery.claim(10, token="doomed", lease=60, now=timezone.now())
        noon.shift(dt.timedelta(seconds=61))
    assert delivery.deliver_due() == 0  # the next worker finds the third loss and gives up
    row = Notice.objects.get()
    assert (row.state, row.attempts) == ("failed", 3)
    assert "lease expired" in row.last_error
    assert DeliveryAttempt.objects.filter(notice=row, ok=False).count() == 3


@pytest.mark.req("N1")
def test_a_worker_that_lost_its_lease_does_not_overwrite_the_result(boris, noon):
    notices_enqueue([intent(boris)])
    delivery.claim(10, token="slow", lease=1, now=NOON)
    noon.shift(dt.timedelta(seconds=2))
    delivery.deliver_due()  # another worker takes and sends it
    row = Notice.objects.get()
    delivery._failed(
        row, RuntimeError("late"), token="slow", worker="w", duration=1, now=NOON
    )  # the slow worker reports a failure with its stale token
    row.refresh_from_db()
    assert (row.state, row.last_error) == ("sent", "")


@pytest.mark.req("N1")
def test_cancelled_rows_are_never_delivered(boris, noon):
    from domovoy.notifications.services import notices_cancel

    notices_enqueue([intent(boris)])
    notices_cancel(group="outage:1")
    assert delivery.deliver_due() == 0
    assert not InboxMessage.objects.exists()


@pytest.mark.req("N1")
def test_the_producers_commit_schedules_delivery(boris, noon, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notices_enqueue([intent(boris)])
    assert len(callbacks) == 1
    assert Notice.objects.get().state == "sent"  # Huey runs tasks inline in tests
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notices_enqueue([intent(boris, "future", due_at=NOON + dt.timedelta(days=5))])
    assert callbacks == []  # nothing due now: the periodic task will take it


@pytest.mark.req("N1")
def test_the_periodic_task_runs_every_minute_and_the_command_drains_the_queue(boris, noon):
    at = dt.datetime(2026, 12, 1, 10, 7)
    assert any("deliver_notices_periodic" in t.name for t in HUEY.read_periodic(at))
    notices_enqueue([intent(boris, f"k{i}") for i in range(5)])
    call_command("deliver_notices", "--batch", "2")
    assert set(Notice.objects.values_list("state", flat=True)) == {"sent"}
    assert InboxMessage.objects.count() == 5


@pytest.mark.req("N1")
def test_finished_rows_past_retention_are_purged_and_the_inbox_stays(boris, noon, settings):
    settings.NOTIFICATIONS_RETENTION_DAYS = 30
    notices_enqueue([intent(boris, "old")])
    delivery.deliver_due()
    noon.shift(dt.timedelta(days=31))
    notices_enqueue(
        [intent(boris, "new"), intent(boris, "waiting", due_at=NOON + dt.timedelta(days=40))]
    )
    Notice.objects.filter(dedup_key__startswith="old").update(created_at=NOON)
    delivery.deliver_due()
    assert delivery.purge_old() == 1
    assert set(Notice.objects.values_list("dedup_key", flat=True)) == {
        f"new:u{boris.pk}:inbox",
        f"waiting:u{boris.pk}:inbox",
    }
    assert InboxMessage.objects.count() == 2  # the old message is still in the cabinet
    assert any(
        "purge_old_notices" in t.name for t in HUEY.read_periodic(dt.datetime(2026, 12, 1, 3, 17))
    )


@pytest.mark.req("N1")
def test_a_batch_costs_the_same_queries_for_ten_rows_and_for_fifty(noon, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests import factories as f

    # Fifty: SQLite splits a bulk insert past 999 parameters, which is not what is measured.
    users = [f.UserFactory(username=f"q{i}", email="", phone="") for i in range(50)]

    def deliver(count, prefix):
        notices_enqueue(
            [intent(u, key=f"{prefix}:{u.pk}", group=f"{prefix}:g") for u in users[:count]]
        )
        with CaptureQueriesContext(connection) as ctx:
            assert delivery.deliver_due(1000) == count
        return len(ctx.captured_queries)

    assert deliver(10, "small") == deliver(50, "big")
    assert set(InboxMessage.objects.values_list("group", flat=True)) == {"small:g", "big:g"}
