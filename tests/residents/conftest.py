"""Fixtures of the resident's way in: an SMS gateway faked on 127.0.0.1 (the outbox holds
every code sent), an account of «УК Центр»'s building, and reading a code from the outbox."""

import re

import pytest

from domovoy.notifications.models import Notice
from tests import factories as f
from tests.notifications.gateway import FakeGateway


@pytest.fixture
def sms(settings):
    gateway = FakeGateway()
    settings.NOTIFICATIONS_SMS_URL = f"{gateway.url}/sms/send"
    settings.NOTIFICATIONS_SMS_TOKEN = "sms-secret"
    settings.NOTIFICATIONS_SMS_SENDER = "DOMOVOY"
    yield gateway
    gateway.close()


@pytest.fixture
def flat(building):
    """Flat 12 of «УК Центр»'s building with account 7700120012 of Сёмина Ольга."""
    premises, account = f.premises_with_account(
        building, number="12", account_number="7700120012", owner="Сёмина"
    )
    return account


@pytest.fixture
def other_flat(territory, other_uo):
    """A flat in a building of another UO."""
    b = f.BuildingFactory(territory=territory["district"], street="ул. Дальняя", house="9")
    f.manage(b, other_uo)
    _, account = f.premises_with_account(b, number="3", account_number="9900000003")
    return account


def last_code(address: str) -> str:
    """The six digits of the newest message to ``address`` in the outbox."""
    body = Notice.objects.filter(address=address).latest("pk").body
    return re.search(r"\b(\d{6})\b", body).group(1)
