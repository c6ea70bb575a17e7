"""The inbox message carries its notice's group (N2): opening a request marks its messages read
with one UPDATE on the inbox alone, also after the nightly purge removed the outbox rows (N1);
the data migration fills the group of messages written before the column existed."""

import datetime as dt
import importlib
import types
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as global_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from domovoy.notifications import delivery
from domovoy.notifications import services as notifications
from domovoy.notifications.models import InboxMessage, Notice
from domovoy.notifications.services import notices_enqueue
from domovoy.servicedesk import events
from domovoy.servicedesk import services as sd
from domovoy.servicedesk.models import Channel

from .conftest import intent

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
NOON = dt.datetime(2026, 12, 1, 12, 0, tzinfo=MSK)
fill = importlib.import_module("domovoy.notifications.migrations.0003_inboxmessage_group_fill")


@pytest.fixture
def noon(time_machine):
    time_machine.move_to(NOON, tick=False)
    return time_machine


def file_by(author, building, classifier):
    return sd.service_request_create(
        building=building,
        topic=classifier["entrance-door"],
        text="Сломан доводчик входной двери во 2 подъезде",
        channel=Channel.WEB,
        author=author,
        actor=author,
    )


@pytest.mark.req("N2")
def test_the_inbox_message_keeps_the_notices_group(boris, noon):
    notices_enqueue([intent(boris), intent(boris, "other", group="")])
    delivery.deliver_all_due()
    assert sorted(InboxMessage.objects.values_list("group", flat=True)) == ["", "outage:1"]


@pytest.mark.req("N2")
def test_mark_read_by_group_is_one_update_without_a_join(anna, boris, noon):
    notices_enqueue([intent(anna), intent(anna, "b", group="outage:2"), intent(boris)])
    delivery.deliver_all_due()
    with CaptureQueriesContext(connection) as queries:
        assert notifications.inbox_mark_read_group(user=anna, group="outage:1") == 1
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(writes) == 1 and "JOIN" not in writes[0].upper()
    assert "notifications_notice" not in writes[0]
    unread = InboxMessage.objects.filter(read_at__isnull=True)
    assert sorted(unread.values_list("recipient__username", "group")) == [
        ("anna", "outage:2"),
        ("boris", "outage:1"),
    ]
    # Already read: nothing more to mark, the first read time stays.
    first = InboxMessage.objects.get(recipient=anna, group="outage:1").read_at
    noon.shift(dt.timedelta(minutes=5))
    assert notifications.inbox_mark_read_group(user=anna, group="outage:1") == 0
    assert InboxMessage.objects.get(recipient=anna, group="outage:1").read_at == first


@pytest.mark.req("N2")
@pytest.mark.req("N1")
def test_opening_a_request_reads_its_messages_after_the_outbox_was_purged(
    anna, boris, building, classifier, links, noon, settings
):
    settings.NOTIFICATIONS_RETENTION_DAYS = 180
    first = file_by(anna, building, classifier)
    second = file_by(anna, building, classifier)
    theirs = file_by(boris, building, classifier)
    delivery.deliver_all_due()
    assert InboxMessage.objects.filter(notice__isnull=False).count() == 3
    outbox = Notice.objects.count()
    assert outbox >= 3
    noon.shift(dt.timedelta(days=181))
    assert delivery.purge_old() == outbox
    assert not Notice.objects.exists()
    # The purge keeps the messages and cuts their link to the outbox.
    assert InboxMessage.objects.count() == 3
    assert not InboxMessage.objects.filter(notice__isnull=False).exists()

    assert events.notices_mark_read(user=anna, request=first) == 1
    assert events.notices_mark_read(user=boris, request=second) == 0  # not his message
    unread = InboxMessage.objects.filter(read_at__isnull=True)
    assert sorted(unread.values_list("group", flat=True)) == sorted(
        [f"request:{second.pk}", f"request:{theirs.pk}"]
    )
    read = InboxMessage.objects.get(group=f"request:{first.pk}")
    assert read.recipient == anna and read.read_at == timezone.now()


def old_message(notice, **kw):
    """An inbox message as written before the column existed: no group."""
    values = {
        "recipient_id": notice.recipient_id if notice else kw["recipient_id"],
        "notice": notice,
        "kind": "request.status",
        "subject": "Заявка",
        "body": "Принята",
        "created_at": NOON,
    }
    values.update(kw)
    return InboxMessage(**values)


def outbox_row(user, key, group):
    return Notice.objects.create(
        recipient=user,
        channel="inbox",
        kind="request.status",
        group=group,
        subject="Заявка",
        body="Принята",
        due_at=NOON,
        next_attempt_at=NOON,
        dedup_key=key,
        state="sent",
    )


@pytest.mark.req("N2")
def test_the_migration_copies_the_group_from_the_notice(anna, boris, monkeypatch):
    monkeypatch.setattr(fill, "CHUNK", 2)  # several chunks over five rows
    notices = [outbox_row(anna, f"k{i}:inbox", f"request:{i}") for i in range(3)]
    no_group = outbox_row(boris, "k9:inbox", "")
    InboxMessage.objects.bulk_create(
        [old_message(n) for n in notices]
        + [old_message(no_group)]
        + [old_message(None, recipient_id=boris.pk)]  # its outbox row was purged already
    )
    InboxMessage.objects.filter(notice=notices[2]).update(group="request:kept")  # already set
    schema_editor = types.SimpleNamespace(connection=connection)

    fill.copy_groups(global_apps, schema_editor)

    groups = dict(InboxMessage.objects.values_list("notice__dedup_key", "group"))
    assert groups == {
        "k0:inbox": "request:0",
        "k1:inbox": "request:1",
        "k2:inbox": "request:kept",
        "k9:inbox": "",
        None: "",
    }
    # Filled rows are found by the new mark-read path.
    assert notifications.inbox_mark_read_group(user=anna, group="request:1") == 1
    fill.copy_groups(global_apps, schema_editor)  # a rerun changes nothing
    assert dict(InboxMessage.objects.values_list("notice__dedup_key", "group")) == groups


@pytest.mark.req("N2")
def test_the_migration_on_an_empty_inbox_does_nothing(db):
    fill.copy_groups(global_apps, types.SimpleNamespace(connection=connection))
    assert not InboxMessage.objects.exists()
