"""Issue 11 (N1): a failed delivery is not abandoned after half an hour. Retries go on with
waits doubling up to an hour for NOTIFICATIONS_RETRY_FOR_HOURS (24 by default) from the first
failure, never into quiet hours; when the last one fails too, the row is failed for good."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from domovoy.notifications import delivery
from domovoy.notifications.models import DeliveryAttempt, Notice
from domovoy.notifications.services import notices_enqueue

from .conftest import intent

MSK = ZoneInfo("Europe/Moscow")
NOON = dt.datetime(2026, 12, 1, 12, 0, tzinfo=MSK)
pytestmark = pytest.mark.django_db


@pytest.fixture
def broken_mail(monkeypatch):
    def broken(self, fail_silently=False):
        raise OSError("SMTP server unreachable")

    monkeypatch.setattr(mail.EmailMessage, "send", broken)


def _run_until_final(time_machine, row, limit=100):
    """Move the frozen clock to each retry and run the worker; the moments of the attempts."""
    moments = []
    for _ in range(limit):
        row.refresh_from_db()
        if row.state != "queued":
            return moments
        time_machine.move_to(row.next_attempt_at, tick=False)
        moments.append(row.next_attempt_at.astimezone(MSK))
        delivery.deliver_due()
    raise AssertionError(f"the row is still retried after {limit} attempts")


@pytest.mark.req("N1")
def test_retries_go_on_hourly_past_half_an_hour_and_stop_after_a_day(
    anna, time_machine, broken_mail
):
    time_machine.move_to(NOON, tick=False)
    notices_enqueue([intent(anna, channels=("email",))])
    row = Notice.objects.get()
    moments = _run_until_final(time_machine, row)
    gaps = [int((b - a).total_seconds()) for a, b in zip(moments, moments[1:], strict=False)]
    # Doubling waits (1, 2, 4, 8, 16, 32 min), then hourly instead of giving up at ~31 min.
    assert gaps[:6] == [60, 120, 240, 480, 960, 1920]
    assert set(gaps[6:13]) == {3600}
    # Nothing is tried at night: the 21:03 failure waits until 08:00.
    assert all(not (22 <= m.hour or m.hour < 8) for m in moments)
    assert dt.datetime(2026, 12, 2, 8, 0, tzinfo=MSK) in moments
    # The last try is at the end of the day of retries; it failed, so the row is failed.
    assert moments[-1] == NOON + dt.timedelta(hours=24)
    row.refresh_from_db()
    assert row.state == "failed"
    assert row.failing_since == NOON
    assert row.attempts == len(moments) > 6
    assert DeliveryAttempt.objects.filter(notice=row, ok=False).count() == len(moments)


@pytest.mark.req("N1")
def test_the_retry_period_is_a_setting(anna, time_machine, broken_mail, settings):
    settings.NOTIFICATIONS_RETRY_FOR_HOURS = 2
    time_machine.move_to(NOON, tick=False)
    notices_enqueue([intent(anna, channels=("email",))])
    row = Notice.objects.get()
    moments = _run_until_final(time_machine, row)
    start = NOON
    assert [int((m - start).total_seconds() // 60) for m in moments] == [
        0, 1, 3, 7, 15, 31, 63, 120,
    ]  # fmt: skip
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("failed", 8)
    assert "SMTP server unreachable" in row.last_error


@pytest.mark.req("N1")
def test_a_delivery_that_recovers_within_the_period_is_sent_once(anna, time_machine, monkeypatch):
    time_machine.move_to(NOON, tick=False)
    notices_enqueue([intent(anna, channels=("email",))])
    calls = []

    def flaky(self, fail_silently=False):
        calls.append(1)
        if len(calls) < 9:  # fails for over two hours
            raise OSError("SMTP server unreachable")
        return 1

    monkeypatch.setattr(mail.EmailMessage, "send", flaky)
    row = Notice.objects.get()
    _run_until_final(time_machine, row)
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("sent", 9)
    assert row.sent_at > NOON + dt.timedelta(hours=2)
    assert delivery.deliver_due() == 0
    assert len(calls) == 9
