"""The words of outage notices (O3, issue 11): the interval to the start is the real one from
the moment the notice is delivered, in Russian with the right plural forms; a reminder whose
moment passed before the publication is not queued."""

import datetime as dt

import pytest

from domovoy.notifications.models import Notice
from domovoy.outages.notify import interval_text
from tests.fixtures import msk

pytestmark = pytest.mark.django_db


def anna_inbox(outage, people):
    return list(
        Notice.objects.filter(
            group=outage.group, channel="inbox", recipient=people["anna"]
        ).order_by("due_at", "id")
    )


@pytest.mark.req("O3")
def test_a_publication_three_days_ahead_says_three_days_and_queues_no_5_day_reminder(
    frozen, publish_planned, people
):
    outage = publish_planned(msk(2026, 12, 10, 12, 0))
    notices = anna_inbox(outage, people)
    assert [n.kind for n in notices] == ["outage.published", "outage.reminder_1d"]
    published, one_day = notices
    assert published.subject.startswith("Через 3 дня:")
    assert "через 3 дня" in published.body
    assert "5 дней" not in published.subject + published.body
    assert one_day.due_at == msk(2026, 12, 9, 12, 0)
    assert one_day.subject.startswith("Через 1 день:")


@pytest.mark.req("O3")
def test_a_reminder_held_by_quiet_hours_states_the_interval_from_its_delivery(
    frozen, publish_planned, people
):
    # Start 02:30: the 1-day reminder falls at 02:30 and is delivered at 08:00 the day before.
    outage = publish_planned(msk(2026, 12, 20, 2, 30))
    reminder = Notice.objects.get(
        group=outage.group, channel="inbox", recipient=people["anna"], kind="outage.reminder_1d"
    )
    assert reminder.due_at == msk(2026, 12, 19, 8, 0)
    assert reminder.subject.startswith("Через 18 часов:")
    assert "Завтра" not in reminder.subject


@pytest.mark.req("O3")
def test_a_publication_less_than_a_day_ahead_is_sent_once_with_hours(
    frozen, publish_planned, people
):
    outage = publish_planned(msk(2026, 12, 7, 17, 45))
    notices = anna_inbox(outage, people)
    assert [n.kind for n in notices] == ["outage.published"]
    assert notices[0].subject.startswith("Через 5 часов:")


@pytest.mark.req("O3")
@pytest.mark.parametrize(
    "delta, words",
    [
        (dt.timedelta(days=1), "1 день"),
        (dt.timedelta(days=2), "2 дня"),
        (dt.timedelta(days=5), "5 дней"),
        (dt.timedelta(days=11), "11 дней"),
        (dt.timedelta(days=21), "21 день"),
        (dt.timedelta(days=22, hours=1), "22 дня 1 час"),
        (dt.timedelta(hours=3), "3 часа"),
        (dt.timedelta(hours=12), "12 часов"),
        (dt.timedelta(minutes=1), "1 минуту"),
        (dt.timedelta(minutes=3), "3 минуты"),
        (dt.timedelta(minutes=45), "45 минут"),
    ],
)
def test_intervals_use_the_russian_plural_forms(delta, words):
    assert interval_text(delta) == words
