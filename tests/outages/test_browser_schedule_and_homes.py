"""Issue 12 item 10 in a real browser (O3, O6): the outage card's notices by kind with their
dates, and «Мои адреса» with the resident's own home. Screenshots at 1366 and 390 px."""

import datetime as dt

import pytest
from django.utils import timezone

from .test_browser import login, page  # noqa: F401 - the page kept on this machine

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.req("O3", "O6")
def test_the_outage_card_schedule_and_my_addresses_with_the_home(
    page,  # noqa: F811
    live_server,
    shot,
    publish_planned,
    rso_dispatcher,
    people,
    houses,
):
    start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    outage = publish_planned(start + dt.timedelta(days=12))
    five = timezone.localtime(outage.start - dt.timedelta(days=5)).strftime("%d.%m.%Y %H:%M")
    login(page, live_server, rso_dispatcher)
    page.goto(live_server.url + f"/outages/{outage.pk}/")
    row = page.locator('#delivery-schedule tr[data-kind="outage.reminder_5d"]')
    row.get_by_text("Напоминание за 5 дней до начала").wait_for()
    assert five in row.inner_text()
    shot(page, "i12-outage-card")
    login(page, live_server, people["boris"])
    page.goto(live_server.url + "/outages/my-addresses/")
    page.locator(f'[data-home="{houses[1].pk}"]').get_by_text("мой дом").wait_for()
    shot(page, "i12-my-addresses")
