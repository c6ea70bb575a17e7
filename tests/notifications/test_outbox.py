"""The outbox contract (N1, O3): idempotent enqueue, channels per recipient, quiet hours,
cancel and stats by group, a constant number of queries per batch."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from domovoy.notifications import channels
from domovoy.notifications.models import ChannelPreference, Notice, TelegramLink
from domovoy.notifications.services import (
    delivery_stats,
    notices_cancel,
    notices_enqueue,
)
from tests import factories as f

from .conftest import intent

MSK = ZoneInfo("Europe/Moscow")
pytestmark = pytest.mark.django_db


def msk(day, hour, minute=0):
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=MSK)


@pytest.mark.req("N1")
def test_it_writes_one_row_per_default_channel_and_nothing_on_a_repeat(anna, boris):
    assert notices_enqueue([intent(anna), intent(boris)]) == 3
    rows = {(n.recipient_id, n.channel, n.dedup_key) for n in Notice.objects.all()}
    assert rows == {
        (anna.pk, "inbox", f"outage:1:published:u{anna.pk}:inbox"),
        (anna.pk, "email", f"outage:1:published:u{anna.pk}:email"),
        (boris.pk, "inbox", f"outage:1:published:u{boris.pk}:inbox"),
    }  # SMS is not configured; boris has no e-mail
    assert notices_enqueue([intent(anna), intent(boris)]) == 0
    assert Notice.objects.count() == 3
    assert set(Notice.objects.values_list("state", flat=True)) == {"queued"}


@pytest.mark.req("N1")
def test_sms_is_a_default_channel_when_the_gateway_is_configured_and_the_user_has_a_phone(
    anna, boris, sms
):
    notices_enqueue([intent(anna), intent(boris)])
    assert set(Notice.objects.filter(recipient=anna).values_list("channel", flat=True)) == {
        "inbox",
        "email",
        "sms",
    }
    assert list(Notice.objects.filter(recipient=boris).values_list("channel", flat=True)) == [
        "inbox"
    ]


@pytest.mark.req("N1")
def test_chosen_channels_and_the_producers_channels_intersect(anna, sms, telegram):
    ChannelPreference.objects.create(user=anna, channels=["inbox", "sms", "telegram"])
    TelegramLink.objects.create(user=anna, chat_id=555)
    notices_enqueue([intent(anna, "a")])
    assert set(Notice.objects.values_list("channel", flat=True)) == {"inbox", "sms", "telegram"}
    notices_enqueue([intent(anna, "b", channels=("email", "telegram"))])
    assert list(
        Notice.objects.filter(dedup_key__startswith="b:").values_list("channel", flat=True)
    ) == ["telegram"]


@pytest.mark.req("N1")
def test_a_chosen_channel_without_an_address_is_skipped_and_the_inbox_stays(anna, telegram):
    ChannelPreference.objects.create(user=anna, channels=["telegram"])  # never linked
    notices_enqueue([intent(anna)])
    assert list(Notice.objects.values_list("channel", flat=True)) == ["inbox"]


@pytest.mark.req("N1")
def test_inactive_and_unknown_recipients_get_nothing(anna):
    anna.is_active = False
    anna.save()
    assert notices_enqueue([intent(anna)]) == 0
    assert notices_enqueue([intent(anna, recipient_id=999_999)]) == 0
    assert not Notice.objects.exists()


@pytest.mark.req("O3")
@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (msk(1, 21, 59), msk(1, 21, 59)),  # a minute before quiet hours: stays
        (msk(1, 22, 0), msk(2, 8, 0)),  # quiet hours begin: the next morning
        (msk(1, 23, 30), msk(2, 8, 0)),
        (msk(2, 0, 0), msk(2, 8, 0)),  # after midnight: the same morning
        (msk(2, 7, 59), msk(2, 8, 0)),
        (msk(2, 8, 0), msk(2, 8, 0)),  # quiet hours over: stays
    ],
)
def test_quiet_hours_move_a_due_moment_to_the_next_8_am(boris, due, expected):
    notices_enqueue([intent(boris, due_at=due)])
    assert Notice.objects.get().due_at == expected
    assert Notice.objects.get().next_attempt_at == expected


@pytest.mark.req("O3")
@pytest.mark.parametrize("due", [msk(1, 22, 0), msk(2, 3, 0), msk(2, 7, 59)])
def test_an_emergency_ignores_quiet_hours(boris, due):
    notices_enqueue([intent(boris, due_at=due, emergency=True)])
    assert Notice.objects.get().due_at == due


@pytest.mark.req("O3")
def test_a_notice_enqueued_at_night_without_a_due_moment_waits_until_morning(boris, time_machine):
    time_machine.move_to(msk(1, 23, 10), tick=False)
    notices_enqueue([intent(boris)])
    assert Notice.objects.get().due_at == msk(2, 8, 0)


@pytest.mark.req("O3")
def test_quiet_hours_follow_the_settings(boris, settings):
    settings.NOTIFICATIONS_QUIET_START = "21:00"
    settings.NOTIFICATIONS_QUIET_END = "09:30"
    settings.NOTIFICATIONS_TIME_ZONE = "Asia/Yekaterinburg"  # UTC+5
    yekt = ZoneInfo("Asia/Yekaterinburg")
    notices_enqueue([intent(boris, due_at=dt.datetime(2026, 12, 1, 21, 0, tzinfo=yekt))])
    assert Notice.objects.get().due_at == dt.datetime(2026, 12, 2, 9, 30, tzinfo=yekt)


@pytest.mark.req("O3")
def test_cancel_stops_the_queued_rows_of_a_group_and_stats_count_them(anna, boris):
    notices_enqueue([intent(anna), intent(boris)])
    notices_enqueue([intent(anna, "outage:1:reminder_5d", kind="outage.reminder_5d")])
    notices_enqueue([intent(anna, "outage:2:published", group="outage:2")])
    Notice.objects.filter(recipient=boris).update(state="sent")

    assert notices_cancel(group="outage:1", kinds=["outage.reminder_5d"]) == 2
    assert delivery_stats(group="outage:1") == {
        "inbox": {"queued": 1, "sent": 1, "failed": 0, "cancelled": 1},
        "email": {"queued": 1, "sent": 0, "failed": 0, "cancelled": 1},
    }
    assert notices_cancel(group="outage:1") == 2  # the sent row stays sent
    assert delivery_stats(group="outage:1")["inbox"] == {
        "queued": 0,
        "sent": 1,
        "failed": 0,
        "cancelled": 2,
    }
    assert delivery_stats(group="outage:2")["email"]["queued"] == 1  # another group untouched
    assert delivery_stats(group="nothing") == {}


@pytest.mark.req("N1")
def test_enqueue_runs_a_constant_number_of_queries_whatever_the_batch():
    users = [f.UserFactory(phone=f"+7999000{i:04d}") for i in range(30)]

    def reads_and_inserts(ctx):
        sql = [q["sql"] for q in ctx.captured_queries]
        inserts = [q for q in sql if q.startswith("INSERT")]
        return len(sql) - len(inserts), len(inserts)

    with CaptureQueriesContext(connection) as few:
        notices_enqueue([intent(u, "small") for u in users[:3]])
    with CaptureQueriesContext(connection) as many:
        notices_enqueue([intent(u, "large") for u in users])
    assert reads_and_inserts(many)[0] == reads_and_inserts(few)[0]
    # One INSERT for the batch on PostgreSQL; Django splits it on SQLite's 999-parameter limit.
    assert reads_and_inserts(many)[1] == (1 if connection.vendor == "postgresql" else 2)
    assert Notice.objects.filter(dedup_key__startswith="large").count() == 60


@pytest.mark.req("N1")
def test_a_too_long_dedup_key_is_a_producer_bug(anna):
    with pytest.raises(ValueError, match="dedup_key"):
        notices_enqueue([intent(anna, "x" * 300)])
    assert not Notice.objects.exists()


def test_the_channel_rules_resolve_the_default_and_the_producers_request():
    r = channels.Recipient(id=1, email="a@b.ru", phone="+7")
    on = ("inbox", "email", "sms")
    assert channels.channels_for(r, on=on) == ("inbox", "email", "sms")
    assert channels.channels_for(r, ("sms",), on=on) == ("sms",)
    chose = channels.Recipient(id=1, email="a@b.ru", chosen=("email",))
    assert channels.channels_for(chose, on=on) == ("inbox", "email")
