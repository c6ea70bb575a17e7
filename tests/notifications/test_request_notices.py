"""Request notices go through the engine (N2): a status change or a staff comment on a
resident's request writes one outbox row per channel the resident chose; a request filed by
phone without a resident account tells the caller by SMS, unless they refused it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from domovoy.notifications import services as notifications
from domovoy.notifications.delivery import deliver_all_due
from domovoy.notifications.models import InboxMessage, Notice
from domovoy.servicedesk import conversation, events
from domovoy.servicedesk import services as sd
from domovoy.servicedesk.models import Channel, RequestEvent

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")


@pytest.fixture(autouse=True)
def _noon(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 12, 0, tzinfo=MSK), tick=False)


def rows(request, **kw):
    return Notice.objects.filter(group=f"request:{request.pk}", **kw)


def file_by(author, building, classifier, **kw):
    return sd.service_request_create(
        building=building,
        topic=classifier["entrance-door"],
        text="Сломан доводчик входной двери во 2 подъезде",
        channel=kw.pop("channel", Channel.WEB),
        author=author,
        actor=kw.pop("actor", author),
        **kw,
    )


@pytest.mark.req("N2")
def test_a_status_change_reaches_the_residents_chosen_channels(
    anna, sms, building, classifier, links, uo_dispatcher
):
    notifications.preferences_set(user=anna, chosen=["inbox", "sms"])  # no e-mail, thanks
    sr = file_by(anna, building, classifier)
    sd.service_request_transition(
        request=sr, action="accept", actor=uo_dispatcher, comment="Мастер придёт завтра"
    )
    event = RequestEvent.objects.filter(request=sr, action="accept").get()
    accepted = rows(sr, dedup_key__startswith=f"request:{sr.pk}:event:{event.pk}:")
    assert sorted(accepted.values_list("channel", "state")) == [
        ("inbox", "queued"),
        ("sms", "queued"),
    ]
    for notice in accepted:
        assert (notice.recipient, notice.kind) == (anna, "request.status")
        assert notice.subject == f"Заявка № {sr.number}: на рассмотрении"
        assert notice.body.startswith("Мастер придёт завтра\nИсполнитель принял заявку")
        assert notice.url == f"/requests/my/{sr.number}/"
        assert notice.due_at == dt.datetime(2026, 12, 1, 12, 0, tzinfo=MSK)
    assert rows(sr).count() == 4  # filing and acceptance, inbox and SMS each
    assert not rows(sr, channel="email").exists()
    # A replay of the same event writes nothing (the dedup key decides).
    events.notify_resident(sr, event)
    assert rows(sr).count() == 4
    # The worker delivers: the SMS to the gateway, the message to the cabinet.
    deliver_all_due()
    assert set(rows(sr).values_list("state", flat=True)) == {"sent"}
    texts = [r["json"]["text"] for r in sms.requests]
    assert len(texts) == 2 and any("Мастер придёт завтра" in t for t in texts)
    assert all(r["json"]["phone"] == "+79101234567" for r in sms.requests)
    assert InboxMessage.objects.filter(recipient=anna, kind="request.status").count() == 2


@pytest.mark.req("N2")
def test_a_staff_comment_is_a_notice_and_the_residents_own_is_not(
    anna, sms, building, classifier, links, uo_dispatcher
):
    notifications.preferences_set(user=anna, chosen=["inbox", "sms"])
    sr = file_by(anna, building, classifier)
    conversation.comment_add(request=sr, author=anna, text="Когда придёте?", is_public=True)
    assert not rows(sr, kind="request.comment").exists()
    comment = conversation.comment_add(
        request=sr, author=uo_dispatcher, text="Завтра с 10 до 12", is_public=True
    )
    conversation.comment_add(request=sr, author=uo_dispatcher, text="Dorma", is_public=False)
    # A comment goes to the inbox (and push/Telegram when chosen), never by SMS or e-mail.
    assert sorted(rows(sr, kind="request.comment").values_list("channel", "dedup_key")) == [
        ("inbox", f"request:{sr.pk}:comment:{comment.pk}:inbox"),
    ]
    notice = rows(sr, kind="request.comment", channel="inbox").get()
    assert notice.subject == f"Заявка № {sr.number}: на рассмотрении"
    assert notice.body == "Новый комментарий: Завтра с 10 до 12"


def file_by_phone(building, classifier, call_operator, **kw):
    return file_by(
        None,
        building,
        classifier,
        channel=Channel.CALL_CENTRE,
        actor=call_operator,
        caller_name="Иванова Мария",
        phone="8 (910) 555-12-34",
        **kw,
    )


@pytest.mark.req("N2")
def test_a_caller_without_an_account_hears_of_status_changes_by_sms(
    sms, building, classifier, links, call_operator, uo_dispatcher
):
    sr = file_by_phone(building, classifier, call_operator)
    assert sr.author is None
    sd.service_request_transition(
        request=sr, action="accept", actor=uo_dispatcher, comment="Мастер придёт завтра"
    )
    conversation.comment_add(request=sr, author=uo_dispatcher, text="Позвоним", is_public=True)
    # Filed and accepted: two texts to the recorded phone; a comment is no status change.
    notices = list(Notice.objects.order_by("id"))
    assert [(n.channel, n.address, n.recipient_id) for n in notices] == [
        ("sms", "+79105551234", None)
    ] * 2
    assert notices[1].subject == f"Заявка № {sr.number}: на рассмотрении"
    assert notices[1].body == "Мастер придёт завтра"
    # The same event again writes nothing (dedup per request and event).
    event = RequestEvent.objects.filter(request=sr).order_by("id").last()
    assert events.notify_caller_by_sms(sr, event) == 0
    deliver_all_due()
    assert [r["json"]["phone"] for r in sms.requests] == ["+79105551234"] * 2
    assert not InboxMessage.objects.exists()


@pytest.mark.req("N2")
def test_a_caller_who_refused_sms_hears_nothing(
    sms, building, classifier, links, call_operator, uo_dispatcher
):
    sr = file_by_phone(building, classifier, call_operator, sms_opt_out=True)
    sd.service_request_transition(
        request=sr, action="accept", actor=uo_dispatcher, comment="Мастер придёт завтра"
    )
    assert not Notice.objects.exists()
    deliver_all_due()
    assert sms.requests == []


@pytest.mark.req("N2")
def test_opening_a_request_reads_only_its_messages(anna, boris, building, classifier, links):
    first = file_by(anna, building, classifier)
    second = file_by(anna, building, classifier)
    theirs = file_by(boris, building, classifier)
    deliver_all_due()
    assert events.notices_mark_read(user=anna, request=first) == 1
    assert events.notices_mark_read(user=boris, request=second) == 0  # not his messages
    unread = InboxMessage.objects.filter(read_at__isnull=True)
    assert sorted(unread.values_list("url", flat=True)) == sorted(
        [f"/requests/my/{second.number}/", f"/requests/my/{theirs.number}/"]
    )
    with pytest.raises(ValueError):
        notifications.inbox_mark_read_group(user=anna, group="")
