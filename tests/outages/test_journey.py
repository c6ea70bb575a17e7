"""Issue 5's journey with the clock frozen at each moment that matters: a hot-water supplier
draws a polygon over the houses of ул. Советская and publishes an outage 7 days ahead; the
residents in the zone (and a subscriber of a favourite address) get exactly the notices O3
promises — on publication, 5 days before, 1 day before, on completion — never between 22:00
and 08:00, each once, in the inbox and through the fake SMS and Telegram gateways; the billing
export shows the outage's duration per account (O1, O3, O4, O5, O6, N1)."""

import csv
import io

import pytest
from django.test import Client
from rest_framework.test import APIClient

from domovoy.directory.models import ServiceLink
from domovoy.notifications.delivery import deliver_all_due
from domovoy.notifications.models import InboxMessage, Notice, TelegramLink
from domovoy.outages.models import FavouriteAddress, Outage
from domovoy.outages.tasks import complete_due_outages
from tests.fixtures import msk
from tests.notifications.gateway import FakeGateway

pytestmark = [pytest.mark.django_db]

# The polygon of the supplier's drawing: houses 1 and 2 of ул. Советская inside, house 3 not.
POLYGON = [[57.755, 40.915], [57.755, 40.925], [57.765, 40.925], [57.765, 40.915]]


@pytest.fixture
def gateways(settings):
    sms, telegram = FakeGateway(), FakeGateway()
    sms.dedup_field = "client_id"
    telegram.default = (200, {"ok": True, "result": {"message_id": 7}})
    settings.NOTIFICATIONS_SMS_URL = f"{sms.url}/sms/send"
    settings.NOTIFICATIONS_SMS_TOKEN = "sms-secret"
    settings.NOTIFICATIONS_TELEGRAM_API_URL = telegram.url
    settings.NOTIFICATIONS_TELEGRAM_BOT_TOKEN = "123:ABC"
    yield sms, telegram
    sms.close()
    telegram.close()


def sms_texts(sms, phone):
    return [r["json"]["text"] for r in sms.requests if r["json"].get("phone") == phone]


def telegram_texts(telegram, chat_id):
    return [r["json"]["text"] for r in telegram.requests if r["json"].get("chat_id") == chat_id]


def kinds_in_inbox(user):
    return list(
        InboxMessage.objects.filter(recipient=user).order_by("id").values_list("kind", flat=True)
    )


@pytest.mark.req("O1", "O3", "O4", "O5", "O6", "N1")
def test_a_hot_water_outage_reaches_every_resident_at_the_right_hours(
    frozen, rso, uo, rso_dispatcher, houses, people, gateways
):
    sms, telegram = gateways
    ServiceLink.objects.create(uo=uo, provider=rso, resource="hot_water", start=msk(2020, 1, 1))
    anna, boris, vera = people["anna"], people["boris"], people["vera"]
    anna.phone, boris.phone = "+79990000001", "+79990000002"
    anna.save(update_fields=["phone"])
    boris.save(update_fields=["phone"])
    TelegramLink.objects.create(user=anna, chat_id=1001)
    TelegramLink.objects.create(user=vera, chat_id=1003)
    # Вера watches her parents' house 2 (O6); house 3 is outside the polygon.
    FavouriteAddress.objects.filter(user=vera).update(building=houses[1])

    # Monday 7 December, 12:00: published 7 days ahead — more than 5 days remain (O3).
    api = APIClient()
    api.force_authenticate(rso_dispatcher)
    response = api.post(
        "/api/v1/outages/",
        {
            "kind": "planned",
            "resource": "hot_water",
            "network": "supplier",
            "zone": {"polygon": POLYGON},
            "reason": "Гидравлические испытания тепловых сетей",
            "start": "2026-12-14T07:30:00+03:00",
            "planned_end": "2026-12-14T17:30:00+03:00",
            "auto_complete": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    outage = Outage.objects.get(pk=response.json()["id"])
    # Fewer than the 10 days a supplier owes: accepted and marked late for the control body.
    assert response.json()["building_count"] == 2 and outage.is_late
    deliver_all_due()
    for user in (anna, boris, vera):
        assert kinds_in_inbox(user) == ["outage.published"]
    assert len(sms_texts(sms, anna.phone)) == len(sms_texts(sms, boris.phone)) == 1
    assert len(telegram_texts(telegram, 1001)) == len(telegram_texts(telegram, 1003)) == 1

    # The 5-day reminder falls on Wednesday 07:30 — in the quiet hours: it waits until 08:00.
    frozen.move_to(msk(2026, 12, 9, 7, 59))
    assert deliver_all_due() == 0
    frozen.move_to(msk(2026, 12, 9, 8, 0))
    assert deliver_all_due() > 0
    for user in (anna, boris, vera):
        assert kinds_in_inbox(user)[-1] == "outage.reminder_5d"

    # Nothing goes out in the night before the 1-day reminder (Sunday 07:30 → 08:00).
    frozen.move_to(msk(2026, 12, 13, 7, 59))
    assert deliver_all_due() == 0
    frozen.move_to(msk(2026, 12, 13, 8, 0))
    deliver_all_due()
    for user in (anna, boris, vera):
        assert kinds_in_inbox(user)[-1] == "outage.reminder_1d"

    # Monday 17:30: the automatic completion (O4) and its notice, at once (day time).
    frozen.move_to(msk(2026, 12, 14, 17, 31))
    assert complete_due_outages() == 1  # what the periodic task runs every minute
    deliver_all_due()
    outage.refresh_from_db()
    assert outage.status == "completed"
    expected = ["outage.published", "outage.reminder_5d", "outage.reminder_1d"]
    for user in (anna, boris, vera):
        assert kinds_in_inbox(user)[:3] == expected and len(kinds_in_inbox(user)) == 4

    # Each notice once per channel: nothing left, nothing failed, no repeat at the gateways.
    assert not Notice.objects.exclude(state=Notice.State.SENT).exists()
    assert len(sms_texts(sms, anna.phone)) == len(sms_texts(sms, boris.phone)) == 4
    assert len(sms.delivered) == len(set(sms.delivered)) == 8
    assert len(telegram_texts(telegram, 1001)) == len(telegram_texts(telegram, 1003)) == 4
    assert "горяч" in sms_texts(sms, anna.phone)[0].lower()

    # The billing export: 10 hours of hot water for the accounts of houses 1 and 2 (O5).
    page = Client()
    page.force_login(rso_dispatcher)
    response = page.get(
        "/outages/durations/",
        {"date_from": "2026-12-01", "date_to": "2026-12-31", "by": "account", "format": "csv"},
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    body = [r for r in rows[1:] if r]
    assert {r[1] for r in body} == {"1", "2"}  # premises of Анна and Борис; house 3 is outside
    assert rows[0][3:6] == ["Ресурс", "Часов без ресурса", "Секунд"]
    assert [(r[3], r[4], r[5]) for r in body] == [("Горячая вода", "10.0", "36000")] * 2
