"""E-mail to an outside address (someone who is not a user yet, e.g. an applicant) through the
outbox (N1): one e-mail row carrying the address, idempotent, delivered like any other."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from domovoy.notifications import delivery
from domovoy.notifications.models import Notice
from domovoy.notifications.services import notice_to_address

MSK = ZoneInfo("Europe/Moscow")
pytestmark = [pytest.mark.req("N1"), pytest.mark.django_db]


@pytest.fixture
def noon(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 12, 0, tzinfo=MSK), tick=False)


def _send(**overrides):
    values = {
        "address": "applicant@example.ru",
        "kind": "test.outside",
        "dedup_key": "outside:1",
        "subject": "Тема",
        "body": "Текст",
    }
    return notice_to_address(**{**values, **overrides})


def test_one_email_row_with_the_address_is_delivered_once(noon):
    assert _send() == 1
    assert _send() == 0  # the same dedup key: nothing more
    notice = Notice.objects.get()
    assert (notice.channel, notice.address, notice.recipient_id) == (
        "email",
        "applicant@example.ru",
        None,
    )
    assert notice.dedup_key == "outside:1:email"
    assert delivery.deliver_due() == 1
    assert [m.to for m in mail.outbox] == [["applicant@example.ru"]]
    assert delivery.deliver_due() == 0 and len(mail.outbox) == 1


def test_no_address_no_row(noon):
    assert _send(address="  ") == 0
    assert not Notice.objects.exists()


def test_a_row_needs_a_recipient_or_an_email_or_sms_address():
    """An outside address is an e-mail or (issue 11, N2: a caller filed by the call centre) a
    phone for SMS; push and Telegram need a user."""
    now = timezone.now()
    fields = {"kind": "x", "subject": "s", "body": "b", "due_at": now, "next_attempt_at": now}
    with pytest.raises(IntegrityError), transaction.atomic():
        Notice.objects.create(channel="email", dedup_key="a", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Notice.objects.create(channel="push", address="x@example.ru", dedup_key="b", **fields)
    Notice.objects.create(channel="sms", address="+79101234567", dedup_key="c", **fields)
