"""Every page shows a signed-in user the bell with the count of unread notices (N1)."""

import pytest
from django.test import Client

from domovoy.notifications.delivery import deliver_all_due
from domovoy.notifications.services import notices_enqueue

from .conftest import intent

pytestmark = [pytest.mark.django_db]


@pytest.mark.req("N1")
def test_the_bell_counts_unread_notices_on_every_page(anna, time_machine):
    time_machine.move_to("2026-12-07 12:00:00+03:00", tick=False)
    page = Client()
    page.force_login(anna)
    assert 'data-unread="0"' in page.get("/").content.decode()
    notices_enqueue([intent(anna, key="outage:1:published"), intent(anna, key="outage:2:x")])
    deliver_all_due()
    html = page.get("/help/").content.decode()
    assert html.count('data-unread="2"') == 2  # the phone bar and the wide one
    assert Client().get("/help/").content.decode().count("data-unread") == 0  # anonymous
